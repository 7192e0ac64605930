//! The front desk's log: what a desk did to a guest's request that the hotel's API cannot
//! hold (a claim it does not let anyone read back, "no answer needed", "later"), written as
//! lines in one staff-chat conversation that every front-office member belongs to. Colleagues
//! read the lines in the web staff UI; every desk parses them back and comes to the same state.
//!
//! ```text
//! Room 103 · Maeve Byrne · done, no answer needed (ref: done · conversation 7 · message 345)
//! Room 104 · Seán Ó Briain · later, until 05:45 Wed 9 Dec (ref: later · conversation 8 · message 351 · until 2026-12-09T05:45:00Z)
//! Room 105 · Ana García · claimed (ref: claim · conversation 9)
//! Room 103 · Maeve Byrne · reopened, waiting again (ref: undo · conversation 7)
//! ```
//!
//! The words before `(ref:` are for people; the client reads only the part in brackets, so
//! a guest's name cannot forge a line. Who wrote it and when come from the staff message.

use chrono::{DateTime, Utc};

use crate::model::{ConversationId, MessageId, RoomNumber};

/// The log conversation's title (searched for by it, created with it).
pub const TITLE: &str = "Front desk log";

/// What a line says of a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// Someone is handling it (a claim the API keeps but never shows).
    Claim,
    /// The request up to `upto` needs no answer.
    Done,
    /// The request up to `upto` is put aside until a time; then it waits again.
    Later { until: DateTime<Utc> },
    /// Done or later taken back.
    Undo,
}

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub mark: Mark,
    pub conversation: ConversationId,
    pub room: RoomNumber,
    pub guest: String,
    /// The guest's newest message when it was written: a newer one reopens the request.
    pub upto: Option<MessageId>,
}

const SEP: &str = " · ";
const REF: &str = " (ref: ";

/// A name as a field: one line, no separator or bracket that could confuse a reader.
fn field(s: &str) -> String {
    crate::text::one_line(s)
        .replace(SEP.trim(), ".")
        .replace(['(', ')', '[', ']'], "")
        .trim()
        .to_string()
}

/// The line's text. `local`: how the desk writes a time for people.
pub fn compose(l: &Line, local: impl Fn(DateTime<Utc>) -> String) -> String {
    let (words, kind) = match l.mark {
        Mark::Claim => ("claimed".to_string(), "claim"),
        Mark::Done => ("done, no answer needed".to_string(), "done"),
        Mark::Later { until } => (format!("later, until {}", local(until)), "later"),
        Mark::Undo => ("reopened, waiting again".to_string(), "undo"),
    };
    let mut reference = format!("{kind}{SEP}conversation {}", l.conversation);
    if let Some(m) = l.upto {
        reference.push_str(&format!("{SEP}message {m}"));
    }
    if let Mark::Later { until } = l.mark {
        reference.push_str(&format!(
            "{SEP}until {}",
            until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ));
    }
    format!(
        "Room {}{SEP}{}{SEP}{words}{REF}{reference})",
        l.room,
        field(&l.guest)
    )
}

/// The line a log message carries, if it is one.
pub fn parse(text: &str) -> Option<Line> {
    let text = text.trim();
    let head = text.strip_prefix("Room ")?;
    let (room, rest) = head.split_once(SEP)?;
    let room = RoomNumber(room.trim().parse().ok()?);
    let guest = rest
        .split(SEP)
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    let at = text.rfind(REF)?;
    let reference = text[at + REF.len()..].strip_suffix(')')?;
    let mut parts = reference.split(SEP);
    let kind = parts.next()?.trim();
    let mut conversation = None;
    let mut upto = None;
    let mut until = None;
    for p in parts {
        let p = p.trim();
        if let Some(v) = p.strip_prefix("conversation ") {
            conversation = v.trim().parse().ok().map(ConversationId);
        } else if let Some(v) = p.strip_prefix("message ") {
            upto = v.trim().parse().ok().map(MessageId);
        } else if let Some(v) = p.strip_prefix("until ") {
            until = DateTime::parse_from_rfc3339(v.trim())
                .ok()
                .map(|t| t.with_timezone(&Utc));
        }
    }
    let mark = match kind {
        "claim" => Mark::Claim,
        "done" => Mark::Done,
        "later" => Mark::Later { until: until? },
        "undo" => Mark::Undo,
        _ => return None,
    };
    Some(Line {
        mark,
        conversation: conversation?,
        room,
        guest,
        upto,
    })
}

/// A line as a desk read it: the line, who wrote it and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub line: Line,
    pub by: String,
    pub by_id: crate::model::StaffId,
    pub at: DateTime<Utc>,
    /// The staff message's id: the order lines were written in.
    pub id: i64,
}

impl Entry {
    /// The entry a staff message carries, if it is a log line (deleted ones are not).
    pub fn of(m: &crate::api::staff_models::TeamMessage) -> Option<Entry> {
        if m.is_deleted {
            return None;
        }
        Some(Entry {
            line: parse(&m.message)?,
            by: crate::text::one_line(&m.sender_name),
            by_id: m.sender,
            at: m.timestamp,
            id: m.id.0,
        })
    }
}

/// Where a guest's request stands by the log: the newest of done, later and undo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aside {
    pub mark: Mark,
    pub upto: Option<MessageId>,
    pub by: String,
    pub at: DateTime<Utc>,
}

