//! What comes in (`Event`) and what goes out (`Command`).

use super::*;

/// Staff conversations, each with its newest messages.
pub type ThreadsRead = Vec<(
    crate::api::staff_models::TeamThread,
    Vec<crate::api::staff_models::TeamMessage>,
)>;

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
        room: RoomNumber,
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
    /// An upload failed, yet the server kept a message of it (contract 4.5): what the
    /// guest now sees, and the files (their paths) that did not go.
    UploadLeftMessage {
        conversation: ConversationId,
        message: Box<Message>,
        files: Vec<String>,
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
        attachment: AttachmentId,
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
    /// The colleagues watch's timer (`app::colleagues`), with the server's time now.
    Watch(DateTime<Utc>),
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
    /// The desk's history: the newest kept messages of the active conversations.
    KeptRecent(Vec<crate::history::KeptRecent>),
    /// Kept messages of one thread.
    KeptThread {
        conversation: ConversationId,
        messages: Vec<Message>,
    },
    /// Search results for `query`.
    Found {
        query: String,
        hits: Vec<crate::history::Hit>,
    },
    /// What the history holds, in words.
    KeptCovers(String),
    /// The backfill: conversations still to read back, of those active (None: finished).
    Backfill(Option<(usize, usize)>),
    /// The hotel's colleagues (staff chat's staff list).
    ColleaguesLoaded(Result<Vec<crate::api::staff_models::Colleague>, ApiError>),
    /// A hand-off was sent (its staff conversation and message), or not.
    HandedOff {
        guest_conversation: ConversationId,
        to: crate::model::HandOffTo,
        result: Result<
            (
                crate::api::staff_models::TeamThreadId,
                crate::api::staff_models::TeamMessage,
            ),
            ApiError,
        >,
    },
    /// The recent staff conversations with their newest messages (hand-offs made anywhere).
    HandOffsFound(Result<ThreadsRead, ApiError>),
    /// The Team view's list: my staff conversations and my unread in each.
    TeamThreadsLoaded(
        Result<
            (
                Vec<crate::api::staff_models::TeamThread>,
                crate::api::staff_models::TeamUnread,
            ),
            ApiError,
        >,
    ),
    /// My unread staff-chat messages (the header's team count).
    TeamUnreadLoaded(Result<crate::api::staff_models::TeamUnread, ApiError>),
    /// A reply in the Team view was sent (the server's copy), or not.
    TeamReplied {
        thread: crate::api::staff_models::TeamThreadId,
        result: Result<crate::api::staff_models::TeamMessage, ApiError>,
    },
    /// A staff-chat message pushed by the realtime feed.
    TeamMessage(Box<crate::api::staff_models::TeamMessage>),
    /// Older messages of a guest's long wait (`Job::ReadBack`).
    ReadBack {
        conversation: ConversationId,
        limit: u32,
        result: Result<Vec<Message>, ApiError>,
    },
    /// The front desk's log conversations with their newest lines.
    DeskLogRead(Result<ThreadsRead, ApiError>),
    /// A line written to the log (its conversation and message), or not.
    DeskLogWritten {
        text: String,
        result: Result<
            (
                crate::api::staff_models::TeamThread,
                crate::api::staff_models::TeamMessage,
            ),
            ApiError,
        >,
    },
    /// The newest messages of a staff conversation with a hand-off waiting.
    TeamPageLoaded {
        thread: crate::api::staff_models::TeamThreadId,
        result: Result<crate::api::staff_models::TeamPage, ApiError>,
    },
}

/// What `update` asks for. The type says who runs it: a job (the network or a timer, run as an
/// async task by `inbox::execute`, reporting back with an `Event`) or an effect (the terminal or
/// the disk, run by the inbox loop itself).
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Job(Job),
    Effect(Effect),
}

