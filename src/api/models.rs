//! What the staff API sends back, decoded leniently: unknown fields are ignored, nulls and absent
//! fields fall back to defaults, and timestamps become real times. Written from the contract's
//! samples (`../shared/contract/samples/rest`).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

pub use crate::model::{AttachmentId, ConversationId, MessageId, RoomNumber, StaffId};

/// A string repeated across many messages (names, roles, booking ids), shared once interned
/// (see `Thread::merge`), so 50,000 loaded messages do not hold 50,000 copies of a name.
pub type Shared = Arc<str>;

/// `null` and absent both mean "the default" (empty list, false, 0).
pub(crate) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Conversation {
    pub id: ConversationId,
    pub room_number: RoomNumber,
    #[serde(default)]
    pub guest_id: Option<i64>,
    #[serde(default)]
    pub guest_name: Option<String>,
    #[serde(default)]
    pub guest_first_name: Option<String>,
    #[serde(default)]
    pub guest_last_name: Option<String>,
    #[serde(default)]
    pub last_message: Option<String>,
    #[serde(default)]
    pub last_message_time: Option<DateTime<Utc>>,
    /// Always false on the running deployment (contract 4.3): use `unread_count`.
    #[serde(default, deserialize_with = "null_default")]
    pub has_unread: bool,
    #[serde(default, deserialize_with = "null_default")]
    pub unread_count: u32,
}

