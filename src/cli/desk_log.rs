//! `frontdesk done ROOM`, `frontdesk later ROOM HH:MM` and `frontdesk reopen ROOM`: the
//! inbox's `m`, `z` and `u` from a shell. Each writes one line to the front desk log
//! (`crate::desk_log`), which every desk and the web staff UI read.

use chrono::{DateTime, Local, Utc};
use serde_json::json;

use super::*;
use crate::desk_log::{Ledger, Line, Mark};

/// Guest messages read to name the request a mark covers.
const NEWEST: u32 = 10;

#[derive(Args, Debug, Clone)]
pub struct MarkArgs {
    /// The room number.
    pub room: i64,
    /// Say what was written as JSON (errors too), for scripts.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub connect: Connect,
}

#[derive(Args, Debug, Clone)]
pub struct LaterArgs {
    /// The room number.
    pub room: i64,
    /// Until when: a time of day on this computer's clock (05:45, the next one to come), or
    /// a while from now (30m, 2h).
    pub until: String,
    /// Say what was written as JSON (errors too), for scripts.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub connect: Connect,
}

/// What the command asks for.
#[derive(Debug, Clone, Copy)]
pub enum Asked<'a> {
    Done,
    Later(&'a str),
    Reopen,
}

/// Runs one of the three and prints what was written; a failure is one line (or a JSON
/// object with `error`) and exit status 1.
pub async fn mark_command(cli: &Cli, room: i64, asked: Asked<'_>, as_json: bool) -> Result<()> {
    match mark(cli, room, asked).await {
        Ok(done) => {
            if as_json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&done).unwrap_or_default()
                );
            } else {
                println!("{}", done["said"].as_str().unwrap_or_default());
            }
            Ok(())
        }
        Err(e) if as_json => {
            println!("{}", json!({ "room": room, "error": e }));
            std::process::exit(1);
        }
        Err(e) => Err(eyre!("{e}")),
    }
}

async fn mark(cli: &Cli, room: i64, asked: Asked<'_>) -> Result<serde_json::Value, String> {
    let SignedIn {
        api,
        me,
        department,
        ..
    } = signed_in(cli).await.map_err(|e| e.to_string())?;
    let conversations = api
        .conversations()
        .await
        .map_err(|e| format!("the conversations could not be read: {}", e.summary()))?;
    // A turned-over room: its newest conversation is the current stay (contract 4.9).
    let Some(c) = conversations
        .iter()
        .filter(|c| c.room_number == RoomNumber(room))
        .max_by_key(|c| c.id)
    else {
        let mut rooms: Vec<i64> = conversations.iter().map(|c| c.room_number.0).collect();
        rooms.sort_unstable();
        rooms.dedup();
        let some: Vec<String> = rooms.iter().take(12).map(|r| r.to_string()).collect();
        return Err(format!(
            "room {room}: no guest conversation in this hotel's chat (rooms with one: {}{})",
            some.join(", "),
            if rooms.len() > some.len() {
                ", …"
            } else {
                ""
            }
        ));
    };
    let now = Utc::now() + api.clock_offset().unwrap_or_default();
    let newest_guest = api
        .messages(c.id, NEWEST, None)
        .await
        .map_err(|e| {
            format!(
                "room {room}: its messages could not be read: {}",
                e.summary()
            )
        })?
        .iter()
        .filter(|m| m.sender_type == crate::api::SenderType::Guest)
        .map(|m| m.id)
        .max();
    let log = api
        .desk_log_threads(&[], crate::app::LOG_PAGE)
        .await
        .map_err(|e| format!("the front desk log could not be read: {}", e.summary()))?;
    let ledger = Ledger::of(log.iter().flat_map(|(_, m)| m));
    // New lines go to the log conversation with the newest line.
    let newest = log
        .iter()
        .flat_map(|(t, m)| m.iter().map(move |m| (m.id.0, t.id)))
        .max();
    let thread = newest
        .map(|(_, t)| t)
        .or_else(|| log.first().map(|(t, _)| t.id));
    let mark = match asked {
        Asked::Done => Mark::Done,
        Asked::Later(text) => Mark::Later {
            until: crate::popup::later_until(text, now, *Local::now().offset())
                .map_err(|e| format!("later: {e}"))?,
        },
        Asked::Reopen => Mark::Undo,
    };
    if newest_guest.is_none() && mark != Mark::Undo {
        return Err(format!(
            "room {room}: the guest has written nothing to mark"
        ));
    }
    if mark == Mark::Undo
        && !ledger
            .aside
            .get(&c.id)
            .is_some_and(|a| a.covers(newest_guest))
    {
        return Err(format!("room {room}: nothing is marked done or later"));
    }
    let line = Line {
        mark,
        conversation: c.id,
        room: c.room_number,
        guest: c.display_name(),
        upto: if mark == Mark::Undo {
            None
        } else {
            newest_guest
        },
    };
    let text = crate::desk_log::compose(&line, |t| {
        t.with_timezone(&Local)
            .format("%H:%M %a %-d %b")
            .to_string()
    });
    let (t, sent) = api
        .write_desk_log(me.staff_id, thread, department.as_deref(), &text)
        .await
        .map_err(|e| format!("the front desk log could not be written: {}", e.summary()))?;
    let (word, until): (&str, Option<DateTime<Utc>>) = match mark {
        Mark::Done => ("done", None),
        Mark::Later { until } => ("later", Some(until)),
        _ => ("reopened", None),
    };
    Ok(json!({
        "room": room,
        "conversation_id": c.id,
        "guest": c.display_name(),
        "mark": word,
        "until": until,
        "up_to_message": line.upto,
        "by": sent.sender_name,
        "at": sent.timestamp,
        "log_conversation_id": t.id.0,
        "log_message_id": sent.id.0,
        "said": format!("{} (in the front desk log, for every desk)", crate::text::one_line(&text)),
    }))
}
