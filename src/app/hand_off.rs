//! Handing a guest's request on to colleagues (housekeeping, maintenance, the kitchen) over
//! the staff chat, and their answer coming back into the guest's thread. The guest's
//! conversation counts as handed off, not waiting on the desk, until the answer comes.

use super::*;
use crate::api::staff_models::{
    Colleague, TeamMessage, TeamMessageId, TeamPage, TeamThread, TeamThreadId,
};
use crate::model::HandOffTo;
use crate::popup::{Choice, HandOffPicker};

/// How many of a staff conversation's newest messages are read to find an answer.
pub const ANSWER_PAGE: u32 = 20;

/// A colleague's answer to a hand-off.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub id: TeamMessageId,
    pub by: String,
    pub text: String,
    pub at: DateTime<Utc>,
}

/// One guest request handed on.
#[derive(Debug, Clone, PartialEq)]
pub struct HandOff {
    pub guest_conversation: ConversationId,
    pub to: HandOffTo,
    pub thread: TeamThreadId,
    pub sent: TeamMessageId,
    pub at: DateTime<Utc>,
    pub answer: Option<Answer>,
}

#[derive(Debug, Default)]
pub struct HandOffs {
    pub list: Vec<HandOff>,
    /// The hotel's colleagues, read once when first needed.
    pub colleagues: Option<Vec<Colleague>>,
    /// Staff conversations being read now.
    reading: std::collections::HashSet<TeamThreadId>,
    /// Counts changes to which guests are handed off (the waiting list follows it).
    pub generation: u64,
    /// The staff conversations were read for hand-offs made elsewhere.
    pub looked_for: bool,
}

impl HandOffs {
    /// Whether a guest's conversation waits on a colleague, not on the desk.
    pub fn waiting_on(&self, conversation: ConversationId) -> bool {
        self.list
            .iter()
            .any(|h| h.guest_conversation == conversation && h.answer.is_none())
    }

    pub fn any_waiting(&self) -> bool {
        self.list.iter().any(|h| h.answer.is_none())
    }

    pub fn of(&self, conversation: ConversationId) -> impl Iterator<Item = &HandOff> {
        self.list
            .iter()
            .filter(move |h| h.guest_conversation == conversation)
    }
}

/// The hand-offs written in staff conversations (at any desk, before any restart), read back
/// from their text, with the answer each got: a later message from someone other than
/// whoever handed on, a reply to it first. `room_conversation` names the guest conversation
/// of a room.
pub fn hand_offs_in(
    threads: &[(TeamThread, Vec<TeamMessage>)],
    room_conversation: impl Fn(RoomNumber) -> Option<ConversationId>,
) -> Vec<HandOff> {
    let mut out = Vec::new();
    for (thread, messages) in threads {
        for m in messages.iter().filter(|m| !m.is_deleted) {
            let Some(r) = crate::hand_off::parse(&m.message) else {
                continue;
            };
            let Some(guest_conversation) = room_conversation(r.room) else {
                continue;
            };
            let others: Vec<&crate::api::staff_models::Participant> = thread
                .participants
                .iter()
                .filter(|p| p.id != m.sender)
                .collect();
            let names: Vec<String> = others.iter().map(|p| p.full_name.clone()).collect();
            let label = if thread.title.trim().is_empty() {
                names.join(", ")
            } else {
                thread.title.clone()
            };
            let answer = messages
                .iter()
                .filter(|a| a.sender != m.sender && a.id > m.id && !a.is_deleted)
                .min_by_key(|a| (a.reply_to != Some(m.id), a.id))
                .map(|a| Answer {
                    id: a.id,
                    by: a.sender_name.clone(),
                    text: a.message.clone(),
                    at: a.timestamp,
                });
            out.push(HandOff {
                guest_conversation,
                to: HandOffTo {
                    label,
                    people: others.iter().map(|p| p.id).collect(),
                    names,
                    guest_message: r.guest_message,
                },
                thread: thread.id,
                sent: m.id,
                at: m.timestamp,
                answer,
            });
        }
    }
    out
}

