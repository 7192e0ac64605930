//! The demo hotel's data: rooms, guests, staff, conversations and messages, seeded from
//! `assets/demo-hotel.json` (or generated at any size for benchmarks).

use std::collections::HashMap;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde::Deserialize;

use super::wire::*;

pub const SEED_JSON: &str = include_str!("../assets/demo-hotel.json");

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
    short_booking_ids: bool,
    clock_offset: Duration,
    /// Public base URL, for attachment links.
    pub base_url: String,
}

pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn size_display(size: u64) -> String {
    if size < 1024 {
        format!("{size}.0 B")
    } else if size < 1024 * 1024 {
        format!("{:.1} KB", size as f64 / 1024.0)
    } else {
        format!("{:.1} MB", size as f64 / (1024.0 * 1024.0))
    }
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

const FIRST: &[&str] = &[
    "Aoife", "Seán", "Niamh", "Cillian", "Róisín", "Liam", "Chloé", "Jürgen", "陈", "Yuki", "محمد",
    "Priya", "Olaf", "Zoë", "김", "Dmitri", "Ana", "Oisín", "Fatima", "Hiroshi",
];
const LAST: &[&str] = &[
    "Murphy",
    "Kelly",
    "Ó Briain",
    "Byrne",
    "Walsh",
    "Nørgaard",
    "田中",
    "伟",
    "العلي",
    "Raghunathan",
    "Иванов",
    "García",
    "Nguyễn",
    "Papadopoulos",
    "민준",
    "Kennedy",
];

impl Hotel {
    pub fn new(options: &SeedOptions, base_url: &str) -> Hotel {
        let seed = seed();
        let now = Utc::now() + Duration::seconds(options.clock_offset_secs);
        let staff = seed
            .staff
            .iter()
            .map(|s| Staff {
                seed: s.clone(),
                token: format!("demo-token-{}", s.username),
            })
            .collect();
        let mut hotel = Hotel {
            seed: seed.clone(),
            staff,
            rooms: Vec::new(),
            convs: Vec::new(),
            next_msg: 1,
            next_attachment: 1,
            next_booking: 1,
            past_bookings: Vec::new(),
            short_booking_ids: options.short_booking_ids,
            clock_offset: Duration::seconds(options.clock_offset_secs),
            base_url: base_url.to_string(),
        };
        // The other hotel has one room and a conversation, for the cross-hotel checks.
        let slug = seed.hotel.slug.clone();
        match options.conversations {
            None => {
                for &number in &seed.rooms {
                    let guest = seed
                        .guests
                        .iter()
                        .find(|g| g.room == number)
                        .map(|g| (g.first.clone(), g.last.clone()));
                    hotel.add_room(number, &slug, guest);
                }
                for sc in &seed.conversations {
                    hotel.seed_conversation(sc, now);
                }
            }
            Some(n) => {
                let mut rng = StdRng::seed_from_u64(options.rng_seed);
                for i in 0..n {
                    let number = ((i / 50) as i64 + 1) * 100 + (i % 50) as i64 + 1;
                    let first = FIRST[rng.random_range(0..FIRST.len())].to_string();
                    let last = LAST[rng.random_range(0..LAST.len())].to_string();
                    let pk = hotel.add_room(number, &slug, Some((first, last)));
                    hotel.generate_conversation(pk, options.messages, &mut rng, now);
                }
            }
        }
        let other = seed.other_hotel.slug.clone();
        if options.turn_over {
            let number = hotel
                .room_by_number(super::profile::TURNED_OVER_ROOM)
                .or_else(|| hotel.rooms.iter().find(|r| r.booking.is_some()))
                .map(|r| r.number);
            if let Some(number) = number {
                let (first, last) = super::profile::NEW_GUEST;
                hotel.turn_over(
                    number,
                    first,
                    last,
                    super::profile::NEW_GUEST_LINE,
                    now - Duration::minutes(4),
                );
            }
        }
        let pk = hotel.add_room(501, &other, Some(("Oisin".into(), "Walsh".into())));
        let conv = hotel.new_conversation(pk);
        let at = now - Duration::minutes(30);
        hotel.push_message(conv, Sender::Guest, "Hello from the other hotel", at, false);
        hotel
    }

    fn new_booking(&mut self, slug: &str, first: String, last: String) -> Booking {
        let pk = self.next_booking;
        self.next_booking += 1;
        let code = if self.short_booking_ids {
            format!("BK-2026-{pk:04}")
        } else {
            let code_hotel: String = slug
                .replace('-', "")
                .to_uppercase()
                .chars()
                .take(8)
                .collect();
            format!("BK-{code_hotel}-2026-{pk:04}")
        };
        Booking {
            pk,
            code,
            guest_id: pk,
            first,
            last,
        }
    }

    fn add_room(&mut self, number: i64, slug: &str, guest: Option<(String, String)>) -> i64 {
        let pk = self.rooms.len() as i64 + 1;
        let booking = guest.map(|(first, last)| self.new_booking(slug, first, last));
        self.rooms.push(Room {
            pk,
            number,
            hotel: slug.to_string(),
            booking,
        });
        pk
    }

    /// Check-out and the next check-in: the old booking is kept for its messages, and the
    /// new guest's first message opens a second conversation for the room.
    pub fn turn_over(
        &mut self,
        number: i64,
        first: &str,
        last: &str,
        line: &str,
        at: DateTime<Utc>,
    ) {
        let Some(pk) = self.room_by_number(number).map(|r| r.pk) else {
            return;
        };
        let slug = self.seed.hotel.slug.clone();
        let booking = self.new_booking(&slug, first.to_string(), last.to_string());
        let Some(room) = self.rooms.iter_mut().find(|r| r.pk == pk) else {
            return;
        };
        if let Some(old) = room.booking.replace(booking) {
            self.past_bookings.push(old);
        }
        let conv = self.new_conversation(pk);
        self.push_message(conv, Sender::Guest, line, at, false);
    }

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

    fn seed_conversation(&mut self, sc: &SeedConversation, now: DateTime<Utc>) {
        let Some(room_pk) = self.room_by_number(sc.room).map(|r| r.pk) else {
            return;
        };
        let conv = self.new_conversation(room_pk);
        // The long backlog for lazy loading sits before the scripted messages.
        let first_ago = sc.messages.first().map(|m| m.ago).unwrap_or(0) + 10;
        for i in 0..sc.backlog {
            let minutes = first_ago + ((sc.backlog - i) as i64) * 37;
            let at = now - Duration::minutes(minutes);
            let (sender, text) = if i % 3 == 2 {
                (
                    Sender::Staff(1),
                    format!("Backlog message #{} from staff", i + 1),
                )
            } else {
                (
                    Sender::Guest,
                    format!("Backlog message #{} from guest", i + 1),
                )
            };
            self.push_message(conv, sender, &text, at, true);
        }
        let mut ids = Vec::new();
        for sm in &sc.messages {
            let sender = match sm.from.as_str() {
                "staff" => Sender::Staff(sm.staff.unwrap_or(1)),
                "system" => Sender::System,
                _ => Sender::Guest,
            };
            let at = now - Duration::minutes(sm.ago);
            let id = self.push_message(conv, sender, &sm.text, at, sm.read);
            ids.push(id);
            let next_attachment = self.next_attachment;
            let c = self.conv_mut(conv);
            if let Some(m) = c.and_then(|c| c.messages.last_mut()) {
                if sm.edited {
                    m.edited_at = Some(at + Duration::minutes(1));
                }
                if sm.deleted {
                    m.deleted_at = Some(at + Duration::minutes(1));
                }
                m.reply_to = sm.reply_to.and_then(|i| ids.get(i).copied());
                if let Some(a) = &sm.attachment {
                    m.attachments.push(StoredAttachment {
                        id: next_attachment,
                        name: a.name.clone(),
                        kind: a.kind.clone(),
                        mime: a.mime.clone(),
                        size: a.size,
                        uploaded_at: at,
                        bytes: None,
                    });
                }
            }
            if sm.attachment.is_some() {
                self.next_attachment += 1;
            }
            if let Sender::Staff(id) = sender
                && let Some(c) = self.conv_mut(conv)
                && !c.participants.contains(&id)
            {
                c.participants.push(id);
            }
        }
        if let Some(c) = self.conv_mut(conv) {
            c.claimed_by = sc.claimed_by;
        }
    }

    fn generate_conversation(
        &mut self,
        room_pk: i64,
        messages: usize,
        rng: &mut StdRng,
        now: DateTime<Utc>,
    ) {
        let conv = self.new_conversation(room_pk);
        let start = rng.random_range(10..20_000i64);
        for i in 0..messages {
            let at = now - Duration::minutes(start + ((messages - i) as i64) * 7);
            let line = self.seed.guest_lines[i % self.seed.guest_lines.len()].clone();
            let (sender, read) = if i % 2 == 0 {
                (Sender::Guest, i + 2 < messages || rng.random_bool(0.7))
            } else {
                (Sender::Staff(1), true)
            };
            self.push_message(conv, sender, &line, at, read);
        }
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

    pub fn attachment_wire(&self, a: &StoredAttachment) -> WireAttachment {
        let file = format!("media/attachments/{}/{}", a.id, a.name);
        WireAttachment {
            id: a.id,
            file_url: format!("{}/{}", self.base_url, url_path(&file)),
            file,
            file_name: a.name.clone(),
            file_type: a.kind.clone(),
            file_size: a.size,
            file_size_display: size_display(a.size),
            mime_type: a.mime.clone(),
            thumbnail: None,
            thumbnail_url: None,
            uploaded_at: ts(a.uploaded_at),
        }
    }

    pub fn sender_name(&self, m: &Msg, room: Option<&Room>) -> String {
        match m.sender {
            Sender::Guest => room
                .and_then(|r| r.booking.as_ref())
                .map(|b| b.guest_name())
                .unwrap_or_else(|| "Guest".into()),
            Sender::Staff(id) => self
                .staff_by_id(id)
                .map(|s| s.name())
                .unwrap_or_else(|| "Staff".into()),
            Sender::System => "System".into(),
        }
    }

    pub fn message_wire(&self, m: &Msg) -> WireMessage {
        let conv = self.conv(m.conv);
        let room = conv.and_then(|c| self.room(c.room_pk));
        let staff = match m.sender {
            Sender::Staff(id) => self.staff_by_id(id),
            _ => None,
        };
        let guest_name = room
            .and_then(|r| r.booking.as_ref())
            .map(|b| b.guest_name());
        let reply_to_message =
            m.reply_to
                .and_then(|rid| self.find_message(rid))
                .map(|r| WireReplyTo {
                    id: r.id,
                    message: r.text.chars().take(100).collect(),
                    sender_type: sender_type(r.sender).into(),
                    sender_name: self.sender_name(r, room),
                    timestamp: ts(r.at),
                    has_attachments: !r.attachments.is_empty(),
                    attachments: r
                        .attachments
                        .iter()
                        .map(|a| self.attachment_wire(a))
                        .collect(),
                    attachment_count: r.attachments.len(),
                });
        let read = match m.sender {
            Sender::Guest => m.read_by_staff,
            _ => m.read_by_guest,
        };
        WireMessage {
            id: m.id,
            conversation: m.conv,
            conversation_id: m.conv,
            room: room.map(|r| r.pk).unwrap_or_default(),
            room_number: room.map(|r| r.number).unwrap_or_default(),
            booking: m.booking,
            // The stay the message was written in, which is not always the room's current one.
            booking_id: match m.sender {
                Sender::Guest => m
                    .booking
                    .and_then(|pk| self.booking_by_pk(pk))
                    .map(|b| b.code.clone()),
                _ => None,
            },
            sender_type: sender_type(m.sender).into(),
            staff: staff.map(|s| s.seed.id),
            staff_name: staff.map(|s| s.name()),
            guest_name,
            staff_info: staff.map(|s| s.info()),
            message: if m.deleted_at.is_some() {
                "[Message deleted]".into()
            } else {
                m.text.clone()
            },
            timestamp: ts(m.at),
            status: if read { "read" } else { "delivered" }.into(),
            is_read_by_recipient: read,
            read_at: None,
            read_by_staff: m.read_by_staff,
            read_by_guest: m.read_by_guest,
            staff_read_at: None,
            guest_read_at: None,
            delivered_at: ts(m.at),
            staff_display_name: staff.map(|s| s.name()),
            staff_role_name: staff.map(|s| s.seed.role.clone()),
            is_edited: m.edited_at.is_some(),
            edited_at: m.edited_at.map(ts),
            is_deleted: m.deleted_at.is_some(),
            deleted_at: m.deleted_at.map(ts),
            reply_to: m.reply_to,
            reply_to_message,
            attachments: m
                .attachments
                .iter()
                .map(|a| self.attachment_wire(a))
                .collect(),
            has_attachments: !m.attachments.is_empty(),
        }
    }

    pub fn conversation_wire(
        &self,
        c: &Conv,
        preview_limit: Option<usize>,
        has_unread_false: bool,
    ) -> WireConversation {
        let room = self.room(c.room_pk);
        let booking = room.and_then(|r| r.booking.as_ref());
        let last = c.messages.last();
        let unread = c
            .messages
            .iter()
            .filter(|m| m.sender == Sender::Guest && !m.read_by_staff)
            .count() as u32;
        let unread_guest = c
            .messages
            .iter()
            .filter(|m| m.sender != Sender::Guest && !m.read_by_guest)
            .count() as u32;
        let preview = last.map(|m| match preview_limit {
            Some(n) => m.text.chars().take(n).collect(),
            None => m.text.clone(),
        });
        let number = room.map(|r| r.number).unwrap_or_default();
        WireConversation {
            id: c.id,
            conversation_id: c.id,
            room_number: number,
            roomNumber: number,
            guest_id: booking.map(|b| b.guest_id),
            guestId: booking.map(|b| b.guest_id),
            guest_name: booking.map(|b| b.guest_name()),
            guestName: booking.map(|b| b.guest_name()),
            guest_first_name: booking.map(|b| b.first.clone()),
            guest_last_name: booking.map(|b| b.last.clone()),
            last_message: preview.clone(),
            lastMessage: preview,
            last_message_time: last.map(|m| ts(m.at)),
            // The running backend always says false here (contract 4.3).
            has_unread: unread > 0 && !has_unread_false,
            unread_count: unread,
            unreadCountForStaff: unread,
            unreadCountForGuest: unread_guest,
        }
    }

    pub fn event_payload(&self, m: &Msg) -> WireEventPayload {
        let conv = self.conv(m.conv);
        let room = conv.and_then(|c| self.room(c.room_pk));
        let staff = match m.sender {
            Sender::Staff(id) => self.staff_by_id(id),
            _ => None,
        };
        WireEventPayload {
            conversation_id: m.conv,
            booking_id: room
                .and_then(|r| r.booking.as_ref())
                .map(|b| b.code.clone()),
            room_conversation_id: m.conv,
            id: m.id,
            sender_type: sender_type(m.sender).into(),
            sender_role: sender_type(m.sender).into(),
            sender_id: staff.map(|s| s.seed.id),
            sender_name: self.sender_name(m, room),
            guest_name: room
                .and_then(|r| r.booking.as_ref())
                .map(|b| b.guest_name()),
            staff_name: staff.map(|s| s.name()),
            staff_info: staff.map(|s| serde_json::json!({"name": s.name(), "role": s.seed.role})),
            message: m.text.clone(),
            timestamp: ts(m.at),
            room_number: room.map(|r| r.number).unwrap_or_default(),
            is_staff_reply: matches!(m.sender, Sender::Staff(_)),
            has_attachments: !m.attachments.is_empty(),
            read_by_staff: m.read_by_staff,
            read_by_guest: m.read_by_guest,
            is_edited: m.edited_at.is_some(),
            is_deleted: m.deleted_at.is_some(),
            status: "delivered".into(),
            reply_to: m.reply_to,
            pin: None,
        }
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
