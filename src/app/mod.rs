//! The inbox's state and `update(state, event) -> commands`. No I/O happens here: network
//! results, keys and timers arrive as [`Event`]s, and the work to do leaves as [`Command`]s.

pub mod keymap;
pub mod thread;

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind};
use serde::{Deserialize, Serialize};

use crate::api::{
    ApiError, ClaimResult, Conversation, ConversationId, FromRoomResult, MarkReadResult, Message,
    MessageId, SenderType,
};
use crate::ui::layout;
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    None,
    /// The key help, scrolled down by this many rows (small terminals).
    Help(usize),
    Filter,
    RoomPrompt(String),
    Canned(usize),
    /// The server refused our token: sign in again without leaving the inbox.
    SignIn {
        password: String,
        error: Option<String>,
        busy: bool,
    },
    /// Files to send: a path being typed (Tab completes) and the files chosen so far.
    Attach {
        input: String,
        files: Vec<String>,
        hint: Option<String>,
    },
    /// A yes/no question before something that cannot be undone.
    Confirm {
        question: String,
        then: Confirmed,
    },
}

/// What a confirmation leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmed {
    Edit {
        message: MessageId,
        text: String,
    },
    Delete {
        message: MessageId,
        hard: bool,
    },
    DeleteAttachment {
        message: MessageId,
        attachment: i64,
    },
    /// A reply into an earlier stay's conversation, whose guest has checked out.
    SendToEarlierStay,
    /// Quit with replies still in the outbox.
    Quit,
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
    pub staff_id: i64,
    pub name: String,
    pub hotel_name: String,
    pub capabilities: Vec<String>,
}

impl Me {
    pub fn can(&self, cap: &str) -> bool {
        self.capabilities.iter().any(|c| c == cap)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub text: String,
    #[serde(default)]
    pub reply_to: Option<MessageId>,
}

#[derive(Debug, Clone, Default)]
pub struct Composer {
    pub text: String,
    /// Byte index into `text`, always on a char boundary.
    pub cursor: usize,
    pub reply_to: Option<MessageId>,
    /// Editing one of our messages; the draft it replaced comes back afterwards.
    pub editing: Option<(MessageId, Draft)>,
}

impl Composer {
    fn insert(&mut self, s: &str) {
        self.text.insert_str(self.cursor, s);
        self.cursor += s.len();
    }
    fn backspace(&mut self) {
        if let Some((i, _)) = self.text[..self.cursor].char_indices().next_back() {
            self.text.replace_range(i..self.cursor, "");
            self.cursor = i;
        }
    }
    fn delete(&mut self) {
        if let Some(c) = self.text[self.cursor..].chars().next() {
            self.text
                .replace_range(self.cursor..self.cursor + c.len_utf8(), "");
        }
    }
    fn left(&mut self) {
        if let Some((i, _)) = self.text[..self.cursor].char_indices().next_back() {
            self.cursor = i;
        }
    }
    fn right(&mut self) {
        if let Some(c) = self.text[self.cursor..].chars().next() {
            self.cursor += c.len_utf8();
        }
    }
    fn delete_word(&mut self) {
        let before = &self.text[..self.cursor];
        let trimmed = before.trim_end();
        let start = trimmed
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_whitespace())
            .map(|(i, c)| i + c.len_utf8())
            .unwrap_or(0);
        self.text.replace_range(start..self.cursor, "");
        self.cursor = start;
    }
    fn delete_to_line_start(&mut self) {
        let start = self.text[..self.cursor].rfind('\n').map_or(0, |i| i + 1);
        self.text.replace_range(start..self.cursor, "");
        self.cursor = start;
    }
    fn set(&mut self, draft: Draft) {
        self.cursor = draft.text.len();
        self.text = draft.text;
        self.reply_to = draft.reply_to;
    }
    fn take(&mut self) -> Draft {
        self.cursor = 0;
        self.editing = None;
        Draft {
            text: std::mem::take(&mut self.text),
            reply_to: self.reply_to.take(),
        }
    }
    fn draft(&self) -> Draft {
        Draft {
            text: self.text.clone(),
            reply_to: self.reply_to,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ReplyState {
    /// Waiting for an earlier reply in the same conversation to settle: replies leave one
    /// at a time per conversation, in order, so each one's identity (`after_id`) is known.
    #[default]
    Queued,
    Sending,
    /// Failed; the text is kept. `unknown` means the server may have stored it; `retry` that
    /// the failure is passing (no connection, timeout, 5xx) and it is retried on its own.
    Failed {
        reason: String,
        unknown: bool,
        retry: bool,
    },
}

/// A reply shown at once as "sending", replaced by the server's copy when it lands. Kept in
/// the outbox on disk until then.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingReply {
    pub local_id: u64,
    pub conversation: ConversationId,
    pub text: String,
    pub reply_to: Option<MessageId>,
    /// When it was first attempted (queued replies: when they were written).
    pub first_attempt: DateTime<Utc>,
    /// The newest message id the desk held in the conversation when the reply was first
    /// attempted: its stored copy must be newer (see `ReplyIdentity`).
    #[serde(default)]
    pub after_id: Option<MessageId>,
    /// Who wrote it: only their session sends it (older outboxes lack it).
    #[serde(default)]
    pub staff_id: Option<i64>,
    /// Set once a send has been attempted: the server may hold a copy, so look first.
    /// Outboxes from older versions lack it, and were always saved before sending.
    #[serde(default = "attempted_by_default")]
    pub attempted: bool,
    #[serde(skip)]
    pub state: ReplyState,
}

fn attempted_by_default() -> bool {
    true
}

impl PendingReply {
    /// The command that (re)sends it; after any attempt it looks in the thread first
    /// (contract 4.1), and `identity` says what its stored copy looks like.
    fn send_command(&mut self, staff_id: i64) -> Command {
        let check_first = self.attempted;
        self.attempted = true;
        self.state = ReplyState::Sending;
        Command::SendReply {
            local_id: self.local_id,
            conversation: self.conversation,
            reply_to: self.reply_to,
            identity: crate::api::ReplyIdentity {
                staff_id,
                text: self.text.clone(),
                after_id: self.after_id,
                first_attempt: self.first_attempt,
            },
            check_first,
        }
    }

    /// Unsettled: sending, or failed in a way the server may have stored it.
    fn blocks_queue(&self) -> bool {
        matches!(
            self.state,
            ReplyState::Sending | ReplyState::Failed { unknown: true, .. }
        )
    }
}

/// Messages read by a refresh: the open thread's poll and catching up after a gap.
pub const REFRESH_LIMIT: u32 = 30;
/// The open thread's poll when live updates are partial or off: a short page, cheap for the
/// server (contract 4.13); a full refresh follows only when it shows a gap.
pub const POLL_LIMIT: u32 = 10;
/// Messages read to learn a conversation's current stay (its booking) at start.
pub const PEEK_LIMIT: u32 = 3;
/// At most one bell or desktop notification this often.
const ALERT_EVERY_SECS: i64 = 5;
/// At most one mark-read per conversation this often.
const MARK_READ_EVERY_SECS: i64 = 3;

/// What the inbox polls, by how the realtime link stands (contract 4.12, 4.13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PollPlan {
    /// The open thread, often, with a short page.
    pub thread: bool,
    /// `unread-count`, a cheap change detector, when no socket tells of guest messages.
    pub unread: bool,
    /// The whole list, seldom: it costs the server about 12 queries per conversation.
    pub list: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollKind {
    Thread,
    Unread,
    List,
}

/// Which stay of a room a conversation belongs to (contract 4.9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stay {
    Current,
    /// A guest who has checked out: the list's name is the new guest's, not theirs.
    Earlier {
        booking: Option<String>,
    },
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

// Events are moved once through a channel; boxing the large ones buys nothing measurable.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Event {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Paste(String),
    Resize(u16, u16),
    FocusGained,
    FocusLost,
    Tick(DateTime<Utc>),
    ConversationsLoaded(Result<Vec<Conversation>, ApiError>),
    PageLoaded {
        conversation: ConversationId,
        limit: u32,
        result: Result<Vec<Message>, ApiError>,
    },
    /// The newest messages, re-read after a gap or on a poll.
    Refreshed {
        conversation: ConversationId,
        limit: u32,
        result: Result<Vec<Message>, ApiError>,
    },
    ReplySent {
        local_id: u64,
        result: Result<crate::api::Delivery, ApiError>,
    },
    MarkedRead {
        conversation: ConversationId,
        result: Result<MarkReadResult, ApiError>,
    },
    Claimed {
        conversation: ConversationId,
        result: Result<ClaimResult, ApiError>,
    },
    RoomOpened {
        room: u32,
        result: Result<FromRoomResult, ApiError>,
    },
    EditorDone(Result<String, String>),
    /// The outcome of signing in again from the inbox.
    SignedIn(Result<(), String>),
    /// Tab in the attach prompt: the longest unambiguous completion and the choices.
    PathCompleted {
        input: String,
        completed: String,
        choices: Vec<String>,
    },
    UploadProgress {
        sent: u64,
        total: u64,
    },
    Uploaded {
        conversation: ConversationId,
        result: Result<crate::api::UploadResult, String>,
    },
    /// Some files broke the limits: nothing was sent; the rest go back to the prompt.
    UploadRefused {
        conversation: ConversationId,
        kept: Vec<String>,
        refused: Vec<(String, String)>,
    },
    Edited {
        message: MessageId,
        text: String,
        result: Result<(), ApiError>,
    },
    Deleted {
        message: MessageId,
        hard: bool,
        result: Result<(), ApiError>,
    },
    AttachmentDeleted {
        message: MessageId,
        attachment: i64,
        result: Result<(), ApiError>,
    },
    /// A message pushed by the realtime feed (full text).
    LiveMessage(Box<Message>),
    /// A guest wrote. The notification's preview is cut to 100 characters: it updates the
    /// list at once, and the open thread gets the full message (from its channel, or a fetch).
    GuestWrote {
        conversation: ConversationId,
        message_id: MessageId,
        preview: Option<String>,
        at: Option<DateTime<Utc>>,
        /// The stay the guest wrote in (its private channel carries staff replies).
        booking: Option<String>,
    },
    /// A message was edited or deleted: re-read the thread if it is loaded.
    Changed {
        conversation: ConversationId,
    },
    /// A short while after a notification: fetch if the full message has not arrived.
    CheckDue {
        conversation: ConversationId,
    },
    LiveRead {
        conversation: ConversationId,
    },
    Connection(Connection),
    /// A poll timer (see [`App::poll_plan`]).
    Poll(PollKind),
    /// The realtime link came back: re-read the list and the open thread.
    Resync,
    UnreadCounts(Result<crate::api::UnreadCounts, ApiError>),
    /// Rows of an answer that did not match the contract and were skipped.
    Unreadable {
        what: &'static str,
        count: usize,
    },
    /// Timer: try failed replies whose failure was passing.
    RetryOutbox,
    /// A deferred mark-read is due.
    MarkDue(ConversationId),
    /// Timer: try the first list load again.
    RetryList,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    LoadConversations,
    LoadPage {
        conversation: ConversationId,
        before: Option<MessageId>,
        limit: u32,
    },
    /// The newest `limit` messages of a conversation.
    Refresh {
        conversation: ConversationId,
        limit: u32,
    },
    LoadUnreadCounts,
    /// Tell the realtime link about conversations and stays to follow.
    Watch {
        conversations: Vec<ConversationId>,
        bookings: Vec<String>,
    },
    /// Send [`Event::CheckDue`] for this conversation a little later.
    CheckSoon {
        conversation: ConversationId,
    },
    SendReply {
        local_id: u64,
        conversation: ConversationId,
        reply_to: Option<MessageId>,
        /// The text, and what its stored copy looks like.
        identity: crate::api::ReplyIdentity,
        /// A retry after an attempt: look for the stored copy before sending.
        check_first: bool,
    },
    MarkRead(ConversationId),
    /// Send [`Event::MarkDue`] a few seconds later.
    MarkSoon(ConversationId),
    /// Read the conversation's newest messages a moment later.
    RefreshSoon(ConversationId),
    /// Send [`Event::RetryList`] after this many seconds.
    RetryListIn(u64),
    Claim(ConversationId),
    FromRoom(u32),
    SaveDrafts(Vec<(ConversationId, Draft)>),
    SaveOutbox(Vec<PendingReply>),
    /// Ctrl-Z: hand the terminal back to the shell until `fg`.
    Suspend,
    CompletePath(String),
    /// Checks the files against the contract's limits, then uploads them with the text.
    Upload {
        conversation: ConversationId,
        files: Vec<String>,
        text: String,
        reply_to: Option<MessageId>,
        /// The newest message held: a stored upload found by reading back is newer.
        after_id: Option<MessageId>,
    },
    EditMessage {
        conversation: ConversationId,
        message: MessageId,
        text: String,
    },
    DeleteMessage {
        conversation: ConversationId,
        message: MessageId,
        hard: bool,
    },
    DeleteAttachment {
        conversation: ConversationId,
        message: MessageId,
        attachment: i64,
    },
    /// Put text on the clipboard (OSC 52).
    Copy(String),
    OpenEditor(String),
    SignIn {
        password: String,
    },
    Notify {
        title: String,
        body: String,
    },
    Quit,
}

pub struct App {
    pub me: Me,
    pub clock: Clock,
    pub size: (u16, u16),
    pub conversations: HashMap<ConversationId, Conversation>,
    /// Conversation ids by last activity, newest first.
    pub order: Vec<ConversationId>,
    pub list_loaded: bool,
    pub list_offset: usize,
    pub selected: Option<ConversationId>,
    pub open: Option<ConversationId>,
    pub threads: HashMap<ConversationId, Thread>,
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
    /// Each conversation's stay, as a page (authoritative) or an event named it.
    current_booking: HashMap<ConversationId, (String, bool)>,
    /// What the realtime link has been told to follow.
    watched_conversations: std::collections::HashSet<ConversationId>,
    watched_bookings: std::collections::HashSet<String>,
    /// The newest conversation of each room: older ones are earlier stays.
    newest_by_room: HashMap<i64, ConversationId>,
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
    /// Links on screen after the last frame (written by the renderer; the loop wraps them in
    /// OSC 8 hyperlinks).
    pub link_spots: std::cell::RefCell<Vec<layout::LinkSpot>>,
    /// Rows per message block, filled by the layout (see `ui::layout::message_height`).
    pub height_cache: std::cell::RefCell<HashMap<MessageId, (layout::HeightKey, usize)>>,
    pub dirty: bool,
    pub quit: bool,
}

impl App {
    pub fn new(me: Me, clock: Clock, size: (u16, u16)) -> App {
        App {
            me,
            clock,
            size,
            conversations: HashMap::new(),
            order: Vec::new(),
            list_loaded: false,
            list_offset: 0,
            selected: None,
            open: None,
            threads: HashMap::new(),
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
            uploading: None,
            seen_live: SeenIds::default(),
            awaiting: HashMap::new(),
            list_loading: false,
            list_again: false,
            list_updated: None,
            server_unreachable_since: None,
            last_tick: clock.now,
            unread_seen: None,
            current_booking: HashMap::new(),
            watched_conversations: Default::default(),
            watched_bookings: Default::default(),
            newest_by_room: HashMap::new(),
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
            height_cache: std::cell::RefCell::new(HashMap::new()),
            link_spots: std::cell::RefCell::new(Vec::new()),
            dirty: true,
            quit: false,
        }
    }

