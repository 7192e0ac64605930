//! The history held in memory: the double the app's tests use, with the same rules as the
//! SQLite store (the shared tests in `history/tests.rs` run against both).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::{
    Counts, Gap, History, Hit, Indexed, KeptList, KeptRecent, Removed, Result, hit_of, query_words,
};
use crate::api::{Conversation, ConversationId, Message, MessageId, RoomNumber};

#[derive(Debug, Default, Clone)]
pub struct MemoryHistory {
    conversations: HashMap<ConversationId, Conversation>,
    messages: BTreeMap<MessageId, (ConversationId, Message)>,
    from_start: HashSet<ConversationId>,
    as_of: Option<DateTime<Utc>>,
}

impl MemoryHistory {
    fn active_since(&self, since: DateTime<Utc>) -> Vec<&Conversation> {
        let mut active: Vec<&Conversation> = self
            .conversations
            .values()
            .filter(|c| c.last_message_time.is_some_and(|t| t >= since))
            .collect();
        active.sort_by_key(|c| std::cmp::Reverse(c.last_message_time));
        active
    }

    fn of(&self, conversation: ConversationId) -> impl Iterator<Item = &Message> {
        self.messages
            .values()
            .filter(move |(c, _)| *c == conversation)
            .map(|(_, m)| m)
    }

    fn remove_where(&mut self, gone: impl Fn(&Conversation) -> bool) -> Removed {
        let ids: HashSet<ConversationId> = self
            .conversations
            .values()
            .filter(|c| gone(c))
            .map(|c| c.id)
            .collect();
        let before = self.messages.len();
        self.messages.retain(|_, (c, _)| !ids.contains(c));
        self.conversations.retain(|id, _| !ids.contains(id));
        Removed {
            conversations: ids.len(),
            messages: before - self.messages.len(),
        }
    }
}

impl History for MemoryHistory {
    fn list(&self, since: DateTime<Utc>) -> Result<KeptList> {
        Ok(KeptList {
            conversations: self
                .conversations
                .values()
                .filter(|c| c.last_message_time.is_none_or(|t| t >= since))
                .cloned()
                .collect(),
            as_of: self.as_of,
        })
    }

    fn recent(&self, since: DateTime<Utc>, per_conversation: usize) -> Result<Vec<KeptRecent>> {
        Ok(self
            .active_since(since)
            .into_iter()
            .filter_map(|c| {
                let all: Vec<&Message> = self.of(c.id).collect();
                let skip = all.len().saturating_sub(per_conversation);
                let messages: Vec<Message> = all[skip..].iter().map(|m| (*m).clone()).collect();
                (!messages.is_empty()).then(|| KeptRecent {
                    conversation: c.id,
                    from_start: self.from_start.contains(&c.id)
                        && messages.len() < per_conversation,
                    messages,
                })
            })
            .collect())
    }

    fn thread(
        &self,
        conversation: ConversationId,
        from: Option<MessageId>,
        limit: usize,
    ) -> Result<Vec<Message>> {
        let all: Vec<Message> = self.of(conversation).cloned().collect();
        Ok(match from {
            Some(from) => all
                .into_iter()
                .filter(|m| m.id >= from)
                .take(limit)
                .collect(),
            None => {
                let skip = all.len().saturating_sub(limit);
                all.into_iter().skip(skip).collect()
            }
        })
    }

    fn keep_list(&mut self, list: &[Conversation], at: DateTime<Utc>) -> Result<()> {
        for c in list {
            self.conversations.insert(c.id, c.clone());
        }
        self.as_of = Some(at);
        Ok(())
    }

    fn keep_messages(
        &mut self,
        conversation: ConversationId,
        messages: &[Message],
        reached_start: bool,
    ) -> Result<()> {
        for m in messages {
            self.messages.insert(m.id, (conversation, m.clone()));
        }
        if reached_start {
            self.from_start.insert(conversation);
        }
        Ok(())
    }

    fn remove_message(&mut self, id: MessageId) -> Result<()> {
        self.messages.remove(&id);
        Ok(())
    }

    fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>> {
        let words = query_words(query);
        if words.is_empty() {
            return Ok(vec![]);
        }
        let fold = crate::text::fold;
        let mut hits: Vec<Hit> = self
            .messages
            .values()
            .filter(|(c, m)| {
                let i = Indexed::of(m, self.conversations.get(c));
                let text = [fold(&i.body), fold(&i.who), i.room, fold(&i.files)].join(" ");
                let tokens: Vec<&str> = text.split(|c: char| !c.is_alphanumeric()).collect();
                words
                    .iter()
                    .all(|w| tokens.iter().any(|t| t.starts_with(w.as_str())))
            })
            .map(|(c, m)| {
                let kept = self.conversations.get(c);
                let earlier = kept.is_some_and(|k| {
                    self.conversations
                        .values()
                        .any(|o| o.room_number == k.room_number && o.id > k.id)
                });
                hit_of(m, *c, kept, earlier)
            })
            .collect();
        hits.sort_by_key(|h| std::cmp::Reverse(h.at));
        hits.truncate(limit);
        Ok(hits)
    }

    fn purge_before(&mut self, cutoff: DateTime<Utc>) -> Result<Removed> {
        let before = self.messages.len();
        self.messages.retain(|_, (_, m)| m.timestamp >= cutoff);
        let old = self.remove_where(|c| c.last_message_time.is_some_and(|t| t < cutoff));
        Ok(Removed {
            conversations: old.conversations,
            messages: before - self.messages.len(),
        })
    }

    fn forget_room(&mut self, room: RoomNumber) -> Result<Removed> {
        Ok(self.remove_where(|c| c.room_number == room))
    }

    fn forget_all(&mut self) -> Result<Removed> {
        let removed = Removed {
            conversations: self.conversations.len(),
            messages: self.messages.len(),
        };
        *self = MemoryHistory::default();
        Ok(removed)
    }

    fn next_gap(&self, since: DateTime<Utc>) -> Result<(Option<Gap>, usize, usize)> {
        let active = self.active_since(since);
        let open: Vec<&&Conversation> = active
            .iter()
            .filter(|c| !self.from_start.contains(&c.id))
            .collect();
        let gap = open.first().map(|c| Gap {
            conversation: c.id,
            before: self.of(c.id).next().map(|m| m.id),
        });
        Ok((gap, open.len(), active.len()))
    }

    fn counts(&self) -> Result<Counts> {
        Ok(Counts {
            conversations: self.conversations.len(),
            messages: self.messages.len(),
            complete: self.from_start.len(),
        })
    }
}
