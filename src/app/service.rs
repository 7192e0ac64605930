//! The service level: which guests wait for an answer, since when, and who has each
//! conversation. Unanswered is not unread: a guest waits while the newest message that is
//! not a system line is theirs, from the first guest message after the last staff reply.
//! What the desk knows comes from every message it sees (pages, live events, its own
//! replies) and from short pages read in the background, a few at a time.

use std::collections::{HashSet, VecDeque};

use super::*;
use crate::api::Shared;

/// Newest messages remembered per conversation: enough to find the last staff reply (a run
/// of guest messages longer than this is shown as a floor, "12m+"). Kept small: every
/// conversation of the hotel has one.
const REMEMBERED: usize = 12;
/// Characters kept of each conversation's newest words (the list row shows fewer).
const SAID_CHARS: usize = 160;
/// Messages read per conversation to learn whether its guest waits.
pub const LEARN_LIMIT: u32 = 10;
/// Background reads at once, so that learning never crowds out what the clerk asks for.
const LEARN_AT_ONCE: usize = 3;
/// Conversations read per list read, the most recently active first: a short page costs the
/// server a few queries, the list about 12 per conversation, so this stays well under the
/// cost of the list itself, and a big hotel is covered over a few list reads.
const LEARN_PER_LIST: usize = 200;
/// Only conversations active this recently are read in the background.
const LEARN_WITHIN_HOURS: i64 = 48;

/// Who wrote a message, as the service level counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Writer {
    Guest,
    Me,
    /// Named once per name (see `ServiceLevel::name`), however many messages they wrote.
    Colleague(Shared),
    System,
}

/// A guest's wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wait {
    pub since: DateTime<Utc>,
    /// The guest's run of messages reaches past what the desk holds: the wait began at
    /// `since` or earlier.
    pub at_least: bool,
}

/// Who is handling a conversation: the last to claim it, reply in it or join it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    Me,
    Colleague(Shared),
}

#[derive(Debug, Clone)]
struct Seen {
    at: DateTime<Utc>,
    writer: Writer,
    /// A guest message that only thanks or closes (`thanks::only_thanks`).
    thanks: bool,
}

/// Where a guest stands by the newest messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Standing {
    /// The newest word is the desk's (or nothing is known).
    #[default]
    Answered,
    Waiting(Wait),
    /// After a staff reply, the guest only thanked or closed: nothing to answer.
    Thanked,
}

impl Standing {
    pub fn wait(self) -> Option<Wait> {
        match self {
            Standing::Waiting(w) => Some(w),
            _ => None,
        }
    }
}

/// What the desk knows of one conversation's newest messages.
#[derive(Debug, Default)]
struct Recent {
    /// Sorted by id, at most `REMEMBERED` (a small vector: every conversation has one).
    seen: Vec<(MessageId, Seen)>,
    /// The conversation's first message is among `seen` (a short page reached it).
    from_start: bool,
    /// The holder and the message (or claim time) that made them so.
    holder: Option<(DateTime<Utc>, Holder)>,
    /// The urgent threshold was announced for the wait that began at this time.
    urgent_told: Option<DateTime<Utc>>,
    /// `standing` of the above, kept as messages arrive: every frame asks for every
    /// conversation's wait.
    standing: Standing,
    /// The wait as known before messages were let go: a guest's later messages must not
    /// shorten it (cleared by a staff answer).
    floor: Option<Wait>,
    /// The newest message a person wrote (never a system line), one line, for the list row.
    said: Option<(MessageId, Shared)>,
    /// The newest guest message seen: a later one reopens a request marked done.
    newest_guest: Option<MessageId>,
}

/// A guest's wait, from messages newest first: the run of guest messages (system lines
/// skipped) down to the last staff reply. `from_start`: the messages reach the
/// conversation's first, so a run that reaches their end began there.
pub fn wait_over<'a>(
    newest_first: impl Iterator<Item = (DateTime<Utc>, &'a Writer)>,
    from_start: bool,
) -> Option<Wait> {
    standing(
        newest_first.map(|(at, w)| (at, w, false)),
        from_start,
        false,
    )
    .wait()
}

