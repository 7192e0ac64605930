//! The history in one SQLite file (bundled SQLite, no system library), with FTS5 for search.
//! Rows keep the message as the client decoded it (JSON), beside the columns it is found by.
//! The file is owner-only in an owner-only directory; one that is not ours, or cannot be
//! read, is moved aside and said, never a crash.

use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use super::{
    Counts, Gap, History, HistoryError, Hit, Indexed, KeptList, KeptRecent, Removed, Result,
    hit_of, query_words,
};
use crate::api::{Conversation, ConversationId, Message, MessageId, RoomNumber};

pub const FILE_NAME: &str = "history.sqlite3";

/// Marks the file as frontdesk's ("FDH1"), so another program's database is never taken
/// for ours.
const APPLICATION_ID: i32 = 0x4644_4831;

/// Each step takes a file from the version before it to its own; `user_version` says how
/// far a file has come. Steps are never edited once shipped: a change is a new step.
const MIGRATIONS: &[&str] = &[
    // 1: conversations and messages.
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE conversations (
         id INTEGER PRIMARY KEY,
         room_number INTEGER NOT NULL,
         last_activity INTEGER,
         json TEXT NOT NULL
     );
     CREATE INDEX conversations_by_room ON conversations (room_number);
     CREATE TABLE messages (
         id INTEGER PRIMARY KEY,
         conversation_id INTEGER NOT NULL,
         at INTEGER NOT NULL,
         json TEXT NOT NULL
     );
     CREATE INDEX messages_by_conversation ON messages (conversation_id, id);
     CREATE INDEX messages_by_time ON messages (at);",
    // 2: search, and knowing which threads are kept back to their first message. The
    // messages kept by version 1 are indexed by `index_all` after this step.
    "CREATE VIRTUAL TABLE message_words USING fts5 (
         body, who, room, files,
         tokenize = 'unicode61 remove_diacritics 2'
     );
     ALTER TABLE conversations ADD COLUMN from_start INTEGER NOT NULL DEFAULT 0;",
];

pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

/// How an error says the file is not a history this version can read.
const NOT_OURS: &str = "not a frontdesk history: ";

pub struct SqliteHistory {
    db: Connection,
    path: PathBuf,
}

fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn from_millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// Decodes a kept row; a row this version cannot read is skipped (and logged), not fatal.
fn decode<T: serde::de::DeserializeOwned>(json: &str) -> Option<T> {
    match serde_json::from_str(json) {
        Ok(v) => Some(v),
        Err(e) => {
            tracing::warn!("a kept row could not be read ({e}); skipped");
            None
        }
    }
}

impl SqliteHistory {
    /// Opens (or makes) the store at `path`. A file that is not a frontdesk history, is
    /// damaged, or comes from a newer version is moved aside: the second value says so.
    pub fn open(path: &Path) -> Result<(SqliteHistory, Option<String>)> {
        match Self::open_checked(path) {
            Ok(h) => Ok((h, None)),
            // Only a file found not to be ours is moved; a full disk or a lock is not the
            // file's fault, and moving it would lose a good history.
            Err(why) if path.exists() && why.0.starts_with(NOT_OURS) => {
                let said = crate::store::move_aside(path, &why.0);
                for side in ["-wal", "-shm", "-journal"] {
                    let mut p = path.as_os_str().to_owned();
                    p.push(side);
                    let _ = std::fs::remove_file(PathBuf::from(p));
                }
                let h = Self::open_checked(path)?;
                Ok((h, Some(said)))
            }
            Err(e) => Err(e),
        }
    }

    /// Opens an existing store to read, for the command line (nothing is made or moved).
    pub fn open_existing(path: &Path) -> Result<Option<SqliteHistory>> {
        if !path.exists() {
            return Ok(None);
        }
        Self::open_checked(path).map(Some)
    }