    /// What to do first: load the list.
    pub fn start(&mut self) -> Vec<Command> {
        self.load_list()
    }

    /// Asks for the list, joining a fetch already under way.
    pub fn load_list(&mut self) -> Vec<Command> {
        if self.list_loading {
            self.list_again = true;
            return vec![];
        }
        self.list_loading = true;
        vec![Command::LoadConversations]
    }

    /// Re-reads what may have been missed: the list and the open thread.
    /// `force`: whatever the list's age (a new sign-in, a long sleep). Otherwise a server that
    /// drops the socket again and again must not cost a list each time.
    fn resync(&mut self, force: bool) -> Vec<Command> {
        let fresh = !force
            && self
                .list_updated
                .is_some_and(|t| self.clock.now - t < chrono::Duration::seconds(30));
        let mut c = if fresh { vec![] } else { self.load_list() };
        if let Some(open) = self.open {
            c.push(Command::Refresh {
                conversation: open,
                limit: REFRESH_LIMIT,
            });
        }
        c
    }

    /// What to poll now. Live: nothing. Live but partial (no private channels, so no staff
    /// replies): the open thread often and the list seldom. No socket at all: the same,
    /// plus `unread-count` to notice guests writing.
    pub fn poll_plan(&self) -> PollPlan {
        match self.connection {
            Connection::Live | Connection::Connecting => PollPlan::default(),
            Connection::LivePartial => PollPlan {
                thread: true,
                unread: false,
                list: true,
            },
            Connection::Polling | Connection::Reconnecting { .. } | Connection::Stopped(_) => {
                PollPlan {
                    thread: true,
                    unread: true,
                    list: true,
                }
            }
        }
    }

    /// Which stay a conversation belongs to: an older conversation of a room that has a newer
    /// one, or one whose guest messages name another booking than the list's current one.
    pub fn stay(&self, id: ConversationId) -> Stay {
        let Some(c) = self.conversations.get(&id) else {
            return Stay::Current;
        };
        let newest_guest = self.threads.get(&id).and_then(|t| {
            t.messages
                .values()
                .rev()
                .find(|m| m.sender_type == SenderType::Guest && m.booking.is_some())
        });
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
    pub fn current_conversation_of_room(&self, room: i64) -> Option<ConversationId> {
        self.newest_by_room.get(&room).copied()
    }

    /// Learns a conversation's current stay from a guest message or event, and asks the
    /// realtime link to follow its private channel. Only conversations the list named count,
    /// and only their newest stay: an event cannot make the desk sign made-up channels.
    fn learn_booking(
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
            vec![Command::Watch {
                conversations: vec![],
                bookings: vec![booking.to_string()],
            }]
        } else {
            vec![]
        }
    }