/// Where the guest stands, from messages newest first, each with whether it only thanks.
/// With `thanks_end_wait`, thanks after a staff reply are no request: a run of only thanks
/// is `Thanked`, and a wait begins at the first message that asks something.
pub fn standing<'a>(
    newest_first: impl Iterator<Item = (DateTime<Utc>, &'a Writer, bool)>,
    from_start: bool,
    thanks_end_wait: bool,
) -> Standing {
    let mut newest = newest_first.filter(|(_, w, _)| **w != Writer::System);
    let Some((at, first, thanks)) = newest.next() else {
        return Standing::Answered;
    };
    if *first != Writer::Guest {
        return Standing::Answered;
    }
    let counts = |thanks: bool| !(thanks_end_wait && thanks);
    // The earliest message of the run, and the earliest that asks something.
    let mut earliest = at;
    let mut asking = counts(thanks).then_some(at);
    for (at, w, thanks) in newest {
        if *w != Writer::Guest {
            return match asking {
                Some(since) => Standing::Waiting(Wait {
                    since,
                    at_least: false,
                }),
                None => Standing::Thanked,
            };
        }
        earliest = earliest.min(at);
        if counts(thanks) {
            asking = Some(asking.map_or(at, |a| a.min(at)));
        }
    }
    // No staff reply among the messages. From the start, nothing was ever answered, so
    // thanks count as words; otherwise the wait is a floor until a read reaches further.
    Standing::Waiting(Wait {
        since: if from_start {
            earliest
        } else {
            asking.unwrap_or(earliest)
        },
        at_least: !from_start,
    })
}

impl Recent {
    fn wait(&self) -> Option<Wait> {
        self.standing.wait()
    }

    fn rewait(&mut self, thanks_end_wait: bool) {
        let s = standing(
            self.seen
                .iter()
                .rev()
                .map(|(_, s)| (s.at, &s.writer, s.thanks)),
            self.from_start,
            thanks_end_wait,
        );
        self.standing = match (s, self.floor) {
            // The run reaches past what is held: what was known before still holds.
            (Standing::Waiting(w), Some(f)) if w.at_least => Standing::Waiting(Wait {
                since: w.since.min(f.since),
                at_least: f.at_least,
            }),
            (s, _) => {
                if !matches!(s, Standing::Waiting(w) if w.at_least) {
                    self.floor = None;
                }
                s
            }
        };
    }

    fn last_writer(&self) -> Option<&Writer> {
        self.seen
            .iter()
            .rev()
            .map(|(_, s)| &s.writer)
            .find(|w| **w != Writer::System)
    }
}

/// Who wrote a message, for a desk whose staff member is `me`. A colleague's name comes
/// through `name`, so a caller may store each name once.
pub fn writer_of(m: &Message, me: StaffId, name: impl FnOnce(&str) -> Shared) -> Writer {
    // A deleted message says nothing any more: a deleted answer answers nobody, and a
    // message the guest took back asks nothing.
    if m.is_deleted {
        return Writer::System;
    }
    match m.sender_type {
        SenderType::Guest => Writer::Guest,
        SenderType::Staff if m.staff == Some(me) => Writer::Me,
        SenderType::Staff => {
            let shown = m
                .staff_name
                .as_deref()
                .map(crate::text::one_line)
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| "a colleague".into());
            Writer::Colleague(name(&shown))
        }
        SenderType::System | SenderType::Unknown => Writer::System,
    }
}

/// What a message says, for a preview: its text, or its files ("📎 bill.pdf") when it has
/// no words of its own (the deployment writes "[File shared]" for those).
pub fn said_of(m: &Message) -> std::borrow::Cow<'_, str> {
    let text = m.message.trim();
    if !m.attachments.is_empty() && (text.is_empty() || text == "[File shared]") {
        let names: Vec<&str> = m.attachments.iter().map(|a| a.file_name.as_str()).collect();
        return format!("📎 {}", names.join(", ")).into();
    }
    m.message.as_str().into()
}

