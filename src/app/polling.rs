//! What is read on a timer, and how often (contract 4.12, 4.13), and paced alerts.

use super::*;

/// Messages read by a refresh: the open thread's poll and catching up after a gap.
pub const REFRESH_LIMIT: u32 = 30;
/// The largest page read to close a gap after a socket was away; older holes are left to
/// scrolling back.
const GAP_LIMIT: u32 = 240;

/// The open thread's poll when live updates are partial or off: a short page, cheap for the
/// server (contract 4.13); a full refresh follows only when it shows a gap.
pub const POLL_LIMIT: u32 = 10;

/// Messages read to learn a conversation's current stay (its booking) at start.
pub const PEEK_LIMIT: u32 = 3;

/// At most one bell or desktop notification this often.
pub(crate) const ALERT_EVERY_SECS: i64 = 5;

/// At most one mark-read per conversation this often.
pub(crate) const MARK_READ_EVERY_SECS: i64 = 3;

/// What the inbox polls, by how the realtime link stands (contract 4.12, 4.13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PollPlan {
    /// The open thread, often, with a short page.
    pub thread: bool,
    /// `unread-count`, a cheap change detector, when no socket tells of guest messages.
    pub unread: bool,
    /// The whole list, seldom: it costs the server about 12 queries per conversation.
    pub list: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollKind {
    Thread,
    Unread,
    List,
    /// Staff conversations with a hand-off waiting for an answer.
    HandOffs,
    /// My unread staff-chat messages (the header's team count).
    TeamUnread,
}

impl App {
    /// Asks for the list, joining a fetch already under way.
    pub fn load_list(&mut self) -> Vec<Command> {
        if self.list_loading {
            self.list_again = true;
            return vec![];
        }
        self.list_loading = true;
        vec![Command::Job(Job::LoadConversations)]
    }

    /// Re-reads what may have been missed: the list and the open thread.
    /// `force`: whatever the list's age (a new sign-in, a long sleep). Otherwise a server that
    /// drops the socket again and again must not cost a list each time.
    pub(crate) fn resync(&mut self, force: bool) -> Vec<Command> {
        let fresh = !force
            && self
                .list_updated
                .is_some_and(|t| self.clock.now - t < chrono::Duration::seconds(30));
        let mut c = if fresh { vec![] } else { self.load_list() };
        if let Some(open) = self.open {
            c.push(Command::Job(Job::Refresh {
                conversation: open,
                limit: REFRESH_LIMIT,
            }));
        }
        // An answer to a hand-off may have come while the link was down, and colleagues may
        // have written in the Team view's conversation.
        c.extend(self.poll_hand_offs());
        if let Overlay::Team(s) = &self.overlay
            && let Some(thread) = s.open
        {
            c.push(Command::Job(Job::LoadTeamPage {
                thread,
                before: None,
            }));
        }
        c.push(Command::Job(Job::LoadTeamUnread));
        // Lines written while the link was down.
        if self.list_loaded {
            c.extend(self.read_desk_log());
        }
        c
    }

    /// What to poll now. Live: the list, seldom. Live but partial (no private channels, so no staff
    /// replies): the open thread often and the list seldom. No socket at all: the same,
    /// plus `unread-count` to notice guests writing.
    pub fn poll_plan(&self) -> PollPlan {
        match self.connection {
            Connection::Connecting => PollPlan::default(),
            // Events are hints, and the stays of conversations never opened are not followed
            // yet: the list, seldom, keeps every row true.
            Connection::Live => PollPlan {
                thread: false,
                unread: false,
                list: true,
            },
            Connection::LivePartial => PollPlan {
                thread: true,
                unread: false,
                list: true,
            },
            Connection::Polling | Connection::Reconnecting { .. } | Connection::Stopped(_) => {
                PollPlan {
                    thread: true,
                    unread: true,
                    list: true,
                }
            }
        }
    }

    /// Reads a conversation's newest messages, joining a read already under way.
    pub(crate) fn refresh(&mut self, conversation: ConversationId, limit: u32) -> Vec<Command> {
        if self.refreshing.contains(&conversation) {
            self.refresh_again.insert(conversation);
            return vec![];
        }
        self.refreshing.insert(conversation);
        vec![Command::Job(Job::Refresh {
            conversation,
            limit,
        })]
    }

    /// A bell or desktop notification, at most one per few seconds: in a flood the next one
    /// says how many more came, instead of ringing for each.
    pub(crate) fn alert(&mut self, title: String, body: String) -> Vec<Command> {
        let now = self.clock.now;
        if self
            .last_alert
            .is_some_and(|t| now - t < chrono::Duration::seconds(ALERT_EVERY_SECS))
        {
            self.held_alerts += 1;
            return vec![];
        }
        self.last_alert = Some(now);
        let more = std::mem::take(&mut self.held_alerts);
        let title = if more > 0 {
            format!("{title} (+{more} more)")
        } else {
            title
        };
        vec![Command::Effect(Effect::Notify { title, body })]
    }

