//! The desk's history in the app: the kept list drawn before the server answers, kept
//! messages shown while a thread is read, what each answer from the server gives to keep,
//! and search. The store itself is `crate::history`; the app only asks and is told.

use super::*;
use crate::history::{History, Hit, Keep, KeptList, KeptRecent};
use crate::popup::{Found, Search};

/// How many kept messages a thread shows at once when opened.
pub const KEPT_THREAD: usize = 200;
/// How many kept messages are shown from a search result on when the server cannot be read.
pub const KEPT_FROM_HIT: usize = 500;
/// How many results a search shows.
pub const SEARCH_LIMIT: usize = 100;

#[derive(Debug, Default)]
pub struct KeptState {
    /// The desk keeps history (the inbox does; some tests do not).
    pub available: bool,
    /// The list on screen is the kept one, as of this time: until the server answers.
    pub as_of: Option<DateTime<Utc>>,
    /// A search result to show once its message is in the thread.
    pub seek: Option<(ConversationId, MessageId)>,
    /// The server could not be read while seeking: the kept copy will do.
    seek_kept: bool,
    /// The backfill: conversations whose history is still being read back, of those active.
    pub backfill: Option<(usize, usize)>,
    /// What the store holds, said under search results.
    pub covers: String,
}

/// How many kept messages per conversation tell who waits at start, and from how far back.
const RECENT_PER_CONVERSATION: usize = 12;
const RECENT_HOURS: i64 = 48;

/// The oldest moment the history keeps.
pub fn kept_since(now: DateTime<Utc>, retention_days: u32) -> DateTime<Utc> {
    now - chrono::Duration::days(retention_days.into())
}

/// The kept newest messages of the conversations active lately, for who waits
/// ([`App::on_kept_recent`]).
pub fn recent_of(store: &dyn History, now: DateTime<Utc>) -> Option<Event> {
    let since = now - chrono::Duration::hours(RECENT_HOURS);
    match store.recent(since, RECENT_PER_CONVERSATION) {
        Ok(recent) => Some(Event::KeptRecent(recent)),
        Err(e) => {
            tracing::error!("{e}");
            None
        }
    }
}

/// What an answer from the server gives the desk's history to keep (pure: the inbox loop
/// hands it to the store's thread).
pub fn keep_of(event: &Event, now: DateTime<Utc>) -> Option<Keep> {
    match event {
        Event::ConversationsLoaded(Ok(list)) => Some(Keep::List {
            conversations: list.clone(),
            at: now,
        }),
        Event::PageLoaded {
            conversation,
            limit,
            result: Ok(page),
        }
        | Event::Refreshed {
            conversation,
            limit,
            result: Ok(page),
        } => Some(Keep::Messages {
            conversation: *conversation,
            messages: page.clone(),
            // Pages are contiguous back from the newest: a short one holds the first message.
            reached_start: page.len() < *limit as usize,
        }),
        // `from-room` answers with the room's whole history.
        Event::RoomOpened { result: Ok(r), .. } => Some(Keep::Messages {
            conversation: r.conversation_id,
            messages: r.messages.clone(),
            reached_start: true,
        }),
        Event::LiveMessage(m) => m.conversation_id.map(|conversation| Keep::Messages {
            conversation,
            messages: vec![(**m).clone()],
            reached_start: false,
        }),
        Event::Deleted {
            message,
            hard: true,
            result: Ok(()),
        } => Some(Keep::Removed(*message)),
        _ => None,
    }
}

/// Answers what the app asked of the history (`Effect::ReadKept`, `Search`, `CountKept`);
/// None for any other effect. Run on the store's thread by the inbox, directly by tests.
pub fn answer(effect: Effect, store: &mut dyn History, retention_days: i64) -> Option<Event> {
    let failed = |e: crate::history::HistoryError| tracing::error!("{e}");
    match effect {
        Effect::ReadKept {
            conversation,
            from,
            limit,
        } => match store.thread(conversation, from, limit) {
            Ok(messages) => Some(Event::KeptThread {
                conversation,
                messages,
            }),
            Err(e) => {
                failed(e);
                None
            }
        },
        // A failed search still answers, so the popup does not say "Searching…" for ever.
        Effect::Search(query) => Some(Event::Found {
            hits: store.search(&query, SEARCH_LIMIT).unwrap_or_else(|e| {
                failed(e);
                vec![]
            }),
            query,
        }),
        Effect::CountKept => match store.counts() {
            Ok(c) => Some(Event::KeptCovers(format!(
                "{} messages in {} conversations kept ({retention_days} days)",
                c.messages, c.conversations
            ))),
            Err(e) => {
                failed(e);
                None
            }
        },
        _ => None,
    }
}

/// Whether an effect is a question for the history.
pub fn asks_history(effect: &Effect) -> bool {
    matches!(
        effect,
        Effect::ReadKept { .. } | Effect::Search(_) | Effect::CountKept
    )
}

impl App {
    /// The list as last kept, drawn at once and marked with when it was read. The server's
    /// list replaces it by id when it comes (`on_list_loaded`), so nothing is doubled.
    pub fn show_kept(&mut self, kept: KeptList) {
        self.kept.available = true;
        if kept.conversations.is_empty() || self.list_updated.is_some() {
            return;
        }
        self.kept.as_of = kept.as_of.or(Some(self.clock.now));
        self.conversations = kept.conversations.into_iter().map(|c| (c.id, c)).collect();
        self.resort();
        self.selected = self.order.first().copied();
        self.list_loaded = true;
        self.index_rooms();
        self.ensure_list_visible();
        self.dirty = true;
    }

