//! Pusher frames as types: the event names the backend publishes (a serde enum, unknown names
//! kept apart), their payloads, and what the link reports (`LiveEvent`), which the app turns
//! into its own events. Nothing here knows the app.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::api::{Message, SenderType};
use crate::model::{ConversationId, MessageId, StaffId};

/// One decoded Pusher frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    pub event: String,
    pub channel: Option<String>,
    /// `data` decoded: a JSON string is parsed again; an object stays; absent is Null.
    pub data: Value,
}

/// Decodes a frame; never panics on hostile input.
pub fn decode_frame(text: &str) -> Option<Frame> {
    let v: Value = crate::api::json::from_slice(text.as_bytes()).ok()?;
    let event = v.get("event")?.as_str()?.to_string();
    let channel = v
        .get("channel")
        .and_then(|c| c.as_str())
        .map(str::to_string);
    let data = match v.get("data") {
        Some(Value::String(s)) => {
            crate::api::json::from_slice(s.as_bytes()).unwrap_or(Value::String(s.clone()))
        }
        Some(other) => other.clone(),
        None => Value::Null,
    };
    Some(Frame {
        event,
        channel,
        data,
    })
}

/// The event names of the protocol and of the guest chat (contract section 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum EventName {
    #[serde(rename = "pusher:connection_established")]
    Established,
    #[serde(rename = "pusher:error")]
    Error,
    #[serde(rename = "pusher:ping")]
    Ping,
    #[serde(rename = "new-guest-message")]
    GuestNote,
    #[serde(rename = "realtime_event")]
    RealtimeEvent,
    #[serde(rename = "chat.message.created")]
    MessageCreated,
    #[serde(rename = "messages-read-by-staff")]
    ReadByStaff,
    #[serde(rename = "chat.message.read")]
    MessageRead,
    #[serde(rename = "chat.message.edited")]
    MessageEdited,
    #[serde(rename = "chat.message.deleted")]
    MessageDeleted,
    /// Staff-to-staff chat (category `staff_chat`), on the same channel names as guest chat.
    #[serde(rename = "realtime_staff_chat_message_created")]
    TeamMessageCreated,
    /// My staff-chat unread counters changed (two shapes, staff-chat section 5).
    #[serde(rename = "realtime_staff_chat_unread_updated")]
    TeamUnreadUpdated,
    /// Anything else (subscription answers, the staff-to-staff chat, names to come).
    #[serde(other)]
    Other,
}

impl Frame {
    pub fn name(&self) -> EventName {
        serde_json::from_value(Value::String(self.event.clone())).unwrap_or(EventName::Other)
    }

    /// The payload as `T`, if it has that shape.
    fn data_as<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        serde_json::from_value(self.data.clone()).ok()
    }
}

/// `pusher:connection_established`.
#[derive(Debug, Deserialize)]
pub struct Established {
    #[serde(default)]
    pub socket_id: String,
    #[serde(default)]
    pub activity_timeout: Option<u64>,
}

/// `pusher:error`.
#[derive(Debug, Default, Deserialize)]
pub struct PusherError {
    #[serde(default)]
    pub code: Option<u16>,
    #[serde(default)]
    pub message: Option<String>,
}

impl Frame {
    pub fn established(&self) -> Option<Established> {
        self.data_as()
    }
    pub fn error(&self) -> PusherError {
        self.data_as().unwrap_or_default()
    }
}

/// `new-guest-message`: a note that a guest wrote (the text cut to 100 characters).
#[derive(Debug, Deserialize)]
struct GuestNote {
    conversation_id: ConversationId,
    message_id: MessageId,
    #[serde(default)]
    booking_id: Option<String>,
    #[serde(default)]
    guest_message: Option<String>,
    /// Kept as text: a malformed time must not lose the note.
    #[serde(default)]
    timestamp: Option<String>,
}

/// The guest-chat envelope of `realtime_event` and `chat.message.*`.
#[derive(Debug, Deserialize)]
struct Envelope {
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    payload: Option<Value>,
}

/// Any payload that names its conversation.
#[derive(Debug, Deserialize)]
struct About {
    #[serde(default)]
    conversation_id: Option<ConversationId>,
    #[serde(default)]
    read_by: Option<String>,
    #[serde(default)]
    payload: Option<Box<About>>,
}

/// What the realtime link reports.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveEvent {
    /// A guest wrote; the full message comes on its channel or by a read.
    GuestWrote {
        conversation: ConversationId,
        message_id: MessageId,
        preview: Option<String>,
        at: Option<DateTime<Utc>>,
        booking: Option<String>,
    },
    /// A message in full.
    Message(Box<Message>),
    /// A message was edited or deleted.
    Changed { conversation: ConversationId },
    /// A staff member read the guest's messages.
    ReadByStaff { conversation: ConversationId },
    /// The link's state.
    Link(LinkState),
    /// Back after a gap: whatever happened meanwhile must be re-read.
    Resync,
    /// A message in a staff-to-staff conversation (never a guest's: told apart by category).
    TeamMessage(Box<crate::api::staff_models::TeamMessage>),
    /// My staff-chat unread count changed: a hint to read it (`unread-count/`).
    TeamUnreadChanged,
}

/// The link as the header shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    Connecting,
    /// Every stay followed is subscribed on a signed private channel.
    Live,
    /// Public channels only: staff replies do not arrive (contract 4.12).
    Partial,
    Reconnecting {
        at: DateTime<Utc>,
        attempt: u32,
    },
    Stopped(String),
}

