//! How the demo hotel behaves: `friendly` (the published contract, kindly) or `deployment`
//! (everything section 4 of the contract says the running backend gets wrong). Every flow is
//! tested against both, so a flow that only works on a kind server cannot pass unnoticed.

/// Which server the demo imitates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Profile {
    /// The published guide, answered kindly: private channels signed, one conversation per
    /// room, a send fails only when a fault asks for it.
    #[default]
    Friendly,
    /// The running deployment, quirks and all (contract section 4).
    Deployment,
}

/// The deployment's quirks, one switch each, so the handlers read as the contract does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Quirks {
    /// 4.12: the signer answers 401 to every staff token.
    pub signing_refused: bool,
    /// 4.3: `has_unread` is always false.
    pub has_unread_false: bool,
    /// 4.2: edit, delete and attachment delete answer 500 before anything is saved (the
    /// backend's views reject the singular routes' `hotel_slug`; checked 2026-12-08).
    pub edits_answer_500: bool,
    /// 4.7: once another staff member has written, a send by an earlier one answers 500
    /// after saving, for good.
    pub send_500_after_handoff: bool,
    /// 4.8: claims by this user answer 500 after saving (a saved push token).
    pub claim_500_for: Option<String>,
    /// 4.9: room 103 has turned over (a second conversation, an earlier stay).
    pub turned_over_room: bool,
    /// 4.9, 4.11: from-room answers 500 for a room with two conversations, and otherwise
    /// the room's whole history.
    pub from_room_like_deployment: bool,
    /// 4.10: booking ids look like `BK-2026-0001`.
    pub short_booking_ids: bool,
    /// Samples 97a-97e: "X has joined the conversation." comes after the first send.
    pub join_line_after_send: bool,
    /// Staff chat, section 6: `conversations-with-unread-count/` is a 500, the list's unread
    /// count is wrong for groups, a path without its trailing slash is a 301, a non-integer
    /// `limit` or `before_id` is a 500.
    pub staff_chat_quirks: bool,
}

impl Profile {
    pub fn quirks(self) -> Quirks {
        match self {
            Profile::Friendly => Quirks::default(),
            Profile::Deployment => Quirks {
                signing_refused: true,
                has_unread_false: true,
                edits_answer_500: true,
                send_500_after_handoff: true,
                claim_500_for: Some("manager".into()),
                turned_over_room: true,
                from_room_like_deployment: true,
                short_booking_ids: true,
                join_line_after_send: true,
                staff_chat_quirks: true,
            },
        }
    }
}

/// The room that has turned over in the deployment profile, and its new guest.
pub const TURNED_OVER_ROOM: i64 = 103;
pub const NEW_GUEST: (&str, &str) = ("Astrid", "Lindqvist");
pub const NEW_GUEST_LINE: &str = "Hello, I have just checked in to 103. Is breakfast included?";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn friendly_has_no_quirks_and_deployment_has_all() {
        assert_eq!(Profile::Friendly.quirks(), Quirks::default());
        let q = Profile::Deployment.quirks();
        assert!(q.signing_refused && q.has_unread_false && q.edits_answer_500);
        assert!(q.send_500_after_handoff && q.turned_over_room && q.short_booking_ids);
        assert!(q.staff_chat_quirks);
        assert_eq!(q.claim_500_for.as_deref(), Some("manager"));
    }
}
