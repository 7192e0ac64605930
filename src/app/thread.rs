//! One conversation's loaded messages, its history fetch state, and a scroll position anchored
//! to a message (not a row), so older pages and new arrivals never move what the reader sees.

use std::collections::BTreeMap;
use std::ops::Bound::{Excluded, Unbounded};

use std::collections::HashSet;
use std::sync::Arc;

use crate::api::{ConversationId, Message, MessageId, SenderType, Shared, StaffInfo};

/// One shared copy of each repeated string or staff card in a thread.
#[derive(Debug, Clone, Default)]
struct Interner {
    strings: HashSet<Shared>,
    staff: HashSet<Arc<StaffInfo>>,
}

impl Interner {
    fn string(&mut self, s: &mut Option<Shared>) {
        if let Some(v) = s.as_mut() {
            match self.strings.get(v) {
                Some(known) => *v = known.clone(),
                None => {
                    self.strings.insert(v.clone());
                }
            }
        }
    }

    fn message(&mut self, m: &mut Message) {
        self.string(&mut m.guest_name);
        self.string(&mut m.staff_name);
        self.string(&mut m.booking_id);
        if let Some(info) = m.staff_info.as_mut() {
            match self.staff.get(info) {
                Some(known) => *info = known.clone(),
                None => {
                    self.staff.insert(info.clone());
                }
            }
        }
    }
}

/// How much older history there is to fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fetch {
    NotStarted,
    Loading,
    More,
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scroll {
    /// Pinned to the newest message: new arrivals scroll into view.
    Follow,
    /// The top row of the view is row `offset` of message `id`'s block.
    Anchor { id: MessageId, offset: usize },
}

/// Rows a message block takes, given the message before it (for day separators).
pub type Heights<'a> = &'a dyn Fn(Option<&Message>, &Message) -> usize;

#[derive(Debug, Clone)]
pub struct Thread {
    pub conversation: ConversationId,
    pub messages: BTreeMap<MessageId, Message>,
    pub fetch: Fetch,
    pub scroll: Scroll,
    /// Messages that arrived below the view while scrolled up.
    pub new_below: usize,
    pub selected: Option<MessageId>,
    interner: Interner,
    /// The newest guest message that names its booking: which stay this is (asked of every
    /// conversation on every frame, so kept rather than searched for).
    newest_booked_guest: Option<MessageId>,
    /// Messages shown from the desk's history and not yet read again from the server.
    pub kept: std::collections::BTreeSet<MessageId>,
}

impl Thread {
    pub fn new(conversation: ConversationId) -> Self {
        Self {
            conversation,
            messages: BTreeMap::new(),
            fetch: Fetch::NotStarted,
            scroll: Scroll::Follow,
            new_below: 0,
            selected: None,
            interner: Interner::default(),
            newest_booked_guest: None,
            kept: Default::default(),
        }
    }

    /// The newest guest message that names its booking.
    pub fn newest_booked_guest(&self) -> Option<&Message> {
        let id = self.newest_booked_guest?;
        match self.messages.get(&id) {
            Some(m) => Some(m),
            // Removed since (a hard delete): look again.
            None => self
                .messages
                .values()
                .rev()
                .find(|m| m.sender_type == SenderType::Guest && m.booking.is_some()),
        }
    }

    pub fn oldest_id(&self) -> Option<MessageId> {
        self.messages.keys().next().copied()
    }

    pub fn newest_id(&self) -> Option<MessageId> {
        self.messages.keys().next_back().copied()
    }

    /// Merges messages by id (a newer copy replaces an older one). Returns how many were new.
    pub fn merge(&mut self, batch: impl IntoIterator<Item = Message>) -> usize {
        let newest_before = self.newest_id();
        let mut added = 0;
        let mut added_below = 0;
        for mut m in batch {
            if m.conversation_id.is_some_and(|c| c != self.conversation) {
                continue;
            }
            self.interner.message(&mut m);
            let id = m.id;
            if m.sender_type == SenderType::Guest
                && m.booking.is_some()
                && self.newest_booked_guest.is_none_or(|n| id > n)
            {
                self.newest_booked_guest = Some(id);
            }
            self.kept.remove(&id);
            if self.messages.insert(id, m).is_none() {
                added += 1;
                if newest_before.is_some_and(|n| id > n) {
                    added_below += 1;
                }
            }
        }
        if matches!(self.scroll, Scroll::Anchor { .. }) {
            self.new_below += added_below;
        }
        added
    }

