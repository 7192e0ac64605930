//! The front desk's log in the app (`crate::desk_log`): claims, "no answer needed" and
//! "later" from every desk, read from the log conversation's pages and live messages, and
//! written by this desk's keys. A mark is shown once the server has the line, never before,
//! so what the screen says is what every desk will read.

use std::collections::{BTreeSet, HashSet, VecDeque};

use super::*;
use crate::api::staff_models::{TeamMessage, TeamThread, TeamThreadId};
use crate::desk_log::{Aside, Entry, Ledger, Line, Mark};

/// Messages read from each log conversation at start, after a reconnect and on a poll.
pub const LOG_PAGE: u32 = 50;

/// What the desk knows of the log.
#[derive(Debug, Default)]
pub struct DeskLog {
    /// The log conversations this staff member belongs to (more than one when the front
    /// office's members changed: each member set is its own conversation).
    pub threads: BTreeSet<TeamThreadId>,
    /// Where this desk writes: the conversation with the newest line.
    write_to: Option<(TeamThreadId, i64)>,
    pub ledger: Ledger,
    /// Counts changes (part of the waiting list's memo key).
    pub generation: u64,
    /// A read is under way.
    pub reading: bool,
    /// The staff member's department (from sign-in): the log's members are its people.
    pub department: Option<String>,
    /// Lines to write, one at a time, so the first creates the conversation only once.
    queue: VecDeque<Line>,
    writing: bool,
    /// Laters already announced as due.
    due_told: HashSet<(ConversationId, DateTime<Utc>)>,
    /// Staff conversations already looked at for being a log.
    looked_at: HashSet<TeamThreadId>,
}

impl DeskLog {
    /// True once for a staff conversation that is not a known log.
    pub(crate) fn unseen_thread(&mut self, id: TeamThreadId) -> bool {
        !self.threads.contains(&id) && self.looked_at.insert(id)
    }

    /// The request's mark, while it still covers the guest's newest message.
    pub fn aside(&self, id: ConversationId, newest_guest: Option<MessageId>) -> Option<&Aside> {
        self.ledger
            .aside
            .get(&id)
            .filter(|a| a.covers(newest_guest))
    }
}

impl App {
    /// The mark on a guest's request that still holds (done, or later before its time).
    pub fn aside(&self, id: ConversationId) -> Option<&Aside> {
        self.desk_log.aside(id, self.service.newest_guest(id))
    }

    /// A later whose time has come: the guest waits again, urgently.
    pub fn due(&self, id: ConversationId) -> Option<DateTime<Utc>> {
        match self.aside(id)?.mark {
            Mark::Later { until } if until <= self.clock.now => Some(until),
            _ => None,
        }
    }

    /// Whether the log keeps the guest from waiting now.
    pub fn set_aside(&self, id: ConversationId) -> bool {
        self.aside(id).is_some_and(|a| a.holds_at(self.clock.now))
    }

    pub(crate) fn read_desk_log(&mut self) -> Vec<Command> {
        if std::mem::replace(&mut self.desk_log.reading, true) {
            return vec![];
        }
        vec![Command::Job(Job::ReadDeskLog {
            known: self.desk_log.threads.iter().copied().collect(),
        })]
    }

    pub(crate) fn on_desk_log_read(
        &mut self,
        result: Result<Vec<(TeamThread, Vec<TeamMessage>)>, ApiError>,
    ) -> Vec<Command> {
        self.desk_log.reading = false;
        match result {
            Ok(threads) => {
                let mut cmds = Vec::new();
                for (thread, messages) in threads {
                    cmds.extend(self.found_log_thread(&thread));
                    self.apply_log(thread.id, &messages);
                }
                cmds.extend(self.write_next_line());
                cmds
            }
            Err(e) => {
                tracing::info!("reading the front desk log: {e}");
                self.dirty = false;
                // A line waiting to be written still goes (it says itself if it fails).
                self.write_next_line()
            }
        }
    }

    /// A log conversation: followed live, and the names it gives for me learned.
    fn found_log_thread(&mut self, thread: &TeamThread) -> Vec<Command> {
        if let Some(p) = thread
            .participants
            .iter()
            .find(|p| p.id == self.me.staff_id)
            && !p.full_name.trim().is_empty()
        {
            self.me_named(&p.full_name);
        }
        if self.desk_log.threads.insert(thread.id) {
            if self.desk_log.write_to.is_none() {
                self.desk_log.write_to = Some((thread.id, 0));
            }
            vec![Command::Job(Job::WatchTeam(vec![thread.id]))]
        } else {
            vec![]
        }
    }

