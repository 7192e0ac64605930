//! The Team view's side in the app: opening it, what it asks of the server, what comes back,
//! and the team's unread count in the header (from `unread-count/`, never the list's
//! group-wrong count nor the always-500 endpoint: staff-chat quirks 6.1, 6.2).

use std::collections::HashMap;

use super::*;
use crate::api::staff_models::{TeamMessage, TeamMessageId, TeamThread, TeamThreadId, TeamUnread};
use crate::popup::TeamScreen;

/// How many messages a Team view page holds.
pub const TEAM_PAGE: u32 = 30;

#[derive(Debug, Default)]
pub struct TeamState {
    /// My unread staff-chat messages, when known.
    pub unread: Option<u32>,
    /// What was typed in the Team view, kept while it is closed.
    drafts: HashMap<TeamThreadId, String>,
}

impl App {
    /// `T`: the Team view over the guest panes.
    pub(crate) fn open_team(&mut self) -> Vec<Command> {
        let drafts = std::mem::take(&mut self.team.drafts);
        let mut screen = TeamScreen::new(self.me.staff_id, drafts);
        screen.offset = Some(self.clock.offset);
        self.overlay = Overlay::Team(screen);
        vec![Command::Job(Job::LoadTeamThreads)]
    }

    pub(crate) fn on_team_threads(
        &mut self,
        result: Result<(Vec<TeamThread>, TeamUnread), ApiError>,
    ) -> Vec<Command> {
        match result {
            Ok((threads, unread)) => {
                self.team.unread = Some(unread.total_unread);
                let by_thread = unread
                    .breakdown
                    .iter()
                    .map(|b| (b.conversation_id, b.unread_count))
                    .collect();
                let ids: Vec<TeamThreadId> = threads.iter().map(|t| t.id).collect();
                if let Overlay::Team(s) = &mut self.overlay {
                    s.fill(threads, by_thread);
                }
                // Public channels: what colleagues write in them arrives live.
                vec![Command::Job(Job::WatchTeam(ids))]
            }
            Err(e) => {
                if let Overlay::Team(s) = &mut self.overlay {
                    s.trouble = Some(e.summary());
                }
                tracing::warn!("staff chat: {e}");
                vec![]
            }
        }
    }

    pub(crate) fn on_team_unread(&mut self, result: Result<TeamUnread, ApiError>) -> Vec<Command> {
        let mut cmds = Vec::new();
        match result {
            Ok(u) => {
                // A staff conversation not seen before may be a front desk log a colleague
                // has just begun: the list's search says (once per conversation).
                let new = u
                    .breakdown
                    .iter()
                    .any(|r| self.desk_log.unseen_thread(r.conversation_id));
                if new && self.list_loaded {
                    cmds.extend(self.read_desk_log());
                }
                // The log's lines are for the desks to read, not colleagues' words to me.
                let log: u32 = u
                    .breakdown
                    .iter()
                    .filter(|r| self.is_desk_log(r.conversation_id))
                    .map(|r| r.unread_count)
                    .sum();
                let total = u.total_unread.saturating_sub(log);
                if self.team.unread != Some(total) {
                    self.team.unread = Some(total);
                } else {
                    self.dirty = false;
                }
            }
            Err(e) => {
                tracing::info!("staff chat unread-count: {e}");
                self.dirty = false;
            }
        }
        cmds
    }

    /// What the Team view asks for.
    pub(crate) fn on_team_outcome(&mut self, outcome: crate::popup::Outcome) -> Vec<Command> {
        use crate::popup::Outcome;
        match outcome {
            Outcome::OpenTeamThread(thread) => vec![
                Command::Job(Job::LoadTeamPage {
                    thread,
                    before: None,
                }),
                Command::Job(Job::MarkTeamRead(thread)),
            ],
            Outcome::OlderTeamPage { thread, before } => {
                vec![Command::Job(Job::LoadTeamPage { thread, before })]
            }
            Outcome::SendTeam {
                thread,
                text,
                reply_to,
            } => vec![Command::Job(Job::TeamReply {
                thread,
                text,
                reply_to,
            })],
            Outcome::TeamClosed(drafts) => {
                self.team.drafts = drafts;
                vec![]
            }
            _ => vec![],
        }
    }

