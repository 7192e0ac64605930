//! What colleagues did, true on this screen within seconds. On the deployment a colleague's
//! reply is published only on a private channel no staff member can sign (contract 4.12),
//! and the list costs the server about 12 queries per conversation (4.13), so neither the
//! socket nor the list can say it in time. What does, cheaply:
//!
//! - a colleague opening a guest's conversation marks it read: `messages-read-by-staff` on
//!   the conversation's public channel, and a drop in `unread-count` (one cheap call, read
//!   every few seconds while a waiting guest has unread messages). That conversation is then
//!   "hot": a short page every few seconds for two minutes, while the colleague writes;
//! - a waiting guest whose messages were already read gives no such signal: those are read
//!   in turn, a short page each, paced;
//! - a guest's wait that reaches past what the desk holds is read back until the last staff
//!   answer or the conversation's start, so the guest's own messages never shorten it.
//!
//! One timer drives it, and at most one request leaves per tick, so an idle desk stays under
//! one request a second however many guests wait (`BENCHMARKS.md`, "Across desks").

use std::collections::HashMap;

use super::*;

/// The watch's tick while something is watched; idle, it looks less often.
pub const TICK_MS: u64 = 1000;
const IDLE_TICK_MS: u64 = 5000;
/// `unread-count` while a waiting guest has unread messages.
const UNREAD_EVERY_SECS: i64 = 5;
/// How long a conversation a colleague opened stays hot, and how often it is read then.
const HOT_FOR_SECS: i64 = 120;
const HOT_EVERY_SECS: i64 = 3;
/// A waiting guest whose messages were read: nothing else would say that someone answered.
const READ_EVERY_SECS: i64 = 12;
/// A waiting guest with unread messages: the unread count falls when someone opens it (the
/// web staff UI and frontdesk mark read on opening), so these are read seldom, for a reply
/// sent without opening.
const UNREAD_WAITING_EVERY_SECS: i64 = 60;
/// At most one page this often.
const PAGE_EVERY_MS: i64 = 1500;
/// A check reads the newest few: a reply, and the join line written after it.
pub const CHECK_LIMIT: u32 = 3;
/// The front desk log, read this often while no socket brings its lines.
const LOG_EVERY_SECS: i64 = 10;
/// A read back of a long wait, and how far it goes.
pub const READ_BACK_LIMIT: u32 = 50;
const READ_BACK_PAGES: u32 = 10;

#[derive(Debug, Default)]
pub struct Watch {
    scheduled: bool,
    last_unread: Option<DateTime<Utc>>,
    last_page: Option<DateTime<Utc>>,
    /// Conversations a colleague opened, until when they are read often.
    hot: HashMap<ConversationId, DateTime<Utc>>,
    /// When each conversation was last read by the watch.
    checked: HashMap<ConversationId, DateTime<Utc>>,
    /// Each conversation's room key, the key of `unread-count` (contract 4.6).
    room_key: HashMap<ConversationId, i64>,
    /// Read backs under way, with the pages read so far.
    reading_back: HashMap<ConversationId, u32>,
    /// The log's last read while no socket brings its lines.
    last_log_read: Option<DateTime<Utc>>,
}

impl Watch {
    pub(crate) fn room_key(&mut self, conversation: ConversationId, key: Option<i64>) {
        if let Some(k) = key {
            self.room_key.insert(conversation, k);
        }
    }

    /// Conversations read often now (a colleague opened them).
    pub fn hot(&self) -> impl Iterator<Item = ConversationId> + '_ {
        self.hot.keys().copied()
    }
}

impl App {
    /// Starts the watch's timer if it is not running.
    pub(crate) fn keep_watching(&mut self) -> Vec<Command> {
        if std::mem::replace(&mut self.colleagues.scheduled, true) {
            return vec![];
        }
        vec![Command::Job(Job::WatchIn(IDLE_TICK_MS))]
    }

