//! What the desk has seen, kept on disk: conversations and messages as the client saw them,
//! for an instant start, reading while the server is down, search across every conversation,
//! and a retention promise (guest text is personal data).
//!
//! [`History`] is the storage trait: [`SqliteHistory`] keeps it in one SQLite file (FTS5 for
//! search) and [`MemoryHistory`] is the double the app's tests use. [`Keeper`] owns one on a
//! thread of its own, so the inbox loop never waits on the disk.

mod keeper;
mod memory;
mod sqlite;

pub use keeper::{Keep, Keeper};
pub use memory::MemoryHistory;
pub use sqlite::{FILE_NAME, SCHEMA_VERSION, SqliteHistory};

use chrono::{DateTime, Utc};

use crate::api::{Conversation, ConversationId, Message, MessageId, RoomNumber, SenderType};

/// Why the store could not do something, in words for the screen and the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryError(pub String);

impl std::fmt::Display for HistoryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<rusqlite::Error> for HistoryError {
    fn from(e: rusqlite::Error) -> Self {
        HistoryError(format!("the history store failed: {e}"))
    }
}

pub type Result<T> = std::result::Result<T, HistoryError>;

/// The list as it was last read from the server.
#[derive(Debug, Clone, Default)]
pub struct KeptList {
    pub conversations: Vec<Conversation>,
    /// When the server last answered the list: what "as of" says.
    pub as_of: Option<DateTime<Utc>>,
}

/// One conversation's newest kept messages, oldest first, and whether they reach its start.
#[derive(Debug, Clone, PartialEq)]
pub struct KeptRecent {
    pub conversation: ConversationId,
    pub messages: Vec<Message>,
    pub from_start: bool,
}

/// A message that matched a search, with what the results list shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub conversation: ConversationId,
    pub message: MessageId,
    pub room: Option<RoomNumber>,
    pub guest: Option<String>,
    pub at: DateTime<Utc>,
    pub sender: SenderType,
    pub author: String,
    pub text: String,
    pub files: Vec<String>,
}

/// How much a purge or a forget removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Removed {
    pub conversations: usize,
    pub messages: usize,
}

/// What the store holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub conversations: usize,
    pub messages: usize,
    /// Conversations whose history is kept back to their first message.
    pub complete: usize,
}

/// The next conversation whose older history the backfill should read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gap {
    pub conversation: ConversationId,
    /// Read the page before this message (None: nothing kept yet, read the newest).
    pub before: Option<MessageId>,
}

/// Where the desk's history is kept. Every method is one transaction: a crash leaves the
/// store as it was before or after it.
pub trait History: Send {
    /// The list as last read, without conversations older than `since` (retention).
    fn list(&self, since: DateTime<Utc>) -> Result<KeptList>;
    /// The newest `per_conversation` messages of every conversation active since `since`.
    fn recent(&self, since: DateTime<Utc>, per_conversation: usize) -> Result<Vec<KeptRecent>>;
    /// One conversation's messages from `from` (inclusive; None: the newest `limit`), oldest
    /// first, at most `limit`.
    fn thread(
        &self,
        conversation: ConversationId,
        from: Option<MessageId>,
        limit: usize,
    ) -> Result<Vec<Message>>;
    /// The list as the server answered it at `at`: rows are replaced by id.
    fn keep_list(&mut self, list: &[Conversation], at: DateTime<Utc>) -> Result<()>;
    /// Messages of one conversation, replaced by id. `reached_start`: the batch begins with
    /// the conversation's first message.
    fn keep_messages(
        &mut self,
        conversation: ConversationId,
        messages: &[Message],
        reached_start: bool,
    ) -> Result<()>;
    /// A message deleted for good on the server.
    fn remove_message(&mut self, id: MessageId) -> Result<()>;
    /// Messages matching every word of `query` (prefixes; accents and case ignored), in
    /// text, names, room numbers and file names, newest first.
    fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>>;
    /// Removes messages written before `cutoff`, and conversations with no activity since.
    fn purge_before(&mut self, cutoff: DateTime<Utc>) -> Result<Removed>;
    fn forget_room(&mut self, room: RoomNumber) -> Result<Removed>;
    fn forget_all(&mut self) -> Result<Removed>;
    /// The most recently active conversation since `since` whose history is not kept back
    /// to its start, and how many such conversations there are of how many active.
    fn next_gap(&self, since: DateTime<Utc>) -> Result<(Option<Gap>, usize, usize)>;
    fn counts(&self) -> Result<Counts>;
}

/// What a search matches a message by: its words, its author's and guest's names, the room,
/// and the names of its files. One place, so both stores index alike.
pub(crate) struct Indexed {
    pub body: String,
    pub who: String,
    pub room: String,
    pub files: String,
}

impl Indexed {
    pub(crate) fn of(m: &Message, conversation: Option<&Conversation>) -> Indexed {
        let mut who = m.author();
        for name in [
            m.guest_name.as_deref(),
            conversation.and_then(|c| c.guest_name.as_deref()),
        ]
        .into_iter()
        .flatten()
        {
            who.push(' ');
            who.push_str(name);
        }
        let room = m
            .room_number
            .or(conversation.map(|c| c.room_number))
            .map(|r| r.to_string())
            .unwrap_or_default();
        let files = m
            .attachments
            .iter()
            .map(|a| a.file_name.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        Indexed {
            body: m.message.clone(),
            who,
            room,
            files,
        }
    }
}

/// The words of a query, each matched as a prefix: "airp tax" finds "airport taxi".
pub fn query_words(query: &str) -> Vec<String> {
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(crate::text::fold)
        .take(8)
        .collect()
}

/// `earlier`: the room has a newer conversation kept, so this one is an earlier stay. The
/// server names an earlier stay and its guest messages after the room's current guest
/// (contract 4.9): a hit is labelled as the thread labels it, never with that name.
pub fn hit_of(
    m: &Message,
    conversation: ConversationId,
    kept: Option<&Conversation>,
    earlier: bool,
) -> Hit {
    let other_booking = matches!(
        (m.booking, kept.and_then(|c| c.guest_id)),
        (Some(b), Some(g)) if b != g
    );
    let booking = m.booking_id.as_deref().map(crate::text::one_line);
    let guest = if earlier {
        Some(match &booking {
            Some(b) => format!("earlier stay, {b}"),
            None => "earlier stay".into(),
        })
    } else {
        kept.and_then(|c| c.guest_name.clone())
            .or(m.guest_name.as_deref().map(str::to_string))
    };
    let author = if m.sender_type == SenderType::Guest && (earlier || other_booking) {
        match &booking {
            Some(b) => format!("Guest of an earlier stay ({b})"),
            None => "Guest of an earlier stay".into(),
        }
    } else {
        m.author()
    };
    Hit {
        conversation,
        message: m.id,
        room: m.room_number.or(kept.map(|c| c.room_number)),
        guest,
        at: m.timestamp,
        sender: m.sender_type,
        author,
        text: m.message.clone(),
        files: m.attachments.iter().map(|a| a.file_name.clone()).collect(),
    }
}

/// Removes a desk directory's history file and its journal files, if there.
pub fn remove_file(desk_dir: &std::path::Path) {
    let path = path_in(desk_dir);
    for side in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.clone().into_os_string();
        p.push(side);
        let _ = std::fs::remove_file(std::path::PathBuf::from(p));
    }
}

/// Where the history of a desk directory is kept.
pub fn path_in(desk_dir: &std::path::Path) -> std::path::PathBuf {
    desk_dir.join(FILE_NAME)
}

#[cfg(test)]
pub(crate) mod tests;