    /// Whether a staff conversation is the log.
    pub fn is_desk_log(&self, thread: TeamThreadId) -> bool {
        self.desk_log.threads.contains(&thread)
    }

    /// Lines of the log, in any order and any number of times.
    pub(crate) fn apply_log(&mut self, thread: TeamThreadId, messages: &[TeamMessage]) -> bool {
        let mut changed = false;
        let mut sorted: Vec<&TeamMessage> = messages.iter().collect();
        sorted.sort_by_key(|m| m.id);
        for m in sorted {
            if self.desk_log.write_to.is_none_or(|(_, id)| id <= m.id.0) {
                self.desk_log.write_to = Some((thread, m.id.0));
            }
            let Some(entry) = Entry::of(m) else {
                continue;
            };
            if !self.desk_log.ledger.apply(&entry) {
                continue;
            }
            changed = true;
            if entry.line.mark == Mark::Claim {
                let holder = if entry.by_id == self.me.staff_id {
                    Holder::Me
                } else {
                    Holder::Colleague(self.service.name(&entry.by))
                };
                self.service
                    .joined(entry.line.conversation, entry.at, holder);
            }
        }
        if changed {
            self.desk_log.generation += 1;
        } else {
            self.dirty = false;
        }
        changed
    }

    /// A staff-chat message in the log, from the live feed.
    pub(crate) fn on_live_log_message(&mut self, m: TeamMessage) -> Vec<Command> {
        let thread = m.conversation;
        self.apply_log(thread, std::slice::from_ref(&m));
        vec![]
    }

    /// The line for the open (or selected) conversation's request, or why there is nothing
    /// to mark (an earlier stay, a guest who wrote nothing, an undo with nothing marked).
    fn line_for(&self, mark: Mark) -> Result<Line, String> {
        let id = self
            .open
            .or(self.selected)
            .ok_or("Select a conversation first")?;
        let c = self
            .conversations
            .get(&id)
            .ok_or("Select a conversation first")?;
        if !matches!(self.stay(id), Stay::Current) {
            return Err(format!(
                "Room {}: this is an earlier stay's conversation; nothing to mark",
                c.room_number
            ));
        }
        let upto = self.service.newest_guest(id);
        match mark {
            Mark::Done | Mark::Later { .. } if upto.is_none() => {
                return Err(format!(
                    "Room {}: the guest has written nothing to mark",
                    c.room_number
                ));
            }
            Mark::Undo if self.aside(id).is_none() => {
                return Err(format!(
                    "Room {}: nothing is marked done or later",
                    c.room_number
                ));
            }
            _ => {}
        }
        Ok(Line {
            mark,
            conversation: id,
            room: c.room_number,
            guest: self.conversation_name(id),
            upto,
        })
    }

    /// `m`: the guest's request needs no answer (for every desk).
    pub(crate) fn mark_done(&mut self) -> Vec<Command> {
        self.mark(Mark::Done)
    }

    /// `z`: asks until when.
    pub(crate) fn ask_later(&mut self) -> Vec<Command> {
        match self.line_for(Mark::Later {
            until: self.clock.now,
        }) {
            Ok(line) => {
                self.overlay = Overlay::Later(crate::popup::LaterPrompt {
                    text: String::new(),
                    about: format!("Room {} · {}", line.room, line.guest),
                    now: self.clock.now,
                    offset: self.clock.offset,
                });
            }
            Err(e) => self.notice(Level::Info, e),
        }
        vec![]
    }

    pub(crate) fn mark_later(&mut self, until: DateTime<Utc>) -> Vec<Command> {
        self.mark(Mark::Later { until })
    }

    /// `u`: takes back done or later.
    pub(crate) fn undo_mark(&mut self) -> Vec<Command> {
        self.mark(Mark::Undo)
    }

    /// Writes the mark's line, or says why there is nothing to mark.
    fn mark(&mut self, mark: Mark) -> Vec<Command> {
        match self.line_for(mark) {
            Ok(line) => self.write_line(line),
            Err(e) => {
                self.notice(Level::Info, e);
                vec![]
            }
        }
    }

    /// After a claim the server keeps but never shows: the log says who holds it.
    pub(crate) fn log_claim(&mut self, conversation: ConversationId) -> Vec<Command> {
        let Some(c) = self.conversations.get(&conversation) else {
            return vec![];
        };
        let line = Line {
            mark: Mark::Claim,
            conversation,
            room: c.room_number,
            guest: self.conversation_name(conversation),
            upto: None,
        };
        self.write_line(line)
    }

