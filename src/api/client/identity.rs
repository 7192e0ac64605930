//! What makes a stored message the copy of one reply, and a delivery.

use super::*;

/// What makes a stored message the copy of one reply: our staff id, the same conversation,
/// the same text, and newer than the newest message the desk held when the reply was first
/// attempted. The id rule keeps an identical earlier reply (a canned line sent twice) from
/// being taken for this one; replies without it (outboxes from older versions) fall back to
/// the time of the attempt, with slack for clock skew.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplyIdentity {
    pub staff_id: StaffId,
    pub text: String,
    pub after_id: Option<MessageId>,
    pub first_attempt: DateTime<Utc>,
}

impl ReplyIdentity {
    pub fn matches(&self, conversation: ConversationId, m: &Message) -> bool {
        let newer = match self.after_id {
            Some(after) => m.id > after,
            None => m.timestamp + chrono::Duration::minutes(5) >= self.first_attempt,
        };
        m.sender_type == SenderType::Staff
            && m.staff == Some(self.staff_id)
            && m.conversation_id.is_none_or(|c| c == conversation)
            && m.message.trim() == self.text.trim()
            && newer
    }
}

/// A reply the server has stored, and whether it took reading back to know it.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub message: Message,
    pub read_back: bool,
}