    fn open_checked(path: &Path) -> Result<SqliteHistory> {
        let dir = path.parent().unwrap_or(Path::new("."));
        crate::store::private_dir(dir)
            .map_err(|e| HistoryError(format!("{} cannot be made: {e}", dir.display())))?;
        owner_only_file(path)?;
        let db = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // Another frontdesk (a `search` or `forget` from the shell) may hold it a moment.
        db.busy_timeout(std::time::Duration::from_secs(5))?;
        let mut h = SqliteHistory {
            db,
            path: path.to_path_buf(),
        };
        h.check_ours()?;
        // WAL: readers never wait on the writer; NORMAL sync is safe with WAL (a power cut
        // can lose the last moments of a cache, never corrupt it).
        h.db.pragma_update(None, "journal_mode", "WAL")?;
        h.db.pragma_update(None, "synchronous", "NORMAL")?;
        h.migrate(SCHEMA_VERSION)?;
        Ok(h)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Refuses a file that is not a database, another program's database, or one made by a
    /// newer frontdesk.
    fn check_ours(&self) -> Result<()> {
        let not_ours = |why: &str| HistoryError(format!("{NOT_OURS}{why}"));
        let app: i32 = self
            .db
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .map_err(|e| not_ours(&format!("not a database: {e}")))?;
        let tables: i64 = self
            .db
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .map_err(|e| not_ours(&format!("not a database: {e}")))?;
        if tables == 0 && app == 0 {
            // New and empty: ours from now on.
            self.db
                .pragma_update(None, "application_id", APPLICATION_ID)?;
            return Ok(());
        }
        if app != APPLICATION_ID {
            return Err(not_ours("another program's database"));
        }
        let version: usize = self
            .db
            .pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))?
            .try_into()
            .unwrap_or(usize::MAX);
        if version > SCHEMA_VERSION {
            return Err(not_ours(&format!(
                "made by a newer frontdesk (schema {version}, this one knows {SCHEMA_VERSION})"
            )));
        }
        // No integrity scan here: it reads the whole file, which at 50,000 messages is most
        // of the start's budget. Damage found later by a query is said and logged.
        Ok(())
    }

    /// Runs the steps from the file's version up to `target`, each in its own transaction.
    pub fn migrate(&mut self, target: usize) -> Result<()> {
        let version: usize = self
            .db
            .pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))?
            .try_into()
            .unwrap_or(0);
        for (step, sql) in MIGRATIONS.iter().enumerate().take(target).skip(version) {
            let tx = self.db.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (step + 1) as i64)?;
            if step + 1 == 2 {
                index_all(&tx)?;
            }
            tx.commit()?;
            tracing::info!(
                "history store {} now at schema {}",
                self.path.display(),
                step + 1
            );
        }
        Ok(())
    }

    /// Opens a file at an older schema, for the migration tests.
    #[doc(hidden)]
    pub fn create_at_version(path: &Path, version: usize) -> Result<SqliteHistory> {
        owner_only_file(path)?;
        let db = Connection::open(path)?;
        db.pragma_update(None, "application_id", APPLICATION_ID)?;
        let mut h = SqliteHistory {
            db,
            path: path.to_path_buf(),
        };
        h.migrate(version)?;
        Ok(h)
    }

    /// Raw SQL, for the migration tests (writing rows as an older version did).
    #[doc(hidden)]
    pub fn execute_raw(&self, sql: &str) -> Result<()> {
        self.db.execute_batch(sql)?;
        Ok(())
    }

    fn conversation(&self, id: ConversationId) -> Result<Option<Conversation>> {
        let json: Option<String> = self
            .db
            .query_row(
                "SELECT json FROM conversations WHERE id = ?1",
                [id.0],
                |r| r.get(0),
            )
            .optional()?;
        Ok(json.and_then(|j| decode(&j)))
    }
}

/// Makes the file owner-only before SQLite opens it: SQLite gives its -wal and -shm files
/// the mode of the database file.
fn owner_only_file(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let made = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| HistoryError(format!("{} cannot be opened: {e}", path.display())))?;
        let mode = made.metadata().map(|m| m.permissions().mode()).unwrap_or(0);
        if mode & 0o077 != 0 {
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Indexes every kept message (after the step that made search).
fn index_all(tx: &rusqlite::Transaction) -> Result<()> {
    let mut rows = tx.prepare(
        "SELECT m.json, c.json FROM messages m LEFT JOIN conversations c ON c.id = m.conversation_id",
    )?;
    let kept: Vec<(String, Option<String>)> = rows
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (m, c) in kept {
        let Some(m) = decode::<Message>(&m) else {
            continue;
        };
        let c = c.and_then(|c| decode::<Conversation>(&c));
        index(tx, &m, c.as_ref())?;
    }
    Ok(())
}

fn index(db: &Connection, m: &Message, c: Option<&Conversation>) -> Result<()> {
    let words = Indexed::of(m, c);
    let fold = crate::text::fold;
    db.execute("DELETE FROM message_words WHERE rowid = ?1", [m.id.0])?;
    db.execute(
        "INSERT INTO message_words (rowid, body, who, room, files) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            m.id.0,
            fold(&words.body),
            fold(&words.who),
            words.room,
            fold(&words.files)
        ],
    )?;
    Ok(())
}

fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| HistoryError(format!("a row could not be written: {e}")))
}