    fn write_line(&mut self, line: Line) -> Vec<Command> {
        if line.mark != Mark::Claim {
            let what = match line.mark {
                Mark::Done => "marking done".to_string(),
                Mark::Later { .. } => "putting aside".to_string(),
                _ => "reopening".to_string(),
            };
            self.notice(Level::Info, format!("Room {}: {what}…", line.room));
        }
        self.desk_log.queue.push_back(line);
        self.write_next_line()
    }

    fn write_next_line(&mut self) -> Vec<Command> {
        if self.desk_log.writing || self.desk_log.reading {
            return vec![];
        }
        let Some(line) = self.desk_log.queue.pop_front() else {
            return vec![];
        };
        self.desk_log.writing = true;
        let offset = self.clock.offset;
        let text = crate::desk_log::compose(&line, |t| {
            t.with_timezone(&offset)
                .format("%H:%M %a %-d %b")
                .to_string()
        });
        vec![Command::Job(Job::WriteDeskLog {
            thread: self.desk_log.write_to.map(|(t, _)| t),
            department: self.desk_log.department.clone(),
            text,
        })]
    }

    pub(crate) fn on_desk_log_written(
        &mut self,
        text: String,
        result: Result<(TeamThread, TeamMessage), ApiError>,
    ) -> Vec<Command> {
        self.desk_log.writing = false;
        let mut cmds = Vec::new();
        let line = crate::desk_log::parse(&text);
        match result {
            Ok((thread, m)) => {
                cmds.extend(self.found_log_thread(&thread));
                self.apply_log(thread.id, std::slice::from_ref(&m));
                self.dirty = true;
                if let Some(l) = line {
                    let said = match l.mark {
                        Mark::Done => Some("done, no answer needed".to_string()),
                        Mark::Later { until } => Some(format!(
                            "put aside until {}",
                            until.with_timezone(&self.clock.offset).format("%H:%M %a")
                        )),
                        Mark::Undo => Some("reopened: the guest waits again".to_string()),
                        Mark::Claim => None,
                    };
                    let undo = if l.mark == Mark::Undo {
                        ""
                    } else {
                        "; u undoes"
                    };
                    if let Some(said) = said {
                        self.notice(
                            Level::Info,
                            format!("Room {}: {said} (every desk sees it{undo})", l.room),
                        );
                    }
                }
            }
            Err(e) => {
                let what = match line.map(|l| l.mark) {
                    Some(Mark::Claim) => "Writing the claim to the front desk log",
                    Some(Mark::Done) => "Marking done",
                    Some(Mark::Later { .. }) => "Putting aside",
                    _ => "Reopening",
                };
                self.api_error(what, &e);
            }
        }
        cmds.extend(self.write_next_line());
        cmds
    }

    /// Laters whose time came since the last look: announced once, like an urgent wait.
    pub(crate) fn announce_due(&mut self) -> Vec<Command> {
        let now = self.clock.now;
        let due: Vec<(ConversationId, DateTime<Utc>)> = self
            .desk_log
            .ledger
            .aside
            .iter()
            .filter_map(|(id, a)| match a.mark {
                Mark::Later { until } if until <= now => Some((*id, until)),
                _ => None,
            })
            .filter(|(id, _)| self.aside(*id).is_some())
            .filter(|k| !self.desk_log.due_told.contains(k))
            .collect();
        let mut cmds = Vec::new();
        for (id, until) in due {
            self.desk_log.due_told.insert((id, until));
            self.desk_log.generation += 1;
            // The row turns from "later 05:45" to "⚠ due 05:45" now, not at the next minute.
            self.dirty = true;
            let Some(c) = self.conversations.get(&id) else {
                continue;
            };
            let title = format!(
                "Room {} · {}: later, {} is now",
                c.room_number,
                self.conversation_name(id),
                until.with_timezone(&self.clock.offset).format("%H:%M")
            );
            cmds.extend(self.alert(title, String::new()));
        }
        cmds
    }

    /// The signed-in person's name as colleagues know it ("Fiona Desk").
    pub(crate) fn me_named(&mut self, full: &str) {
        let full = crate::text::one_line(full).trim().to_string();
        if !full.is_empty() && self.my_full_name.as_deref() != Some(full.as_str()) {
            self.my_full_name = Some(full);
        }
    }

    /// The first name a guest is greeted with (`{staff}`): the person's, or the username.
    pub fn my_first_name(&self) -> &str {
        self.my_full_name
            .as_deref()
            .and_then(|n| n.split_whitespace().next())
            .unwrap_or(&self.me.name)
    }

    /// Whether a name is mine (a join line names people, not usernames).
    pub(crate) fn is_my_name(&self, name: &str) -> bool {
        let name = name.trim();
        name == self.me.name.trim() || self.my_full_name.as_deref() == Some(name)
    }
}