/// The picker's rows: each department as a team (its people named), then each colleague.
pub fn choices(colleagues: &[Colleague], guest_message: Option<MessageId>) -> Vec<Choice> {
    let mut teams: Vec<(String, Vec<&Colleague>)> = Vec::new();
    for c in colleagues {
        let dept = c.department_name().trim();
        if dept.is_empty() {
            continue;
        }
        match teams.iter_mut().find(|(d, _)| d == dept) {
            Some((_, members)) => members.push(c),
            None => teams.push((dept.to_string(), vec![c])),
        }
    }
    teams.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out: Vec<Choice> = teams
        .into_iter()
        .map(|(dept, members)| {
            let names: Vec<String> = members.iter().map(|m| m.full_name.clone()).collect();
            Choice {
                detail: format!(
                    "team of {}: {}",
                    members.len(),
                    crate::text::one_line(&names.join(", "))
                ),
                to: HandOffTo {
                    label: dept.clone(),
                    people: members.iter().map(|m| m.id).collect(),
                    names,
                    guest_message,
                },
                label: dept,
            }
        })
        .collect();
    let mut people: Vec<&Colleague> = colleagues.iter().collect();
    people.sort_by(|a, b| a.full_name.cmp(&b.full_name));
    out.extend(people.into_iter().map(|c| {
        let role = c.role.as_ref().map(|r| r.name.as_str()).unwrap_or("");
        Choice {
            label: c.full_name.clone(),
            detail: [role, c.department_name()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(", "),
            to: HandOffTo {
                label: c.full_name.clone(),
                people: vec![c.id],
                names: vec![c.full_name.clone()],
                guest_message,
            },
        }
    }));
    out
}

impl App {
    /// The guest message a hand-off is about: the selected one if it is the guest's, else
    /// the guest's newest.
    fn guest_message_to_hand_on(&self) -> Option<&Message> {
        let t = self.threads.get(&self.open?)?;
        t.selected
            .and_then(|id| t.messages.get(&id))
            .filter(|m| m.sender_type == SenderType::Guest)
            .or_else(|| {
                t.messages
                    .values()
                    .rev()
                    .find(|m| m.sender_type == SenderType::Guest)
            })
    }

    /// `f`: choose whom to hand the guest's request to.
    pub(crate) fn start_hand_off(&mut self) -> Vec<Command> {
        if self.open.is_none() {
            return vec![];
        }
        if self.composer.hand_off.is_none() && !self.composer.text().trim().is_empty() {
            self.notice(
                Level::Info,
                "The reply box has text for the guest: send or clear it first, then f hands on",
            );
            return vec![];
        }
        let Some(m) = self.guest_message_to_hand_on().map(|m| m.id) else {
            self.notice(Level::Info, "No guest message here to hand on");
            return vec![];
        };
        match &self.hand_offs.colleagues {
            Some(all) => {
                self.overlay = Overlay::HandOff(HandOffPicker::with(choices(all, Some(m))));
                vec![]
            }
            None => {
                self.overlay = Overlay::HandOff(HandOffPicker::loading());
                vec![Command::Job(Job::LoadColleagues)]
            }
        }
    }

    pub(crate) fn on_colleagues(&mut self, result: Result<Vec<Colleague>, ApiError>) {
        let guest_message = self.guest_message_to_hand_on().map(|m| m.id);
        match result {
            Ok(all) => {
                if let Overlay::HandOff(p) = &mut self.overlay {
                    p.fill(choices(&all, guest_message));
                }
                self.hand_offs.colleagues = Some(all);
            }
            Err(e) => {
                tracing::warn!("staff list: {e}");
                if let Overlay::HandOff(p) = &mut self.overlay {
                    p.failed(e.summary());
                }
            }
        }
    }

    /// Picked: the composer opens with the hand-off's text (room, guest, stay, the quoted
    /// message), for the clerk's own words after it.
    pub(crate) fn write_hand_off(&mut self, to: HandOffTo) -> Vec<Command> {
        let Some(open) = self.open else {
            return vec![];
        };
        let guest = self.conversation_name(open);
        let room = self
            .conversations
            .get(&open)
            .map(|c| c.room_number)
            .unwrap_or_default();
        let message = to
            .guest_message
            .and_then(|id| self.threads.get(&open)?.messages.get(&id).cloned());
        let stay = message
            .as_ref()
            .and_then(|m| m.booking_id.as_deref().map(str::to_string))
            .or_else(|| self.current_booking.get(&open).map(|(b, _)| b.clone()));
        let text = crate::hand_off::compose(
            &crate::hand_off::HandOffRef {
                room,
                guest,
                stay,
                guest_message: to.guest_message,
            },
            message.as_ref().map_or("", |m| m.message.as_str()),
        );
        self.composer.set_text(&text);
        self.composer.reply_to = None;
        self.composer.hand_off = Some(to);
        self.focus = Focus::Composer;
        self.stash_draft()
    }

    /// Enter on a hand-off: it leaves; the text stays in the box until it is confirmed.
    pub(crate) fn send_hand_off(&mut self) -> Vec<Command> {
        let (Some(open), Some(to)) = (self.open, self.composer.hand_off.clone()) else {
            return vec![];
        };
        let text = self.composer.text().trim_end().to_string();
        self.notice(Level::Info, format!("Handing on to {}…", to.describe()));
        vec![Command::Job(Job::HandOff {
            guest_conversation: open,
            to,
            text,
        })]
    }

    pub(crate) fn on_handed_off(
        &mut self,
        guest_conversation: ConversationId,
        to: HandOffTo,
        result: Result<(TeamThreadId, TeamMessage), ApiError>,
    ) -> Vec<Command> {
        match result {
            Ok((thread, sent)) => {
                let said = to.describe();
                self.hand_offs.list.push(HandOff {
                    guest_conversation,
                    thread,
                    sent: sent.id,
                    at: sent.timestamp,
                    to: to.clone(),
                    answer: None,
                });
                self.hand_offs.generation += 1;
                // The draft was the hand-off: it is sent, so it goes.
                let mut c = Vec::new();
                if self.open == Some(guest_conversation)
                    && self.composer.hand_off.as_ref() == Some(&to)
                {
                    self.composer.take();
                    c.extend(self.stash_draft());
                    // Back to the thread, where the hand-off and its answer show.
                    if self.focus == Focus::Composer {
                        self.focus = Focus::Thread;
                    }
                } else if self
                    .drafts
                    .get(&guest_conversation)
                    .is_some_and(|d| d.hand_off.as_ref() == Some(&to))
                {
                    self.drafts.remove(&guest_conversation);
                    c.push(self.save_drafts());
                }
                self.notice(
                    Level::Info,
                    format!("Handed on to {said}; their answer will show in this thread"),
                );
                // Staff-chat channels are public: the answer can come live on any server.
                c.push(Command::Job(Job::WatchTeam(vec![thread])));
                c
            }
            Err(e) => {
                self.api_error("Handing on", &e);
                vec![]
            }
        }
    }

    /// The hand-offs found in the recent staff conversations (made at another desk, or before
    /// a restart): added to those known, and their conversations followed.
    pub(crate) fn on_hand_offs_found(
        &mut self,
        result: Result<Vec<(TeamThread, Vec<TeamMessage>)>, ApiError>,
    ) -> Vec<Command> {
        let threads = match result {
            Ok(t) => t,
            Err(e) => {
                tracing::info!("reading staff conversations for hand-offs: {e}");
                self.dirty = false;
                return vec![];
            }
        };
        let found = hand_offs_in(&threads, |room| self.current_conversation_of_room(room));
        let mut follow = std::collections::BTreeSet::new();
        for h in found {
            let known = self
                .hand_offs
                .list
                .iter()
                .any(|k| k.thread == h.thread && k.sent == h.sent);
            if !known {
                if h.answer.is_none() {
                    follow.insert(h.thread);
                }
                self.hand_offs.list.push(h);
            }
        }
        self.hand_offs.list.sort_by_key(|h| h.at);
        self.hand_offs.generation += 1;
        if follow.is_empty() {
            vec![]
        } else {
            vec![Command::Job(Job::WatchTeam(follow.into_iter().collect()))]
        }
    }

    /// A poll: read the staff conversations whose hand-offs wait for an answer.
    pub(crate) fn poll_hand_offs(&mut self) -> Vec<Command> {
        let threads: std::collections::BTreeSet<TeamThreadId> = self
            .hand_offs
            .list
            .iter()
            .filter(|h| h.answer.is_none())
            .map(|h| h.thread)
            .collect();
        threads
            .into_iter()
            .filter(|t| self.hand_offs.reading.insert(*t))
            .map(|thread| Command::Job(Job::ReadTeamThread { thread }))
            .collect()
    }

    /// A page of a staff conversation: an answer is a reply to the hand-off, or any later
    /// message from someone else.
    pub(crate) fn on_team_page(
        &mut self,
        thread: TeamThreadId,
        result: Result<TeamPage, ApiError>,
    ) -> Vec<Command> {
        self.hand_offs.reading.remove(&thread);
        match result {
            Ok(page) => self.heard(thread, &page.messages),
            Err(e) => {
                tracing::info!("reading staff conversation {thread}: {e}");
                self.dirty = false;
                vec![]
            }
        }
    }

    /// A staff-chat message from the realtime feed.
    pub(crate) fn on_team_message(&mut self, m: TeamMessage) -> Vec<Command> {
        self.heard(m.conversation, std::slice::from_ref(&m))
    }

    /// Messages of a staff conversation: answers to the hand-offs waiting there.
    fn heard(&mut self, thread: TeamThreadId, messages: &[TeamMessage]) -> Vec<Command> {
        let me = self.me.staff_id;
        let mut heard = Vec::new();
        for h in self
            .hand_offs
            .list
            .iter_mut()
            .filter(|h| h.thread == thread && h.answer.is_none())
        {
            let answer = messages
                .iter()
                .filter(|m| m.sender != me && m.id > h.sent && !m.is_deleted)
                .min_by_key(|m| (m.reply_to != Some(h.sent), m.id));
            if let Some(m) = answer {
                h.answer = Some(Answer {
                    id: m.id,
                    by: m.sender_name.clone(),
                    text: m.message.clone(),
                    at: m.timestamp,
                });
                heard.push((
                    h.guest_conversation,
                    m.sender_name.clone(),
                    m.message.clone(),
                ));
            }
        }
        if heard.is_empty() {
            self.dirty = false;
            return vec![];
        }
        self.hand_offs.generation += 1;
        let mut c = Vec::new();
        // Shown in the open guest thread: read, as far as the staff chat is concerned.
        if heard.iter().any(|(conv, ..)| self.open == Some(*conv)) {
            c.push(Command::Job(Job::MarkTeamRead(thread)));
        }
        for (conv, by, text) in heard {
            let room = self
                .conversations
                .get(&conv)
                .map(|c| format!("Room {}", c.room_number))
                .unwrap_or_default();
            c.extend(self.alert(
                format!("{by} answered ({room})"),
                crate::text::line_preview(&text, 100),
            ));
        }
        c
    }

    /// The open thread's newest answer from a colleague, quoted into the reply to the guest.
    pub(crate) fn quote_hand_off_answer(&mut self) -> Vec<Command> {
        let Some(open) = self.open else {
            return vec![];
        };
        let Some(answer) = self
            .hand_offs
            .of(open)
            .filter_map(|h| h.answer.clone())
            .max_by_key(|a| a.at)
        else {
            self.notice(Level::Info, "No answer from a colleague in this thread yet");
            return vec![];
        };
        if self.composer.hand_off.is_some() {
            self.notice(Level::Info, "Send or clear the hand-off first");
            return vec![];
        }
        // Offered as a quote to rephrase ("On my way, 5 min" is the colleague speaking).
        let team = self
            .hand_offs
            .of(open)
            .find(|h| h.answer.as_ref().is_some_and(|a| a.id == answer.id))
            .map(|h| h.to.label.clone())
            .unwrap_or_default();
        let by = if team.is_empty() || team.contains(&answer.by) {
            answer.by.clone()
        } else {
            format!("{team} ({})", answer.by)
        };
        self.composer.answer = Some(format!(
            "{}: {}",
            crate::text::one_line(&by),
            crate::text::one_line(&answer.text)
        ));
        self.focus = Focus::Composer;
        self.notice(
            Level::Info,
            "Their answer is above the reply: write it for the guest in your words (Ctrl-X clears it)",
        );
        vec![]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn colleague(id: i64, name: &str, dept: &str) -> Colleague {
        serde_json::from_value(serde_json::json!({
            "id": id, "full_name": name, "department": {"name": dept, "slug": ""},
            "role": {"name": "Staff", "slug": ""}
        }))
        .unwrap()
    }

    #[test]
    fn teams_come_first_with_their_people_then_each_colleague() {
        let all = vec![
            colleague(6, "Ava Doyle", "Maintenance"),
            colleague(5, "Orla Quinn", "Housekeeping"),
            colleague(3, "Hannah Keeper", "Housekeeping"),
        ];
        let c = choices(&all, Some(MessageId(9)));
        let labels: Vec<&str> = c.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "Housekeeping",
                "Maintenance",
                "Ava Doyle",
                "Hannah Keeper",
                "Orla Quinn"
            ]
        );
        assert_eq!(c[0].to.people, vec![StaffId(5), StaffId(3)]);
        assert_eq!(
            c[0].to.describe(),
            "Housekeeping (Orla Quinn, Hannah Keeper)"
        );
        assert_eq!(c[2].to.describe(), "Ava Doyle");
        assert!(c.iter().all(|c| c.to.guest_message == Some(MessageId(9))));
    }
}