    /// After the list loads: follow every conversation's public channel, and learn one
    /// current stay so the realtime link can find out at once whether private channels can
    /// be signed (until one is, the connection is partial: contract 4.12).
    fn after_list_loaded(&mut self) -> Vec<Command> {
        let mut by_room: HashMap<i64, ConversationId> = HashMap::new();
        for c in self.conversations.values() {
            let e = by_room.entry(c.room_number).or_insert(c.id);
            if c.id > *e {
                *e = c.id;
            }
        }
        self.newest_by_room = by_room;
        let mut cmds = Vec::new();
        let new: Vec<ConversationId> = self
            .order
            .iter()
            .copied()
            .filter(|id| self.watched_conversations.insert(*id))
            .collect();
        if !new.is_empty() {
            cmds.push(Command::Watch {
                conversations: new,
                bookings: vec![],
            });
        }
        if self.current_booking.is_empty()
            && let Some(first) = self
                .order
                .iter()
                .copied()
                .find(|id| matches!(self.stay(*id), Stay::Current))
        {
            cmds.push(Command::Refresh {
                conversation: first,
                limit: PEEK_LIMIT,
            });
        }
        cmds
    }

    pub fn total_unread(&self) -> u32 {
        self.conversations.values().map(|c| c.unread_count).sum()
    }

    /// The ids shown in the list, after the filter.
    pub fn visible_order(&self) -> Vec<ConversationId> {
        let needle = crate::text::fold(self.filter.trim());
        if needle.is_empty() {
            return self.order.clone();
        }
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
    }

    /// Newest activity first; conversations without messages last; id breaks ties.
    fn sort_key(
        &self,
        id: ConversationId,
    ) -> std::cmp::Reverse<(Option<DateTime<Utc>>, ConversationId)> {
        let t = self
            .conversations
            .get(&id)
            .and_then(|c| c.last_message_time);
        std::cmp::Reverse((t, id))
    }

    fn resort(&mut self) {
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
    fn reposition(&mut self, id: ConversationId) {
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
    }

    fn thread_view(&self) -> (usize, usize) {
        layout::thread_view_size(self)
    }

    pub fn heights(&self) -> impl Fn(Option<&Message>, &Message) -> usize + '_ {
        let (w, _) = self.thread_view();
        move |prev, m| layout::message_height(self, prev, m, w)
    }

    fn allowed(&self) -> impl Fn(&str) -> bool + '_ {
        |cap: &str| self.me.can(cap)
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
        if !matches!(self.overlay, Overlay::SignIn { .. }) {
            self.overlay = Overlay::SignIn {
                password: String::new(),
                error: Some(why),
                busy: false,
            };
        }
    }

    fn ensure_list_visible(&mut self) {
        let rows = layout::list_capacity(self);
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
    }