    pub(crate) fn on_refreshed(
        &mut self,
        conversation: ConversationId,
        limit: u32,
        result: Result<Vec<Message>, ApiError>,
    ) -> Vec<Command> {
        let mut c = Vec::new();
        let read = self.service.read_done(conversation);
        if read != BackgroundRead::No {
            c.extend(self.learn_more());
        }
        if result.as_ref().is_ok_and(|m| m.len() < limit as usize) {
            self.service.reached_start(conversation);
        }
        // A guest writing made this read: its page names the stay to follow.
        let learn_stay = read != BackgroundRead::Bulk;
        c.extend(self.refreshed(conversation, limit, result, learn_stay));
        c.extend(self.read_back_if_due(conversation));
        c
    }

    fn refreshed(
        &mut self,
        conversation: ConversationId,
        limit: u32,
        result: Result<Vec<Message>, ApiError>,
        learn_stay: bool,
    ) -> Vec<Command> {
        match result {
            Ok(msgs) => {
                self.server_unreachable_since = None;
                // A full page whose oldest message we do not hold, above one we do: more
                // arrived than it showed (a peek, or a socket away for a busy while). Read
                // further back, a bigger page each time, up to a bound.
                let gap = limit < GAP_LIMIT
                    && msgs.len() >= limit as usize
                    && self.threads.get(&conversation).is_some_and(|t| {
                        msgs.first().is_some_and(|oldest| {
                            !t.messages.contains_key(&oldest.id)
                                && t.messages
                                    .keys()
                                    .next()
                                    .is_some_and(|held| *held < oldest.id)
                        })
                    });
                let mut c = Vec::new();
                if gap {
                    let wider = if limit < REFRESH_LIMIT {
                        REFRESH_LIMIT
                    } else {
                        limit.saturating_mul(2).min(GAP_LIMIT)
                    };
                    c.extend(self.refresh(conversation, wider));
                }
                for m in msgs {
                    c.extend(self.absorb_message(m, false, learn_stay));
                }
                self.reposition(conversation);
                if let Some(t) = self.threads.get_mut(&conversation)
                    && t.fetch == Fetch::NotStarted
                {
                    t.fetch = Fetch::More;
                }
                c
            }
            Err(e) if limit < REFRESH_LIMIT && !e.is_unauthorised() => {
                // A poll or a peek: the status bar says when the server is unreachable;
                // nothing is written over whatever the desk reads.
                tracing::info!("polling conversation {conversation}: {e}");
                if e.unreachable() {
                    self.server_unreachable_since.get_or_insert(self.clock.now);
                }
                vec![]
            }
            Err(e) => {
                self.api_error("Refreshing the thread", &e);
                vec![]
            }
        }
    }

    pub(crate) fn on_guest_wrote(
        &mut self,
        conversation: ConversationId,
        message_id: MessageId,
        preview: Option<String>,
        at: Option<DateTime<Utc>>,
    ) -> Vec<Command> {
        if !self.conversations.contains_key(&conversation) {
            // A conversation we have not seen: one list reload, however many notes arrive.
            return self.load_list();
        }
        let in_thread = self
            .threads
            .get(&conversation)
            .is_some_and(|t| t.messages.contains_key(&message_id));
        if in_thread {
            return vec![];
        }
        let mut cmds = Vec::new();
        let unknown =
            !self.service.knows(conversation) && !self.threads.contains_key(&conversation);
        if unknown || self.service.reading(conversation) {
            // Whether the guest waits since now or since long ago: read the conversation.
            self.service.learn_soon(conversation);
            cmds.extend(self.learn_more());
        }
        // A guest who thanks while the desk knows of no answer: one was surely given
        // elsewhere; read it now rather than show the thanks as a wait.
        if preview.as_deref().is_some_and(crate::thanks::only_thanks)
            && self.service.wait(conversation).is_some()
            && !self.threads.contains_key(&conversation)
        {
            cmds.extend(self.refresh(conversation, colleagues::CHECK_LIMIT));
        }
        if let Some(at) = at {
            self.service.observe(
                conversation,
                message_id,
                at,
                Writer::Guest,
                preview.as_deref(),
            );
        }
        if let (Some(text), Some(at)) = (preview, at)
            && self.seen_live.insert(message_id)
        {
            if let Some(c) = self.conversations.get_mut(&conversation) {
                if c.last_message_time.is_none_or(|t| at >= t) {
                    c.last_message = Some(text.clone());
                    c.last_message_time = Some(at);
                }
                c.unread_count += 1;
                let room = c.room_number;
                let reading = self.open == Some(conversation) && self.terminal_focused;
                if !reading {
                    let title = format!("Room {room} · {}", self.conversation_name(conversation));
                    cmds.extend(self.alert(title, crate::text::one_line(&text)));
                }
            }
            self.reposition(conversation);
        }
        // The open thread needs the full text: give its channel a moment, then fetch.
        if self.threads.contains_key(&conversation) && self.open == Some(conversation) {
            let newest = self.awaiting.entry(conversation).or_insert(message_id);
            let first = *newest == message_id;
            *newest = (*newest).max(message_id);
            if first {
                cmds.push(Command::Job(Job::CheckSoon { conversation }));
            }
        }
        cmds
    }
}