    /// Applies a fetched page of older history (`before` is the id it was fetched before).
    pub fn apply_page(&mut self, page: Vec<Message>, limit: u32) {
        let short = (page.len() as u32) < limit;
        self.settle_kept(&page, short);
        self.merge(page);
        self.fetch = if short { Fetch::Done } else { Fetch::More };
    }

    /// Shows messages from the desk's history that the thread does not hold (the server's
    /// copy is newer than anything kept). Before the server's first page they are shown as
    /// kept; after it, only if they reach the server's oldest message, so no hole can hide
    /// between the two.
    pub fn merge_kept(&mut self, batch: Vec<Message>) -> usize {
        let server_oldest = self
            .messages
            .keys()
            .find(|id| !self.kept.contains(id))
            .copied();
        let newest_kept = batch.iter().map(|m| m.id).max();
        let missing: Vec<Message> = batch
            .into_iter()
            .filter(|m| !self.messages.contains_key(&m.id))
            .collect();
        let Some(oldest) = server_oldest else {
            let ids: Vec<MessageId> = missing.iter().map(|m| m.id).collect();
            let added = self.merge(missing);
            self.kept.extend(ids);
            return added;
        };
        // The server holds the whole thread: a kept message it lacks was deleted since.
        if self.fetch == Fetch::Done {
            return 0;
        }
        if newest_kept.is_some_and(|n| n < oldest) {
            // They stop short of the server's oldest: there may be a hole between.
            return 0;
        }
        self.merge(missing)
    }

    /// A page from the server settles the kept messages shown before it: when they reach
    /// the page (or the page holds the thread's start), they are joined to it; when a full
    /// page is newer than all of them, messages may have been written between that neither
    /// holds, so they are taken off screen rather than shown above a hole (scrolling up
    /// reads them again from the server).
    fn settle_kept(&mut self, page: &[Message], short: bool) {
        if self.kept.is_empty() {
            return;
        }
        let newest_kept = self.kept.last().copied();
        for m in page {
            self.kept.remove(&m.id);
        }
        let oldest_page = page.first().map(|m| m.id);
        let hole = matches!((newest_kept, oldest_page), (Some(k), Some(p)) if !short && p > k);
        let kept = std::mem::take(&mut self.kept);
        let gone: Vec<MessageId> = match (hole, short, oldest_page) {
            (true, _, _) => kept.into_iter().collect(),
            // The page holds the thread's start: a kept message older than it was deleted.
            (false, true, Some(first)) => kept.into_iter().filter(|id| *id < first).collect(),
            _ => vec![],
        };
        for id in gone {
            self.messages.remove(&id);
            if self.selected == Some(id) {
                self.selected = None;
            }
            if matches!(self.scroll, Scroll::Anchor { id: a, .. } if a == id) {
                self.scroll = Scroll::Follow;
            }
        }
    }

    pub fn prev_of(&self, id: MessageId) -> Option<&Message> {
        self.messages.range(..id).next_back().map(|(_, m)| m)
    }

    pub fn next_of(&self, id: MessageId) -> Option<&Message> {
        self.messages
            .range((Excluded(id), Unbounded))
            .next()
            .map(|(_, m)| m)
    }

    fn height_of(&self, m: &Message, h: Heights) -> usize {
        h(self.prev_of(m.id), m).max(1)
    }

    /// The anchor message, or the first one after it if it went away.
    fn anchor_message(&self, id: MessageId) -> Option<&Message> {
        self.messages.range(id..).next().map(|(_, m)| m)
    }