/// The staff member a system line says joined ("X has joined the conversation.").
pub fn joined_by(m: &Message) -> Option<String> {
    if m.sender_type != SenderType::System {
        return None;
    }
    m.message
        .trim()
        .strip_suffix(" has joined the conversation.")
        .map(crate::text::one_line)
}

/// The waiting guests, longest first, with the (service level, list, hand-off) generations they were
/// worked out at.
pub(crate) type WaitingMemo = ((u64, u64, u64), Vec<(ConversationId, Wait)>);

/// What kind of read a page answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BackgroundRead {
    /// The clerk's own or a refresh: not a background read.
    No,
    /// One of the start's many reads.
    Bulk,
    /// Read because a guest wrote in a conversation not yet known.
    Asked,
}

/// How the list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListOrder {
    /// Newest activity first.
    #[default]
    Activity,
    /// Guests waiting longest first, then the rest by activity.
    WaitingFirst,
}

/// When a wait needs attention, and when it is urgent (config: `attention_minutes`,
/// `urgent_minutes`); whether thanks after a reply end it (`thanks_end_wait`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    pub attention: chrono::Duration,
    pub urgent: chrono::Duration,
    pub thanks_end_wait: bool,
    /// `{first_name}` is the full name for names written family name first (`names`).
    pub full_name_for_family_first: bool,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            attention: chrono::Duration::minutes(5),
            urgent: chrono::Duration::minutes(15),
            thanks_end_wait: true,
            full_name_for_family_first: true,
        }
    }
}

/// How pressing a wait is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Pressure {
    Waiting,
    Attention,
    Urgent,
}

#[derive(Debug, Default)]
pub struct ServiceLevel {
    recent: IdMap<ConversationId, Recent>,
    pub order: ListOrder,
    pub thresholds: Thresholds,
    /// Conversations to read in the background, most recently active first.
    to_learn: VecDeque<ConversationId>,
    learning: HashSet<ConversationId>,
    /// Reads asked for because a guest wrote (`learn_soon`), not by the start's plan.
    asked: HashSet<ConversationId>,
    /// The list's `last_message_time` when each conversation was last learned.
    learned_at: HashMap<ConversationId, Option<DateTime<Utc>>>,
    /// Conversations due a read that wait for the next list read.
    pub left_for_later: usize,
    /// Counts changes to what the waits are computed from (see `App::waiting`).
    generation: u64,
    /// Colleagues' names, each stored once.
    names: HashSet<Shared>,
}

impl ServiceLevel {
    /// The one copy of a colleague's name.
    pub(crate) fn name(&mut self, name: &str) -> Shared {
        if let Some(n) = self.names.get(name) {
            return n.clone();
        }
        let n: Shared = name.into();
        self.names.insert(n.clone());
        n
    }

    pub fn wait(&self, id: ConversationId) -> Option<Wait> {
        self.recent.get(&id).and_then(Recent::wait)
    }

    pub fn last_writer(&self, id: ConversationId) -> Option<&Writer> {
        self.recent.get(&id).and_then(Recent::last_writer)
    }

    pub fn holder(&self, id: ConversationId) -> Option<&Holder> {
        self.recent
            .get(&id)
            .and_then(|r| r.holder.as_ref())
            .map(|(_, h)| h)
    }

    /// When the newest message the desk has seen was written (system lines included).
    pub fn newest_seen(&self, id: ConversationId) -> Option<DateTime<Utc>> {
        self.recent
            .get(&id)
            .and_then(|r| r.seen.last())
            .map(|(_, s)| s)
            .map(|s| s.at)
    }

    /// Whether the desk has seen any of the conversation's messages.
    pub fn knows(&self, id: ConversationId) -> bool {
        self.recent.get(&id).is_some_and(|r| !r.seen.is_empty())
    }

    pub fn pressure(&self, wait: &Wait, now: DateTime<Utc>) -> Pressure {
        let waited = now - wait.since;
        if waited >= self.thresholds.urgent {
            Pressure::Urgent
        } else if waited >= self.thresholds.attention {
            Pressure::Attention
        } else {
            Pressure::Waiting
        }
    }

    /// Conversations still being read in the background now.
    pub fn learning_progress(&self) -> usize {
        self.to_learn.len() + self.learning.len()
    }

