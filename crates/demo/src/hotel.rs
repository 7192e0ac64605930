//! The demo hotel's data: rooms, guests, staff, conversations and messages, seeded from
//! `assets/demo-hotel.json` (or generated at any size for benchmarks).

use std::collections::HashMap;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde::Deserialize;

use super::wire::*;

mod seeding;

mod views;

mod staff_chat;
pub use staff_chat::{StaffChat, StaffConv, StaffMsg, event_ts};

/// The project's shipped data lives in its top-level `assets/` (the design's layout).
pub const SEED_JSON: &str = include_str!("../../../assets/demo-hotel.json");

#[derive(Deserialize, Clone)]
pub struct Seed {
    pub hotel: SeedHotel,
    pub other_hotel: SeedHotel,
    pub pusher: SeedPusher,
    pub staff: Vec<SeedStaff>,
    pub password: String,
    pub rooms: Vec<i64>,
    pub guests: Vec<SeedGuest>,
    pub conversations: Vec<SeedConversation>,
    pub guest_lines: Vec<String>,
}

#[derive(Deserialize, Clone)]
pub struct SeedHotel {
    pub id: i64,
    pub name: String,
    pub slug: String,
}

#[derive(Deserialize, Clone)]
pub struct SeedPusher {
    pub app_id: String,
    pub key: String,
    pub secret: String,
}

#[derive(Deserialize, Clone)]
pub struct SeedStaff {
    pub id: i64,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub role: String,
    pub role_slug: String,
    pub department: String,
    pub department_slug: String,
    pub hotel: String,
    pub capabilities: Vec<String>,
}

#[derive(Deserialize, Clone)]
pub struct SeedGuest {
    pub room: i64,
    pub first: String,
    pub last: String,
}

#[derive(Deserialize, Clone)]
pub struct SeedConversation {
    pub room: i64,
    #[serde(default)]
    pub backlog: usize,
    #[serde(default)]
    pub claimed_by: Option<i64>,
    pub messages: Vec<SeedMessage>,
}

#[derive(Deserialize, Clone)]
pub struct SeedMessage {
    pub from: String,
    #[serde(default)]
    pub staff: Option<i64>,
    pub text: String,
    /// Minutes before start-up.
    pub ago: i64,
    #[serde(default)]
    pub read: bool,
    #[serde(default)]
    pub edited: bool,
    #[serde(default)]
    pub deleted: bool,
    /// Index into this conversation's seeded messages.
    #[serde(default)]
    pub reply_to: Option<usize>,
    #[serde(default)]
    pub attachment: Option<SeedAttachment>,
}

#[derive(Deserialize, Clone)]
pub struct SeedAttachment {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub mime: String,
    pub size: u64,
}

pub fn seed() -> Seed {
    // The seed is compiled in and covered by tests; a broken asset is a build defect.
    serde_json::from_str(SEED_JSON).unwrap_or_else(|e| panic!("assets/demo-hotel.json: {e}"))
}

#[derive(Clone)]
pub struct Staff {
    pub seed: SeedStaff,
    pub token: String,
}

impl Staff {
    pub fn name(&self) -> String {
        format!("{} {}", self.seed.first_name, self.seed.last_name)
    }
    pub fn can(&self, cap: &str) -> bool {
        self.seed.capabilities.iter().any(|c| c == cap)
    }
    pub fn info(&self) -> WireStaffInfo {
        WireStaffInfo {
            name: self.name(),
            role: self.seed.role.clone(),
            department: self.seed.department.clone(),
            profile_image: None,
        }
    }
}

#[derive(Clone)]
pub struct Room {
    pub pk: i64,
    pub number: i64,
    pub hotel: String,
    pub booking: Option<Booking>,
}

#[derive(Clone)]
pub struct Booking {
    pub pk: i64,
    pub code: String,
    pub guest_id: i64,
    pub first: String,
    pub last: String,
}

