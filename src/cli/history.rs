//! The desk's history from the shell: `search`, `forget`, and what logout does with it.

use super::*;
use crate::history::{History, SqliteHistory};

#[derive(Args, Debug, Clone)]
pub struct SearchArgs {
    /// Words to find (each as a word's start; accents and case ignored): text, guest and
    /// staff names, room numbers, file names.
    #[arg(required = true)]
    pub words: Vec<String>,
    /// Print JSON (one array of results) instead of lines.
    #[arg(long)]
    pub json: bool,
    /// At most this many results, newest first.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
}

#[derive(Args, Debug, Clone)]
#[group(required = true, multiple = false)]
pub struct ForgetArgs {
    /// Remove every kept conversation and message of this room.
    #[arg(long)]
    pub room: Option<i64>,
    /// Remove the whole history.
    #[arg(long)]
    pub all: bool,
}

/// What logout does with the desk's history.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeepHistory {
    Keep,
    Forget,
}

/// "1 message", "3 messages".
fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// Every history file kept on this computer account (one per desk directory).
fn history_files() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(data_dir().join("desks"))
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .map(|e| crate::history::path_in(&e.path()))
        .filter(|p| p.exists())
        .collect();
    out.sort();
    out
}

fn open(path: &Path) -> Result<Option<SqliteHistory>> {
    SqliteHistory::open_existing(path).map_err(|e| eyre!("{}: {e}", path.display()))
}

pub(crate) fn search_command(args: &SearchArgs) -> Result<()> {
    let query = args.words.join(" ");
    let mut hits = Vec::new();
    for path in history_files() {
        if let Some(h) = open(&path)? {
            hits.extend(h.search(&query, args.limit).map_err(|e| eyre!("{e}"))?);
        }
    }
    hits.sort_by_key(|h| std::cmp::Reverse(h.at));
    hits.truncate(args.limit);
    if args.json {
        let rows: Vec<serde_json::Value> = hits
            .iter()
            .map(|h| {
                serde_json::json!({
                    "conversation": h.conversation,
                    "message": h.message,
                    "room": h.room,
                    "guest": h.guest,
                    "at": h.at,
                    "sender": h.sender,
                    "author": h.author,
                    "text": h.text,
                    "files": h.files,
                })
            })
            .collect();
        println!("{}", serde_json::Value::Array(rows));
        return Ok(());
    }
    if hits.is_empty() {
        println!("No kept message matches {:?}.", text::one_line(&query));
        return Ok(());
    }
    for h in &hits {
        // Guest text reaches a terminal here too: one sanitised line each.
        let room = h.room.map(|r| r.to_string()).unwrap_or_else(|| "?".into());
        println!(
            "{} · room {room} · {} · {}: {}{}",
            h.at.with_timezone(&chrono::Local).format("%a %-d %b %H:%M"),
            text::one_line(h.guest.as_deref().unwrap_or("")),
            text::one_line(&h.author),
            text::one_line(&h.text),
            if h.files.is_empty() {
                String::new()
            } else {
                format!(" [{}]", text::one_line(&h.files.join(", ")))
            }
        );
    }
    Ok(())
}

pub(crate) fn forget_command(args: &ForgetArgs) -> Result<()> {
    let files = history_files();
    let (mut conversations, mut messages) = (0, 0);
    for path in &files {
        let Some(mut h) = open(path)? else { continue };
        let removed = match args.room {
            Some(room) => h.forget_room(RoomNumber(room)),
            None => h.forget_all(),
        }
        .map_err(|e| eyre!("{}: {e}", path.display()))?;
        conversations += removed.conversations;
        messages += removed.messages;
    }
    let what = match args.room {
        Some(room) => format!("room {room}"),
        None => "the whole history".into(),
    };
    println!(
        "Forgot {what}: {} in {} removed from {}.",
        count(messages, "message"),
        count(conversations, "conversation"),
        count(files.len(), "history file")
    );
    println!(
        "A frontdesk running now keeps what it reads from here on; quit it first to keep nothing."
    );
    Ok(())
}

/// At logout: keep the desk's history on this computer, or remove it, as asked.
pub(crate) fn settle_history(
    session: &crate::store::Session,
    choice: Option<KeepHistory>,
) -> Result<()> {
    let desk = desk_dir(&session.server, &session.hotel, session.staff_id);
    let path = crate::history::path_in(&desk);
    let Some(h) = open(&path)? else {
        return Ok(());
    };
    let counts = h.counts().map_err(|e| eyre!("{e}"))?;
    drop(h);
    let choice = match choice {
        Some(c) => c,
        None if std::io::stdin().is_terminal() => {
            let answer = signin::prompt(&format!(
                "The desk's history holds {} in {}. [k]eep it on this computer, or [f]orget it? ",
                count(counts.messages, "message"),
                count(counts.conversations, "conversation")
            ))?;
            if answer.starts_with(['f', 'F']) {
                KeepHistory::Forget
            } else {
                KeepHistory::Keep
            }
        }
        None => KeepHistory::Keep,
    };
    match choice {
        KeepHistory::Keep => println!(
            "The desk's history is kept in {} (retention_days still applies).",
            path.display()
        ),
        KeepHistory::Forget => {
            crate::history::remove_file(&desk);
            println!(
                "Removed the desk's history ({}).",
                count(counts.messages, "message")
            );
        }
    }
    Ok(())
}