/// What the app should hear about a frame.
/// `realtime_staff_chat_message_created`'s payload (staff-chat samples 10, 11): `reply_to`
/// is the replied message in full here, an id in REST.
#[derive(Debug, Deserialize)]
struct TeamCreated {
    id: crate::api::staff_models::TeamMessageId,
    conversation_id: crate::api::staff_models::TeamThreadId,
    #[serde(default)]
    message: Option<String>,
    sender_id: crate::model::StaffId,
    #[serde(default)]
    sender_name: Option<String>,
    timestamp: String,
    #[serde(default)]
    reply_to: Option<TeamReplied>,
}

#[derive(Debug, Deserialize)]
struct TeamReplied {
    id: crate::api::staff_models::TeamMessageId,
}

/// A staff-chat message from its event, only when the envelope says `staff_chat`: a guest
/// event on the same channel name never becomes one (staff-chat quirk 15).
fn team_message(frame: &Frame) -> Option<crate::api::staff_models::TeamMessage> {
    let Envelope {
        category: Some(category),
        payload: Some(payload),
    } = frame.data_as::<Envelope>()?
    else {
        return None;
    };
    if category != "staff_chat" {
        return None;
    }
    let p: TeamCreated = serde_json::from_value(payload).ok()?;
    Some(crate::api::staff_models::TeamMessage {
        id: p.id,
        conversation: p.conversation_id,
        sender: p.sender_id,
        sender_name: p.sender_name.unwrap_or_default(),
        message: p.message.unwrap_or_default(),
        timestamp: DateTime::parse_from_rfc3339(&p.timestamp)
            .ok()?
            .with_timezone(&Utc),
        reply_to: p.reply_to.map(|r| r.id),
        is_deleted: false,
    })
}

pub fn events_for(frame: &Frame) -> Vec<LiveEvent> {
    match frame.name() {
        EventName::TeamUnreadUpdated => match frame.data_as::<Envelope>() {
            Some(Envelope {
                category: Some(c), ..
            }) if c == "staff_chat" => vec![LiveEvent::TeamUnreadChanged],
            _ => vec![],
        },
        EventName::TeamMessageCreated => team_message(frame)
            .map(|m| LiveEvent::TeamMessage(Box::new(m)))
            .into_iter()
            .collect(),
        EventName::GuestNote => frame
            .data_as::<GuestNote>()
            .map(|n| LiveEvent::GuestWrote {
                conversation: n.conversation_id,
                message_id: n.message_id,
                preview: n.guest_message,
                at: n
                    .timestamp
                    .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
                    .map(|t| t.with_timezone(&Utc)),
                booking: n.booking_id,
            })
            .into_iter()
            .collect(),
        EventName::RealtimeEvent | EventName::MessageCreated => {
            let Some(Envelope {
                category: Some(category),
                payload: Some(payload),
            }) = frame.data_as::<Envelope>()
            else {
                return vec![];
            };
            // The staff-to-staff chat shares the channel names: only guest chat counts.
            if category != "guest_chat" {
                return vec![];
            }
            match message_from_payload(&payload) {
                Some(m) if m.attachments.is_empty() && !has_attachments(&payload) => {
                    vec![LiveEvent::Message(Box::new(m))]
                }
                // Attachments are not in the event: read the thread instead.
                Some(m) => match m.conversation_id {
                    Some(conversation) => vec![LiveEvent::GuestWrote {
                        conversation,
                        message_id: m.id,
                        preview: None,
                        at: None,
                        booking: m.booking_id.as_deref().map(str::to_string),
                    }],
                    None => vec![],
                },
                None => vec![],
            }
        }
        EventName::ReadByStaff => about(frame)
            .and_then(|a| a.conversation_id)
            .map(|conversation| vec![LiveEvent::ReadByStaff { conversation }])
            .unwrap_or_default(),
        EventName::MessageRead => match about(frame) {
            Some(About {
                conversation_id: Some(conversation),
                read_by: Some(by),
                ..
            }) if by == "staff" => vec![LiveEvent::ReadByStaff { conversation }],
            _ => vec![],
        },
        EventName::MessageEdited | EventName::MessageDeleted => {
            let a = about(frame);
            let conversation = a
                .as_ref()
                .and_then(|a| a.payload.as_ref().and_then(|p| p.conversation_id))
                .or_else(|| a.as_ref().and_then(|a| a.conversation_id));
            conversation
                .map(|conversation| vec![LiveEvent::Changed { conversation }])
                .unwrap_or_default()
        }
        EventName::Established | EventName::Error | EventName::Ping | EventName::Other => vec![],
    }
}

fn about(frame: &Frame) -> Option<About> {
    frame.data_as()
}

fn has_attachments(payload: &Value) -> bool {
    payload
        .get("has_attachments")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// Builds a Message from an event payload (it names the author `sender_id`).
pub fn message_from_payload(payload: &Value) -> Option<Message> {
    let mut m: Message = serde_json::from_value(payload.clone()).ok()?;
    if m.sender_type == SenderType::Staff && m.staff.is_none() {
        m.staff = payload
            .get("sender_id")
            .and_then(Value::as_i64)
            .map(StaffId);
    }
    m.conversation_id?;
    Some(m)
}