    /// Notes one message.
    pub(crate) fn observe(
        &mut self,
        id: ConversationId,
        m: MessageId,
        at: DateTime<Utc>,
        writer: Writer,
        text: Option<&str>,
    ) {
        let thanks_end_wait = self.thresholds.thanks_end_wait;
        let r = self.recent.entry(id).or_default();
        let holder = match &writer {
            Writer::Me => Some(Holder::Me),
            Writer::Colleague(name) => Some(Holder::Colleague(name.clone())),
            Writer::Guest | Writer::System => None,
        };
        if let Some(holder) = holder
            && r.holder.as_ref().is_none_or(|(t, _)| *t <= at)
        {
            r.holder = Some((at, holder));
        }
        self.generation += 1;
        let guest = writer == Writer::Guest;
        if guest {
            r.newest_guest = r.newest_guest.max(Some(m));
        }
        if writer == Writer::System && r.said.as_ref().is_some_and(|(s, _)| *s == m) {
            // Deleted since: the row must not quote it.
            r.said = None;
        }
        if writer != Writer::System
            && let Some(text) = text
            && r.said.as_ref().is_none_or(|(s, _)| *s <= m)
        {
            r.said = Some((m, crate::text::line_preview(text, SAID_CHARS).into()));
        }
        let thanks = guest && text.is_some_and(crate::thanks::only_thanks);
        let seen = Seen { at, writer, thanks };
        match r.seen.binary_search_by_key(&m, |(id, _)| *id) {
            Ok(i) => r.seen[i].1 = seen,
            Err(i) => r.seen.insert(i, (m, seen)),
        }
        if r.seen.len() > REMEMBERED {
            // What the run told before its oldest messages go is kept as a floor.
            r.rewait(thanks_end_wait);
            if let Standing::Waiting(w) = r.standing {
                r.floor = Some(w);
            }
            while r.seen.len() > REMEMBERED {
                r.seen.remove(0);
                r.from_start = false;
            }
        }
        r.rewait(thanks_end_wait);
    }

    /// A read back past what is held (newest first) found where the guest's wait began: at
    /// a staff answer (`reached_answer`) or the conversation's start. False when the page
    /// ended on guest messages and more must be read.
    pub(crate) fn read_back(
        &mut self,
        id: ConversationId,
        newest_first: &[(DateTime<Utc>, Writer, bool)],
        reached_start: bool,
    ) -> bool {
        let thanks_end_wait = self.thresholds.thanks_end_wait;
        let Some(r) = self.recent.get_mut(&id) else {
            return true;
        };
        let Some(mut since) = r.wait().map(|w| w.since) else {
            return true;
        };
        let mut asking = None;
        let mut answered = false;
        for (at, w, thanks) in newest_first {
            match w {
                Writer::System => continue,
                Writer::Guest => {
                    if !(thanks_end_wait && *thanks) {
                        asking = Some(asking.map_or(*at, |a: DateTime<Utc>| a.min(*at)));
                    }
                }
                Writer::Me | Writer::Colleague(_) => {
                    answered = true;
                    break;
                }
            }
        }
        if let Some(a) = asking {
            since = since.min(a);
        }
        let done = answered || reached_start;
        self.generation += 1;
        r.floor = Some(Wait {
            since,
            at_least: !done,
        });
        r.rewait(thanks_end_wait);
        done
    }

    /// The oldest message held, when the guest's wait reaches past it (a read back is due).
    pub fn read_back_from(&self, id: ConversationId) -> Option<MessageId> {
        let r = self.recent.get(&id)?;
        match r.standing {
            Standing::Waiting(w) if w.at_least => r.seen.first().map(|(m, _)| *m),
            _ => None,
        }
    }

    pub fn standing(&self, id: ConversationId) -> Standing {
        self.recent.get(&id).map(|r| r.standing).unwrap_or_default()
    }

    /// The newest words a person wrote, and their id.
    pub fn said(&self, id: ConversationId) -> Option<&(MessageId, Shared)> {
        self.recent.get(&id).and_then(|r| r.said.as_ref())
    }

