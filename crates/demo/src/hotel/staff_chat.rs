//! Staff-to-staff chat in the demo hotel: conversations between colleagues (one per exact set
//! of members, for ever: contract staff-chat 6.3), their messages and who has read them.

use chrono::{DateTime, Utc};

use super::{Hotel, Staff, ts};
use crate::staff_wire::*;

#[derive(Clone)]
pub struct StaffMsg {
    pub id: i64,
    pub conv: i64,
    pub sender: i64,
    pub text: String,
    pub at: DateTime<Utc>,
    pub reply_to: Option<i64>,
    pub read_by: Vec<i64>,
}

#[derive(Clone)]
pub struct StaffConv {
    pub id: i64,
    /// Sorted staff ids, the caller included.
    pub members: Vec<i64>,
    pub title: String,
    pub is_group: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub messages: Vec<StaffMsg>,
}

/// Its own id sequences: they overlap the guest chat's (staff-chat 2, "Ids").
#[derive(Clone, Default)]
pub struct StaffChat {
    pub convs: Vec<StaffConv>,
    next_conv: i64,
    next_msg: i64,
}

impl StaffChat {
    pub fn new() -> StaffChat {
        StaffChat {
            convs: Vec::new(),
            next_conv: 1,
            next_msg: 1,
        }
    }

    pub fn conv(&self, id: i64) -> Option<&StaffConv> {
        self.convs.iter().find(|c| c.id == id)
    }

    /// Get-or-create by exact member set: an existing one keeps its title (6.3).
    pub fn get_or_create(
        &mut self,
        mut members: Vec<i64>,
        title: &str,
        now: DateTime<Utc>,
    ) -> (i64, bool) {
        members.sort_unstable();
        if let Some(c) = self.convs.iter().find(|c| c.members == members) {
            return (c.id, false);
        }
        let id = self.next_conv;
        self.next_conv += 1;
        self.convs.push(StaffConv {
            id,
            is_group: members.len() > 2,
            members,
            title: title.to_string(),
            created_at: now,
            updated_at: now,
            messages: Vec::new(),
        });
        (id, true)
    }

    pub fn push(
        &mut self,
        conv: i64,
        sender: i64,
        text: &str,
        reply_to: Option<i64>,
        now: DateTime<Utc>,
    ) -> Option<StaffMsg> {
        let id = self.next_msg;
        let c = self.convs.iter_mut().find(|c| c.id == conv)?;
        self.next_msg += 1;
        let m = StaffMsg {
            id,
            conv,
            sender,
            text: text.to_string(),
            at: now,
            reply_to,
            read_by: Vec::new(),
        };
        c.messages.push(m.clone());
        c.updated_at = now;
        Some(m)
    }

    /// Messages not mine whose `read_by` lacks me: the per-person count (section 4).
    pub fn unread_for(&self, conv: &StaffConv, me: i64) -> u32 {
        conv.messages
            .iter()
            .filter(|m| m.sender != me && !m.read_by.contains(&me))
            .count() as u32
    }

    /// The list's count on the deployment: messages not yet read by every other member
    /// (6.2), which is wrong for groups.
    pub fn unread_by_all(&self, conv: &StaffConv, me: i64) -> u32 {
        conv.messages
            .iter()
            .filter(|m| {
                m.sender != me
                    && conv
                        .members
                        .iter()
                        .any(|p| *p != m.sender && !m.read_by.contains(p))
            })
            .count() as u32
    }
}

impl Hotel {
    fn member_info(&self, id: i64) -> Option<&Staff> {
        self.staff_by_id(id)
    }

    pub fn staff_list_item(&self, s: &Staff) -> WireStaffListItem {
        let named = |id: i64, name: &str, slug: &str| WireNamed {
            id,
            name: name.to_string(),
            slug: slug.to_string(),
        };
        WireStaffListItem {
            id: s.seed.id,
            first_name: s.seed.first_name.clone(),
            last_name: s.seed.last_name.clone(),
            full_name: s.name(),
            email: format!("{}@killarney.test", s.seed.username),
            phone_number: None,
            department: Some(named(
                s.seed.id * 10,
                &s.seed.department,
                &s.seed.department_slug,
            )),
            role: Some(named(s.seed.id * 10 + 1, &s.seed.role, &s.seed.role_slug)),
            is_active: true,
            is_on_duty: false,
            hotel_name: self.seed.hotel.name.clone(),
            profile_image_url: None,
        }
    }

    fn participant(&self, id: i64) -> Option<WireParticipant> {
        let s = self.member_info(id)?;
        Some(WireParticipant {
            id,
            first_name: s.seed.first_name.clone(),
            last_name: s.seed.last_name.clone(),
            full_name: s.name(),
            department_name: s.seed.department.clone(),
            role_name: s.seed.role.clone(),
            is_on_duty: false,
            profile_image_url: None,
        })
    }

