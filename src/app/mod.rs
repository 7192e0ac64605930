//! The inbox's state and `update(state, event) -> commands`. No I/O happens here: network
//! results, keys and timers arrive as [`Event`]s, and the work to do leaves as [`Command`]s.

pub mod keymap;
pub mod thread;

mod colleagues;
mod composer;
mod desk_log;
mod event;
pub mod geometry;
mod hand_off;
mod handlers;
mod history;
pub use hand_off::{ANSWER_PAGE, Answer, HandOff, HandOffs, hand_offs_in};
pub use history::{KeptState, SEARCH_LIMIT, answer, asks_history, keep_of, kept_since, recent_of};
mod keys;
mod list;
mod outbox;
mod overlay;
mod polling;
mod service;
use service::BackgroundRead;
mod stays;
mod team;
pub use team::{TEAM_PAGE, TeamState};
mod update;

pub use crate::model::{Capability, Draft, IdMap, PendingReply, ReplyState, RoomNumber};
pub use crate::popup::{Confirmed, Overlay};
pub use composer::Composer;
pub use desk_log::{DeskLog, LOG_PAGE};
pub use event::{Command, Effect, Event, Job};
use polling::MARK_READ_EVERY_SECS;
pub use polling::{PEEK_LIMIT, POLL_LIMIT, PollKind, PollPlan, REFRESH_LIMIT};
pub use service::{
    Holder, LEARN_LIMIT, ListOrder, Pressure, Standing, Thresholds, Wait, Writer, joined_by,
    standing, wait_over, writer_of,
};
pub use stays::Stay;

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind};

use crate::api::{
    ApiError, AttachmentId, ClaimResult, Conversation, ConversationId, FromRoomResult,
    MarkReadResult, Message, MessageId, SenderType, StaffId,
};
use keymap::{Action, Scope};
use thread::{Fetch, Thread};

/// Recently seen live message ids (bounded), so one message on several channels counts once.
#[derive(Debug, Default)]
struct SeenIds {
    set: std::collections::HashSet<MessageId>,
    order: std::collections::VecDeque<MessageId>,
}

impl SeenIds {
    const CAP: usize = 4096;

    /// True when the id was not seen before.
    fn insert(&mut self, id: MessageId) -> bool {
        if !self.set.insert(id) {
            return false;
        }
        self.order.push_back(id);
        if self.order.len() > Self::CAP
            && let Some(old) = self.order.pop_front()
        {
            self.set.remove(&old);
        }
        true
    }
}

/// The clock the screen is drawn with: "now" and the desk's time zone.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub now: DateTime<Utc>,
    pub offset: FixedOffset,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    List,
    Thread,
    Composer,
}

/// An upload on its way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Uploading {
    pub sent: u64,
    pub total: u64,
}

/// The realtime link as the status bar shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    Connecting,
    Live,
    /// Public channels only (private signing refused): the open thread is also polled.
    LivePartial,
    /// No realtime configured: polling on a timer.
    Polling,
    /// Waiting to reconnect until `at` (the screen counts down); `attempt` counts tries.
    Reconnecting {
        at: DateTime<Utc>,
        attempt: u32,
    },
    Stopped(String),
}

#[derive(Debug, Clone)]
pub struct Me {
    pub staff_id: StaffId,
    pub name: String,
    pub hotel_name: String,
    pub capabilities: Vec<String>,
}