    /// A page of a staff conversation: into the Team view if it shows it, and to the
    /// hand-offs waiting there.
    pub(crate) fn on_team_page_loaded(
        &mut self,
        thread: TeamThreadId,
        result: Result<crate::api::staff_models::TeamPage, ApiError>,
    ) -> Vec<Command> {
        if let (Overlay::Team(s), Ok(page)) = (&mut self.overlay, &result) {
            s.merge(thread, &page.messages, Some(page.has_more));
        }
        if let (Overlay::Team(s), Err(e)) = (&mut self.overlay, &result)
            && let Some(p) = s.panes.get_mut(&thread)
        {
            p.loading = false;
            tracing::info!("staff conversation {thread}: {e}");
        }
        self.on_team_page(thread, result)
    }

    /// A staff-chat message from the live feed: the Team view, the unread count, hand-offs.
    pub(crate) fn on_live_team_message(&mut self, m: TeamMessage) -> Vec<Command> {
        let mine = m.sender == self.me.staff_id;
        let seen = match &mut self.overlay {
            Overlay::Team(s) => {
                let open = s.open == Some(m.conversation);
                s.merge(m.conversation, std::slice::from_ref(&m), None);
                open
            }
            _ => false,
        };
        let mut c = Vec::new();
        if !mine {
            if seen {
                c.push(Command::Job(Job::MarkTeamRead(m.conversation)));
            } else {
                self.team.unread = Some(self.team.unread.unwrap_or(0) + 1);
            }
        }
        c.extend(self.on_team_message(m));
        c
    }

    pub(crate) fn on_team_replied(
        &mut self,
        thread: TeamThreadId,
        result: Result<TeamMessage, ApiError>,
    ) -> Vec<Command> {
        let before = self.team_drafts();
        match result {
            Ok(m) => {
                if let Overlay::Team(s) = &mut self.overlay {
                    s.sent(thread, m);
                }
                // Sent: its draft is gone from disk too.
                return self
                    .save_team_drafts_if_changed(before)
                    .into_iter()
                    .collect();
            }
            Err(e) => {
                if let Overlay::Team(s) = &mut self.overlay {
                    s.sending = false;
                }
                // The text stays in the reply line, to send again.
                self.api_error("Sending to colleagues", &e);
            }
        }
        vec![]
    }

    /// Every team draft, wherever it is now (the open view, or kept while it is closed).
    pub fn team_drafts(&self) -> crate::store::TeamDrafts {
        let map = match &self.overlay {
            Overlay::Team(s) => &s.drafts,
            _ => &self.team.drafts,
        };
        let mut all: crate::store::TeamDrafts = map
            .iter()
            .filter(|(_, t)| !t.is_empty())
            .map(|(k, v)| (*k, v.clone()))
            .collect();
        all.sort_by_key(|(k, _)| *k);
        all
    }

    /// Team drafts read from disk at start.
    pub fn restore_team_drafts(&mut self, drafts: crate::store::TeamDrafts) {
        self.team.drafts = drafts.into_iter().collect();
    }

    /// The reply being written in a team conversation (for tests and the editor).
    pub fn team_draft(&self, thread: TeamThreadId) -> Option<&str> {
        match &self.overlay {
            Overlay::Team(s) => s.drafts.get(&thread).map(String::as_str),
            _ => self.team.drafts.get(&thread).map(String::as_str),
        }
    }

    /// Which message a reply in the Team view answers.
    pub fn team_reply_to(&self) -> Option<TeamMessageId> {
        match &self.overlay {
            Overlay::Team(s) => s.reply_to,
            _ => None,
        }
    }
}
