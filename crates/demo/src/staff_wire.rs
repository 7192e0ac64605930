//! The staff-to-staff chat's wire types, written from `contract/staff-chat/samples` (02, 04,
//! 10, 11, 20, 30 and the tap). The demo's own: nothing is shared with the client.

use serde::Serialize;

#[derive(Serialize)]
pub struct WireNamed {
    pub id: i64,
    pub name: String,
    pub slug: String,
}

/// `staff-list/` rows (sample 02).
#[derive(Serialize)]
pub struct WireStaffListItem {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub full_name: String,
    pub email: String,
    pub phone_number: Option<String>,
    pub department: Option<WireNamed>,
    pub role: Option<WireNamed>,
    pub is_active: bool,
    pub is_on_duty: bool,
    pub hotel_name: String,
    pub profile_image_url: Option<String>,
}

/// DRF page-number pagination (samples 02, 32).
#[derive(Serialize)]
pub struct WirePage<T> {
    pub count: usize,
    pub next: Option<String>,
    pub previous: Option<String>,
    pub results: Vec<T>,
}

#[derive(Serialize)]
pub struct WireParticipant {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub full_name: String,
    pub department_name: String,
    pub role_name: String,
    pub is_on_duty: bool,
    pub profile_image_url: Option<String>,
}

/// `last_message` of a conversation: `sender` is a name here, not an id (sample 32b).
#[derive(Serialize)]
pub struct WireLastMessage {
    pub id: i64,
    pub sender: String,
    pub message: String,
    pub timestamp: String,
    pub is_read: bool,
}

/// A staff conversation (samples 04, 32b).
#[derive(Serialize)]
pub struct WireStaffConversation {
    pub id: i64,
    pub hotel: i64,
    pub hotel_name: String,
    pub participants: Vec<WireParticipant>,
    pub title: String,
    pub is_group: bool,
    pub created_at: String,
    pub updated_at: String,
    pub last_message: Option<WireLastMessage>,
    pub unread_count: u32,
}

#[derive(Serialize)]
pub struct WireSenderInfo {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub full_name: String,
    pub email: String,
    pub avatar_url: Option<String>,
    pub role_name: String,
    pub department_name: String,
    pub is_online: bool,
    pub is_on_duty: bool,
}

/// `reply_to_message` of a message (sample 11).
#[derive(Serialize)]
pub struct WireReplyPreview {
    pub id: i64,
    pub message: String,
    pub sender: i64,
    pub sender_name: String,
    pub sender_avatar: Option<String>,
    pub timestamp: String,
    pub is_deleted: bool,
    pub attachments_preview: Vec<serde_json::Value>,
}

/// A staff message (samples 10, 20).
#[derive(Serialize)]
pub struct WireStaffMessage {
    pub id: i64,
    pub conversation: i64,
    pub sender: i64,
    pub sender_info: WireSenderInfo,
    pub sender_name: String,
    pub message: String,
    pub timestamp: String,
    pub status: String,
    pub delivered_at: String,
    pub is_read: bool,
    pub read_by: Vec<i64>,
    pub read_by_list: Vec<serde_json::Value>,
    pub read_by_count: usize,
    /// Only on `messages/` and `mark-as-read/` answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_read_by_current_user: Option<bool>,
    pub is_edited: bool,
    pub edited_at: Option<String>,
    pub is_deleted: bool,
    pub deleted_at: Option<String>,
    pub reply_to: Option<i64>,
    pub reply_to_message: Option<WireReplyPreview>,
    pub attachments: Vec<serde_json::Value>,
    pub has_attachments: bool,
    pub reactions: Vec<serde_json::Value>,
    pub reaction_summary: serde_json::Map<String, serde_json::Value>,
    pub mentions: Vec<i64>,
    pub mentioned_staff: Vec<serde_json::Value>,
}

/// `messages/` (sample 20).
#[derive(Serialize)]
pub struct WireStaffMessages {
    pub messages: Vec<WireStaffMessage>,
    pub count: usize,
    pub has_more: bool,
}

#[derive(Serialize)]
pub struct WireBreakdown {
    pub conversation_id: i64,
    pub unread_count: u32,
    pub title: String,
    pub is_group: bool,
}

/// `unread-count/` (sample 30).
#[derive(Serialize)]
pub struct WireStaffUnread {
    pub total_unread: u32,
    pub conversations_with_unread: usize,
    pub breakdown: Vec<WireBreakdown>,
}

/// `realtime_staff_chat_message_created` payload (samples 10, 11).
#[derive(Serialize)]
pub struct WireCreatedPayload {
    pub id: i64,
    pub conversation_id: i64,
    pub message: String,
    pub sender_id: i64,
    pub sender_name: String,
    pub sender_avatar: Option<String>,
    pub timestamp: String,
    pub images: Vec<serde_json::Value>,
    pub has_images: bool,
    pub image_count: usize,
    pub attachments: Vec<serde_json::Value>,
    pub has_attachments: bool,
    pub attachment_count: usize,
    pub is_system_message: bool,
    pub reply_to: Option<WireCreatedReply>,
    pub is_reply_to_attachment: bool,
}

#[derive(Serialize)]
pub struct WireCreatedReply {
    pub id: i64,
    pub message: String,
    pub message_preview: String,
    pub sender_id: i64,
    pub sender_name: String,
    pub sender_avatar: Option<String>,
    pub timestamp: String,
    pub is_deleted: bool,
    pub is_edited: bool,
    pub has_images: bool,
    pub images: Vec<serde_json::Value>,
    pub image_count: usize,
    pub has_attachments: bool,
    pub attachments_preview: Vec<serde_json::Value>,
    pub attachment_count: usize,
}

/// `realtime_staff_chat_unread_updated`, short form (sample 10).
#[derive(Serialize)]
pub struct WireUnreadUpdated {
    pub staff_id: i64,
    pub conversation_id: Option<i64>,
    pub unread_count: u32,
    pub updated_at: String,
}