impl Booking {
    pub fn guest_name(&self) -> String {
        format!("{} {}", self.first, self.last)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    Guest,
    Staff(i64),
    System,
}

#[derive(Clone)]
pub struct StoredAttachment {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub mime: String,
    pub size: u64,
    pub uploaded_at: DateTime<Utc>,
    /// Bytes of uploaded files (seeded ones have none and serve a placeholder).
    pub bytes: Option<std::sync::Arc<Vec<u8>>>,
}

#[derive(Clone)]
pub struct Msg {
    pub id: i64,
    pub conv: i64,
    pub sender: Sender,
    pub text: String,
    pub at: DateTime<Utc>,
    pub booking: Option<i64>,
    pub read_by_staff: bool,
    pub read_by_guest: bool,
    pub edited_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub reply_to: Option<i64>,
    pub attachments: Vec<StoredAttachment>,
}

#[derive(Clone)]
pub struct Conv {
    pub id: i64,
    pub room_pk: i64,
    pub participants: Vec<i64>,
    pub claimed_by: Option<i64>,
    /// The room's booking when the conversation began: a room that turns over gets a new
    /// conversation for the next booking (contract 4.9).
    pub booking: Option<i64>,
    /// Messages in id order (ids only grow).
    pub messages: Vec<Msg>,
}

pub struct Hotel {
    pub seed: Seed,
    pub staff: Vec<Staff>,
    pub rooms: Vec<Room>,
    pub convs: Vec<Conv>,
    pub next_msg: i64,
    pub next_attachment: i64,
    next_booking: i64,
    /// Bookings that have checked out (their messages still name them).
    pub past_bookings: Vec<Booking>,
    /// Colleagues' conversations (staff-to-staff chat).
    pub staff_chat: StaffChat,
    short_booking_ids: bool,
    clock_offset: Duration,
    /// Public base URL, for attachment links.
    pub base_url: String,
}

pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// How to build the hotel.
#[derive(Clone, Debug, Default)]
pub struct SeedOptions {
    /// Generate this many conversations instead of the seeded ones.
    pub conversations: Option<usize>,
    /// With `conversations`: messages per conversation.
    pub messages: usize,
    pub rng_seed: u64,
    /// Booking ids as the deployment writes them (`BK-2026-0001`, contract 4.10).
    pub short_booking_ids: bool,
    /// Turn room 103 over: its guest checks out and the next one writes (contract 4.9).
    pub turn_over: bool,
    /// The server's clock runs this many seconds ahead (negative: behind) of the machine's,
    /// in message times and the `Date` header alike: a desk clock that is wrong, seen from
    /// the other side.
    pub clock_offset_secs: i64,
}

impl Hotel {
    /// A booking by primary key, current or checked out.
    pub fn booking_by_pk(&self, pk: i64) -> Option<&Booking> {
        self.rooms
            .iter()
            .filter_map(|r| r.booking.as_ref())
            .chain(self.past_bookings.iter())
            .find(|b| b.pk == pk)
    }

    fn new_conversation(&mut self, room_pk: i64) -> i64 {
        let id = self.convs.len() as i64 + 1;
        let booking = self
            .room(room_pk)
            .and_then(|r| r.booking.as_ref())
            .map(|b| b.pk);
        self.convs.push(Conv {
            id,
            room_pk,
            participants: Vec::new(),
            claimed_by: None,
            booking,
            messages: Vec::new(),
        });
        id
    }

    fn room_by_number(&self, number: i64) -> Option<&Room> {
        let slug = &self.seed.hotel.slug;
        self.rooms
            .iter()
            .find(|r| r.number == number && &r.hotel == slug)
    }

    pub fn push_message(
        &mut self,
        conv: i64,
        sender: Sender,
        text: &str,
        at: DateTime<Utc>,
        read: bool,
    ) -> i64 {
        let id = self.next_msg;
        self.next_msg += 1;
        // A guest message belongs to the stay its conversation began with.
        let booking = self.conv(conv).and_then(|c| c.booking);
        let (read_by_staff, read_by_guest) = match sender {
            Sender::Guest => (read, true),
            _ => (true, read),
        };
        if let Some(c) = self.conv_mut(conv) {
            c.messages.push(Msg {
                id,
                conv,
                sender,
                text: text.to_string(),
                at,
                booking: if sender == Sender::Guest {
                    booking
                } else {
                    None
                },
                read_by_staff,
                read_by_guest,
                edited_at: None,
                deleted_at: None,
                reply_to: None,
                attachments: Vec::new(),
            });
        }
        id
    }

