//! The hotel as the wire shows it: messages, conversations, attachments, event payloads.

use super::*;

pub(crate) fn size_display(size: u64) -> String {
    if size < 1024 {
        format!("{size}.0 B")
    } else if size < 1024 * 1024 {
        format!("{:.1} KB", size as f64 / 1024.0)
    } else {
        format!("{:.1} MB", size as f64 / (1024.0 * 1024.0))
    }
}

impl Hotel {
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
}