    /// The kept newest messages of the active conversations: who waits is known from them,
    /// and only a conversation whose activity moved since they were kept is read again.
    pub(crate) fn on_kept_recent(&mut self, recent: Vec<KeptRecent>) -> Vec<Command> {
        for r in recent {
            let Some(newest) = r.messages.last().map(|m| m.timestamp) else {
                continue;
            };
            for m in &r.messages {
                self.observe_message(r.conversation, m);
            }
            if r.from_start {
                self.service.reached_start(r.conversation);
            }
            let listed = self
                .conversations
                .get(&r.conversation)
                .and_then(|c| c.last_message_time);
            // The list's time is the newest message's, to the second or so.
            if let Some(listed) = listed
                && newest >= listed - chrono::Duration::seconds(1)
            {
                self.service
                    .learned_from_history(r.conversation, Some(listed));
            }
        }
        vec![]
    }

    /// Kept messages of a thread, shown until the server's page settles them.
    pub(crate) fn on_kept_thread(
        &mut self,
        conversation: ConversationId,
        messages: Vec<Message>,
    ) -> Vec<Command> {
        if let Some(t) = self.threads.get_mut(&conversation) {
            t.merge_kept(messages);
        }
        self.reveal_sought();
        vec![]
    }

    /// Asks the store for a thread's kept messages, beside the server read.
    pub(crate) fn read_kept(&self, conversation: ConversationId) -> Option<Command> {
        self.kept
            .available
            .then_some(Command::Effect(Effect::ReadKept {
                conversation,
                from: None,
                limit: KEPT_THREAD,
            }))
    }

    pub(crate) fn open_search(&mut self) -> Vec<Command> {
        if !self.kept.available {
            self.notice(
                Level::Info,
                "Search needs the desk's history, which is not kept here",
            );
            return vec![];
        }
        self.overlay = Overlay::Search(Search::new(self.kept.covers.clone()));
        vec![Command::Effect(Effect::CountKept)]
    }

    pub(crate) fn on_found(&mut self, query: String, hits: Vec<Hit>) -> Vec<Command> {
        let rows: Vec<Found> = hits.iter().map(|h| self.found_row(h)).collect();
        if let Overlay::Search(s) = &mut self.overlay {
            s.answer(&query, rows);
        }
        vec![]
    }

    fn found_row(&self, h: &Hit) -> Found {
        let local = h.at.with_timezone(&self.clock.offset);
        let when = if local.date_naive()
            == self
                .clock
                .now
                .with_timezone(&self.clock.offset)
                .date_naive()
        {
            local.format("today %H:%M").to_string()
        } else {
            local.format("%a %-d %b %H:%M").to_string()
        };
        let room = h
            .room
            .map(|r| format!("Room {r}"))
            .unwrap_or_else(|| "Room ?".into());
        let guest = h.guest.clone().unwrap_or_default();
        let who = match h.sender {
            SenderType::Guest => "Guest".to_string(),
            _ => h.author.clone(),
        };
        let files = if h.files.is_empty() {
            String::new()
        } else {
            format!(" [{}]", h.files.join(", "))
        };
        Found {
            conversation: h.conversation,
            message: h.message,
            heading: format!("{room} · {guest} · {when}"),
            text: format!("{who}: {}{files}", h.text),
        }
    }

    /// Opens a search result: the conversation, scrolled to the message once it is in.
    pub(crate) fn open_found(
        &mut self,
        conversation: ConversationId,
        message: MessageId,
    ) -> Vec<Command> {
        self.kept.seek = Some((conversation, message));
        self.kept.seek_kept = false;
        let mut c = self.open_conversation(conversation, Focus::Thread);
        if !self.reveal_sought() {
            c.extend(self.seek_further(conversation));
        }
        c
    }

    /// A page of the sought conversation came: show the message, or read further back.
    pub(crate) fn after_page_for_seek(
        &mut self,
        conversation: ConversationId,
        failed: bool,
    ) -> Vec<Command> {
        let Some((sought, message)) = self.kept.seek else {
            return vec![];
        };
        if sought != conversation || self.reveal_sought() {
            return vec![];
        }
        if failed {
            // The server cannot be read: the kept messages from the result on.
            self.kept.seek_kept = true;
            return vec![Command::Effect(Effect::ReadKept {
                conversation,
                from: Some(message),
                limit: KEPT_FROM_HIT,
            })];
        }
        self.seek_further(conversation)
    }

    fn seek_further(&mut self, conversation: ConversationId) -> Vec<Command> {
        let limit = self.page_size;
        let Some(t) = self.threads.get_mut(&conversation) else {
            return vec![];
        };
        match t.fetch {
            Fetch::More => {
                t.fetch = Fetch::Loading;
                vec![Command::Job(Job::LoadPage {
                    conversation,
                    before: t.oldest_id(),
                    limit,
                })]
            }
            // The first page is on its way; its answer comes back here.
            Fetch::Loading | Fetch::NotStarted => vec![],
            Fetch::Done => {
                self.kept.seek = None;
                self.notice(
                    Level::Info,
                    "That message is no longer on the server (deleted since it was kept)",
                );
                vec![]
            }
        }
    }

    /// Scrolls to and selects the sought message if the open thread holds it.
    fn reveal_sought(&mut self) -> bool {
        let Some((conversation, message)) = self.kept.seek else {
            return false;
        };
        if self.open != Some(conversation) {
            return false;
        }
        // A kept copy alone may sit above a hole until the server's page settles it.
        let kept_will_do = self.kept.seek_kept;
        let shown = self.with_thread(|t, view_h, heights| {
            if !t.messages.contains_key(&message) || (t.kept.contains(&message) && !kept_will_do) {
                return false;
            }
            t.selected = Some(message);
            t.reveal(message, view_h, heights);
            true
        });
        if shown == Some(true) {
            self.kept.seek = None;
            self.dirty = true;
            return true;
        }
        false
    }
}
