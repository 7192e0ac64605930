//! The bottom layer: values every other module may use, and which use none of them. Ids,
//! a draft, an entry of the outbox, how guests' messages are announced, a link on screen.

use chrono::{DateTime, Utc};

/// A map keyed by ids, hashed with foldhash (seeded per map): every frame looks up every
/// conversation a few times, and SipHash made that the larger part of a frame at 2,000.
pub type IdMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
use serde::{Deserialize, Serialize};

/// An id the server gave: a newtype each, so a message id cannot be passed where a
/// conversation id is meant. On the wire it is the bare integer.
macro_rules! server_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<i64> for $name {
            fn from(raw: i64) -> Self {
                Self(raw)
            }
        }
    };
}

server_id!(
    /// A guest conversation.
    ConversationId
);
server_id!(
    /// A message in a guest conversation.
    MessageId
);
server_id!(
    /// A staff member (the login's `staff_id`; a staff message's `staff`).
    StaffId
);
server_id!(
    /// A file attached to a message.
    AttachmentId
);
server_id!(
    /// A room's number, as the contract gives it (an integer).
    RoomNumber
);
server_id!(
    /// A staff-to-staff conversation. Its own sequence, overlapping guest conversations' ids,
    /// so it cannot be taken for one.
    TeamThreadId
);
server_id!(
    /// A message in the staff-to-staff chat.
    TeamMessageId
);

/// What a staff member may do (the login's `allowed_capabilities`, contract section 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capability {
    ConversationRead,
    MessageSend,
    ConversationAssign,
    AttachmentUpload,
    AttachmentDelete,
    MessageModerate,
    GuestRespond,
}

impl Capability {
    /// The name the server uses.
    pub const fn as_str(self) -> &'static str {
        match self {
            Capability::ConversationRead => "chat.conversation.read",
            Capability::MessageSend => "chat.message.send",
            Capability::ConversationAssign => "chat.conversation.assign",
            Capability::AttachmentUpload => "chat.attachment.upload",
            Capability::AttachmentDelete => "chat.attachment.delete",
            Capability::MessageModerate => "chat.message.moderate",
            Capability::GuestRespond => "chat.guest.respond",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub text: String,
    #[serde(default)]
    pub reply_to: Option<MessageId>,
    /// A hand-off being written (to colleagues, not to the guest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hand_off: Option<HandOffTo>,
}

/// Whom a guest's request is handed to: a team (everyone of a department) or one colleague.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandOffTo {
    /// "Housekeeping", or a colleague's name.
    pub label: String,
    pub people: Vec<StaffId>,
    pub names: Vec<String>,
    /// The guest message handed on.
    #[serde(default)]
    pub guest_message: Option<MessageId>,
}

impl HandOffTo {
    /// "Housekeeping (Orla Quinn)", "Ava Doyle".
    pub fn describe(&self) -> String {
        match self.names.as_slice() {
            [one] if *one == self.label => one.clone(),
            [] => self.label.clone(),
            names => format!("{} ({})", self.label, names.join(", ")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ReplyState {
    /// Waiting for an earlier reply in the same conversation to settle: replies leave one
    /// at a time per conversation, in order, so each one's identity (`after_id`) is known.
    #[default]
    Queued,
    Sending,
    /// Failed; the text is kept. `unknown` means the server may have stored it; `retry` that
    /// the failure is passing (no connection, timeout, 5xx) and it is retried on its own.
    Failed {
        reason: String,
        unknown: bool,
        retry: bool,
    },
}

/// A reply shown at once as "sending", replaced by the server's copy when it lands. Kept in
/// the outbox on disk until then.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingReply {
    pub local_id: u64,
    pub conversation: ConversationId,
    pub text: String,
    pub reply_to: Option<MessageId>,
    /// When it was first attempted (queued replies: when they were written).
    pub first_attempt: DateTime<Utc>,
    /// The newest message id the desk held in the conversation when the reply was first
    /// attempted: its stored copy must be newer (see `ReplyIdentity`).
    #[serde(default)]
    pub after_id: Option<MessageId>,
    /// Who wrote it: only their session sends it (older outboxes lack it).
    #[serde(default)]
    pub staff_id: Option<StaffId>,
    /// Set once a send has been attempted: the server may hold a copy, so look first.
    /// Outboxes from older versions lack it, and were always saved before sending.
    #[serde(default = "attempted_by_default")]
    pub attempted: bool,
    #[serde(skip)]
    pub state: ReplyState,
}

fn attempted_by_default() -> bool {
    true
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Deserialize,
    serde::Serialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum NotifyMode {
    Off,
    #[default]
    Bell,
    Desktop,
    Both,
}

/// A link drawn on screen, for the OSC 8 hyperlink written over it after the frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSpot {
    pub x: u16,
    pub y: u16,
    /// The text the cells hold (the URL, perhaps cut).
    pub shown: String,
    pub url: String,
}