    /// Where the view starts: (message id, rows of it to skip). `None` when empty.
    pub fn view_start(&self, view_h: usize, h: Heights) -> Option<(MessageId, usize)> {
        match self.scroll {
            Scroll::Anchor { id, offset } => {
                let m = self.anchor_message(id)?;
                Some((m.id, offset.min(self.height_of(m, h).saturating_sub(1))))
            }
            Scroll::Follow => {
                let mut acc = 0;
                let mut start = None;
                for m in self.messages.values().rev() {
                    let mh = self.height_of(m, h);
                    acc += mh;
                    start = Some(m.id);
                    if acc >= view_h {
                        return Some((m.id, acc - view_h));
                    }
                }
                start.map(|id| (id, 0))
            }
        }
    }

    /// Rows from the view's top to the end of the thread.
    fn rows_below_top(&self, start: MessageId, skip: usize, h: Heights, cap: usize) -> usize {
        let mut rows = 0;
        for m in self.messages.range(start..).map(|(_, m)| m) {
            rows += self.height_of(m, h);
            if rows > cap + skip {
                break;
            }
        }
        rows.saturating_sub(skip)
    }

    /// Scrolls towards older messages.
    pub fn scroll_up(&mut self, rows: usize, view_h: usize, h: Heights) {
        let Some((mut id, mut offset)) = self.view_start(view_h, h) else {
            return;
        };
        let mut left = rows;
        while left > 0 {
            if offset >= left {
                offset -= left;
                left = 0;
            } else {
                left -= offset;
                offset = 0;
                match self.prev_of(id) {
                    Some(prev) => {
                        let ph = self.height_of(prev, h);
                        id = prev.id;
                        offset = ph;
                    }
                    None => break,
                }
            }
        }
        self.scroll = Scroll::Anchor { id, offset };
    }

    /// Scrolls towards newer messages; reaching the end pins the view to the newest again.
    pub fn scroll_down(&mut self, rows: usize, view_h: usize, h: Heights) {
        let Scroll::Anchor { .. } = self.scroll else {
            return;
        };
        let Some((mut id, mut offset)) = self.view_start(view_h, h) else {
            return;
        };
        offset += rows;
        while let Some(m) = self.messages.get(&id) {
            let mh = self.height_of(m, h);
            if offset < mh {
                break;
            }
            match self.next_of(id) {
                Some(next) => {
                    offset -= mh;
                    id = next.id;
                }
                None => break,
            }
        }
        if self.rows_below_top(id, offset, h, view_h) <= view_h {
            self.follow();
        } else {
            self.scroll = Scroll::Anchor { id, offset };
        }
    }

    pub fn follow(&mut self) {
        self.scroll = Scroll::Follow;
        self.new_below = 0;
    }

    pub fn scroll_to_top(&mut self) {
        if let Some(id) = self.oldest_id() {
            self.scroll = Scroll::Anchor { id, offset: 0 };
        }
    }

    /// Whether fewer than two screens of loaded history remain above the view: time to
    /// fetch the next older page so the reader never waits at the top.
    pub fn wants_older(&self, view_h: usize, h: Heights) -> bool {
        if self.fetch != Fetch::More {
            return false;
        }
        let Some((id, skip)) = self.view_start(view_h, h) else {
            return false;
        };
        let mut above = skip;
        let budget = view_h * 2;
        for m in self.messages.range(..id).rev().map(|(_, m)| m) {
            above += self.height_of(m, h);
            if above >= budget {
                return false;
            }
        }
        true
    }

    /// Whether the newest message is on screen.
    pub fn newest_visible(&self, view_h: usize, h: Heights) -> bool {
        match self.scroll {
            Scroll::Follow => true,
            Scroll::Anchor { .. } => match self.view_start(view_h, h) {
                Some((id, skip)) => self.rows_below_top(id, skip, h, view_h) <= view_h,
                None => true,
            },
        }
    }