    pub fn newest_guest(&self, id: ConversationId) -> Option<MessageId> {
        self.recent.get(&id).and_then(|r| r.newest_guest)
    }

    /// A system line "X has joined the conversation." names who holds it now.
    pub(crate) fn joined(&mut self, id: ConversationId, at: DateTime<Utc>, holder: Holder) {
        self.generation += 1;
        let r = self.recent.entry(id).or_default();
        if r.holder.as_ref().is_none_or(|(t, _)| *t <= at) {
            r.holder = Some((at, holder));
        }
    }

    /// A message deleted: it counts for nothing any more.
    pub(crate) fn forget(&mut self, id: ConversationId, m: MessageId) {
        let thanks_end_wait = self.thresholds.thanks_end_wait;
        let Some(r) = self.recent.get_mut(&id) else {
            return;
        };
        r.seen.retain(|(s, _)| *s != m);
        if r.said.as_ref().is_some_and(|(s, _)| *s == m) {
            r.said = None;
        }
        self.generation += 1;
        r.rewait(thanks_end_wait);
    }

    pub(crate) fn reached_start(&mut self, id: ConversationId) {
        self.generation += 1;
        let thanks_end_wait = self.thresholds.thanks_end_wait;
        let r = self.recent.entry(id).or_default();
        r.from_start = true;
        r.rewait(thanks_end_wait);
    }

    /// True once per wait, when it first counts as urgent.
    pub(crate) fn tell_urgent(&mut self, id: ConversationId, now: DateTime<Utc>) -> bool {
        let Some(wait) = self.wait(id) else {
            return false;
        };
        if self.pressure(&wait, now) != Pressure::Urgent {
            return false;
        }
        let Some(r) = self.recent.get_mut(&id) else {
            return false;
        };
        if r.urgent_told == Some(wait.since) {
            return false;
        }
        r.urgent_told = Some(wait.since);
        true
    }

    /// After the list loads: queue the conversations whose newest message moved since they
    /// were last learned, active within the window, most recent first.
    pub(crate) fn plan(
        &mut self,
        conversations: &IdMap<ConversationId, Conversation>,
        order: &[ConversationId],
        now: DateTime<Utc>,
    ) {
        let since = now - chrono::Duration::hours(LEARN_WITHIN_HOURS);
        let mut queued: Vec<ConversationId> = order
            .iter()
            .copied()
            .filter(|id| {
                let Some(c) = conversations.get(id) else {
                    return false;
                };
                c.last_message_time.is_some_and(|t| t >= since)
                    && self.learned_at.get(id) != Some(&c.last_message_time)
                    && !self.learning.contains(id)
            })
            .collect();
        self.left_for_later = queued.len().saturating_sub(LEARN_PER_LIST);
        queued.truncate(LEARN_PER_LIST);
        self.to_learn = queued.into();
        for id in &self.to_learn {
            if let Some(c) = conversations.get(id) {
                self.learned_at.insert(*id, c.last_message_time);
            }
        }
    }

    /// The desk's history holds the conversation up to `last_activity` (what the list said
    /// when it was kept): no read is needed unless the list says it moved since.
    pub(crate) fn learned_from_history(
        &mut self,
        id: ConversationId,
        last_activity: Option<DateTime<Utc>>,
    ) {
        if self.learning.contains(&id) {
            return;
        }
        self.learned_at.insert(id, last_activity);
        if !self.asked.contains(&id) {
            self.to_learn.retain(|q| *q != id);
        }
    }

    /// A conversation to read before the others (a guest wrote in one the desk has not
    /// learned).
    pub(crate) fn learn_soon(&mut self, id: ConversationId) {
        self.asked.insert(id);
        if !self.learning.contains(&id) {
            self.to_learn.retain(|q| *q != id);
            self.to_learn.push_front(id);
        }
    }

    /// The next background reads, keeping at most a few under way.
    pub(crate) fn next_reads(&mut self) -> Vec<ConversationId> {
        let mut out = Vec::new();
        while self.learning.len() < LEARN_AT_ONCE {
            let Some(id) = self.to_learn.pop_front() else {
                break;
            };
            if self.learning.insert(id) {
                out.push(id);
            }
        }
        out
    }