    fn select_relative(&mut self, delta: isize) {
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

    /// Stores the composer as the open conversation's draft.
    fn stash_draft(&mut self) -> Vec<Command> {
        let Some(open) = self.open else {
            return vec![];
        };
        if self.composer.editing.is_some() {
            // An edit in progress is not a draft; the draft waits in `editing`.
            return vec![];
        }
        let draft = self.composer.draft();
        let changed = self.drafts.get(&open) != Some(&draft)
            && !(draft.text.is_empty()
                && draft.reply_to.is_none()
                && !self.drafts.contains_key(&open));
        if draft.text.is_empty() && draft.reply_to.is_none() {
            self.drafts.remove(&open);
        } else {
            self.drafts.insert(open, draft);
        }
        if changed {
            vec![self.save_drafts()]
        } else {
            vec![]
        }
    }

    /// Every draft, the composer's included, for a final save at exit.
    pub fn drafts_snapshot(&mut self) -> Vec<(ConversationId, Draft)> {
        self.stash_draft();
        let mut all: Vec<(ConversationId, Draft)> =
            self.drafts.iter().map(|(k, v)| (*k, v.clone())).collect();
        all.sort_by_key(|(k, _)| *k);
        all
    }

    pub fn save_drafts(&self) -> Command {
        let mut all: Vec<(ConversationId, Draft)> =
            self.drafts.iter().map(|(k, v)| (*k, v.clone())).collect();
        all.sort_by_key(|(k, _)| *k);
        Command::SaveDrafts(all)
    }

    /// Opens a conversation: its draft comes back into the composer, its newest page loads.
    pub fn open_conversation(&mut self, id: ConversationId, focus: Focus) -> Vec<Command> {
        let mut cmds = Vec::new();
        if self.open != Some(id) {
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
        match thread.fetch {
            Fetch::NotStarted => {
                thread.fetch = Fetch::Loading;
                cmds.push(Command::LoadPage {
                    conversation: id,
                    before: None,
                    limit,
                });
            }
            // Coming back to a thread: catch up with anything missed.
            _ => cmds.push(Command::Refresh {
                conversation: id,
                limit: REFRESH_LIMIT,
            }),
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
            cmds.push(Command::LoadPage {
                conversation: open,
                before: oldest,
                limit: self.page_size,
            });
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
                cmds.push(Command::MarkRead(open));
            } else if self.mark_scheduled.insert(open) {
                cmds.push(Command::MarkSoon(open));
            }
        }
        cmds
    }

    /// A bell or desktop notification, at most one per few seconds: in a flood the next one
    /// says how many more came, instead of ringing for each.
    fn alert(&mut self, title: String, body: String) -> Vec<Command> {
        let now = self.clock.now;
        if self
            .last_alert
            .is_some_and(|t| now - t < chrono::Duration::seconds(ALERT_EVERY_SECS))
        {
            self.held_alerts += 1;
            return vec![];
        }
        self.last_alert = Some(now);
        let more = std::mem::take(&mut self.held_alerts);
        let title = if more > 0 {
            format!("{title} (+{more} more)")
        } else {
            title
        };
        vec![Command::Notify { title, body }]
    }

    /// Reads a conversation's newest messages, joining a read already under way.
    fn refresh(&mut self, conversation: ConversationId, limit: u32) -> Vec<Command> {
        if self.refreshing.contains(&conversation) {
            self.refresh_again.insert(conversation);
            return vec![];
        }
        self.refreshing.insert(conversation);
        vec![Command::Refresh {
            conversation,
            limit,
        }]
    }

    fn with_thread<R>(
        &mut self,
        f: impl FnOnce(&mut Thread, usize, &dyn Fn(Option<&Message>, &Message) -> usize) -> R,
    ) -> Option<R> {
        let open = self.open?;
        let (w, h) = self.thread_view();
        // Heights need &self while the thread is borrowed mutably: take it out briefly.
        let mut thread = self.threads.remove(&open)?;
        let r = {
            let heights =
                |prev: Option<&Message>, m: &Message| layout::message_height(self, prev, m, w);
            f(&mut thread, h, &heights)
        };
        self.threads.insert(open, thread);
        Some(r)
    }

    fn next_unread(&mut self) -> Vec<Command> {
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
                self.notice(Level::Info, "No unread conversations");
                vec![]
            }
        }
    }

    fn send(&mut self) -> Vec<Command> {
        let Some(conv) = self.open else {
            return vec![];
        };
        if self.composer.text.trim().is_empty() {
            self.notice(Level::Info, "Nothing to send");
            return vec![];
        }
        if let Stay::Earlier { .. } = self.stay(conv) {
            let room = self
                .conversations
                .get(&conv)
                .map(|c| c.room_number.to_string())
                .unwrap_or_default();
            self.overlay = Overlay::Confirm {
                question: format!(
                    "This is an earlier stay in room {room}: that guest has checked out, and the reply reaches nobody in the room now. Send anyway? y/n"
                ),
                then: Confirmed::SendToEarlierStay,
            };
            return vec![];
        }
        self.send_now()
    }

    fn send_now(&mut self) -> Vec<Command> {
        let Some(conv) = self.open else {
            return vec![];
        };
        let draft = self.composer.take();
        let local_id = self.next_local;
        self.next_local += 1;
        self.pending.push(PendingReply {
            local_id,
            conversation: conv,
            text: draft.text,
            reply_to: draft.reply_to,
            first_attempt: self.clock.now,
            after_id: None,
            staff_id: Some(self.me.staff_id),
            attempted: false,
            state: ReplyState::Queued,
        });
        self.drafts.remove(&conv);
        if let Some(t) = self.threads.get_mut(&conv) {
            t.follow();
        }
        // The outbox is on disk, with the reply's identity, before the request leaves.
        let next = self.start_next_send(conv);
        let mut cmds = vec![self.save_outbox()];
        cmds.extend(next);
        cmds.push(self.save_drafts());
        cmds
    }

    /// Starts the oldest queued reply of a conversation, unless one there is unsettled.
    fn start_next_send(&mut self, conv: ConversationId) -> Vec<Command> {
        let mine = |p: &&mut PendingReply| p.conversation == conv;
        if self
            .pending
            .iter_mut()
            .filter(mine)
            .any(|p| p.blocks_queue())
        {
            return vec![];
        }
        let held = self.threads.get(&conv).and_then(|t| t.newest_id());
        let now = self.clock.now;
        let staff_id = self.me.staff_id;
        match self
            .pending
            .iter_mut()
            .find(|p| p.conversation == conv && p.state == ReplyState::Queued)
        {
            Some(p) => {
                if !p.attempted {
                    p.after_id = held;
                    p.first_attempt = now;
                }
                vec![p.send_command(staff_id)]
            }
            None => vec![],
        }
    }

    pub fn save_outbox(&self) -> Command {
        let mut all = self.pending.clone();
        all.extend(self.held_for_others.iter().cloned());
        Command::SaveOutbox(all)
    }

    /// Replies left in the outbox by an earlier run: shown as pending, and each delivered
    /// after checking the thread for it (it may have arrived before the app stopped).
    pub fn restore_outbox(&mut self, entries: Vec<PendingReply>) -> Vec<Command> {
        let mut convs = Vec::new();
        for mut p in entries {
            if p.staff_id.is_some_and(|id| id != self.me.staff_id) {
                // Someone else's words: never sent under this session, never lost either.
                self.held_for_others.push(p);
                continue;
            }
            self.next_local = self.next_local.max(p.local_id + 1);
            p.state = ReplyState::Queued;
            if !convs.contains(&p.conversation) {
                convs.push(p.conversation);
            }
            self.pending.push(p);
        }
        convs
            .into_iter()
            .flat_map(|c| self.start_next_send(c))
            .collect()
    }

    pub fn has_retryable(&self) -> bool {
        self.pending
            .iter()
            .any(|p| matches!(p.state, ReplyState::Failed { retry: true, .. }))
    }

    /// Retries every reply whose failure was passing, checking the thread first.
    fn retry_passing_failures(&mut self) -> Vec<Command> {
        let staff_id = self.me.staff_id;
        self.pending
            .iter_mut()
            .filter(|p| matches!(p.state, ReplyState::Failed { retry: true, .. }))
            .map(|p| p.send_command(staff_id))
            .collect()
    }

    fn retry(&mut self) -> Vec<Command> {
        let Some(conv) = self.open else {
            return vec![];
        };
        let staff_id = self.me.staff_id;
        let Some(p) = self
            .pending
            .iter_mut()
            .find(|p| p.conversation == conv && matches!(p.state, ReplyState::Failed { .. }))
        else {
            self.notice(Level::Info, "No failed reply to retry here");
            return vec![];
        };
        // Always look first: the failed attempt may have been stored (contract 4.1).
        vec![p.send_command(staff_id)]
    }

    /// A reply of ours has been stored (its copy is already in the thread): any notice about
    /// it goes, and the next queued reply in its conversation may leave, identified as newer
    /// than this one.
    fn reply_delivered(&mut self, p: PendingReply) -> Vec<Command> {
        if self
            .notice
            .as_ref()
            .is_some_and(|n| n.reply == Some(p.local_id))
        {
            self.notice = None;
        }
        let next = self.start_next_send(p.conversation);
        let mut cmds = vec![self.save_outbox()];
        cmds.extend(next);
        cmds
    }

    /// A message of ours that arrived by any route settles the unsettled reply it is the
    /// copy of (at most one per conversation is unsettled, so there is no ambiguity).
    fn settle_by_copy(&mut self, m: &Message) -> Vec<Command> {
        if !self.is_mine(m) {
            return vec![];
        }
        let staff_id = self.me.staff_id;
        let pos = self.pending.iter().position(|p| {
            p.attempted
                && p.blocks_queue()
                && m.conversation_id == Some(p.conversation)
                && crate::api::ReplyIdentity {
                    staff_id,
                    text: p.text.clone(),
                    after_id: p.after_id,
                    first_attempt: p.first_attempt,
                }
                .matches(p.conversation, m)
        });
        match pos {
            Some(pos) => {
                let p = self.pending.remove(pos);
                self.reply_delivered(p)
            }
            None => vec![],
        }
    }

    /// Applies a message from any source: thread, list preview, badge.
    fn absorb_message(&mut self, m: Message, from_live: bool) -> Vec<Command> {
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
        if m.sender_type == SenderType::Guest {
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
        if let Some(t) = self.threads.get_mut(&conv) {
            t.merge([m]);
        }
        // After the merge, so a reply started next counts this one as held.
        if let Some(copy) = ours {
            cmds.extend(self.settle_by_copy(&copy));
        }
        cmds
    }

    pub fn update(&mut self, event: Event) -> Vec<Command> {
        self.dirty = true;
        let mut cmds = match event {
            Event::Key(key) => self.on_key(key),
            Event::Mouse(m) => self.on_mouse(m),
            Event::Paste(text) => self.on_paste(&text),
            Event::Resize(w, h) => {
                self.size = (w, h);
                self.ensure_list_visible();
                vec![]
            }
            Event::FocusGained => {
                self.terminal_focused = true;
                vec![]
            }
            Event::FocusLost => {
                self.terminal_focused = false;
                self.dirty = false;
                vec![]
            }
            Event::Tick(now) => {
                // A countdown tick, between minute ticks, only moves the clock.
                if now - self.last_tick < chrono::Duration::seconds(50) {
                    self.clock.now = now;
                    return vec![];
                }
                let gap = now - self.last_tick;
                self.last_tick = now;
                self.clock.now = now;
                // After a long gap (laptop sleep, a stopped process) resync what was missed.
                if gap > chrono::Duration::seconds(150) {
                    self.resync(true)
                } else {
                    vec![]
                }
            }
            Event::Resync => self.resync(false),
            Event::MarkDue(conversation) => {
                self.mark_scheduled.remove(&conversation);
                self.mark_due.insert(conversation);
                self.dirty = false;
                vec![]
            }
            Event::RetryList => {
                self.list_retry_at = None;
                self.load_list()
            }
            Event::Poll(kind) => {
                self.dirty = false;
                let plan = self.poll_plan();
                match kind {
                    PollKind::Thread if plan.thread => match self.open {
                        Some(open) => self.refresh(open, POLL_LIMIT),
                        None => vec![],
                    },
                    PollKind::Unread if plan.unread => vec![Command::LoadUnreadCounts],
                    PollKind::List if plan.list => self.load_list(),
                    _ => vec![],
                }
            }
            Event::UnreadCounts(Ok(counts)) => {
                self.dirty = false;
                // Against the last answer, or, first after a list, against the list's own
                // unread total (the keys differ: rooms there, conversations here).
                let changed = match self.unread_seen.as_ref() {
                    Some(seen) => *seen != counts.unread_counts,
                    None => self.list_loaded && counts.total() != self.total_unread(),
                };
                self.unread_seen = Some(counts.unread_counts);
                // Something changed somewhere: only then is the expensive list worth reading.
                if changed { self.load_list() } else { vec![] }
            }
            Event::Unreadable { what, count } => {
                let s = if count == 1 { "" } else { "s" };
                self.notice(
                    Level::Error,
                    format!(
                        "{count} {what}{s} could not be read and {} left out (details in the log)",
                        if count == 1 { "is" } else { "are" }
                    ),
                );
                vec![]
            }
            Event::UnreadCounts(Err(e)) => {
                tracing::info!("unread-count: {e}");
                vec![]
            }
            Event::RetryOutbox => {
                self.dirty = false;
                self.retry_passing_failures()
            }
            Event::ConversationsLoaded(Ok(list)) => {
                self.server_unreachable_since = None;
                self.unread_seen = None;
                self.list_error = None;
                self.list_retry_at = None;
                self.list_attempts = 0;
                self.list_loaded = true;
                self.list_loading = false;
                self.list_updated = Some(self.clock.now);
                self.conversations = list.into_iter().map(|c| (c.id, c)).collect();
                self.resort();
                if self
                    .selected
                    .is_none_or(|s| !self.conversations.contains_key(&s))
                {
                    self.selected = self.order.first().copied();
                }
                self.ensure_list_visible();
                let mut c = self.after_list_loaded();
                if std::mem::take(&mut self.list_again) {
                    c.extend(self.load_list());
                }
                c
            }
            Event::ConversationsLoaded(Err(e)) => {
                self.list_loading = false;
                if e.unreachable() {
                    self.server_unreachable_since.get_or_insert(self.clock.now);
                }
                self.api_error("Loading conversations", &e);
                if !self.list_loaded && !e.is_unauthorised() {
                    // Nothing on screen yet: try again, backing off, and say when.
                    let wait = 2u64.saturating_pow(self.list_attempts.min(5) + 1).min(60);
                    self.list_attempts += 1;
                    self.list_error = Some(e.summary());
                    self.list_retry_at =
                        Some(self.clock.now + chrono::Duration::seconds(wait as i64));
                    self.list_again = false;
                    return vec![Command::RetryListIn(wait)];
                }
                if std::mem::take(&mut self.list_again) {
                    self.load_list()
                } else {
                    vec![]
                }
            }
            Event::PageLoaded {
                conversation,
                limit,
                result,
            } => match result {
                Ok(page) => {
                    let newest_guest = page
                        .iter()
                        .rev()
                        .find(|m| m.sender_type == SenderType::Guest)
                        .map(|m| (m.booking_id.clone(), m.booking));
                    if let Some(t) = self.threads.get_mut(&conversation) {
                        t.apply_page(page, limit);
                    }
                    match newest_guest {
                        Some((booking, key)) => {
                            self.learn_booking(conversation, booking.as_deref(), key, true)
                        }
                        None => vec![],
                    }
                }
                Err(e) => {
                    if let Some(t) = self.threads.get_mut(&conversation) {
                        // Let a later scroll try again.
                        t.fetch = if t.messages.is_empty() {
                            Fetch::NotStarted
                        } else {
                            Fetch::More
                        };
                    }
                    self.api_error("Loading messages", &e);
                    vec![]
                }
            },
            Event::Refreshed {
                conversation,
                limit,
                result,
            } => {
                self.refreshing.remove(&conversation);
                // Asked again meanwhile: once more, a moment later, for all of them.
                let mut again = if self.refresh_again.remove(&conversation) {
                    self.refreshing.insert(conversation);
                    vec![Command::RefreshSoon(conversation)]
                } else {
                    vec![]
                };
                again.extend(self.on_refreshed(conversation, limit, result));
                again
            }
            Event::ReplySent { local_id, result } => self.on_reply_sent(local_id, result),
            Event::MarkedRead {
                conversation,
                result,
            } => {
                self.marking.retain(|c| *c != conversation);
                match result {
                    Ok(_) => {
                        if let Some(c) = self.conversations.get_mut(&conversation) {
                            c.unread_count = 0;
                        }
                        if let Some(t) = self.threads.get_mut(&conversation) {
                            for m in t.messages.values_mut() {
                                m.read_by_staff = true;
                            }
                        }
                    }
                    Err(e) => self.api_error("Marking read", &e),
                }
                vec![]
            }
            Event::Claimed {
                conversation,
                result,
            } => {
                match result {
                    Ok(r) => {
                        self.claimed
                            .insert(conversation, r.assigned_staff.name.clone());
                        if let Some(c) = self.conversations.get_mut(&conversation) {
                            c.unread_count = 0;
                        }
                        self.notice(
                            Level::Info,
                            format!(
                                "Claimed by {}",
                                crate::text::one_line(&r.assigned_staff.name)
                            ),
                        );
                    }
                    Err(e) => self.api_error("Claiming", &e),
                }
                vec![Command::Refresh {
                    conversation,
                    limit: REFRESH_LIMIT,
                }]
            }
            Event::RoomOpened { room, result } => match result {
                Ok(r) => {
                    let id = r.conversation_id;
                    let mut cmds = Vec::new();
                    if !self.conversations.contains_key(&id) {
                        cmds.extend(self.load_list());
                    }
                    let t = self.threads.entry(id).or_insert_with(|| Thread::new(id));
                    let n = r.messages.len();
                    t.merge(r.messages);
                    if t.fetch == Fetch::NotStarted {
                        t.fetch = if n == 0 { Fetch::Done } else { Fetch::More };
                    }
                    if r.conversation_created {
                        self.notice(
                            Level::Info,
                            format!("Started a conversation with room {room}"),
                        );
                    }
                    cmds.extend(self.open_conversation(id, Focus::Composer));
                    cmds
                }
                Err(e) => {
                    match &e.kind {
                        crate::api::ErrorKind::Server(_) => {
                            tracing::warn!("opening room {room}: {e}");
                            self.notice(
                                Level::Error,
                                format!(
                                    "Room {room} could not be opened: the hotel's server failed ({}). It does this for a room that has had more than one stay. Find the room in the list with / {room}.",
                                    e.summary()
                                ),
                            );
                        }
                        crate::api::ErrorKind::NotFound(_) => self.notice(
                            Level::Error,
                            format!("There is no room {room} in this hotel"),
                        ),
                        _ => self.api_error(&format!("Opening room {room}"), &e),
                    }
                    vec![]
                }
            },
            Event::EditorDone(result) => {
                match result {
                    Ok(text) => {
                        self.composer.text = text.trim_end_matches('\n').to_string();
                        self.composer.cursor = self.composer.text.len();
                        self.focus = Focus::Composer;
                    }
                    Err(e) => self.notice(Level::Error, format!("Editor: {e}")),
                }
                self.stash_draft()
            }
            Event::SignedIn(Ok(())) => {
                self.overlay = Overlay::None;
                self.notice(Level::Info, "Signed in again");
                let mut c = self.resync(true);
                // Replies refused for the old token were never stored: send them now.
                let staff_id = self.me.staff_id;
                c.extend(
                    self.pending
                        .iter_mut()
                        .filter(|p| matches!(p.state, ReplyState::Failed { unknown: false, .. }))
                        .map(|p| p.send_command(staff_id)),
                );
                c
            }
            Event::SignedIn(Err(e)) => {
                if let Overlay::SignIn { error, busy, .. } = &mut self.overlay {
                    *error = Some(e);
                    *busy = false;
                }
                vec![]
            }
            Event::LiveMessage(m) => {
                let conversation = m.conversation_id;
                let cmds = self.absorb_message(*m, true);
                if let Some(c) = conversation {
                    self.reposition(c);
                }
                cmds
            }
            Event::GuestWrote {
                conversation,
                message_id,
                preview,
                at,
                booking,
            } => {
                let mut c = self.on_guest_wrote(conversation, message_id, preview, at);
                c.extend(self.learn_booking(conversation, booking.as_deref(), None, false));
                c
            }
            Event::CheckDue { conversation } => {
                self.dirty = false;
                match self.awaiting.remove(&conversation) {
                    Some(id)
                        if self
                            .threads
                            .get(&conversation)
                            .is_some_and(|t| !t.messages.contains_key(&id)) =>
                    {
                        self.refresh(conversation, REFRESH_LIMIT)
                    }
                    _ => vec![],
                }
            }
            Event::PathCompleted {
                input,
                completed,
                choices,
            } => {
                if let Overlay::Attach {
                    input: current,
                    hint,
                    ..
                } = &mut self.overlay
                    && *current == input
                {
                    *current = completed;
                    *hint = match choices.len() {
                        0 => Some("no such file or folder".into()),
                        1 => None,
                        n => Some(format!(
                            "{n} matches: {}",
                            choices
                                .iter()
                                .take(6)
                                .cloned()
                                .collect::<Vec<_>>()
                                .join("  ")
                        )),
                    };
                }
                vec![]
            }
            Event::UploadProgress { sent, total } => {
                if self.uploading.is_some() {
                    self.uploading = Some(Uploading { sent, total });
                }
                vec![]
            }
            Event::UploadRefused {
                conversation,
                kept,
                refused,
            } => {
                self.uploading = None;
                // Each reason names its file.
                let names: Vec<String> = refused.iter().map(|(_, why)| why.clone()).collect();
                let text = format!("Not sent: {}", names.join(", "));
                if self.open == Some(conversation) && !kept.is_empty() {
                    self.overlay = Overlay::Attach {
                        input: String::new(),
                        files: kept,
                        hint: Some(format!("{text}. Enter sends the rest.")),
                    };
                }
                self.notice(Level::Error, text);
                vec![]
            }
            Event::Uploaded {
                conversation,
                result,
            } => {
                self.uploading = None;
                match result {
                    Ok(r) => {
                        // The text went with the files: the composer is done with it.
                        if self.open == Some(conversation) {
                            self.composer.take();
                            self.drafts.remove(&conversation);
                        }
                        let n = r.attachments.len();
                        self.notice(
                            Level::Info,
                            format!("Sent {n} file{}", if n == 1 { "" } else { "s" }),
                        );
                        let mut c = self.absorb_message(r.message, false);
                        self.reposition(conversation);
                        c.push(self.save_drafts());
                        c.push(Command::Refresh {
                            conversation,
                            limit: REFRESH_LIMIT,
                        });
                        c
                    }
                    Err(e) => {
                        self.notice(
                            Level::Error,
                            format!("Files not sent: {e} (your text is kept)"),
                        );
                        // A failed upload can still leave a message behind (contract 4.5).
                        vec![Command::Refresh {
                            conversation,
                            limit: REFRESH_LIMIT,
                        }]
                    }
                }
            }
            Event::Edited {
                message,
                text,
                result,
            } => match result {
                Ok(()) => {
                    for t in self.threads.values_mut() {
                        if let Some(m) = t.messages.get_mut(&message) {
                            m.message = text.clone();
                            m.is_edited = true;
                        }
                    }
                    if self
                        .composer
                        .editing
                        .as_ref()
                        .is_some_and(|(id, _)| *id == message)
                        && let Some((_, draft)) = self.composer.editing.take()
                    {
                        self.composer.set(draft);
                        // Back where the edit began, so the next keys are not reply text.
                        self.focus = Focus::Thread;
                    }
                    self.notice(Level::Info, "Message edited");
                    vec![]
                }
                Err(e) => {
                    self.api_error("Edit not saved (nothing changed)", &e);
                    vec![]
                }
            },
            Event::Deleted {
                message,
                hard,
                result,
            } => match result {
                Ok(()) => {
                    for t in self.threads.values_mut() {
                        if hard {
                            t.messages.remove(&message);
                        } else if let Some(m) = t.messages.get_mut(&message) {
                            m.is_deleted = true;
                        }
                    }
                    self.notice(
                        Level::Info,
                        if hard {
                            "Message deleted for good"
                        } else {
                            "Message deleted"
                        },
                    );
                    vec![]
                }
                Err(e) => {
                    self.api_error("Delete failed (nothing changed)", &e);
                    vec![]
                }
            },
            Event::AttachmentDeleted {
                message,
                attachment,
                result,
            } => match result {
                Ok(()) => {
                    for t in self.threads.values_mut() {
                        if let Some(m) = t.messages.get_mut(&message) {
                            m.attachments.retain(|a| a.id != attachment);
                        }
                    }
                    self.notice(Level::Info, "Attachment deleted");
                    vec![]
                }
                Err(e) => {
                    self.api_error("Attachment not deleted (nothing changed)", &e);
                    vec![]
                }
            },
            Event::Changed { conversation } => {
                // A storm of edit events costs one read at a time per thread.
                if self.threads.contains_key(&conversation) {
                    self.refresh(conversation, REFRESH_LIMIT)
                } else {
                    vec![]
                }
            }
            Event::LiveRead { conversation } => {
                if let Some(c) = self.conversations.get_mut(&conversation) {
                    c.unread_count = 0;
                }
                vec![]
            }
            Event::Connection(c) => {
                self.connection = c;
                vec![]
            }
        };
        cmds.extend(self.after_view_change());
        cmds
    }

    fn on_refreshed(
        &mut self,
        conversation: ConversationId,
        limit: u32,
        result: Result<Vec<Message>, ApiError>,
    ) -> Vec<Command> {
        match result {
            Ok(msgs) => {
                self.server_unreachable_since = None;
                // A full short page with nothing we hold: more arrived than it showed.
                let gap = limit < REFRESH_LIMIT
                    && msgs.len() >= limit as usize
                    && self.threads.get(&conversation).is_some_and(|t| {
                        !t.messages.is_empty()
                            && msgs.iter().all(|m| !t.messages.contains_key(&m.id))
                    });
                let mut c = Vec::new();
                if gap {
                    c.extend(self.refresh(conversation, REFRESH_LIMIT));
                }
                for m in msgs {
                    c.extend(self.absorb_message(m, false));
                }
                self.reposition(conversation);
                if let Some(t) = self.threads.get_mut(&conversation)
                    && t.fetch == Fetch::NotStarted
                {
                    t.fetch = Fetch::More;
                }
                c
            }
            Err(e) if limit < REFRESH_LIMIT && !e.is_unauthorised() => {
                // A poll or a peek: the status bar says when the server is unreachable;
                // nothing is written over whatever the desk reads.
                tracing::info!("polling conversation {conversation}: {e}");
                if e.unreachable() {
                    self.server_unreachable_since.get_or_insert(self.clock.now);
                }
                vec![]
            }
            Err(e) => {
                self.api_error("Refreshing the thread", &e);
                vec![]
            }
        }
    }

    fn on_guest_wrote(
        &mut self,
        conversation: ConversationId,
        message_id: MessageId,
        preview: Option<String>,
        at: Option<DateTime<Utc>>,
    ) -> Vec<Command> {
        if !self.conversations.contains_key(&conversation) {
            // A conversation we have not seen: one list reload, however many notes arrive.
            return self.load_list();
        }
        let in_thread = self
            .threads
            .get(&conversation)
            .is_some_and(|t| t.messages.contains_key(&message_id));
        if in_thread {
            return vec![];
        }
        let mut cmds = Vec::new();
        if let (Some(text), Some(at)) = (preview, at)
            && self.seen_live.insert(message_id)
        {
            if let Some(c) = self.conversations.get_mut(&conversation) {
                if c.last_message_time.is_none_or(|t| at >= t) {
                    c.last_message = Some(text.clone());
                    c.last_message_time = Some(at);
                }
                c.unread_count += 1;
                let room = c.room_number;
                let reading = self.open == Some(conversation) && self.terminal_focused;
                if !reading {
                    let title = format!("Room {room} · {}", self.conversation_name(conversation));
                    cmds.extend(self.alert(title, crate::text::one_line(&text)));
                }
            }
            self.reposition(conversation);
        }
        // The open thread needs the full text: give its channel a moment, then fetch.
        if self.threads.contains_key(&conversation) && self.open == Some(conversation) {
            let newest = self.awaiting.entry(conversation).or_insert(message_id);
            let first = *newest == message_id;
            *newest = (*newest).max(message_id);
            if first {
                cmds.push(Command::CheckSoon { conversation });
            }
        }
        cmds
    }

    fn on_reply_sent(
        &mut self,
        local_id: u64,
        result: Result<crate::api::Delivery, ApiError>,
    ) -> Vec<Command> {
        let Some(pos) = self.pending.iter().position(|p| p.local_id == local_id) else {
            // Already settled by its copy arriving first.
            return vec![];
        };
        match result {
            Ok(delivery) => {
                let m = delivery.message;
                if delivery.read_back {
                    tracing::info!(
                        "reply {local_id} delivered as message {} (found by reading back)",
                        m.id
                    );
                }
                let conversation = m.conversation_id;
                let p = self.pending.remove(pos);
                let mut cmds = self.absorb_message(m, false);
                cmds.extend(self.reply_delivered(p));
                if let Some(c) = conversation {
                    self.reposition(c);
                    // A first reply also adds "X has joined": read the thread's newest.
                    cmds.push(Command::Refresh {
                        conversation: c,
                        limit: REFRESH_LIMIT,
                    });
                }
                cmds
            }
            Err(e) => {
                tracing::warn!("sending a reply: {e}");
                if e.is_unauthorised() {
                    self.ask_sign_in(e.summary());
                }
                let unknown = e.outcome_unknown();
                let retry = unknown || matches!(e.kind, crate::api::ErrorKind::NoConnection(_));
                let reason = if unknown {
                    format!(
                        "{}, and it is not in the thread yet — kept, checked and retried on its own (R now)",
                        e.summary()
                    )
                } else if retry {
                    format!("{} — kept, retried on its own (R now)", e.summary())
                } else {
                    e.summary()
                };
                let conversation = self.pending.get(pos).map(|p| p.conversation);
                if let Some(p) = self.pending.get_mut(pos) {
                    p.state = ReplyState::Failed {
                        reason: reason.clone(),
                        unknown,
                        retry,
                    };
                }
                let head = if unknown {
                    "Reply not confirmed"
                } else {
                    "Reply not sent"
                };
                self.notice = Some(Notice {
                    text: format!("{head}: {reason}"),
                    level: Level::Error,
                    reply: Some(local_id),
                });
                tracing::warn!("reply {local_id}: {reason}");
                // A reply the server surely refused does not hold back the ones after it.
                match conversation {
                    Some(c) if !unknown => self.start_next_send(c),
                    _ => vec![],
                }
            }
        }
    }

    fn scope(&self) -> Scope {
        match self.focus {
            Focus::List => Scope::List,
            Focus::Thread => Scope::Thread,
            Focus::Composer => Scope::Composer,
        }
    }

    fn on_key(&mut self, key: KeyEvent) -> Vec<Command> {
        if key.kind == KeyEventKind::Release {
            self.dirty = false;
            return vec![];
        }
        // Any key dismisses an informational notice; errors stay until the next key too.
        self.notice = None;
        match self.overlay.clone() {
            Overlay::Help(top) => {
                // Arrows and pages scroll a help taller than the screen; any other key closes.
                self.overlay = match key.code {
                    KeyCode::Down | KeyCode::Char('j') => Overlay::Help(top + 1),
                    KeyCode::Up | KeyCode::Char('k') => Overlay::Help(top.saturating_sub(1)),
                    KeyCode::PageDown | KeyCode::Char(' ') => Overlay::Help(top + 10),
                    KeyCode::PageUp => Overlay::Help(top.saturating_sub(10)),
                    _ => Overlay::None,
                };
                return vec![];
            }
            Overlay::Filter => return self.on_filter_key(key),
            Overlay::RoomPrompt(text) => return self.on_room_key(key, text),
            Overlay::Canned(i) => return self.on_canned_key(key, i),
            Overlay::SignIn { .. } => return self.on_sign_in_key(key),
            Overlay::Attach { .. } => return self.on_attach_key(key),
            Overlay::Confirm { then, .. } => {
                return match key.code {
                    KeyCode::Char('y') | KeyCode::Char('Y') => {
                        self.overlay = Overlay::None;
                        self.confirmed(then)
                    }
                    KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => {
                        self.overlay = Overlay::None;
                        self.notice(Level::Info, "Cancelled; nothing changed");
                        vec![]
                    }
                    KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                        self.overlay = Overlay::None;
                        self.quit_now()
                    }
                    // Enter or a stray key must not decide: the question stays.
                    _ => {
                        self.notice(Level::Info, "Answer y (yes) or n (no)");
                        vec![]
                    }
                };
            }
            Overlay::None => {}
        }
        let allowed = self.allowed();
        let action = self.keymap.lookup(self.scope(), &key, &allowed);
        drop(allowed);
        match action {
            Some(a) => self.on_action(a),
            None if self.focus == Focus::Composer => self.on_composer_key(key),
            None => {
                self.dirty = false;
                vec![]
            }
        }
    }

    /// A paste goes where typing would: the composer (CR and CRLF become new lines, as tmux
    /// and some terminals paste them), the filter, the room prompt or the attach prompt.
    fn on_paste(&mut self, text: &str) -> Vec<Command> {
        let lines = text.replace("\r\n", "\n").replace('\r', "\n");
        let one_line = || lines.trim().replace('\n', " ");
        match &mut self.overlay {
            Overlay::None if self.focus == Focus::Composer => {
                self.composer.insert(&lines);
                return self.stash_draft();
            }
            Overlay::Filter => {
                self.filter.push_str(&one_line());
                self.after_filter_change();
            }
            Overlay::RoomPrompt(t) => {
                t.extend(
                    lines
                        .chars()
                        .filter(char::is_ascii_digit)
                        .take(6 - t.len().min(6)),
                );
            }
            Overlay::Attach { input, .. } => input.push_str(&one_line()),
            _ => self.dirty = false,
        }
        vec![]
    }

    fn on_composer_key(&mut self, key: KeyEvent) -> Vec<Command> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('w') if ctrl => self.composer.delete_word(),
            // Readline: to the start of the line, not the whole reply.
            KeyCode::Char('u') if ctrl => self.composer.delete_to_line_start(),
            KeyCode::Char(c) if !ctrl => self.composer.insert(c.encode_utf8(&mut [0; 4])),
            KeyCode::Backspace => self.composer.backspace(),
            KeyCode::Delete => self.composer.delete(),
            KeyCode::Left => self.composer.left(),
            KeyCode::Right => self.composer.right(),
            KeyCode::Home => self.composer.cursor = 0,
            KeyCode::End => self.composer.cursor = self.composer.text.len(),
            _ => return vec![],
        }
        self.stash_draft()
    }

    fn on_filter_key(&mut self, key: KeyEvent) -> Vec<Command> {
        match key.code {
            KeyCode::Esc => {
                self.filter.clear();
                self.overlay = Overlay::None;
            }
            KeyCode::Enter => {
                self.overlay = Overlay::None;
                if let Some(id) = self.selected.filter(|s| self.visible_order().contains(s)) {
                    return self.open_conversation(id, Focus::Composer);
                }
            }
            KeyCode::Backspace => {
                self.filter.pop();
            }
            KeyCode::Down => self.select_relative(1),
            KeyCode::Up => self.select_relative(-1),
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.filter.push(c);
            }
            KeyCode::Char('c') => return self.on_action(Action::Quit),
            _ => {}
        }
        self.after_filter_change();
        vec![]
    }

    /// Keeps the highlight on a match as the filter narrows.
    fn after_filter_change(&mut self) {
        let order = self.visible_order();
        if self.selected.is_none_or(|s| !order.contains(&s)) {
            self.selected = order.first().copied();
        }
        self.list_offset = 0;
        self.ensure_list_visible();
    }

    fn on_room_key(&mut self, key: KeyEvent, mut text: String) -> Vec<Command> {
        match key.code {
            KeyCode::Esc => {
                self.overlay = Overlay::None;
                return vec![];
            }
            KeyCode::Enter => {
                self.overlay = Overlay::None;
                return match text.trim().parse::<u32>() {
                    // The list's conversation for the room's current stay, when it has one:
                    // from-room fails for a room with two stays and sends its whole history
                    // (contract 4.9, 4.11).
                    Ok(room) => match self.current_conversation_of_room(i64::from(room)) {
                        Some(id) => self.open_conversation(id, Focus::Composer),
                        None => vec![Command::FromRoom(room)],
                    },
                    Err(_) => {
                        self.notice(
                            Level::Error,
                            format!("{:?} is not a room number", text.trim()),
                        );
                        vec![]
                    }
                };
            }
            KeyCode::Backspace => {
                text.pop();
            }
            KeyCode::Char(c) if c.is_ascii_digit() && text.len() < 6 => text.push(c),
            _ => {}
        }
        self.overlay = Overlay::RoomPrompt(text);
        vec![]
    }

    /// The message selected in the open thread.
    pub fn selected_message(&self) -> Option<&Message> {
        let t = self.threads.get(&self.open?)?;
        t.messages.get(&t.selected?)
    }

    fn is_mine(&self, m: &Message) -> bool {
        m.sender_type == SenderType::Staff && m.staff == Some(self.me.staff_id)
    }

    fn start_edit(&mut self) -> Vec<Command> {
        let Some(m) = self.selected_message().cloned() else {
            self.notice(Level::Info, "Select one of your messages first (j/k)");
            return vec![];
        };
        if !self.is_mine(&m) || m.is_deleted {
            self.notice(Level::Info, "Only your own messages can be edited");
            return vec![];
        }
        let mut cmds = self.stash_draft();
        let draft = self.composer.take();
        self.composer.text = m.message.clone();
        self.composer.cursor = self.composer.text.len();
        self.composer.editing = Some((m.id, draft));
        self.focus = Focus::Composer;
        cmds.push(self.save_drafts());
        cmds
    }

    fn ask_delete(&mut self, hard: bool) -> Vec<Command> {
        let Some(m) = self.selected_message().cloned() else {
            self.notice(Level::Info, "Select a message first (j/k)");
            return vec![];
        };
        let moderator = self.me.can("chat.message.moderate");
        if !self.is_mine(&m) && !moderator {
            self.notice(
                Level::Info,
                "Only your own messages can be deleted (moderators may delete any)",
            );
            return vec![];
        }
        if m.is_deleted && !hard {
            self.notice(Level::Info, "Already deleted");
            return vec![];
        }
        let question = if hard {
            "Delete this message for good? It cannot be recovered. y/n"
        } else {
            "Delete this message? The guest sees it as deleted. y/n"
        };
        self.overlay = Overlay::Confirm {
            question: question.into(),
            then: Confirmed::Delete {
                message: m.id,
                hard,
            },
        };
        vec![]
    }

    fn ask_delete_attachment(&mut self) -> Vec<Command> {
        let Some(m) = self.selected_message().cloned() else {
            self.notice(
                Level::Info,
                "Select a message with an attachment first (j/k)",
            );
            return vec![];
        };
        let Some(a) = m.attachments.first() else {
            self.notice(Level::Info, "The selected message has no attachment");
            return vec![];
        };
        if !self.is_mine(&m) && !self.me.can("chat.message.moderate") {
            self.notice(Level::Info, "Only your own attachments can be deleted");
            return vec![];
        }
        self.overlay = Overlay::Confirm {
            question: format!(
                "Delete the attachment {}? y/n",
                crate::text::one_line(&a.file_name)
            ),
            then: Confirmed::DeleteAttachment {
                message: m.id,
                attachment: a.id,
            },
        };
        vec![]
    }

    fn confirmed(&mut self, then: Confirmed) -> Vec<Command> {
        if then == Confirmed::Quit {
            return self.quit_now();
        }
        let Some(conversation) = self.open else {
            return vec![];
        };
        match then {
            Confirmed::Edit { message, text } => vec![Command::EditMessage {
                conversation,
                message,
                text,
            }],
            Confirmed::Delete { message, hard } => vec![Command::DeleteMessage {
                conversation,
                message,
                hard,
            }],
            Confirmed::DeleteAttachment {
                message,
                attachment,
            } => {
                vec![Command::DeleteAttachment {
                    conversation,
                    message,
                    attachment,
                }]
            }
            Confirmed::SendToEarlierStay => self.send_now(),
            Confirmed::Quit => self.quit_now(),
        }
    }

    fn on_attach_key(&mut self, key: KeyEvent) -> Vec<Command> {
        let Overlay::Attach { input, files, hint } = &mut self.overlay else {
            return vec![];
        };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => self.overlay = Overlay::None,
            KeyCode::Tab => return vec![Command::CompletePath(input.clone())],
            KeyCode::Enter if !input.trim().is_empty() => {
                files.push(input.trim().to_string());
                input.clear();
                *hint = None;
            }
            KeyCode::Enter if !files.is_empty() => {
                let files = std::mem::take(files);
                let Some(conversation) = self.open else {
                    self.overlay = Overlay::None;
                    return vec![];
                };
                self.overlay = Overlay::None;
                self.uploading = Some(Uploading { sent: 0, total: 0 });
                return vec![Command::Upload {
                    conversation,
                    files,
                    text: self.composer.text.clone(),
                    reply_to: self.composer.reply_to,
                    after_id: self.threads.get(&conversation).and_then(|t| t.newest_id()),
                }];
            }
            KeyCode::Backspace if input.is_empty() => {
                files.pop();
            }
            KeyCode::Backspace => {
                input.pop();
            }
            KeyCode::Char('c') if ctrl => return self.on_action(Action::Quit),
            KeyCode::Char(c) if !ctrl => input.push(c),
            _ => {}
        }
        vec![]
    }

    fn on_sign_in_key(&mut self, key: KeyEvent) -> Vec<Command> {
        let Overlay::SignIn {
            password,
            error,
            busy,
        } = &mut self.overlay
        else {
            return vec![];
        };
        if *busy {
            return vec![];
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('c') if ctrl => return self.on_action(Action::Quit),
            KeyCode::Esc => {
                self.overlay = Overlay::None;
                self.notice(Level::Error, "Not signed in: nothing reaches the server until you sign in (q quits; drafts are kept)");
            }
            KeyCode::Enter if !password.is_empty() => {
                *busy = true;
                *error = None;
                return vec![Command::SignIn {
                    password: std::mem::take(password),
                }];
            }
            KeyCode::Backspace => {
                password.pop();
            }
            KeyCode::Char(c) if !ctrl => password.push(c),
            _ => {}
        }
        vec![]
    }

    fn on_canned_key(&mut self, key: KeyEvent, i: usize) -> Vec<Command> {
        let n = self.canned.len();
        match key.code {
            KeyCode::Esc => self.overlay = Overlay::None,
            KeyCode::Down | KeyCode::Char('j') => {
                self.overlay = Overlay::Canned((i + 1).min(n.saturating_sub(1)))
            }
            KeyCode::Up | KeyCode::Char('k') => self.overlay = Overlay::Canned(i.saturating_sub(1)),
            KeyCode::Enter => {
                self.overlay = Overlay::None;
                if let Some(text) = self.canned.get(i).cloned() {
                    self.composer.insert(&text);
                    self.focus = Focus::Composer;
                    return self.stash_draft();
                }
            }
            _ => {}
        }
        vec![]
    }

    fn on_action(&mut self, action: Action) -> Vec<Command> {
        match action {
            Action::Quit if !self.pending.is_empty() => {
                let n = self.pending.len();
                self.overlay = Overlay::Confirm {
                    question: format!(
                        "{n} {} not confirmed yet. {} in the outbox and {} checked and sent when frontdesk next starts. Quit now? y/n",
                        if n == 1 { "reply is" } else { "replies are" },
                        if n == 1 { "It stays" } else { "They stay" },
                        if n == 1 { "is" } else { "are" },
                    ),
                    then: Confirmed::Quit,
                };
            }
            Action::Quit => return self.quit_now(),
            Action::Help => self.overlay = Overlay::Help(0),
            Action::Suspend => {
                let mut c = self.stash_draft();
                c.push(Command::Suspend);
                return c;
            }
            Action::NextPane | Action::PrevPane => {
                let forward = action == Action::NextPane;
                self.focus = match (self.focus, self.open.is_some(), forward) {
                    (_, false, _) => Focus::List,
                    (Focus::List, true, true) => Focus::Thread,
                    (Focus::Thread, true, true) => Focus::Composer,
                    (Focus::Composer, true, true) => Focus::List,
                    (Focus::List, true, false) => Focus::Composer,
                    (Focus::Thread, true, false) => Focus::List,
                    (Focus::Composer, true, false) => Focus::Thread,
                };
            }
            Action::Down if self.focus == Focus::List => self.select_relative(1),
            Action::Up if self.focus == Focus::List => self.select_relative(-1),
            Action::Top if self.focus == Focus::List => self.select_relative(isize::MIN / 2),
            Action::Bottom if self.focus == Focus::List => self.select_relative(isize::MAX / 2),
            Action::HalfPageDown | Action::HalfPageUp if self.focus == Focus::List => {
                let half = (layout::list_capacity(self) / 2).max(1) as isize;
                let down = action == Action::HalfPageDown;
                self.select_relative(if down { half } else { -half });
            }
            Action::HalfPageDown | Action::HalfPageUp => {
                let down = action == Action::HalfPageDown;
                self.with_thread(|t, h, hs| {
                    let rows = (h / 2).max(1);
                    if down {
                        t.scroll_down(rows, h, hs)
                    } else {
                        t.scroll_up(rows, h, hs)
                    }
                });
            }
            Action::Leave if self.focus == Focus::List => {
                if self.filter.is_empty() {
                    self.dirty = false;
                } else {
                    self.filter.clear();
                    self.after_filter_change();
                }
            }
            Action::Down => {
                self.with_thread(|t, h, hs| t.move_selection(1, h, hs));
            }
            Action::Up => {
                self.with_thread(|t, h, hs| t.move_selection(-1, h, hs));
            }
            Action::Open => {
                if let Some(id) = self.selected {
                    return self.open_conversation(id, Focus::Composer);
                }
            }
            Action::NextUnread => return self.next_unread(),
            Action::Filter => {
                // A new filter each time; Esc in the list clears the last one.
                self.filter.clear();
                self.after_filter_change();
                self.overlay = Overlay::Filter;
            }
            Action::OpenRoom => self.overlay = Overlay::RoomPrompt(String::new()),
            Action::PageUp => {
                self.with_thread(|t, h, hs| t.scroll_up(h.saturating_sub(2).max(1), h, hs));
            }
            Action::PageDown => {
                self.with_thread(|t, h, hs| t.scroll_down(h.saturating_sub(2).max(1), h, hs));
            }
            Action::Top => {
                self.with_thread(|t, _, _| t.scroll_to_top());
            }
            Action::Bottom => {
                self.with_thread(|t, _, _| {
                    t.follow();
                    t.selected = t.newest_id();
                });
            }
            Action::Write => {
                if self.open.is_some() {
                    self.focus = Focus::Composer;
                }
            }
            Action::QuoteReply => {
                let selected = self
                    .open
                    .and_then(|o| self.threads.get(&o))
                    .and_then(|t| t.selected.or(t.newest_id()));
                if let Some(id) = selected {
                    self.composer.reply_to = Some(id);
                    self.focus = Focus::Composer;
                    return self.stash_draft();
                }
            }
            Action::ClearQuote => {
                self.composer.reply_to = None;
                return self.stash_draft();
            }
            Action::Send if self.composer.editing.is_some() => {
                if let Some((id, _)) = self.composer.editing {
                    let text = self.composer.text.trim().to_string();
                    if text.is_empty() {
                        self.notice(Level::Info, "An edit cannot be empty; d deletes instead");
                    } else {
                        self.overlay = Overlay::Confirm {
                            question: "Save this edit? The guest sees it marked (edited). y/n"
                                .into(),
                            then: Confirmed::Edit { message: id, text },
                        };
                    }
                }
            }
            Action::Send => return self.send(),
            Action::Newline => {
                self.composer.insert("\n");
                return self.stash_draft();
            }
            Action::Leave if self.composer.editing.is_some() => {
                if let Some((_, draft)) = self.composer.editing.take() {
                    self.composer.set(draft);
                }
                self.focus = Focus::Thread;
                self.notice(Level::Info, "Edit cancelled; your draft is back");
            }
            Action::Leave => {
                self.focus = match self.focus {
                    Focus::Composer => Focus::Thread,
                    _ => Focus::List,
                };
            }
            Action::Editor => {
                if self.open.is_some() {
                    return vec![Command::OpenEditor(self.composer.text.clone())];
                }
            }
            Action::Canned => {
                if self.canned.is_empty() {
                    self.notice(
                        Level::Info,
                        "No canned replies configured (config: canned_replies)",
                    );
                } else if self.open.is_some() {
                    self.overlay = Overlay::Canned(0);
                }
            }
            Action::Claim => {
                let target = if self.focus == Focus::List {
                    self.selected
                } else {
                    self.open
                };
                if let Some(id) = target {
                    return vec![Command::Claim(id)];
                }
            }
            Action::Retry => return self.retry(),
            Action::Attach => {
                if self.open.is_none() {
                    return vec![];
                }
                if self.uploading.is_some() {
                    self.notice(Level::Info, "An upload is still on its way");
                } else {
                    self.overlay = Overlay::Attach {
                        input: String::new(),
                        files: Vec::new(),
                        hint: None,
                    };
                }
            }
            Action::Edit => return self.start_edit(),
            Action::Delete | Action::HardDelete => {
                return self.ask_delete(action == Action::HardDelete);
            }
            Action::DeleteAttachment => return self.ask_delete_attachment(),
            Action::Copy => {
                if let Some(m) = self.selected_message() {
                    let (what, text) = match m.attachments.first() {
                        Some(a) => ("link", a.file_url.clone()),
                        None => ("message", m.message.clone()),
                    };
                    self.notice(
                        Level::Info,
                        format!("Copied the {what} to the clipboard (OSC 52)"),
                    );
                    return vec![Command::Copy(text)];
                }
                self.notice(Level::Info, "Nothing to copy: select a message first (j/k)");
            }
        }
        vec![]
    }

    fn quit_now(&mut self) -> Vec<Command> {
        self.quit = true;
        let mut c = self.stash_draft();
        c.push(self.save_drafts());
        c.push(Command::Quit);
        c
    }

    fn on_mouse(&mut self, m: MouseEvent) -> Vec<Command> {
        let areas = layout::areas(self);
        let inside = |r: Option<ratatui::layout::Rect>| {
            r.is_some_and(|r| {
                m.column >= r.x
                    && m.column < r.x + r.width
                    && m.row >= r.y
                    && m.row < r.y + r.height
            })
        };
        match m.kind {
            MouseEventKind::ScrollUp if inside(areas.thread) => {
                self.with_thread(|t, h, hs| t.scroll_up(3, h, hs));
            }
            MouseEventKind::ScrollDown if inside(areas.thread) => {
                self.with_thread(|t, h, hs| t.scroll_down(3, h, hs));
            }
            MouseEventKind::ScrollUp if inside(areas.list) => self.select_relative(-1),
            MouseEventKind::ScrollDown if inside(areas.list) => self.select_relative(1),
            MouseEventKind::Down(_) if inside(areas.list) => {
                if let Some(list) = areas.list {
                    let row = (m.row.saturating_sub(list.y + 1) / layout::LIST_ROW_HEIGHT) as usize;
                    if let Some(id) = self.visible_order().get(self.list_offset + row).copied() {
                        return self.open_conversation(id, Focus::Composer);
                    }
                }
            }
            MouseEventKind::Down(_) if inside(areas.composer) => {
                if self.open.is_some() {
                    self.focus = Focus::Composer;
                }
            }
            MouseEventKind::Down(_) if inside(areas.thread) => self.focus = Focus::Thread,
            _ => self.dirty = false,
        }
        vec![]
    }
}