    pub fn staff_conversation_wire(
        &self,
        c: &StaffConv,
        me: i64,
        unread_by_all: bool,
    ) -> WireStaffConversation {
        let chat = &self.staff_chat;
        WireStaffConversation {
            id: c.id,
            hotel: self.seed.hotel.id,
            hotel_name: self.seed.hotel.name.clone(),
            participants: c
                .members
                .iter()
                .filter_map(|id| self.participant(*id))
                .collect(),
            title: c.title.clone(),
            is_group: c.is_group,
            created_at: ts(c.created_at),
            updated_at: ts(c.updated_at),
            last_message: c.messages.last().map(|m| WireLastMessage {
                id: m.id,
                sender: self
                    .member_info(m.sender)
                    .map(Staff::name)
                    .unwrap_or_default(),
                message: m.text.chars().take(100).collect(),
                timestamp: ts(m.at),
                is_read: c
                    .members
                    .iter()
                    .all(|p| *p == m.sender || m.read_by.contains(p)),
            }),
            unread_count: if unread_by_all {
                chat.unread_by_all(c, me)
            } else {
                chat.unread_for(c, me)
            },
        }
    }

    pub fn staff_message_wire(&self, m: &StaffMsg, me: Option<i64>) -> WireStaffMessage {
        let sender = self.member_info(m.sender);
        let name = sender.map(Staff::name).unwrap_or_default();
        let conv = self.staff_chat.conv(m.conv);
        let others_read = conv.is_some_and(|c| {
            c.members
                .iter()
                .all(|p| *p == m.sender || m.read_by.contains(p))
        });
        let reply = m.reply_to.and_then(|r| {
            conv?
                .messages
                .iter()
                .find(|x| x.id == r)
                .map(|x| WireReplyPreview {
                    id: x.id,
                    message: x.text.clone(),
                    sender: x.sender,
                    sender_name: self
                        .member_info(x.sender)
                        .map(Staff::name)
                        .unwrap_or_default(),
                    sender_avatar: None,
                    timestamp: ts(x.at),
                    is_deleted: false,
                    attachments_preview: vec![],
                })
        });
        WireStaffMessage {
            id: m.id,
            conversation: m.conv,
            sender: m.sender,
            sender_info: WireSenderInfo {
                id: m.sender,
                first_name: sender
                    .map(|s| s.seed.first_name.clone())
                    .unwrap_or_default(),
                last_name: sender.map(|s| s.seed.last_name.clone()).unwrap_or_default(),
                full_name: name.clone(),
                email: sender
                    .map(|s| format!("{}@killarney.test", s.seed.username))
                    .unwrap_or_default(),
                avatar_url: None,
                role_name: sender.map(|s| s.seed.role.clone()).unwrap_or_default(),
                department_name: sender
                    .map(|s| s.seed.department.clone())
                    .unwrap_or_default(),
                is_online: false,
                is_on_duty: false,
            },
            sender_name: name,
            message: m.text.clone(),
            timestamp: ts(m.at),
            status: if others_read { "read" } else { "delivered" }.into(),
            delivered_at: ts(m.at),
            is_read: others_read,
            read_by: m.read_by.clone(),
            read_by_list: vec![],
            read_by_count: m.read_by.len(),
            is_read_by_current_user: me.map(|me| m.read_by.contains(&me) || m.sender == me),
            is_edited: false,
            edited_at: None,
            is_deleted: false,
            deleted_at: None,
            reply_to: m.reply_to,
            reply_to_message: reply,
            attachments: vec![],
            has_attachments: false,
            reactions: vec![],
            reaction_summary: Default::default(),
            mentions: vec![],
            mentioned_staff: vec![],
        }
    }

    /// The `message_created` payload (samples 10, 11).
    pub fn staff_created_payload(&self, m: &StaffMsg) -> WireCreatedPayload {
        let name = |id: i64| self.member_info(id).map(Staff::name).unwrap_or_default();
        let reply = m.reply_to.and_then(|r| {
            let x = self
                .staff_chat
                .conv(m.conv)?
                .messages
                .iter()
                .find(|x| x.id == r)?;
            Some(WireCreatedReply {
                id: x.id,
                message: x.text.clone(),
                message_preview: x.text.chars().take(150).collect(),
                sender_id: x.sender,
                sender_name: name(x.sender),
                sender_avatar: None,
                timestamp: event_ts(x.at),
                is_deleted: false,
                is_edited: false,
                has_images: false,
                images: vec![],
                image_count: 0,
                has_attachments: false,
                attachments_preview: vec![],
                attachment_count: 0,
            })
        });
        WireCreatedPayload {
            id: m.id,
            conversation_id: m.conv,
            message: m.text.clone(),
            sender_id: m.sender,
            sender_name: name(m.sender),
            sender_avatar: None,
            timestamp: event_ts(m.at),
            images: vec![],
            has_images: false,
            image_count: 0,
            attachments: vec![],
            has_attachments: false,
            attachment_count: 0,
            is_system_message: false,
            reply_to: reply,
            is_reply_to_attachment: false,
        }
    }
}

/// Event payloads write times as `+00:00`, REST as `Z` (staff-chat 2, "Timestamps").
pub fn event_ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, false)
}