impl History for SqliteHistory {
    fn list(&self, since: DateTime<Utc>) -> Result<KeptList> {
        let mut q = self.db.prepare_cached(
            "SELECT json FROM conversations WHERE last_activity IS NULL OR last_activity >= ?1",
        )?;
        let conversations = q
            .query_map([millis(since)], |r| r.get::<_, String>(0))?
            .filter_map(|r| r.ok())
            .filter_map(|j| decode(&j))
            .collect();
        let as_of: Option<String> = self
            .db
            .query_row("SELECT value FROM meta WHERE key = 'list_as_of'", [], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(KeptList {
            conversations,
            as_of: as_of.and_then(|s| s.parse::<i64>().ok()).map(from_millis),
        })
    }

    fn recent(&self, since: DateTime<Utc>, per_conversation: usize) -> Result<Vec<KeptRecent>> {
        let mut convs = self.db.prepare_cached(
            "SELECT id, from_start FROM conversations WHERE last_activity >= ?1
             ORDER BY last_activity DESC",
        )?;
        let active: Vec<(i64, bool)> = convs
            .query_map([millis(since)], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut page = self.db.prepare_cached(
            "SELECT json FROM messages WHERE conversation_id = ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let mut out = Vec::with_capacity(active.len());
        for (id, from_start) in active {
            let mut messages: Vec<Message> = page
                .query_map(params![id, per_conversation as i64], |r| {
                    r.get::<_, String>(0)
                })?
                .filter_map(|r| r.ok())
                .filter_map(|j| decode(&j))
                .collect();
            if messages.is_empty() {
                continue;
            }
            // Fewer than asked for and kept from the start: these are all there is.
            let all = from_start && messages.len() < per_conversation;
            messages.reverse();
            out.push(KeptRecent {
                conversation: ConversationId(id),
                messages,
                from_start: all,
            });
        }
        Ok(out)
    }

    fn thread(
        &self,
        conversation: ConversationId,
        from: Option<MessageId>,
        limit: usize,
    ) -> Result<Vec<Message>> {
        let rows: Vec<String> = match from {
            Some(from) => {
                let mut q = self.db.prepare_cached(
                    "SELECT json FROM messages WHERE conversation_id = ?1 AND id >= ?2
                     ORDER BY id LIMIT ?3",
                )?;
                q.query_map(params![conversation.0, from.0, limit as i64], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?
            }
            None => {
                let mut q = self.db.prepare_cached(
                    "SELECT json FROM messages WHERE conversation_id = ?1 ORDER BY id DESC LIMIT ?2",
                )?;
                let mut newest: Vec<String> = q
                    .query_map(params![conversation.0, limit as i64], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                newest.reverse();
                newest
            }
        };
        Ok(rows.iter().filter_map(|j| decode(j)).collect())
    }

    fn keep_list(&mut self, list: &[Conversation], at: DateTime<Utc>) -> Result<()> {
        let tx = self.db.transaction()?;
        {
            // Unchanged rows are not rewritten: the list comes back every few minutes.
            let mut upsert = tx.prepare_cached(
                "INSERT INTO conversations (id, room_number, last_activity, json)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET room_number = excluded.room_number,
                     last_activity = excluded.last_activity, json = excluded.json
                 WHERE json != excluded.json",
            )?;
            for c in list {
                upsert.execute(params![
                    c.id.0,
                    c.room_number.0,
                    c.last_message_time.map(millis),
                    json(c)?
                ])?;
            }
        }
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('list_as_of', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [millis(at).to_string()],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn keep_messages(
        &mut self,
        conversation: ConversationId,
        messages: &[Message],
        reached_start: bool,
    ) -> Result<()> {
        let kept = self.conversation(conversation)?;
        let tx = self.db.transaction()?;
        {
            let mut upsert = tx.prepare_cached(
                "INSERT INTO messages (id, conversation_id, at, json) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET at = excluded.at, json = excluded.json
                 WHERE json != excluded.json",
            )?;
            for m in messages {
                if upsert.execute(params![
                    m.id.0,
                    conversation.0,
                    millis(m.timestamp),
                    json(m)?
                ])? > 0
                {
                    index(&tx, m, kept.as_ref())?;
                }
            }
        }
        if reached_start {
            tx.execute(
                "UPDATE conversations SET from_start = 1 WHERE id = ?1",
                [conversation.0],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    fn remove_message(&mut self, id: MessageId) -> Result<()> {
        let tx = self.db.transaction()?;
        tx.execute("DELETE FROM messages WHERE id = ?1", [id.0])?;
        tx.execute("DELETE FROM message_words WHERE rowid = ?1", [id.0])?;
        tx.commit()?;
        Ok(())
    }

    fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>> {
        let words = query_words(query);
        if words.is_empty() {
            return Ok(vec![]);
        }
        // Each word quoted (so nothing typed is FTS syntax) and matched as a prefix.
        let fts: Vec<String> = words
            .iter()
            .map(|w| format!("\"{}\"*", w.replace('"', "")))
            .collect();
        let mut q = self.db.prepare_cached(
            "SELECT m.conversation_id, m.json, c.json,
                    EXISTS (SELECT 1 FROM conversations n
                            WHERE n.room_number = c.room_number AND n.id > c.id)
             FROM message_words w
             JOIN messages m ON m.id = w.rowid
             LEFT JOIN conversations c ON c.id = m.conversation_id
             WHERE message_words MATCH ?1
             ORDER BY m.at DESC LIMIT ?2",
        )?;
        let rows: Vec<(i64, String, Option<String>, bool)> = q
            .query_map(params![fts.join(" AND "), limit as i64], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows
            .into_iter()
            .filter_map(|(conv, m, c, earlier)| {
                let m: Message = decode(&m)?;
                let c: Option<Conversation> = c.and_then(|c| decode(&c));
                Some(hit_of(&m, ConversationId(conv), c.as_ref(), earlier))
            })
            .collect())
    }

    fn purge_before(&mut self, cutoff: DateTime<Utc>) -> Result<Removed> {
        let tx = self.db.transaction()?;
        let cut = millis(cutoff);
        let before = count_messages(&tx)?;
        tx.execute(
            "DELETE FROM message_words WHERE rowid IN (SELECT id FROM messages WHERE at < ?1)",
            [cut],
        )?;
        tx.execute("DELETE FROM messages WHERE at < ?1", [cut])?;
        let conversations = remove_conversations(&tx, "last_activity < ?1", cut)?;
        let messages = before - count_messages(&tx)?;
        tx.commit()?;
        Ok(Removed {
            conversations,
            messages,
        })
    }

    fn forget_room(&mut self, room: RoomNumber) -> Result<Removed> {
        let tx = self.db.transaction()?;
        let before = count_messages(&tx)?;
        let conversations = remove_conversations(&tx, "room_number = ?1", room.0)?;
        let messages = before - count_messages(&tx)?;
        tx.commit()?;
        Ok(Removed {
            conversations,
            messages,
        })
    }

    fn forget_all(&mut self) -> Result<Removed> {
        let counts = self.counts()?;
        let tx = self.db.transaction()?;
        tx.execute_batch(
            "DELETE FROM message_words; DELETE FROM messages; DELETE FROM conversations;
             DELETE FROM meta;",
        )?;
        tx.commit()?;
        // Deleted rows stay readable in free pages until the file is rewritten.
        self.db.execute_batch("VACUUM")?;
        Ok(Removed {
            conversations: counts.conversations,
            messages: counts.messages,
        })
    }

    fn next_gap(&self, since: DateTime<Utc>) -> Result<(Option<Gap>, usize, usize)> {
        let active: i64 = self.db.query_row(
            "SELECT count(*) FROM conversations WHERE last_activity >= ?1",
            [millis(since)],
            |r| r.get(0),
        )?;
        let open: i64 = self.db.query_row(
            "SELECT count(*) FROM conversations WHERE last_activity >= ?1 AND from_start = 0",
            [millis(since)],
            |r| r.get(0),
        )?;
        let gap = self
            .db
            .query_row(
                "SELECT c.id, (SELECT min(id) FROM messages m WHERE m.conversation_id = c.id)
                 FROM conversations c WHERE c.last_activity >= ?1 AND c.from_start = 0
                 ORDER BY c.last_activity DESC LIMIT 1",
                [millis(since)],
                |r| {
                    Ok(Gap {
                        conversation: ConversationId(r.get(0)?),
                        before: r.get::<_, Option<i64>>(1)?.map(MessageId),
                    })
                },
            )
            .optional()?;
        Ok((gap, open as usize, active as usize))
    }

    fn counts(&self) -> Result<Counts> {
        let n = |sql: &str| -> Result<usize> {
            Ok(self.db.query_row(sql, [], |r| r.get::<_, i64>(0))? as usize)
        };
        Ok(Counts {
            conversations: n("SELECT count(*) FROM conversations")?,
            messages: n("SELECT count(*) FROM messages")?,
            complete: n("SELECT count(*) FROM conversations WHERE from_start = 1")?,
        })
    }
}

fn count_messages(db: &Connection) -> Result<usize> {
    Ok(db.query_row("SELECT count(*) FROM messages", [], |r| r.get::<_, i64>(0))? as usize)
}

/// Removes the conversations matching `filter` (one parameter) with their messages.
fn remove_conversations(db: &Connection, filter: &str, value: i64) -> Result<usize> {
    let ids = format!("SELECT id FROM conversations WHERE {filter}");
    db.execute(
        &format!(
            "DELETE FROM message_words WHERE rowid IN
             (SELECT id FROM messages WHERE conversation_id IN ({ids}))"
        ),
        [value],
    )?;
    db.execute(
        &format!("DELETE FROM messages WHERE conversation_id IN ({ids})"),
        [value],
    )?;
    Ok(db.execute(
        &format!("DELETE FROM conversations WHERE {filter}"),
        [value],
    )?)
}