    /// Whether colleagues' replies must be read to be known. Without signing (the
    /// deployment) they never come live; with it, only the stays of conversations this desk
    /// has read are followed, so a reply in another waiting conversation is read too.
    fn replies_unheard(&self) -> bool {
        !matches!(self.connection, Connection::Connecting) && self.list_loaded
    }

    /// One tick: at most one request, then the next tick.
    pub(crate) fn on_watch_tick(&mut self) -> Vec<Command> {
        self.dirty = false;
        self.colleagues.scheduled = false;
        let now = self.clock.now;
        let mut cmds = self.announce_due();
        let socket = matches!(self.connection, Connection::Live | Connection::LivePartial);
        if !socket
            && self.list_loaded
            && self
                .colleagues
                .last_log_read
                .is_none_or(|t| now - t >= chrono::Duration::seconds(LOG_EVERY_SECS))
        {
            self.colleagues.last_log_read = Some(now);
            cmds.extend(self.read_desk_log());
        }
        let waiting: Vec<ConversationId> = self
            .waiting()
            .into_iter()
            .map(|(id, _)| id)
            .filter(|id| self.open != Some(*id))
            .collect();
        // Hot until the two minutes are out, or until the answer has come.
        let answered: Vec<ConversationId> = self
            .colleagues
            .hot
            .keys()
            .filter(|id| self.service.wait(**id).is_none() || self.set_aside(**id))
            .copied()
            .collect();
        for id in answered {
            self.colleagues.hot.remove(&id);
        }
        self.colleagues.hot.retain(|_, until| *until > now);
        let busy = !waiting.is_empty() || !self.colleagues.hot.is_empty();
        if self.replies_unheard() && busy {
            cmds.extend(self.next_check(&waiting, now));
        }
        self.colleagues.scheduled = true;
        cmds.push(Command::Job(Job::WatchIn(if busy {
            TICK_MS
        } else {
            IDLE_TICK_MS
        })));
        cmds
    }

    fn next_check(&mut self, waiting: &[ConversationId], now: DateTime<Utc>) -> Vec<Command> {
        let w = &self.colleagues;
        let since = |t: Option<DateTime<Utc>>| t.map(|t| (now - t).num_milliseconds());
        let any_unread = waiting.iter().any(|id| {
            self.conversations
                .get(id)
                .is_some_and(|c| c.unread_count > 0)
        });
        if any_unread
            && since(w.last_unread).is_none_or(|ms| ms >= UNREAD_EVERY_SECS * 1000)
            && !self.unread_loading
        {
            self.colleagues.last_unread = Some(now);
            self.unread_loading = true;
            return vec![Command::Job(Job::LoadUnreadCounts)];
        }
        if since(w.last_page).is_some_and(|ms| ms < PAGE_EVERY_MS) {
            return vec![];
        }
        let age = |id: &ConversationId| since(w.checked.get(id).copied()).unwrap_or(i64::MAX);
        let hot = w
            .hot
            .keys()
            .filter(|id| self.open != Some(**id))
            .filter(|id| age(id) >= HOT_EVERY_SECS * 1000)
            .max_by_key(|id| age(id))
            .copied();
        let pick = hot.or_else(|| {
            waiting
                .iter()
                .filter_map(|id| {
                    let unread = self
                        .conversations
                        .get(id)
                        .is_some_and(|c| c.unread_count > 0);
                    let every = if unread {
                        UNREAD_WAITING_EVERY_SECS
                    } else {
                        READ_EVERY_SECS
                    };
                    // Read guests first (nothing else would tell), then the longest unread.
                    (age(id) >= every * 1000).then_some(((!unread, age(id)), *id))
                })
                .max_by_key(|(k, _)| *k)
                .map(|(_, id)| id)
        });
        let Some(id) = pick else {
            return vec![];
        };
        self.colleagues.last_page = Some(now);
        self.colleagues.checked.insert(id, now);
        self.refresh(id, CHECK_LIMIT)
    }