impl Aside {
    /// Whether it still covers the guest's newest message (a newer one reopens the request).
    pub fn covers(&self, newest_guest: Option<MessageId>) -> bool {
        match (self.upto, newest_guest) {
            (_, None) => true,
            (None, Some(_)) => false,
            (Some(upto), Some(n)) => n <= upto,
        }
    }

    /// Whether it keeps the guest from waiting at `now`: done, or later before its time.
    pub fn holds_at(&self, now: DateTime<Utc>) -> bool {
        match self.mark {
            Mark::Done => true,
            Mark::Later { until } => now < until,
            Mark::Claim | Mark::Undo => false,
        }
    }
}

/// What the log says of each conversation: the newest claim, and the newest done, later or
/// undo (an undo leaves nothing aside).
#[derive(Debug, Default, Clone)]
pub struct Ledger {
    pub claims: std::collections::HashMap<ConversationId, (String, DateTime<Utc>)>,
    pub aside: std::collections::HashMap<ConversationId, Aside>,
    /// Ids of the messages already applied, so a page read again changes nothing.
    applied: std::collections::HashSet<i64>,
    /// The newest applied id per conversation and kind group, so an old line read late
    /// cannot undo a newer one.
    newest: std::collections::HashMap<(ConversationId, bool), i64>,
}

impl Ledger {
    /// The ledger of a log's messages, in any order.
    pub fn of<'a>(
        messages: impl IntoIterator<Item = &'a crate::api::staff_models::TeamMessage>,
    ) -> Ledger {
        let mut entries: Vec<Entry> = messages.into_iter().filter_map(Entry::of).collect();
        entries.sort_by_key(|e| e.id);
        let mut ledger = Ledger::default();
        for e in &entries {
            ledger.apply(e);
        }
        ledger
    }

    /// Applies an entry; false when it was known or older than what it would replace.
    pub fn apply(&mut self, e: &Entry) -> bool {
        if !self.applied.insert(e.id) {
            return false;
        }
        let claim = e.line.mark == Mark::Claim;
        let key = (e.line.conversation, claim);
        if self.newest.get(&key).is_some_and(|n| *n > e.id) {
            return false;
        }
        self.newest.insert(key, e.id);
        if claim {
            self.claims
                .insert(e.line.conversation, (e.by.clone(), e.at));
        } else if e.line.mark == Mark::Undo {
            self.aside.remove(&e.line.conversation);
        } else {
            self.aside.insert(
                e.line.conversation,
                Aside {
                    mark: e.line.mark,
                    upto: e.line.upto,
                    by: e.by.clone(),
                    at: e.at,
                },
            );
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn later() -> Line {
        Line {
            mark: Mark::Later {
                until: Utc.with_ymd_and_hms(2026, 12, 9, 5, 45, 0).unwrap(),
            },
            conversation: ConversationId(8),
            room: RoomNumber(104),
            guest: "Seán (ref: done · conversation 1) Ó Briain".into(),
            upto: Some(MessageId(351)),
        }
    }

    #[test]
    fn what_is_written_is_read_back_and_a_name_cannot_forge_a_line() {
        let l = later();
        let text = compose(&l, |t| t.format("%H:%M").to_string());
        assert!(
            text.starts_with(
                "Room 104 · Seán ref: done . conversation 1 Ó Briain · later, until 05:45"
            ),
            "{text}"
        );
        let back = parse(&text).unwrap();
        assert_eq!(back.mark, l.mark);
        assert_eq!(back.conversation, ConversationId(8));
        assert_eq!(back.upto, Some(MessageId(351)));
        for mark in [Mark::Claim, Mark::Done, Mark::Undo] {
            let l = Line {
                mark,
                upto: None,
                ..later()
            };
            assert_eq!(
                parse(&compose(&l, |t| t.to_string())).map(|b| b.mark),
                Some(mark)
            );
        }
        for other in [
            "[Room 102 · Seán · guest message 3]\n\"towels\"",
            "Room 103 · done (ref: done)",
            "Room x · a · done (ref: done · conversation 7)",
            "Room 103 · a · later (ref: later · conversation 7)",
            "hello",
        ] {
            assert_eq!(parse(other), None, "{other}");
        }
    }

    #[test]
    fn the_newest_line_wins_and_a_newer_guest_message_reopens() {
        let at = Utc.with_ymd_and_hms(2026, 12, 8, 14, 0, 0).unwrap();
        let entry = |id, mark, upto| Entry {
            line: Line {
                mark,
                conversation: ConversationId(7),
                room: RoomNumber(103),
                guest: "Maeve".into(),
                upto,
            },
            by: "Fiona Desk".into(),
            by_id: crate::model::StaffId(1),
            at,
            id,
        };
        let mut l = Ledger::default();
        assert!(l.apply(&entry(5, Mark::Done, Some(MessageId(345)))));
        assert!(
            !l.apply(&entry(5, Mark::Done, Some(MessageId(345)))),
            "read twice"
        );
        assert!(
            !l.apply(&entry(3, Mark::Undo, None)),
            "an older undo arrives late"
        );
        let aside = &l.aside[&ConversationId(7)];
        assert!(aside.covers(Some(MessageId(345))) && !aside.covers(Some(MessageId(346))));
        assert!(aside.holds_at(at));
        assert!(l.apply(&entry(6, Mark::Claim, None)));
        assert!(
            l.aside.contains_key(&ConversationId(7)),
            "a claim leaves done alone"
        );
        assert!(l.apply(&entry(9, Mark::Undo, None)));
        assert!(!l.aside.contains_key(&ConversationId(7)));
    }
}
