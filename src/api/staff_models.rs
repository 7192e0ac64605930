//! What the staff-to-staff chat answers (`contract/staff-chat`), decoded leniently: only what
//! the desk shows or acts on. Its ids (`TeamThreadId`, `TeamMessageId`) are their own
//! sequences, overlapping guest chat's, so they have types of their own (in `model`).

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::models::null_default;
use crate::model::StaffId;

pub use crate::model::{TeamMessageId, TeamThreadId};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
pub struct Named {
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_default")]
    pub slug: String,
}

/// A colleague from `staff-list/` (sample 02).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Colleague {
    pub id: StaffId,
    #[serde(default, deserialize_with = "null_default")]
    pub full_name: String,
    #[serde(default)]
    pub department: Option<Named>,
    #[serde(default)]
    pub role: Option<Named>,
    #[serde(default, deserialize_with = "null_default")]
    pub is_on_duty: bool,
}

impl Colleague {
    pub fn department_name(&self) -> &str {
        self.department.as_ref().map_or("", |d| d.name.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct Page<T> {
    #[serde(default = "Vec::new")]
    pub results: Vec<T>,
    #[serde(default)]
    pub next: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Participant {
    pub id: StaffId,
    #[serde(default, deserialize_with = "null_default")]
    pub full_name: String,
    #[serde(default, deserialize_with = "null_default")]
    pub department_name: String,
}

/// A staff conversation (samples 04, 32b). Its `unread_count` is not used: wrong for groups
/// (quirk 6.2); `unread-count/` is.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TeamThread {
    pub id: TeamThreadId,
    #[serde(default, deserialize_with = "null_default")]
    pub participants: Vec<Participant>,
    #[serde(default, deserialize_with = "null_default")]
    pub title: String,
    #[serde(default, deserialize_with = "null_default")]
    pub is_group: bool,
}

/// A staff message (samples 10, 20). The realtime payload has another shape
/// (`live::protocol`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TeamMessage {
    pub id: TeamMessageId,
    pub conversation: TeamThreadId,
    pub sender: StaffId,
    #[serde(default, deserialize_with = "null_default")]
    pub sender_name: String,
    #[serde(default, deserialize_with = "null_default")]
    pub message: String,
    pub timestamp: DateTime<Utc>,
    #[serde(default)]
    pub reply_to: Option<TeamMessageId>,
    #[serde(default, deserialize_with = "null_default")]
    pub is_deleted: bool,
}

/// `messages/` (sample 20): oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TeamPage {
    #[serde(default, deserialize_with = "null_default")]
    pub messages: Vec<TeamMessage>,
    #[serde(default, deserialize_with = "null_default")]
    pub has_more: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TeamUnreadRow {
    pub conversation_id: TeamThreadId,
    #[serde(default, deserialize_with = "null_default")]
    pub unread_count: u32,
}

/// `unread-count/` (sample 30): per person, the badge to trust.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
pub struct TeamUnread {
    #[serde(default, deserialize_with = "null_default")]
    pub total_unread: u32,
    #[serde(default, deserialize_with = "null_default")]
    pub breakdown: Vec<TeamUnreadRow>,
}