    /// Whether a background read of the conversation is queued or under way.
    pub fn reading(&self, id: ConversationId) -> bool {
        self.learning.contains(&id) || self.to_learn.contains(&id)
    }

    /// A read ended (either way): whether it was a background read, and of which kind.
    pub(crate) fn read_done(&mut self, id: ConversationId) -> BackgroundRead {
        let asked = self.asked.remove(&id);
        match (self.learning.remove(&id), asked) {
            (false, _) => BackgroundRead::No,
            (true, true) => BackgroundRead::Asked,
            (true, false) => BackgroundRead::Bulk,
        }
    }
}

impl App {
    /// Who wrote a message, in the service level's terms.
    pub(crate) fn writer_of(&mut self, m: &Message) -> Writer {
        let service = &mut self.service;
        writer_of(m, self.me.staff_id, |n| service.name(n))
    }

    /// Feeds the service level with one message.
    pub(crate) fn observe_message(&mut self, conv: ConversationId, m: &Message) {
        let writer = self.writer_of(m);
        self.colleagues.room_key(conv, m.room);
        if writer == Writer::Me
            && let Some(name) = m.staff_name.as_deref()
        {
            self.me_named(name);
        }
        if let Some(name) = joined_by(m) {
            let holder = if self.is_my_name(&name) {
                Holder::Me
            } else {
                Holder::Colleague(self.service.name(&name))
            };
            self.service.joined(conv, m.timestamp, holder);
        }
        let words = said_of(m);
        let text = (writer != Writer::System).then_some(words.as_ref());
        self.service.observe(conv, m.id, m.timestamp, writer, text);
    }

    /// The guests waiting now, longest first.
    pub fn waiting(&self) -> Vec<(ConversationId, Wait)> {
        match &self.waiting_memo {
            Some((key, all)) if *key == self.waiting_key() => all.clone(),
            _ => self.compute_waiting(),
        }
    }

    /// How many guests wait, and the longest wait: the header's figures, every frame.
    pub fn waiting_summary(&self) -> (usize, Option<Wait>) {
        match &self.waiting_memo {
            Some((key, all)) if *key == self.waiting_key() => {
                (all.len(), all.first().map(|(_, w)| *w))
            }
            _ => {
                let all = self.compute_waiting();
                (all.len(), all.first().map(|(_, w)| *w))
            }
        }
    }

    /// What the waits follow from: the service level's changes and the list's loads.
    fn waiting_key(&self) -> (u64, u64, u64) {
        (
            self.service.generation,
            self.list_generation,
            self.hand_offs.generation ^ (self.desk_log.generation << 32),
        )
    }

    /// Worked out once before a frame when something it follows changed, so the frame (which
    /// cannot change state) finds the list ready: at 2,000 conversations, working it out on
    /// every frame cost more than the rest of the frame.
    pub fn remember_waiting(&mut self) {
        let key = self.waiting_key();
        if self.waiting_memo.as_ref().is_none_or(|(k, _)| *k != key) {
            self.waiting_memo = Some((key, self.compute_waiting()));
        }
    }

    fn compute_waiting(&self) -> Vec<(ConversationId, Wait)> {
        // The wait first: it is a lookup, and most conversations have none.
        let mut all: Vec<(ConversationId, Wait)> = self
            .order
            .iter()
            .filter_map(|id| self.service.wait(*id).map(|w| (*id, w)))
            .filter(|(id, _)| matches!(self.stay(*id), Stay::Current))
            // Handed on to a colleague: the desk waits for them, not the guest for the desk.
            .filter(|(id, _)| !self.hand_offs.waiting_on(*id))
            // Done, or later before its time, by any desk.
            .filter(|(id, _)| !self.set_aside(*id))
            .collect();
        all.sort_by_key(|(id, w)| (w.since, *id));
        all
    }

    /// Starts the background reads that are due.
    pub(crate) fn learn_more(&mut self) -> Vec<Command> {
        self.service
            .next_reads()
            .into_iter()
            .map(|conversation| {
                Command::Job(Job::Refresh {
                    conversation,
                    limit: LEARN_LIMIT,
                })
            })
            .collect()
    }

