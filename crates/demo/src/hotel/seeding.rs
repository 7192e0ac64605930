//! Building the hotel: the seeded one from `assets/demo-hotel.json`, or one generated at any
//! size, and the deployment profile's turned-over room.

use super::*;

pub(crate) const FIRST: &[&str] = &[
    "Aoife", "Seán", "Niamh", "Cillian", "Róisín", "Liam", "Chloé", "Jürgen", "陈", "Yuki", "محمد",
    "Priya", "Olaf", "Zoë", "김", "Dmitri", "Ana", "Oisín", "Fatima", "Hiroshi",
];

pub(crate) const LAST: &[&str] = &[
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
            staff_chat: super::StaffChat::new(),
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
                .room_by_number(crate::profile::TURNED_OVER_ROOM)
                .or_else(|| hotel.rooms.iter().find(|r| r.booking.is_some()))
                .map(|r| r.number);
            if let Some(number) = number {
                let (first, last) = crate::profile::NEW_GUEST;
                hotel.turn_over(
                    number,
                    first,
                    last,
                    crate::profile::NEW_GUEST_LINE,
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

    pub(crate) fn new_booking(&mut self, slug: &str, first: String, last: String) -> Booking {
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

    pub(crate) fn add_room(
        &mut self,
        number: i64,
        slug: &str,
        guest: Option<(String, String)>,
    ) -> i64 {
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

    pub(crate) fn seed_conversation(&mut self, sc: &SeedConversation, now: DateTime<Utc>) {
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

    pub(crate) fn generate_conversation(
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
}