/// Work for the job executor: reads and writes on the server, timers, the file system, the
/// realtime link.
#[derive(Debug, Clone, PartialEq)]
pub enum Job {
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
    /// Send `Event::Watch` after this many milliseconds.
    WatchIn(u64),
    /// Messages before `before`, to find where a long wait began.
    ReadBack {
        conversation: ConversationId,
        before: MessageId,
        limit: u32,
    },
    /// Staff chat: the front desk's log conversations (found by title, and those known) with
    /// their newest lines.
    ReadDeskLog {
        known: Vec<crate::api::staff_models::TeamThreadId>,
    },
    /// Staff chat: a line in the log; without a conversation yet, the department's members'.
    WriteDeskLog {
        thread: Option<crate::api::staff_models::TeamThreadId>,
        department: Option<String>,
        text: String,
    },
    /// Staff chat: the colleagues to hand a request to.
    LoadColleagues,
    /// Staff chat: the recent conversations, for hand-offs made at any desk.
    FindHandOffs,
    /// Staff chat: the conversation with these colleagues (get-or-create), then the text.
    HandOff {
        guest_conversation: ConversationId,
        to: crate::model::HandOffTo,
        text: String,
    },
    /// Staff chat: the newest messages of a conversation, to find an answer.
    ReadTeamThread {
        thread: crate::api::staff_models::TeamThreadId,
    },
    /// Staff chat: follow these conversations' channels.
    WatchTeam(Vec<crate::api::staff_models::TeamThreadId>),
    /// Team view: my staff conversations and my unread in each.
    LoadTeamThreads,
    /// Team view: a page of a staff conversation (the newest, or before a message).
    LoadTeamPage {
        thread: crate::api::staff_models::TeamThreadId,
        before: Option<crate::api::staff_models::TeamMessageId>,
    },
    /// Team view: a reply to colleagues.
    TeamReply {
        thread: crate::api::staff_models::TeamThreadId,
        text: String,
        reply_to: Option<crate::api::staff_models::TeamMessageId>,
    },
    /// Staff chat: mark a conversation read, then read the unread count again.
    MarkTeamRead(crate::api::staff_models::TeamThreadId),
    /// Staff chat: my unread count.
    LoadTeamUnread,
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
    FromRoom(RoomNumber),
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
        attachment: AttachmentId,
    },
}

/// Work the loop does itself: the terminal, the disk, the clipboard, quitting.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    SaveDrafts(Vec<(ConversationId, Draft)>),
    SaveOutbox(Vec<PendingReply>),
    /// Ctrl-Z: hand the terminal back to the shell until `fg`.
    Suspend,
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
    /// What is typed in the Team view, to keep on disk.
    SaveTeamDrafts(crate::store::TeamDrafts),
    /// Read a thread's kept messages: from `from` on, or the newest `limit`.
    ReadKept {
        conversation: ConversationId,
        from: Option<MessageId>,
        limit: usize,
    },
    /// Search the kept messages.
    Search(String),
    /// Say what the history holds (for the search popup).
    CountKept,
    Quit,
}

impl From<Job> for Command {
    fn from(j: Job) -> Command {
        Command::Job(j)
    }
}

impl From<Effect> for Command {
    fn from(e: Effect) -> Command {
        Command::Effect(e)
    }
}

impl From<crate::live::LiveEvent> for Event {
    fn from(e: crate::live::LiveEvent) -> Event {
        use crate::live::{LinkState, LiveEvent};
        match e {
            LiveEvent::GuestWrote {
                conversation,
                message_id,
                preview,
                at,
                booking,
            } => Event::GuestWrote {
                conversation,
                message_id,
                preview,
                at,
                booking,
            },
            LiveEvent::Message(m) => Event::LiveMessage(m),
            LiveEvent::Changed { conversation } => Event::Changed { conversation },
            LiveEvent::ReadByStaff { conversation } => Event::LiveRead { conversation },
            LiveEvent::Resync => Event::Resync,
            LiveEvent::TeamMessage(m) => Event::TeamMessage(m),
            LiveEvent::TeamUnreadChanged => Event::Poll(PollKind::TeamUnread),
            LiveEvent::Link(state) => Event::Connection(match state {
                LinkState::Connecting => Connection::Connecting,
                LinkState::Live => Connection::Live,
                LinkState::Partial => Connection::LivePartial,
                LinkState::Reconnecting { at, attempt } => Connection::Reconnecting { at, attempt },
                LinkState::Stopped(why) => Connection::Stopped(why),
            }),
        }
    }
}