    /// Announces, once per wait, a guest who has waited past the urgent threshold.
    pub(crate) fn announce_urgent(&mut self) -> Vec<Command> {
        let now = self.clock.now;
        let due: Vec<ConversationId> = self
            .waiting()
            .into_iter()
            .map(|(id, _)| id)
            .filter(|id| self.service.tell_urgent(*id, now))
            .collect();
        let mut cmds = Vec::new();
        for id in due {
            let Some(c) = self.conversations.get(&id) else {
                continue;
            };
            let mins = self
                .service
                .wait(id)
                .map(|w| (now - w.since).num_minutes())
                .unwrap_or_default();
            let title = format!(
                "Room {} · {} has waited {mins} min",
                c.room_number,
                self.conversation_name(id)
            );
            let body = c
                .last_message
                .as_deref()
                .map(crate::text::one_line)
                .unwrap_or_default();
            cmds.extend(self.alert(title, body));
        }
        cmds
    }

    /// Switches the list between activity order and waiting-first order.
    pub(crate) fn toggle_order(&mut self) {
        self.service.order = match self.service.order {
            ListOrder::Activity => ListOrder::WaitingFirst,
            ListOrder::WaitingFirst => ListOrder::Activity,
        };
        let label = match self.service.order {
            ListOrder::Activity => "newest activity first",
            ListOrder::WaitingFirst => "waiting guests first, longest wait at the top",
        };
        self.notice(Level::Info, format!("List order: {label}"));
        self.list_offset = 0;
        self.ensure_list_visible();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn conversation(id: i64, hours_ago: i64, now: DateTime<Utc>) -> Conversation {
        serde_json::from_value(serde_json::json!({
            "id": id, "room_number": 100 + id,
            "last_message_time": now - chrono::Duration::hours(hours_ago),
        }))
        .unwrap()
    }

    #[test]
    fn background_reads_are_few_at_once_recent_first_and_capped_per_list() {
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap();
        // 300 active in the last day (newest first), 20 quiet for a week.
        let mut all = IdMap::default();
        let mut order = Vec::new();
        for i in 1..=320 {
            let hours = if i <= 300 { i / 20 } else { 24 * 7 };
            all.insert(ConversationId(i), conversation(i, hours, now));
            order.push(ConversationId(i));
        }
        let mut s = ServiceLevel::default();
        s.plan(&all, &order, now);
        assert_eq!(s.learning_progress(), LEARN_PER_LIST);
        assert_eq!(s.left_for_later, 100, "the quiet week is never read");
        let first = s.next_reads();
        assert_eq!(first, [1, 2, 3].map(ConversationId));
        assert!(
            s.next_reads().is_empty(),
            "no more than {LEARN_AT_ONCE} at once"
        );
        assert_eq!(s.read_done(ConversationId(2)), BackgroundRead::Bulk);
        s.learn_soon(ConversationId(300));
        assert_eq!(s.next_reads(), [ConversationId(300)]);
        assert_eq!(s.read_done(ConversationId(300)), BackgroundRead::Asked);
        assert_eq!(s.read_done(ConversationId(300)), BackgroundRead::No);
        assert_eq!(s.next_reads(), [ConversationId(4)]);
        // The next list read: what was read and has not moved is not read again.
        for id in 1..=200 {
            s.read_done(ConversationId(id));
        }
        s.to_learn.clear();
        s.plan(&all, &order, now);
        assert_eq!(s.learning_progress(), 100);
        assert_eq!(s.next_reads()[0], ConversationId(201));
    }

    #[test]
    fn a_run_longer_than_what_is_held_is_a_floor_unless_it_reaches_the_start() {
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap();
        let mut s = ServiceLevel::default();
        let c = ConversationId(1);
        s.observe(c, MessageId(5), now, Writer::Guest, Some("towels, please"));
        assert_eq!(s.wait(c).map(|w| w.at_least), Some(true));
        s.reached_start(c);
        assert_eq!(s.wait(c).map(|w| w.at_least), Some(false));
    }
}
