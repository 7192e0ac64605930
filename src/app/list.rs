//! The conversation list: order by activity, the filter, selection, next unread, `o ROOM`.

use super::*;

impl App {
    pub fn total_unread(&self) -> u32 {
        self.conversations.values().map(|c| c.unread_count).sum()
    }

    /// The ids shown in the list, after the filter.
    pub fn visible_order(&self) -> Vec<ConversationId> {
        let needle = crate::text::fold(self.filter.trim());
        let mut order: Vec<ConversationId> = if needle.is_empty() {
            self.order.clone()
        } else {
            self.order
                .iter()
                .copied()
                .filter(|id| {
                    self.conversations.get(id).is_some_and(|c| {
                        c.room_number.to_string().starts_with(&needle)
                            || crate::text::fold(&self.conversation_name(*id)).contains(&needle)
                    })
                })
                .collect()
        };
        if self.service.order == ListOrder::WaitingFirst {
            // Longest wait first; the rest keep their activity order (the sort is stable).
            order.sort_by_cached_key(|id| match self.service.wait(*id) {
                Some(w) if matches!(self.stay(*id), Stay::Current) => (0, Some(w.since)),
                _ => (1, None),
            });
        }
        order
    }

    /// Newest activity first; conversations without messages last; id breaks ties.
    pub(crate) fn sort_key(
        &self,
        id: ConversationId,
    ) -> std::cmp::Reverse<(Option<DateTime<Utc>>, ConversationId)> {
        let t = self
            .conversations
            .get(&id)
            .and_then(|c| c.last_message_time);
        std::cmp::Reverse((t, id))
    }

    pub(crate) fn resort(&mut self) {
        let mut keyed: Vec<_> = self
            .conversations
            .keys()
            .map(|id| (self.sort_key(*id), *id))
            .collect();
        keyed.sort_unstable();
        self.order = keyed.into_iter().map(|(_, id)| id).collect();
    }

    /// Moves one conversation to its place after its activity changed: O(n) moves, O(log n)
    /// comparisons, instead of sorting the whole hotel per message.
    pub(crate) fn reposition(&mut self, id: ConversationId) {
        if let Some(pos) = self.order.iter().position(|x| *x == id) {
            self.order.remove(pos);
        } else if !self.conversations.contains_key(&id) {
            return;
        }
        let key = self.sort_key(id);
        let at = self
            .order
            .partition_point(|other| self.sort_key(*other) < key);
        self.order.insert(at, id);
        // A row that moved above the window pushes the selection down: keep it in sight.
        self.ensure_list_visible();
    }

    pub(crate) fn ensure_list_visible(&mut self) {
        let rows = geometry::list_capacity(self);
        let order = self.visible_order();
        let Some(pos) = self
            .selected
            .and_then(|s| order.iter().position(|id| *id == s))
        else {
            self.list_offset = 0;
            return;
        };
        if pos < self.list_offset {
            self.list_offset = pos;
        } else if rows > 0 && pos >= self.list_offset + rows {
            self.list_offset = pos + 1 - rows;
        }
        // A window with room to spare shows the rows above rather than blank ones below (a
        // taller terminal, or rows that moved up).
        self.list_offset = self.list_offset.min(order.len().saturating_sub(rows));
    }

    /// Rows above and below the list's window: what the title points to.
    pub fn rows_out_of_sight(&self) -> (usize, usize) {
        let rows = geometry::list_capacity(self);
        let total = self.visible_order().len();
        let above = self.list_offset.min(total);
        (above, total.saturating_sub(above + rows))
    }

    pub(crate) fn select_relative(&mut self, delta: isize) {
        let order = self.visible_order();
        if order.is_empty() {
            return;
        }
        let pos = self
            .selected
            .and_then(|s| order.iter().position(|id| *id == s));
        let next = match pos {
            None => 0,
            Some(p) => (p as isize + delta).clamp(0, order.len() as isize - 1) as usize,
        };
        self.selected = order.get(next).copied();
        self.ensure_list_visible();
    }

    /// `n`: the guest who has waited longest; from a waiting guest's thread, the next one
    /// in the order of their waits (so `n` visits each once). With nobody waiting, the next
    /// unread conversation.
    pub(crate) fn next_waiting(&mut self) -> Vec<Command> {
        let visible = self.visible_order();
        let waiting: Vec<ConversationId> = self
            .waiting()
            .into_iter()
            .map(|(id, _)| id)
            .filter(|id| visible.contains(id))
            .collect();
        let at = self
            .open
            .and_then(|open| waiting.iter().position(|id| *id == open));
        let next = match at {
            Some(p) if waiting.len() > 1 => waiting.get((p + 1) % waiting.len()).copied(),
            Some(_) => None,
            None => waiting.first().copied(),
        };
        match next {
            Some(id) => self.open_conversation(id, Focus::Composer),
            None => self.next_unread(),
        }
    }

    pub(crate) fn next_unread(&mut self) -> Vec<Command> {
        let order = self.visible_order();
        let start = self
            .selected
            .and_then(|s| order.iter().position(|id| *id == s))
            // From the open conversation, the next one; from a mere highlight, that row itself.
            .map(|p| if self.open == self.selected { p + 1 } else { p })
            .unwrap_or(0);
        let n = order.len();
        let found = (0..n).map(|i| order[(start + i) % n]).find(|id| {
            self.conversations
                .get(id)
                .is_some_and(|c| c.unread_count > 0)
        });
        match found {
            Some(id) => self.open_conversation(id, Focus::Composer),
            None => {
                let text = if self.waiting().is_empty() {
                    "Nobody is waiting for an answer, and nothing is unread"
                } else {
                    "No other guest is waiting, and nothing else is unread"
                };
                self.notice(Level::Info, text);
                vec![]
            }
        }
    }

    /// Keeps the highlight on a match as the filter narrows.
    pub(crate) fn after_filter_change(&mut self) {
        let order = self.visible_order();
        if self.selected.is_none_or(|s| !order.contains(&s)) {
            self.selected = order.first().copied();
        }
        self.list_offset = 0;
        self.ensure_list_visible();
    }

    /// The room prompt's digits: the room's current stay, or the server's answer for it.
    pub(crate) fn open_room(&mut self, text: &str) -> Vec<Command> {
        // Digits only (the prompt takes no other key), so a room number is never negative.
        match text.trim().parse::<i64>().map(RoomNumber) {
            // The list's conversation for the room's current stay, when it has one:
            // from-room fails for a room with two stays and sends its whole history
            // (contract 4.9, 4.11).
            Ok(room) => match self.current_conversation_of_room(room) {
                Some(id) => self.open_conversation(id, Focus::Composer),
                None => vec![Command::Job(Job::FromRoom(room))],
            },
            Err(_) => {
                self.notice(
                    Level::Error,
                    format!("{:?} is not a room number", text.trim()),
                );
                vec![]
            }
        }
    }
}
