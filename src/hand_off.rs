//! A hand-off's text: the staff chat has no room field, so the room, the guest, the stay and
//! the guest message travel in the text, in a first line people read and the client parses
//! back (at another desk, or after a restart):
//!
//! ```text
//! [Room 102 · Seán Ó Briain · stay BK-2026-0001 · guest message 345]
//! "Could we have two more towels?"
//! Please bring them before 6.
//! ```

use crate::model::{MessageId, RoomNumber};

/// What a hand-off's first line names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandOffRef {
    pub room: RoomNumber,
    pub guest: String,
    pub stay: Option<String>,
    pub guest_message: Option<MessageId>,
}

/// The first line's separator; a name containing it is written with a plain dot instead.
const SEP: &str = " · ";

fn field(s: &str) -> String {
    crate::text::one_line(s)
        .replace(SEP.trim(), ".")
        .replace(['[', ']'], "")
        .trim()
        .to_string()
}

/// The hand-off text for a guest's message, ready for the clerk's own words after it.
pub fn compose(r: &HandOffRef, quoted: &str) -> String {
    let mut head = format!("[Room {}{SEP}{}", r.room, field(&r.guest));
    if let Some(stay) = r.stay.as_deref().filter(|s| !s.trim().is_empty()) {
        head.push_str(&format!("{SEP}stay {}", field(stay)));
    }
    if let Some(m) = r.guest_message {
        head.push_str(&format!("{SEP}guest message {m}"));
    }
    head.push(']');
    let quoted = crate::text::one_line(quoted);
    format!("{head}\n\"{}\"\n", quoted.trim())
}

/// The reference a hand-off's first line carries, if the text is one.
pub fn parse(text: &str) -> Option<HandOffRef> {
    let first = text.lines().next()?.trim();
    let inner = first.strip_prefix("[Room ")?.strip_suffix(']')?;
    let mut parts = inner.split(SEP);
    let room = RoomNumber(parts.next()?.trim().parse().ok()?);
    let guest = parts.next()?.trim().to_string();
    let mut r = HandOffRef {
        room,
        guest,
        stay: None,
        guest_message: None,
    };
    for p in parts {
        if let Some(stay) = p.strip_prefix("stay ") {
            r.stay = Some(stay.trim().to_string());
        } else if let Some(id) = p.strip_prefix("guest message ") {
            r.guest_message = id.trim().parse().ok().map(MessageId);
        }
    }
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn towels() -> HandOffRef {
        HandOffRef {
            room: RoomNumber(102),
            guest: "Seán Ó Briain".into(),
            stay: Some("BK-2026-0001".into()),
            guest_message: Some(MessageId(345)),
        }
    }

    #[test]
    fn what_is_written_is_read_back() {
        let text = compose(&towels(), "Could we have two more towels?\nThanks!");
        assert_eq!(
            text,
            "[Room 102 · Seán Ó Briain · stay BK-2026-0001 · guest message 345]\n\"Could we have two more towels? Thanks!\"\n"
        );
        assert_eq!(parse(&format!("{text}Before 6 please")), Some(towels()));
        let bare = HandOffRef {
            stay: None,
            guest_message: None,
            ..towels()
        };
        assert_eq!(parse(&compose(&bare, "x")), Some(bare));
    }

    #[test]
    fn a_name_cannot_break_the_line_and_other_text_is_not_a_hand_off() {
        let odd = HandOffRef {
            guest: "Ann · [Room 9] \u{1b}]52;evil".into(),
            ..towels()
        };
        let back = parse(&compose(&odd, "hi")).unwrap();
        assert_eq!(back.room, RoomNumber(102));
        assert_eq!(back.guest_message, Some(MessageId(345)));
        assert!(!back.guest.contains('\u{1b}'));
        for not in ["On my way with towels", "[Room abc · x]", "", "[Room 102"] {
            assert_eq!(parse(not), None, "{not:?}");
        }
    }
}
