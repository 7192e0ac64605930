//! The demo server's own wire types, written from the contract samples. Deliberately shares
//! nothing with the client's models: a misspelt field cannot hide on both sides at once.

use serde::Serialize;

#[derive(Serialize)]
pub struct WireHotel {
    pub id: i64,
    pub name: String,
    pub slug: String,
}

#[derive(Serialize)]
pub struct WireLogin {
    pub staff_id: i64,
    pub username: String,
    pub token: String,
    pub hotel_id: i64,
    pub hotel_name: String,
    pub hotel: WireHotel,
    pub is_staff: bool,
    pub is_superuser: bool,
    pub hotel_slug: String,
    pub access_level: String,
    pub department_slug: String,
    pub role_slug: String,
    pub allowed_navs: Vec<String>,
    pub allowed_capabilities: Vec<String>,
    /// Sample 01's rest, which the hotel's web staff UI reads (contract 4.15): per module
    /// `visible`, `read` and its actions, derived from the capabilities.
    pub rbac: serde_json::Map<String, serde_json::Value>,
    pub navigation_items: Vec<WireNavItem>,
    pub tier: String,
    #[serde(rename = "isAdmin")]
    pub is_admin: bool,
    pub profile_image_url: Option<String>,
    pub role: String,
    pub department: String,
    pub can_edit_self_profile: bool,
}

#[derive(Serialize)]
pub struct WireNavItem {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub path: String,
    pub description: String,
    pub display_order: i64,
    pub is_active: bool,
}

#[derive(Serialize)]
#[allow(non_snake_case)]
pub struct WireConversation {
    pub id: i64,
    pub conversation_id: i64,
    pub room_number: i64,
    pub roomNumber: i64,
    pub guest_id: Option<i64>,
    pub guestId: Option<i64>,
    pub guest_name: Option<String>,
    pub guestName: Option<String>,
    pub guest_first_name: Option<String>,
    pub guest_last_name: Option<String>,
    pub last_message: Option<String>,
    pub lastMessage: Option<String>,
    pub last_message_time: Option<String>,
    pub has_unread: bool,
    pub unread_count: u32,
    pub unreadCountForStaff: u32,
    pub unreadCountForGuest: u32,
}

#[derive(Serialize, Clone)]
pub struct WireStaffInfo {
    pub name: String,
    pub role: String,
    pub department: String,
    pub profile_image: Option<String>,
}

#[derive(Serialize, Clone)]
pub struct WireAttachment {
    pub id: i64,
    pub file: String,
    pub file_url: String,
    pub file_name: String,
    pub file_type: String,
    pub file_size: u64,
    pub file_size_display: String,
    pub mime_type: String,
    pub thumbnail: Option<String>,
    pub thumbnail_url: Option<String>,
    pub uploaded_at: String,
}

#[derive(Serialize)]
pub struct WireReplyTo {
    pub id: i64,
    pub message: String,
    pub sender_type: String,
    pub sender_name: String,
    pub timestamp: String,
    pub has_attachments: bool,
    pub attachments: Vec<WireAttachment>,
    pub attachment_count: usize,
}

#[derive(Serialize)]
pub struct WireMessage {
    pub id: i64,
    pub conversation: i64,
    pub conversation_id: i64,
    pub room: i64,
    pub room_number: i64,
    pub booking: Option<i64>,
    /// Absent (not null) on staff messages, as on the running backend.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub booking_id: Option<String>,
    pub sender_type: String,
    pub staff: Option<i64>,
    pub staff_name: Option<String>,
    pub guest_name: Option<String>,
    pub staff_info: Option<WireStaffInfo>,
    pub message: String,
    pub timestamp: String,
    pub status: String,
    pub is_read_by_recipient: bool,
    pub read_at: Option<String>,
    pub read_by_staff: bool,
    pub read_by_guest: bool,
    pub staff_read_at: Option<String>,
    pub guest_read_at: Option<String>,
    pub delivered_at: String,
    pub staff_display_name: Option<String>,
    pub staff_role_name: Option<String>,
    pub is_edited: bool,
    pub edited_at: Option<String>,
    pub is_deleted: bool,
    pub deleted_at: Option<String>,
    pub reply_to: Option<i64>,
    pub reply_to_message: Option<WireReplyTo>,
    pub attachments: Vec<WireAttachment>,
    pub has_attachments: bool,
}

/// The payload inside `realtime_event` / `chat.message.created`.
#[derive(Serialize)]
pub struct WireEventPayload {
    pub conversation_id: i64,
    pub booking_id: Option<String>,
    pub room_conversation_id: i64,
    pub id: i64,
    pub sender_type: String,
    pub sender_role: String,
    pub sender_id: Option<i64>,
    pub sender_name: String,
    pub guest_name: Option<String>,
    pub staff_name: Option<String>,
    pub staff_info: Option<serde_json::Value>,
    pub message: String,
    pub timestamp: String,
    pub room_number: i64,
    pub is_staff_reply: bool,
    pub has_attachments: bool,
    pub read_by_staff: bool,
    pub read_by_guest: bool,
    pub is_edited: bool,
    pub is_deleted: bool,
    pub status: String,
    pub reply_to: Option<i64>,
    pub pin: Option<String>,
}

#[derive(Serialize)]
pub struct WireEnvelope<P: Serialize> {
    pub category: &'static str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub payload: P,
    pub meta: serde_json::Value,
}

#[derive(Serialize)]
pub struct WireGuestNotification {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub message_id: i64,
    pub conversation_id: i64,
    pub booking_id: Option<String>,
    pub room_number: i64,
    pub guest_message: String,
    pub sender_name: String,
    pub guest_name: String,
    pub timestamp: String,
}