    /// A colleague read the guest's messages (a read event, or the unread count fell): read
    /// the conversation now and often for a while, as a reply usually follows.
    pub(crate) fn colleague_opened(&mut self, id: ConversationId) -> Vec<Command> {
        if self.open == Some(id) || !self.replies_unheard() {
            return vec![];
        }
        let now = self.clock.now;
        let was_hot = self
            .colleagues
            .hot
            .insert(id, now + chrono::Duration::seconds(HOT_FOR_SECS))
            .is_some();
        let mut c = self.keep_watching();
        if !was_hot {
            self.colleagues.checked.insert(id, now);
            c.extend(self.refresh(id, CHECK_LIMIT));
        }
        c
    }

    /// The unread counts per room: a count that fell means someone opened the room's
    /// conversation. Returns the reads to make, and whether the list is worth reading: a
    /// count rose, or one fell in a room the desk cannot name.
    pub(crate) fn unread_fell(
        &mut self,
        before: &HashMap<String, u32>,
        now: &HashMap<String, u32>,
    ) -> (Vec<Command>, bool) {
        let mut fell = Vec::new();
        let mut rose = false;
        for (key, n) in before {
            let after = now.get(key).copied().unwrap_or(0);
            if after < *n {
                fell.push((key.clone(), after));
            }
        }
        for (key, n) in now {
            if before.get(key).is_none_or(|b| n > b) {
                rose = true;
            }
        }
        let mut cmds = Vec::new();
        for (key, after) in fell {
            let convs: Vec<ConversationId> = match key.parse::<i64>() {
                Ok(key) => self
                    .colleagues
                    .room_key
                    .iter()
                    .filter(|(_, k)| **k == key)
                    .map(|(c, _)| *c)
                    .collect(),
                Err(_) => vec![],
            };
            if convs.is_empty() {
                rose = true;
            }
            for id in convs {
                if let Some(c) = self.conversations.get_mut(&id)
                    && c.unread_count > after
                {
                    c.unread_count = after;
                }
                if self.service.wait(id).is_some() {
                    cmds.extend(self.colleague_opened(id));
                }
            }
        }
        (cmds, rose)
    }

    /// After a read: a guest's wait that reaches past what the desk holds is read back.
    pub(crate) fn read_back_if_due(&mut self, id: ConversationId) -> Vec<Command> {
        if self.colleagues.reading_back.contains_key(&id) || !matches!(self.stay(id), Stay::Current)
        {
            return vec![];
        }
        let Some(before) = self.service.read_back_from(id) else {
            return vec![];
        };
        self.colleagues.reading_back.insert(id, 0);
        vec![Command::Job(Job::ReadBack {
            conversation: id,
            before,
            limit: READ_BACK_LIMIT,
        })]
    }

    pub(crate) fn on_read_back(
        &mut self,
        id: ConversationId,
        limit: u32,
        result: Result<Vec<Message>, ApiError>,
    ) -> Vec<Command> {
        let page = match result {
            Ok(p) => p,
            Err(e) => {
                tracing::info!("reading back conversation {id}: {e}");
                self.colleagues.reading_back.remove(&id);
                self.dirty = false;
                return vec![];
            }
        };
        let reached_start = page.len() < limit as usize;
        let oldest = page.first().map(|m| m.id);
        let items: Vec<(DateTime<Utc>, Writer, bool)> = page
            .iter()
            .rev()
            .map(|m| {
                let w = self.writer_of(m);
                let thanks = w == Writer::Guest && crate::thanks::only_thanks(&m.message);
                (m.timestamp, w, thanks)
            })
            .collect();
        let done = self.service.read_back(id, &items, reached_start);
        let pages = self.colleagues.reading_back.get(&id).copied().unwrap_or(0) + 1;
        match oldest {
            Some(before) if !done && pages < READ_BACK_PAGES => {
                self.colleagues.reading_back.insert(id, pages);
                vec![Command::Job(Job::ReadBack {
                    conversation: id,
                    before,
                    limit,
                })]
            }
            // Found, or read as far as it goes: a wait still open-ended stays "at least"
            // and is not read back again.
            _ => {
                if done {
                    self.colleagues.reading_back.remove(&id);
                }
                vec![]
            }
        }
    }
}