impl Conversation {
    /// The guest's name, or "Room N" when the room has no guest.
    pub fn display_name(&self) -> String {
        match self.guest_name.as_deref().map(str::trim) {
            Some(name) if !name.is_empty() => name.to_string(),
            _ => format!("Room {}", self.room_number),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SenderType {
    Guest,
    Staff,
    System,
    #[default]
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, Serialize, Default)]
pub struct StaffInfo {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub department: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct ReplyPreview {
    #[serde(default)]
    pub id: Option<MessageId>,
    #[serde(default, deserialize_with = "null_default")]
    pub message: String,
    #[serde(default, deserialize_with = "null_default")]
    pub sender_type: SenderType,
    #[serde(default)]
    pub sender_name: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub attachment_count: u32,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Attachment {
    pub id: AttachmentId,
    #[serde(default, deserialize_with = "null_default")]
    pub file_url: String,
    #[serde(default, deserialize_with = "null_default")]
    pub file_name: String,
    #[serde(default, deserialize_with = "null_default")]
    pub file_type: String,
    #[serde(default, deserialize_with = "null_default")]
    pub file_size: u64,
    #[serde(default)]
    pub mime_type: Option<String>,
    #[serde(default)]
    pub thumbnail_url: Option<String>,
    #[serde(default)]
    pub uploaded_at: Option<DateTime<Utc>>,
}

/// One message, as the inbox keeps it: only what it shows or acts on (unknown and unused
/// fields such as `status` or `delivered_at` are dropped while decoding). Written (to the
/// desk's history) without its empty fields, which read back as their defaults.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Message {
    pub id: MessageId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<ConversationId>,
    /// Room primary key: the only field that matches `unread-count`'s keys (contract 4.6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room_number: Option<RoomNumber>,
    /// The booking's key, on guest messages: the stay the guest wrote in. A conversation
    /// whose guest messages carry another booking than the list's `guest_id` is an earlier
    /// stay (contract 4.9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking: Option<i64>,
    /// Absent on staff messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking_id: Option<Shared>,
    #[serde(default, deserialize_with = "null_default")]
    pub sender_type: SenderType,
    /// Staff primary key of the author, on staff messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff: Option<StaffId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_name: Option<Shared>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guest_name: Option<Shared>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_info: Option<Arc<StaffInfo>>,
    #[serde(default, deserialize_with = "null_default")]
    pub message: String,
    pub timestamp: DateTime<Utc>,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub read_by_staff: bool,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub is_edited: bool,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub is_deleted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<MessageId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to_message: Option<Box<ReplyPreview>>,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub attachments: Vec<Attachment>,
}

impl Message {
    /// Who wrote it, as the desk would say it: "Aoife Murphy", "Fiona Desk (Front Desk Agent)".
    pub fn author(&self) -> String {
        match self.sender_type {
            SenderType::Guest => self
                .guest_name
                .as_deref()
                .map(str::to_string)
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| match self.room_number {
                    Some(room) => format!("Guest in {room}"),
                    None => "Guest".to_string(),
                }),
            SenderType::Staff => {
                let info = self.staff_info.as_ref();
                let name = info
                    .and_then(|i| i.name.clone())
                    .or_else(|| self.staff_name.as_deref().map(str::to_string))
                    .unwrap_or_else(|| "Staff".to_string());
                match info.and_then(|i| i.role.as_deref()) {
                    Some(role) if !role.is_empty() => format!("{name} ({role})"),
                    _ => name,
                }
            }
            SenderType::System => "System".to_string(),
            SenderType::Unknown => "Unknown sender".to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct HotelRef {
    pub id: i64,
    pub name: String,
    pub slug: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Login {
    pub token: String,
    pub staff_id: StaffId,
    pub username: String,
    pub hotel_slug: String,
    #[serde(default)]
    pub hotel_name: Option<String>,
    #[serde(default)]
    pub hotel: Option<HotelRef>,
    #[serde(default)]
    pub role_slug: Option<String>,
    #[serde(default)]
    pub department_slug: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub allowed_capabilities: Vec<String>,
}

impl Login {
    pub fn can(&self, capability: crate::model::Capability) -> bool {
        let capability = capability.as_str();
        self.allowed_capabilities.iter().any(|c| c == capability)
    }

    pub fn hotel_display_name(&self) -> String {
        self.hotel
            .as_ref()
            .map(|h| h.name.clone())
            .or_else(|| self.hotel_name.clone())
            .unwrap_or_else(|| self.hotel_slug.clone())
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SendResult {
    pub conversation_id: ConversationId,
    pub message: Message,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MarkReadResult {
    pub conversation_id: ConversationId,
    #[serde(default, deserialize_with = "null_default")]
    pub marked_as_read: u32,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AssignedStaff {
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    #[serde(default)]
    pub role: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ClaimResult {
    pub conversation_id: ConversationId,
    pub assigned_staff: AssignedStaff,
    #[serde(default, deserialize_with = "null_default")]
    pub participant_created: bool,
    #[serde(default)]
    pub room_number: Option<RoomNumber>,
    #[serde(default, deserialize_with = "null_default")]
    pub messages_marked_read: u32,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct UnreadCounts {
    /// Keyed by room primary key as a string (contract 4.6).
    #[serde(default, deserialize_with = "null_default")]
    pub unread_counts: HashMap<String, u32>,
}

impl UnreadCounts {
    pub fn total(&self) -> u32 {
        self.unread_counts.values().sum()
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FromRoomResult {
    pub conversation_id: ConversationId,
    #[serde(default, deserialize_with = "null_default")]
    pub messages: Vec<Message>,
    #[serde(default, deserialize_with = "null_default")]
    pub conversation_created: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct UpdateResult {
    #[serde(default, deserialize_with = "null_default")]
    pub success: bool,
    #[serde(default)]
    pub message: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DeleteResult {
    #[serde(default, deserialize_with = "null_default")]
    pub success: bool,
    #[serde(default, deserialize_with = "null_default")]
    pub hard_delete: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct UploadResult {
    pub message: Message,
    #[serde(default, deserialize_with = "null_default")]
    pub attachments: Vec<Attachment>,
    #[serde(default, deserialize_with = "null_default")]
    pub success: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DeleteAttachmentResult {
    #[serde(default, deserialize_with = "null_default")]
    pub success: bool,
    #[serde(default)]
    pub attachment_id: Option<AttachmentId>,
    #[serde(default)]
    pub message_id: Option<MessageId>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PusherAuth {
    pub auth: String,
    #[serde(default)]
    pub channel_data: Option<String>,
}