impl Me {
    pub fn can(&self, cap: Capability) -> bool {
        self.capabilities.iter().any(|c| c == cap.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

#[derive(Debug, Clone)]
pub struct Notice {
    pub text: String,
    pub level: Level,
    /// The pending reply it speaks of: cleared when that reply is delivered, since it is
    /// then no longer true.
    pub reply: Option<u64>,
}

pub struct App {
    pub me: Me,
    pub clock: Clock,
    pub size: (u16, u16),
    pub conversations: IdMap<ConversationId, Conversation>,
    /// Conversation ids by last activity, newest first.
    pub order: Vec<ConversationId>,
    pub list_loaded: bool,
    pub list_offset: usize,
    pub selected: Option<ConversationId>,
    pub open: Option<ConversationId>,
    pub threads: IdMap<ConversationId, Thread>,
    pub focus: Focus,
    pub composer: Composer,
    pub drafts: HashMap<ConversationId, Draft>,
    pub filter: String,
    pub overlay: Overlay,
    pub pending: Vec<PendingReply>,
    /// Outbox entries written by another staff member: kept on disk, never sent from here.
    held_for_others: Vec<PendingReply>,
    next_local: u64,
    pub notice: Option<Notice>,
    pub connection: Connection,
    pub canned: Vec<String>,
    pub keymap: keymap::Keymap,
    pub page_size: u32,
    pub terminal_focused: bool,
    /// Conversation ids with a mark-read call in flight.
    marking: Vec<ConversationId>,
    pub claimed: HashMap<ConversationId, String>,
    /// Who waits, since when, and who has each conversation.
    pub service: service::ServiceLevel,
    /// The waiting guests as of the last event, and what they were worked out from.
    waiting_memo: Option<service::WaitingMemo>,
    /// Counts list loads (stays and earlier stays follow from the list).
    list_generation: u64,
    pub uploading: Option<Uploading>,
    /// Ids of recent live messages, so the same message on three channels counts once even
    /// for threads that are not loaded.
    seen_live: SeenIds,
    /// Open-thread messages announced but not yet received in full, newest id per conversation.
    awaiting: HashMap<ConversationId, MessageId>,
    /// One list fetch at a time: another reason to fetch while one runs asks for one more.
    list_loading: bool,
    list_again: bool,
    /// When the list last came back.
    pub list_updated: Option<DateTime<Utc>>,
    /// Since when polls have failed (None: the last one answered).
    pub server_unreachable_since: Option<DateTime<Utc>>,
    /// The last minute tick, to notice a long gap (sleep, a stopped process).
    last_tick: DateTime<Utc>,
    /// The last `unread-count` answer, to notice a change.
    unread_seen: Option<HashMap<String, u32>>,
    /// An `unread-count` read is under way.
    unread_loading: bool,
    /// Each conversation's stay, as a page (authoritative) or an event named it.
    current_booking: HashMap<ConversationId, (String, bool)>,
    /// What the realtime link has been told to follow.
    watched_conversations: std::collections::HashSet<ConversationId>,
    watched_bookings: std::collections::HashSet<String>,
    /// The newest conversation of each room: older ones are earlier stays.
    newest_by_room: IdMap<RoomNumber, ConversationId>,
    last_alert: Option<DateTime<Utc>>,
    held_alerts: u32,
    marked_at: HashMap<ConversationId, DateTime<Utc>>,
    mark_scheduled: std::collections::HashSet<ConversationId>,
    mark_due: std::collections::HashSet<ConversationId>,
    /// Reads of a thread under way, and those asked for again meanwhile.
    refreshing: std::collections::HashSet<ConversationId>,
    refresh_again: std::collections::HashSet<ConversationId>,
    /// The first list load failed: why, and when it is tried again.
    pub list_error: Option<String>,
    pub list_retry_at: Option<DateTime<Utc>>,
    list_attempts: u32,
    /// Live message ids applied since the last frame (read by the benchmark trace).
    pub traced_live: Vec<MessageId>,
    /// The desk's history: the kept list, a search result being opened, the backfill.
    pub kept: KeptState,
    /// Guest requests handed on to colleagues, and their answers.
    pub hand_offs: HandOffs,
    /// Colleagues' conversations: the unread count, drafts while the Team view is closed.
    pub team: TeamState,
    /// The front desk's log: claims, done and later from every desk.
    pub desk_log: DeskLog,
    /// What colleagues did, noticed without the list: unread drops, read events, short pages.
    pub colleagues: colleagues::Watch,
    /// The signed-in person's name as colleagues know it, once the server has said it.
    pub my_full_name: Option<String>,
    /// Files of an upload that failed, offered again by the next `a` in that conversation.
    pub upload_retry: Option<(ConversationId, Vec<String>)>,
    pub dirty: bool,
    pub quit: bool,
}

impl App {
    pub fn new(me: Me, clock: Clock, size: (u16, u16)) -> App {
        App {
            me,
            clock,
            size,
            conversations: IdMap::default(),
            order: Vec::new(),
            list_loaded: false,
            list_offset: 0,
            selected: None,
            open: None,
            threads: IdMap::default(),
            focus: Focus::List,
            composer: Composer::default(),
            drafts: HashMap::new(),
            filter: String::new(),
            overlay: Overlay::None,
            pending: Vec::new(),
            held_for_others: Vec::new(),
            next_local: 1,
            notice: None,
            connection: Connection::Connecting,
            canned: Vec::new(),
            keymap: keymap::Keymap::default(),
            page_size: 30,
            terminal_focused: true,
            marking: Vec::new(),
            claimed: HashMap::new(),
            service: Default::default(),
            waiting_memo: None,
            list_generation: 0,
            uploading: None,
            seen_live: SeenIds::default(),
            awaiting: HashMap::new(),
            list_loading: false,
            list_again: false,
            list_updated: None,
            server_unreachable_since: None,
            last_tick: clock.now,
            unread_seen: None,
            unread_loading: false,
            current_booking: HashMap::new(),
            watched_conversations: Default::default(),
            watched_bookings: Default::default(),
            newest_by_room: IdMap::default(),
            last_alert: None,
            held_alerts: 0,
            marked_at: HashMap::new(),
            mark_scheduled: Default::default(),
            mark_due: Default::default(),
            refreshing: Default::default(),
            refresh_again: Default::default(),
            list_error: None,
            list_retry_at: None,
            list_attempts: 0,
            traced_live: Vec::new(),
            kept: KeptState::default(),
            hand_offs: HandOffs::default(),
            team: TeamState::default(),
            desk_log: DeskLog::default(),
            colleagues: Default::default(),
            my_full_name: None,
            upload_retry: None,
            dirty: true,
            quit: false,
        }
    }

    /// What to do first: load the list.
    pub fn start(&mut self) -> Vec<Command> {
        self.load_list()
    }

    fn allowed(&self) -> impl Fn(Capability) -> bool + '_ {
        |cap: Capability| self.me.can(cap)
    }

    fn notice(&mut self, level: Level, text: impl Into<String>) {
        let text = text.into();
        match level {
            Level::Error => tracing::warn!("{text}"),
            Level::Info => tracing::info!("{text}"),
        }
        self.notice = Some(Notice {
            text,
            level,
            reply: None,
        });
    }

    fn api_error(&mut self, what: &str, err: &ApiError) {
        tracing::warn!("{what}: {err}");
        if err.is_unauthorised() {
            self.ask_sign_in(err.summary());
        }
        let hint = if err.is_unauthorised() {
            " — sign in again"
        } else {
            ""
        };
        self.notice = Some(Notice {
            text: format!("{what}: {}{hint}", err.summary()),
            level: Level::Error,
            reply: None,
        });
    }

    /// Opens the sign-in prompt (once); drafts and unsent replies stay as they are.
    fn ask_sign_in(&mut self, why: String) {
        if !matches!(self.overlay, Overlay::SignIn(_)) {
            self.overlay = Overlay::SignIn(crate::popup::SignIn::new(&self.me.name, Some(why)));
        }
    }

    /// Opens a conversation: its draft comes back into the composer, its newest page loads.
    pub fn open_conversation(&mut self, id: ConversationId, focus: Focus) -> Vec<Command> {
        let mut cmds = Vec::new();
        let reopened = self.open != Some(id);
        if reopened {
            if let Some((_, draft)) = self.composer.editing.take() {
                self.composer.set(draft);
            }
            cmds.extend(self.stash_draft());
            self.open = Some(id);
            let draft = self.drafts.get(&id).cloned().unwrap_or_default();
            self.composer.set(draft);
        }
        self.selected = Some(id);
        self.ensure_list_visible();
        self.focus = focus;
        let limit = self.page_size;
        let thread = self.threads.entry(id).or_insert_with(|| Thread::new(id));
        if reopened {
            // A thread opened again starts with nothing selected: the first k selects the
            // newest, and e never offers an older message chosen last time.
            thread.selected = None;
        }
        match thread.fetch {
            Fetch::NotStarted => {
                thread.fetch = Fetch::Loading;
                cmds.push(Command::Job(Job::LoadPage {
                    conversation: id,
                    before: None,
                    limit,
                }));
                cmds.extend(self.read_kept(id));
            }
            // Coming back to a thread: catch up with anything missed.
            _ => cmds.push(Command::Job(Job::Refresh {
                conversation: id,
                limit: REFRESH_LIMIT,
            })),
        }
        cmds.extend(self.after_view_change());
        cmds
    }

    /// After anything that moves the thread view: fetch older history early, mark read when
    /// the newest is on screen.
    fn after_view_change(&mut self) -> Vec<Command> {
        let mut cmds = Vec::new();
        let Some(open) = self.open else {
            return cmds;
        };
        let (_, view_h) = self.thread_view();
        let heights = self.heights();
        let (wants_older, newest_visible, oldest) = match self.threads.get(&open) {
            Some(t) => (
                t.wants_older(view_h, &heights),
                t.newest_visible(view_h, &heights),
                t.oldest_id(),
            ),
            None => return cmds,
        };
        drop(heights);
        if wants_older && let Some(t) = self.threads.get_mut(&open) {
            t.fetch = Fetch::Loading;
            cmds.push(Command::Job(Job::LoadPage {
                conversation: open,
                before: oldest,
                limit: self.page_size,
            }));
        }
        let unread = self
            .conversations
            .get(&open)
            .is_some_and(|c| c.unread_count > 0);
        let loaded = self
            .threads
            .get(&open)
            .is_some_and(|t| t.fetch != Fetch::Loading || !t.messages.is_empty());
        if unread
            && newest_visible
            && loaded
            && self.terminal_focused
            && !self.marking.contains(&open)
        {
            // One mark-read per conversation per few seconds, however fast guests write; a
            // later one is scheduled so the badge does not stay.
            let recent = self.marked_at.get(&open).is_some_and(|t| {
                self.clock.now - *t < chrono::Duration::seconds(MARK_READ_EVERY_SECS)
            });
            if !recent || self.mark_due.remove(&open) {
                self.marking.push(open);
                self.marked_at.insert(open, self.clock.now);
                cmds.push(Command::Job(Job::MarkRead(open)));
            } else if self.mark_scheduled.insert(open) {
                cmds.push(Command::Job(Job::MarkSoon(open)));
            }
        }
        cmds
    }

    /// Applies a message from any source: thread, list preview, badge.
    /// `learn_stay`: whether a guest message may name the stay the realtime link follows (a
    /// background read of many conversations at start does not, or each would cost a signing
    /// request at once and again at every reconnect).
    fn absorb_message(&mut self, m: Message, from_live: bool, learn_stay: bool) -> Vec<Command> {
        let Some(conv) = m.conversation_id else {
            return vec![];
        };
        let mut cmds = Vec::new();
        let mut is_new = self
            .threads
            .get(&conv)
            .is_none_or(|t| !t.messages.contains_key(&m.id));
        if from_live && !self.seen_live.insert(m.id) {
            is_new = false;
        }
        if from_live {
            self.traced_live.push(m.id);
        }
        if let Some(c) = self.conversations.get_mut(&conv) {
            if c.last_message_time.is_none_or(|t| m.timestamp >= t) {
                c.last_message = Some(m.message.clone());
                c.last_message_time = Some(m.timestamp);
            }
            if is_new && from_live && m.sender_type == SenderType::Guest && !m.read_by_staff {
                c.unread_count += 1;
            }
        } else if from_live {
            // A conversation we have not seen: the list is stale.
            cmds.extend(self.load_list());
        }
        if m.sender_type == SenderType::Guest && learn_stay {
            cmds.extend(self.learn_booking(conv, m.booking_id.as_deref(), m.booking, !from_live));
        }
        let ours = self.is_mine(&m).then(|| m.clone());
        if is_new && from_live && m.sender_type == SenderType::Guest {
            let reading = self.open == Some(conv) && self.terminal_focused;
            if !reading {
                let room = m
                    .room_number
                    .map(|r| format!("Room {r}"))
                    .unwrap_or_default();
                let title = format!("{room} · {}", self.author(&m));
                cmds.extend(self.alert(title, crate::text::one_line(&m.message)));
            }
        }
        self.observe_message(conv, &m);
        if let Some(t) = self.threads.get_mut(&conv) {
            t.merge([m]);
        }
        // After the merge, so a reply started next counts this one as held.
        if let Some(copy) = ours {
            cmds.extend(self.settle_by_copy(&copy));
        }
        cmds
    }

    fn scope(&self) -> Scope {
        match self.focus {
            Focus::List => Scope::List,
            Focus::Thread => Scope::Thread,
            Focus::Composer => Scope::Composer,
        }
    }

    /// The message selected in the open thread.
    pub fn selected_message(&self) -> Option<&Message> {
        let t = self.threads.get(&self.open?)?;
        t.messages.get(&t.selected?)
    }

    pub(crate) fn is_mine(&self, m: &Message) -> bool {
        m.sender_type == SenderType::Staff && m.staff == Some(self.me.staff_id)
    }
}