    /// The server's time.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.clock_offset
    }

    pub fn staff_by_token(&self, token: &str) -> Option<&Staff> {
        self.staff.iter().find(|s| s.token == token)
    }

    pub fn staff_by_id(&self, id: i64) -> Option<&Staff> {
        self.staff.iter().find(|s| s.seed.id == id)
    }

    pub fn room(&self, pk: i64) -> Option<&Room> {
        // Primary keys are positions + 1 (rooms are only ever appended).
        usize::try_from(pk - 1)
            .ok()
            .and_then(|i| self.rooms.get(i))
            .filter(|r| r.pk == pk)
    }

    pub fn conv(&self, id: i64) -> Option<&Conv> {
        // Ids are positions + 1.
        usize::try_from(id - 1).ok().and_then(|i| self.convs.get(i))
    }

    pub fn conv_mut(&mut self, id: i64) -> Option<&mut Conv> {
        usize::try_from(id - 1)
            .ok()
            .and_then(|i| self.convs.get_mut(i))
    }

    pub fn conv_hotel(&self, conv: &Conv) -> Option<&str> {
        self.room(conv.room_pk).map(|r| r.hotel.as_str())
    }

    pub fn find_message(&self, id: i64) -> Option<&Msg> {
        self.convs.iter().find_map(|c| {
            c.messages
                .binary_search_by_key(&id, |m| m.id)
                .ok()
                .map(|i| &c.messages[i])
        })
    }

    pub fn find_message_mut(&mut self, id: i64) -> Option<&mut Msg> {
        self.convs.iter_mut().find_map(|c| {
            c.messages
                .binary_search_by_key(&id, |m| m.id)
                .ok()
                .map(|i| &mut c.messages[i])
        })
    }

    /// The conversation of the room's current stay, started when there is none.
    pub fn conversation_for_room(&mut self, room_pk: i64) -> (i64, bool) {
        let current = self
            .room(room_pk)
            .and_then(|r| r.booking.as_ref())
            .map(|b| b.pk);
        let found = self
            .convs
            .iter()
            .find(|c| c.room_pk == room_pk && c.booking == current);
        match found {
            Some(c) => (c.id, false),
            None => (self.new_conversation(room_pk), true),
        }
    }

    pub fn guest_room(&self, token: &str) -> Option<&Room> {
        let number: i64 = token.strip_prefix("guest-token-room-")?.parse().ok()?;
        self.room_by_number(number)
    }

    pub fn booking_channel(&self, room: &Room) -> Option<String> {
        room.booking
            .as_ref()
            .map(|b| format!("private-hotel-{}-guest-chat-booking-{}", room.hotel, b.code))
    }

    /// A random checked-in room of the demo hotel, for simulated guests.
    pub fn random_guest_room(&self, rng: &mut impl Rng) -> Option<i64> {
        let slug = &self.seed.hotel.slug;
        let rooms: Vec<i64> = self
            .rooms
            .iter()
            .filter(|r| &r.hotel == slug && r.booking.is_some())
            .map(|r| r.number)
            .collect();
        if rooms.is_empty() {
            return None;
        }
        rooms.get(rng.random_range(0..rooms.len())).copied()
    }
}

pub fn sender_type(s: Sender) -> &'static str {
    match s {
        Sender::Guest => "guest",
        Sender::Staff(_) => "staff",
        Sender::System => "system",
    }
}

/// Percent-encodes what a URL path must not carry raw (spaces, non-ASCII).
pub fn url_path(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Today's staff unread counts, keyed by room primary key (contract 4.6).
pub fn unread_by_room(hotel: &Hotel, slug: &str) -> HashMap<String, u32> {
    let mut out = HashMap::new();
    for c in &hotel.convs {
        if hotel.conv_hotel(c) != Some(slug) {
            continue;
        }
        let n = c
            .messages
            .iter()
            .filter(|m| m.sender == Sender::Guest && !m.read_by_staff)
            .count() as u32;
        if n > 0 {
            *out.entry(c.room_pk.to_string()).or_insert(0) += n;
        }
    }
    out
}