    /// Moves the selection by `delta` messages (negative = older) and keeps it in view.
    pub fn move_selection(&mut self, delta: i32, view_h: usize, h: Heights) {
        let current = self.selected.or_else(|| self.newest_id());
        let Some(current) = current else {
            return;
        };
        // The first move from no selection lands on the newest message, either way.
        let target = if self.selected.is_none() {
            Some(current)
        } else if delta < 0 {
            self.messages
                .range(..current)
                .rev()
                .nth((-delta - 1) as usize)
                .map(|(id, _)| *id)
                .or_else(|| self.oldest_id())
        } else {
            self.messages
                .range((Excluded(current), Unbounded))
                .nth((delta - 1).max(0) as usize)
                .map(|(id, _)| *id)
                .or_else(|| self.newest_id())
        };
        self.selected = target;
        if let Some(t) = target {
            self.reveal(t, view_h, h);
        }
    }

    /// Scrolls the least needed so message `id` is fully in view (or its top, if taller).
    pub fn reveal(&mut self, id: MessageId, view_h: usize, h: Heights) {
        let Some((start, skip)) = self.view_start(view_h, h) else {
            return;
        };
        if id < start || (id == start && skip > 0) {
            self.scroll = Scroll::Anchor { id, offset: 0 };
            return;
        }
        // Rows from the view top to the end of `id`.
        let mut rows = 0usize;
        for m in self.messages.range(start..=id).map(|(_, m)| m) {
            rows += self.height_of(m, h);
        }
        let bottom = rows.saturating_sub(skip);
        if bottom > view_h {
            let over = bottom - view_h;
            if let Scroll::Follow = self.scroll {
                self.scroll = Scroll::Anchor {
                    id: start,
                    offset: skip,
                };
            }
            self.scroll_down(over, view_h, h);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    pub fn msg(id: i64) -> Message {
        serde_json::from_value(serde_json::json!({
            "id": id, "conversation_id": 1, "sender_type": "guest", "message": format!("m{id}"),
            "timestamp": Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap().to_rfc3339(),
        }))
        .unwrap()
    }

    fn three(_: Option<&Message>, _: &Message) -> usize {
        3
    }

    fn ids(t: &Thread) -> Vec<i64> {
        t.messages.keys().map(|id| id.0).collect()
    }

    #[test]
    fn kept_messages_join_a_page_they_reach_and_leave_one_they_do_not() {
        // Kept 1..=6, then the server's newest page 5..=9: they meet, all are shown.
        let mut t = Thread::new(ConversationId(1));
        t.merge_kept((1..=6).map(msg).collect());
        t.apply_page((5..=9).map(msg).collect(), 5);
        assert_eq!(ids(&t), (1..=9).collect::<Vec<_>>());
        assert!(t.kept.is_empty(), "joined");
        // Kept 1..=3, then a full page 10..=14: 4..=9 may exist; the kept ones go.
        let mut t = Thread::new(ConversationId(1));
        t.merge_kept((1..=3).map(msg).collect());
        t.selected = Some(MessageId(2));
        t.apply_page((10..=14).map(msg).collect(), 5);
        assert_eq!(ids(&t), (10..=14).collect::<Vec<_>>());
        assert_eq!(t.selected, None);
        // A short page holds the start: a kept message older than it was deleted since.
        let mut t = Thread::new(ConversationId(1));
        t.merge_kept(vec![msg(1), msg(3)]);
        t.apply_page(vec![msg(3), msg(4)], 5);
        assert_eq!(ids(&t), vec![3, 4]);
    }

    #[test]
    fn kept_messages_after_the_page_are_shown_only_if_they_reach_it() {
        let mut t = Thread::new(ConversationId(1));
        t.apply_page((10..=14).map(msg).collect(), 5);
        assert_eq!(
            t.merge_kept((1..=5).map(msg).collect()),
            0,
            "a hole between"
        );
        assert_eq!(
            t.merge_kept((6..=12).map(msg).collect()),
            4,
            "they reach it"
        );
        assert_eq!(ids(&t), (6..=14).collect::<Vec<_>>());
        // A kept copy never replaces the server's.
        let mut stale = msg(12);
        stale.message = "old text".into();
        t.merge_kept(vec![stale]);
        assert_ne!(t.messages[&MessageId(12)].message, "old text");
    }

    #[test]
    fn merge_dedupes_and_orders() {
        let mut t = Thread::new(ConversationId(1));
        assert_eq!(t.merge([msg(5), msg(3), msg(4)]), 3);
        assert_eq!(t.merge([msg(4), msg(6)]), 1);
        let ids: Vec<_> = t.messages.keys().copied().collect();
        assert_eq!(ids, [3, 4, 5, 6].map(MessageId));
    }

    #[test]
    fn repeated_names_are_stored_once() {
        let mut t = Thread::new(ConversationId(1));
        let named = |id| {
            let mut m = msg(id);
            m.guest_name = Some("Aoife Murphy".into());
            m
        };
        t.merge([named(1), named(2)]);
        let a = t.messages[&MessageId(1)].guest_name.clone().unwrap();
        let b = t.messages[&MessageId(2)].guest_name.clone().unwrap();
        assert!(Arc::ptr_eq(&a, &b));
    }

    #[test]
    fn other_conversations_are_ignored() {
        let mut t = Thread::new(ConversationId(2));
        assert_eq!(t.merge([msg(1)]), 0);
        assert!(t.messages.is_empty());
    }

    #[test]
    fn prepending_history_keeps_the_anchor() {
        let mut t = Thread::new(ConversationId(1));
        t.merge((20..40).map(msg));
        t.fetch = Fetch::More;
        t.scroll_up(10, 12, &three);
        let before = t.view_start(12, &three);
        t.apply_page((1..20).map(msg).collect(), 19);
        assert_eq!(t.view_start(12, &three), before);
        assert_eq!(t.fetch, Fetch::More);
    }

    #[test]
    fn new_messages_while_scrolled_up_count_below() {
        let mut t = Thread::new(ConversationId(1));
        t.merge((1..30).map(msg));
        t.scroll_up(20, 12, &three);
        let before = t.view_start(12, &three);
        t.merge([msg(30), msg(31)]);
        assert_eq!(t.view_start(12, &three), before);
        assert_eq!(t.new_below, 2);
        t.scroll_down(1000, 12, &three);
        assert_eq!(t.scroll, Scroll::Follow);
        assert_eq!(t.new_below, 0);
    }

    #[test]
    fn follow_shows_the_newest() {
        let mut t = Thread::new(ConversationId(1));
        t.merge((1..=10).map(msg));
        // 12 rows show the last four 3-row blocks.
        assert_eq!(t.view_start(12, &three), Some((MessageId(7), 0)));
        assert_eq!(t.view_start(13, &three), Some((MessageId(6), 2)));
    }

    #[test]
    fn scroll_up_stops_at_the_top() {
        let mut t = Thread::new(ConversationId(1));
        t.merge((1..=10).map(msg));
        t.scroll_up(1000, 12, &three);
        assert_eq!(
            t.scroll,
            Scroll::Anchor {
                id: MessageId(1),
                offset: 0
            }
        );
    }

    #[test]
    fn short_page_ends_history() {
        let mut t = Thread::new(ConversationId(1));
        t.apply_page((1..=3).map(msg).collect(), 10);
        assert_eq!(t.fetch, Fetch::Done);
        assert!(!t.wants_older(12, &three));
    }

    #[test]
    fn near_the_top_asks_for_more() {
        let mut t = Thread::new(ConversationId(1));
        t.apply_page((100..=130).map(msg).collect(), 31);
        assert!(!t.wants_older(12, &three));
        t.scroll_up(80, 12, &three);
        assert!(t.wants_older(12, &three));
    }

    #[test]
    fn selection_reveals_the_message() {
        let mut t = Thread::new(ConversationId(1));
        t.merge((1..=20).map(msg));
        // The first k (or j) selects the newest message; then it moves.
        t.move_selection(-1, 12, &three);
        assert_eq!(t.selected, Some(MessageId(20)));
        t.move_selection(-10, 12, &three);
        assert_eq!(t.selected, Some(MessageId(10)));
        let (start, _) = t.view_start(12, &three).unwrap();
        assert!(start <= MessageId(10));
    }
}
