//! Stays: which booking a conversation belongs to, earlier stays of a turned-over room
//! (contract 4.9), and the stays the realtime link is told to follow.

use super::*;

/// Which stay of a room a conversation belongs to (contract 4.9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stay {
    Current,
    /// A guest who has checked out: the list's name is the new guest's, not theirs.
    Earlier {
        booking: Option<String>,
    },
}

impl App {
    /// Which stay a conversation belongs to: an older conversation of a room that has a newer
    /// one, or one whose guest messages name another booking than the list's current one.
    pub fn stay(&self, id: ConversationId) -> Stay {
        let Some(c) = self.conversations.get(&id) else {
            return Stay::Current;
        };
        let newest_guest = self.threads.get(&id).and_then(|t| t.newest_booked_guest());
        let booking = newest_guest.and_then(|m| m.booking_id.as_deref().map(str::to_string));
        let superseded = self
            .newest_by_room
            .get(&c.room_number)
            .is_some_and(|newest| *newest != id);
        let other_booking = match (newest_guest.and_then(|m| m.booking), c.guest_id) {
            (Some(b), Some(g)) => b != g,
            _ => false,
        };
        if superseded || other_booking {
            Stay::Earlier { booking }
        } else {
            Stay::Current
        }
    }

    /// The name a conversation goes by on screen: its guest, or for an earlier stay, never
    /// the current guest's name that the server puts on it.
    pub fn conversation_name(&self, id: ConversationId) -> String {
        match self.stay(id) {
            Stay::Earlier { booking: Some(b) } => {
                format!("earlier stay, {}", crate::text::one_line(&b))
            }
            Stay::Earlier { booking: None } => "earlier stay".into(),
            Stay::Current => self
                .conversations
                .get(&id)
                .map(|c| c.display_name())
                .unwrap_or_else(|| format!("Conversation {id}")),
        }
    }

    /// Who wrote a message, as the thread shows it: a guest of an earlier stay is not given
    /// the current guest's name (contract 4.9).
    pub fn author(&self, m: &Message) -> String {
        if m.sender_type == SenderType::Guest
            && let Some(conv) = m.conversation_id.and_then(|c| self.conversations.get(&c))
        {
            let other_booking = matches!((m.booking, conv.guest_id), (Some(b), Some(g)) if b != g);
            if other_booking || matches!(self.stay(conv.id), Stay::Earlier { .. }) {
                return match m.booking_id.as_deref() {
                    Some(b) => format!("Guest of an earlier stay ({b})"),
                    None => "Guest of an earlier stay".into(),
                };
            }
        }
        m.author()
    }

    /// The room's current conversation in the list, if it has one.
    pub fn current_conversation_of_room(&self, room: RoomNumber) -> Option<ConversationId> {
        self.newest_by_room.get(&room).copied()
    }

    /// Learns a conversation's current stay from a guest message or event, and asks the
    /// realtime link to follow its private channel. Only conversations the list named count,
    /// and only their newest stay: an event cannot make the desk sign made-up channels.
    pub(crate) fn learn_booking(
        &mut self,
        conv: ConversationId,
        booking: Option<&str>,
        key: Option<i64>,
        from_page: bool,
    ) -> Vec<Command> {
        let Some(booking) = booking
            .map(str::trim)
            .filter(|b| !b.is_empty() && b.len() <= 100)
        else {
            return vec![];
        };
        let Some(c) = self.conversations.get(&conv) else {
            return vec![];
        };
        if key.is_some_and(|k| c.guest_id.is_some_and(|g| g != k))
            || matches!(self.stay(conv), Stay::Earlier { .. })
        {
            return vec![];
        }
        // A conversation is one stay: once named, an event cannot rename it (only a page
        // can correct what an event said), so made-up ids cost nothing.
        match self.current_booking.get(&conv) {
            Some((known, _)) if known == booking => return vec![],
            Some((_, true)) => return vec![],
            Some((_, false)) if !from_page => return vec![],
            _ => {}
        }
        self.current_booking
            .insert(conv, (booking.to_string(), from_page));
        if self.watched_bookings.insert(booking.to_string()) {
            vec![Command::Job(Job::Watch {
                conversations: vec![],
                bookings: vec![booking.to_string()],
            })]
        } else {
            vec![]
        }
    }

    /// Which conversation is each room's newest (older ones are earlier stays).
    pub(crate) fn index_rooms(&mut self) {
        let mut by_room: IdMap<RoomNumber, ConversationId> = IdMap::default();
        for c in self.conversations.values() {
            let e = by_room.entry(c.room_number).or_insert(c.id);
            if c.id > *e {
                *e = c.id;
            }
        }
        self.newest_by_room = by_room;
        self.list_generation += 1;
    }

    /// After the list loads: follow every conversation's public channel, and learn one
    /// current stay so the realtime link can find out at once whether private channels can
    /// be signed (until one is, the connection is partial: contract 4.12).
    pub(crate) fn after_list_loaded(&mut self) -> Vec<Command> {
        self.index_rooms();
        let mut cmds = Vec::new();
        // Once the rooms are known: hand-offs made at any desk, or before a restart.
        if !std::mem::replace(&mut self.hand_offs.looked_for, true) {
            cmds.push(Command::Job(Job::FindHandOffs));
            cmds.push(Command::Job(Job::LoadTeamUnread));
            cmds.extend(self.read_desk_log());
        }
        cmds.extend(self.keep_watching());
        let new: Vec<ConversationId> = self
            .order
            .iter()
            .copied()
            .filter(|id| self.watched_conversations.insert(*id))
            .collect();
        if !new.is_empty() {
            cmds.push(Command::Job(Job::Watch {
                conversations: new,
                bookings: vec![],
            }));
        }
        self.service
            .plan(&self.conversations, &self.order, self.clock.now);
        cmds.extend(self.learn_more());
        if self.current_booking.is_empty()
            && let Some(first) = self
                .order
                .iter()
                .copied()
                .find(|id| matches!(self.stay(*id), Stay::Current))
        {
            cmds.push(Command::Job(Job::Refresh {
                conversation: first,
                limit: PEEK_LIMIT,
            }));
        }
        cmds
    }
}
