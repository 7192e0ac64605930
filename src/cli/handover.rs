//! `frontdesk handover`: the shift's state for the next desk. Who waits and for how long,
//! who holds what, who wrote after hours and is still unanswered, and the shift's response
//! times. Read from the server, with the same wait rule as the inbox (`app::wait_over`).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Local, NaiveTime, Utc};
use futures_util::StreamExt;
use serde_json::json;

use super::*;
use crate::api::{Conversation, Message, SenderType};
use crate::app::{Standing, Writer, joined_by, standing, writer_of};
use crate::desk_log::{Ledger, Mark};
use crate::model::{ConversationId, RoomNumber};

/// Conversations active this recently are read to find waiting guests.
const WAITING_WITHIN_HOURS: i64 = 48;
/// Messages per page, and pages at most per conversation.
const PAGE: u32 = 30;
const MAX_PAGES: usize = 20;
/// Conversations read at once.
const AT_ONCE: usize = 4;

#[derive(Args, Debug, Clone)]
pub struct HandoverArgs {
    /// The shift's window for response times, back from now: 90m, 8h, 2d.
    #[arg(long, default_value = "8h", value_parser = parse_window)]
    pub since: chrono::Duration,
    /// Night hours in the desk's time: guests who wrote then and still wait are listed apart.
    #[arg(long, default_value = "22:00-07:00", value_parser = parse_hours)]
    pub after_hours: (NaiveTime, NaiveTime),
    /// The same as JSON, for scripts and spreadsheets.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub connect: Connect,
}

fn parse_window(s: &str) -> Result<chrono::Duration, String> {
    let s = s.trim();
    let (n, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = n
        .parse()
        .map_err(|_| format!("{s:?}: give a number and m, h or d, e.g. 8h"))?;
    let d = match unit {
        "m" => chrono::Duration::minutes(n),
        "h" | "" => chrono::Duration::hours(n),
        "d" => chrono::Duration::days(n),
        _ => return Err(format!("{s:?}: the unit is m, h or d, e.g. 8h")),
    };
    if n <= 0 || d > chrono::Duration::days(31) {
        return Err(format!("{s:?}: from 1m to 31d"));
    }
    Ok(d)
}

fn parse_hours(s: &str) -> Result<(NaiveTime, NaiveTime), String> {
    let bad = || format!("{s:?}: give the night hours as HH:MM-HH:MM, e.g. 22:00-07:00");
    let (a, b) = s.split_once('-').ok_or_else(bad)?;
    let t = |x: &str| NaiveTime::parse_from_str(x.trim(), "%H:%M").map_err(|_| bad());
    Ok((t(a)?, t(b)?))
}

/// Within the night hours, which may run past midnight.
fn after_hours(at: DateTime<Utc>, (from, to): (NaiveTime, NaiveTime)) -> bool {
    let t = at.with_timezone(&Local).time();
    if from <= to {
        t >= from && t < to
    } else {
        t >= from || t < to
    }
}

/// A conversation as read for the report.
struct Read {
    conversation: Conversation,
    /// Oldest first.
    messages: Vec<Message>,
    from_start: bool,
}

async fn read_back(
    api: &StaffApi,
    c: Conversation,
    back_to: DateTime<Utc>,
) -> Result<Read, String> {
    let mut messages: Vec<Message> = Vec::new();
    let mut before = None;
    let mut from_start = false;
    for _ in 0..MAX_PAGES {
        let page = api
            .messages(c.id, PAGE, before)
            .await
            .map_err(|e| format!("room {}: {}", c.room_number, e.summary()))?;
        let short = page.len() < PAGE as usize;
        let oldest = page.first().map(|m| (m.id, m.timestamp));
        // A guest still unanswered on this page began waiting before it: read on, so the
        // report, like the inbox, never shortens a wait to the window.
        let answered = page.iter().any(|m| m.sender_type == SenderType::Staff);
        let mut page = page;
        page.append(&mut messages);
        messages = page;
        match oldest {
            Some((id, at)) if !short && (at >= back_to || !answered) => before = Some(id),
            _ => {
                from_start = short;
                break;
            }
        }
    }
    messages.sort_by_key(|m| m.id);
    messages.dedup_by_key(|m| m.id);
    Ok(Read {
        conversation: c,
        messages,
        from_start,
    })
}

fn writer(m: &Message, me: &Me) -> Writer {
    writer_of(m, me.staff_id, |n| n.into())
}

/// A row naming the conversation, with `extra`'s fields.
fn row(c: &Conversation, extra: serde_json::Value) -> serde_json::Value {
    let mut v = json!({
        "conversation_id": c.id,
        "room": c.room_number,
        "guest": c.display_name(),
    });
    if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    v
}

/// The guest's wait, when the newest message that is not a system line is theirs and asks
/// something (the inbox's rule: `app::standing`).
fn waiting_row(
    r: &Read,
    writers: &[(DateTime<Utc>, Writer)],
    now: DateTime<Utc>,
    args: &HandoverArgs,
    thanks_end_wait: bool,
) -> Option<serde_json::Value> {
    let newest_first = writers.iter().zip(&r.messages).rev().map(|((t, w), m)| {
        let thanks = *w == Writer::Guest && crate::thanks::only_thanks(&m.message);
        (*t, w, thanks)
    });
    let w = match standing(newest_first, r.from_start, thanks_end_wait) {
        Standing::Waiting(w) => w,
        Standing::Answered | Standing::Thanked => return None,
    };
    let last = r
        .messages
        .iter()
        .rev()
        .find(|m| m.sender_type == SenderType::Guest)
        .map(|m| crate::text::line_preview(&m.message, 80))
        .unwrap_or_default();
    Some(row(
        &r.conversation,
        json!({
            "waiting_since": w.since,
            "waiting_minutes": (now - w.since).num_minutes(),
            "at_least": w.at_least,
            // Any message of the unanswered run written in the night hours.
            "after_hours": r
                .messages
                .iter()
                .filter(|m| m.sender_type == SenderType::Guest && m.timestamp >= w.since)
                .any(|m| after_hours(m.timestamp, args.after_hours)),
            "last_guest_message": last,
        }),
    ))
}

/// Who holds it: the last staff member to write, join or claim it (claims are in the front
/// desk log: the server keeps them but shows them to nobody).
fn holder(r: &Read, me: &Me, my_name: &str, log: &Ledger) -> Option<String> {
    let by_messages = r.messages.iter().rev().find_map(|m| {
        let name = match writer(m, me) {
            Writer::Me => Some(my_name.to_string()),
            Writer::Colleague(name) => Some(name.to_string()),
            Writer::System => joined_by(m),
            Writer::Guest => None,
        };
        name.map(|n| (m.timestamp, n))
    });
    let claim = log
        .claims
        .get(&r.conversation.id)
        .cloned()
        .map(|(n, at)| (at, n));
    match (by_messages, claim) {
        (Some(a), Some(b)) => Some(if b.0 >= a.0 { b.1 } else { a.1 }),
        (a, b) => a.or(b).map(|(_, n)| n),
    }
}

/// The signed-in person's name as colleagues see it: from their own messages, else the
/// username.
fn my_name(reads: &[Read], me: &Me) -> String {
    reads
        .iter()
        .flat_map(|r| r.messages.iter())
        .filter(|m| m.sender_type == SenderType::Staff && m.staff == Some(me.staff_id))
        .find_map(|m| m.staff_name.as_deref().map(crate::text::one_line))
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| me.name.clone())
}

/// Response times: from the first guest message of a run to the first staff answer, for the
/// runs that began in the window.
fn answered(
    r: &Read,
    writers: &[(DateTime<Utc>, Writer)],
    window_start: DateTime<Utc>,
) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    let mut run: Option<DateTime<Utc>> = None;
    for (at, w) in writers {
        match w {
            Writer::Guest => {
                run.get_or_insert(*at);
            }
            Writer::Me | Writer::Colleague(_) => {
                if let Some(start) = run.take()
                    && start >= window_start
                {
                    out.push(row(
                        &r.conversation,
                        json!({
                            "guest_at": start,
                            "answered_at": at,
                            "seconds": (*at - start).num_seconds().max(0),
                        }),
                    ));
                }
            }
            Writer::System => {}
        }
    }
    out
}

/// Median and worst of the answered runs, and how many runs of the window still wait.
fn response_times(
    answered: Vec<serde_json::Value>,
    waiting: &[serde_json::Value],
    window_start: DateTime<Utc>,
) -> serde_json::Value {
    let mut secs: Vec<i64> = answered
        .iter()
        .filter_map(|a| a["seconds"].as_i64())
        .collect();
    secs.sort_unstable();
    let still_waiting = waiting
        .iter()
        .filter(|w| {
            w["waiting_since"]
                .as_str()
                .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                .is_some_and(|t| t >= window_start)
        })
        .count();
    json!({
        "answered": secs.len(),
        "median_seconds": secs.get(secs.len() / 2),
        "worst_seconds": secs.last(),
        "still_waiting": still_waiting,
        "samples": answered,
    })
}

/// What the front desk log says (done, later, claims), read from the staff chat.
struct LogRead {
    ledger: Ledger,
    /// My name as the log conversation lists it.
    me: Option<String>,
    error: Option<String>,
}

async fn read_log(api: &StaffApi, me: &Me) -> LogRead {
    match api.desk_log_threads(&[], crate::app::LOG_PAGE).await {
        Ok(threads) => LogRead {
            ledger: Ledger::of(threads.iter().flat_map(|(_, m)| m)),
            me: threads
                .iter()
                .flat_map(|(t, _)| &t.participants)
                .find(|p| p.id == me.staff_id)
                .map(|p| crate::text::one_line(&p.full_name))
                .filter(|n| !n.trim().is_empty()),
            error: None,
        },
        Err(e) => LogRead {
            ledger: Ledger::default(),
            me: None,
            error: Some(e.summary()),
        },
    }
}

/// The report, as JSON (the text form is drawn from it).
fn report(
    reads: &[Read],
    me: &Me,
    log: &LogRead,
    now: DateTime<Utc>,
    args: &HandoverArgs,
    thanks_end_wait: bool,
) -> serde_json::Value {
    let my_name = log.me.clone().unwrap_or_else(|| my_name(reads, me));
    let window_start = now - args.since;
    // A turned-over room: only its newest conversation is the current stay (contract 4.9).
    let mut newest_by_room: HashMap<RoomNumber, ConversationId> = HashMap::new();
    for r in reads {
        let e = newest_by_room
            .entry(r.conversation.room_number)
            .or_insert(r.conversation.id);
        *e = (*e).max(r.conversation.id);
    }
    let mut waiting = Vec::new();
    let mut held: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
    let mut samples = Vec::new();
    let mut done = Vec::new();
    let mut later = Vec::new();
    for r in reads {
        let c = &r.conversation;
        let writers: Vec<(DateTime<Utc>, Writer)> = r
            .messages
            .iter()
            .map(|m| (m.timestamp, writer(m, me)))
            .collect();
        if newest_by_room.get(&c.room_number) == Some(&c.id) {
            let newest_guest = r
                .messages
                .iter()
                .filter(|m| m.sender_type == SenderType::Guest)
                .map(|m| m.id)
                .max();
            let aside = log
                .ledger
                .aside
                .get(&c.id)
                .filter(|a| a.covers(newest_guest));
            match aside.map(|a| (a, a.mark)) {
                Some((a, Mark::Done)) => done.push(row(c, json!({"by": a.by, "at": a.at}))),
                Some((a, Mark::Later { until })) => later.push(row(
                    c,
                    json!({"until": until, "by": a.by, "at": a.at, "due": until <= now}),
                )),
                _ => {}
            }
            if !aside.is_some_and(|a| a.holds_at(now)) {
                waiting.extend(waiting_row(r, &writers, now, args, thanks_end_wait));
            }
            if let Some(name) = holder(r, me, &my_name, &log.ledger) {
                held.entry(name).or_default().push(row(c, json!({})));
            }
        }
        samples.extend(answered(r, &writers, window_start));
    }
    waiting.sort_by_key(|w| w["waiting_since"].as_str().map(str::to_string));
    let (from, to) = args.after_hours;
    let mut report = json!({
        "hotel": me.hotel_name,
        "staff": my_name,
        "generated_at": now,
        "window": { "since": window_start, "minutes": args.since.num_minutes() },
        "after_hours": format!("{}-{}", from.format("%H:%M"), to.format("%H:%M")),
        "response_times": response_times(samples, &waiting, window_start),
        "waiting": waiting,
        "held_by": held.into_iter().map(|(staff, rows)| json!({
            "staff": staff, "conversations": rows,
        })).collect::<Vec<_>>(),
        "read": { "conversations": reads.len(), "within_hours": WAITING_WITHIN_HOURS },
        "done": done,
        "later": later,
    });
    if let Some(e) = &log.error {
        report["desk_log_error"] = json!(e);
    }
    report
}

/// The hand-offs still waiting for a colleague's answer, found in the recent staff
/// conversations; their guests wait on the colleague, not on the desk, so they leave the
/// waiting list. Staff chat that cannot be read is said in the report, not fatal.
async fn add_hand_offs(
    report: &mut serde_json::Value,
    api: &StaffApi,
    reads: &[Read],
    now: DateTime<Utc>,
) {
    let threads = match api
        .team_threads_with_messages(crate::app::ANSWER_PAGE)
        .await
    {
        Ok(t) => t,
        Err(e) => {
            report["hand_offs"] = serde_json::Value::Null;
            report["hand_offs_error"] = json!(e.summary());
            return;
        }
    };
    let newest = |room: RoomNumber| {
        reads
            .iter()
            .filter(|r| r.conversation.room_number == room)
            .map(|r| r.conversation.id)
            .max()
    };
    let open: Vec<crate::app::HandOff> = crate::app::hand_offs_in(&threads, newest)
        .into_iter()
        .filter(|h| h.answer.is_none())
        .collect();
    let rows: Vec<serde_json::Value> = open
        .iter()
        .filter_map(|h| {
            let r = reads
                .iter()
                .find(|r| r.conversation.id == h.guest_conversation)?;
            Some(row(
                &r.conversation,
                json!({
                    "to": h.to.describe(),
                    "handed_off_at": h.at,
                    "waiting_minutes": (now - h.at).num_minutes(),
                }),
            ))
        })
        .collect();
    if let Some(w) = report["waiting"].as_array_mut() {
        w.retain(|row| {
            !open
                .iter()
                .any(|h| row["conversation_id"].as_i64() == Some(h.guest_conversation.0))
        });
    }
    report["hand_offs"] = json!(rows);
}

fn hand_off_line(h: &serde_json::Value) -> String {
    format!(
        "  room {:>4}  {} → {} for {}\n",
        room(h),
        pad(&said(&h["guest"]), 22),
        said(&h["to"]),
        minutes(h["waiting_minutes"].as_i64().unwrap_or_default()),
    )
}

fn minutes(m: i64) -> String {
    crate::text::wait_length(chrono::Duration::minutes(m))
}

/// A field as one printable line.
fn said(v: &serde_json::Value) -> String {
    crate::text::one_line(v.as_str().unwrap_or_default())
}

fn rows(v: &serde_json::Value) -> Vec<serde_json::Value> {
    v.as_array().cloned().unwrap_or_default()
}

/// A time of the report in the desk's zone.
fn local(v: &serde_json::Value) -> String {
    v.as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Local).format("%H:%M").to_string())
        .unwrap_or_default()
}

/// Padded by display width, so CJK and emoji names keep the columns straight.
fn pad(t: &str, w: usize) -> String {
    let t = crate::text::truncate(t, w);
    let fill = w.saturating_sub(crate::text::width(&t));
    format!("{t}{}", " ".repeat(fill))
}

/// A room number as a column (JSON numbers ignore width when formatted).
fn room(v: &serde_json::Value) -> String {
    v["room"]
        .as_i64()
        .map(|r| r.to_string())
        .unwrap_or_default()
}

fn waiting_line(w: &serde_json::Value) -> String {
    let wait = format!(
        "{}{}",
        minutes(w["waiting_minutes"].as_i64().unwrap_or_default()),
        if w["at_least"].as_bool() == Some(true) {
            "+"
        } else {
            ""
        }
    );
    format!(
        "  room {:>4}  {} waiting {}  {}\n",
        room(w),
        pad(&said(&w["guest"]), 22),
        pad(&wait, 8),
        said(&w["last_guest_message"]),
    )
}

fn held_lines(report: &serde_json::Value) -> String {
    let held = rows(&report["held_by"]);
    if held.is_empty() {
        return "  nobody\n".into();
    }
    let mut out = String::new();
    for h in held {
        let mut numbers: Vec<i64> = rows(&h["conversations"])
            .iter()
            .filter_map(|c| c["room"].as_i64())
            .collect();
        numbers.sort_unstable();
        let rooms: Vec<String> = numbers.iter().map(i64::to_string).collect();
        let you = if h["staff"] == report["staff"] {
            " (you)"
        } else {
            ""
        };
        out.push_str(&format!(
            "  {} {} ({})\n",
            pad(&format!("{}{you}", said(&h["staff"])), 24),
            rooms.len(),
            rooms.join(", ")
        ));
    }
    out
}

fn response_line(report: &serde_json::Value) -> String {
    let r = &report["response_times"];
    let mut out = format!(
        "Response times since {}: {} answered",
        local(&report["window"]["since"]),
        r["answered"]
    );
    if let (Some(median), Some(worst)) = (r["median_seconds"].as_i64(), r["worst_seconds"].as_i64())
    {
        out.push_str(&format!(
            " · median {} · worst {}",
            minutes(median / 60),
            minutes(worst / 60)
        ));
    }
    out.push_str(&format!(" · {} still waiting\n", r["still_waiting"]));
    out
}

fn text(report: &serde_json::Value) -> String {
    let waiting = rows(&report["waiting"]);
    let night: Vec<&serde_json::Value> = waiting
        .iter()
        .filter(|w| w["after_hours"].as_bool() == Some(true))
        .collect();
    let mut out = format!(
        "Handover · {} · {} · {}\n",
        said(&report["hotel"]),
        said(&report["staff"]),
        local(&report["generated_at"]),
    );
    out.push_str(&format!("\nWaiting for an answer: {}\n", waiting.len()));
    out.extend(waiting.iter().map(waiting_line));
    out.push_str(&format!(
        "\nWrote after hours ({}) and still unanswered: {}\n",
        said(&report["after_hours"]),
        night.len()
    ));
    if !night.is_empty() && night.len() == waiting.len() {
        // A night shift's list is all of them: not printed twice.
        out.push_str("  all of the above\n");
    } else {
        out.extend(night.into_iter().map(waiting_line));
    }
    let handed = rows(&report["hand_offs"]);
    out.push_str(&format!(
        "\nHanded on, waiting for a colleague: {}\n",
        handed.len()
    ));
    out.extend(handed.iter().map(hand_off_line));
    if let Some(why) = report["hand_offs_error"].as_str() {
        out.push_str(&format!("  (staff chat could not be read: {why})\n"));
    }
    let done = rows(&report["done"]);
    let later = rows(&report["later"]);
    out.push_str(&format!("\nDone, no answer needed: {}\n", done.len()));
    out.extend(done.iter().map(|d| {
        format!(
            "  room {:>4}  {} by {} at {}\n",
            room(d),
            pad(&said(&d["guest"]), 22),
            said(&d["by"]),
            local(&d["at"])
        )
    }));
    out.push_str(&format!("\nPut aside for later: {}\n", later.len()));
    out.extend(later.iter().map(|d| {
        format!(
            "  room {:>4}  {} until {}{} (by {})\n",
            room(d),
            pad(&said(&d["guest"]), 22),
            local(&d["until"]),
            if d["due"].as_bool() == Some(true) {
                ", due now"
            } else {
                ""
            },
            said(&d["by"])
        )
    }));
    if let Some(why) = report["desk_log_error"].as_str() {
        out.push_str(&format!(
            "  (the front desk log could not be read: {why})\n"
        ));
    }
    out.push_str("\nHeld by:\n");
    out.push_str(&held_lines(report));
    out.push('\n');
    out.push_str(&response_line(report));
    out
}

/// Reads the server and prints the report. Fails, with one line, when the server cannot be
/// read: a handover with holes in it would be worse than none.
pub async fn handover_command(cli: &Cli, args: &HandoverArgs) -> Result<()> {
    let SignedIn { api, me, e, .. } = signed_in(cli).await?;
    // Waits on the server's clock, as the inbox counts them: one call first to learn it.
    let conversations = api.conversations().await.map_err(|e| {
        eyre!(
            "handover: the conversations could not be read: {}",
            e.summary()
        )
    })?;
    let now = Utc::now() + api.clock_offset().unwrap_or_default();
    let within = now - chrono::Duration::hours(WAITING_WITHIN_HOURS).max(args.since);
    let back_to = now - args.since;
    let active: Vec<Conversation> = conversations
        .into_iter()
        .filter(|c| c.last_message_time.is_some_and(|t| t >= within))
        .collect();
    let mut reads = Vec::new();
    let mut stream = futures_util::stream::iter(active)
        .map(|c| read_back(&api, c, back_to))
        .buffer_unordered(AT_ONCE);
    while let Some(r) = stream.next().await {
        reads.push(r.map_err(|e| eyre!("handover: {e}"))?);
    }
    reads.sort_by_key(|r| r.conversation.id);
    let log = read_log(&api, &me).await;
    let mut report = report(
        &reads,
        &me,
        &log,
        now,
        args,
        e.config.thresholds().thanks_end_wait,
    );
    add_hand_offs(&mut report, &api, &reads, now).await;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).wrap_err("writing the report")?
        );
    } else {
        print!("{}", text(&report));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_is_in_columns_sorted_and_says_the_night_list_once() {
        let w = |room: i64, guest: &str, minutes: i64, night: bool| {
            json!({"room": room, "guest": guest, "waiting_minutes": minutes, "at_least": false,
                "after_hours": night, "last_guest_message": "towels?"})
        };
        let mut report = json!({
            "hotel": "Hotel Killarney", "staff": "Fiona Desk", "generated_at": "2026-12-08T03:12:00Z",
            "after_hours": "22:00-07:00", "window": {"since": "2026-12-07T19:12:00Z"},
            "response_times": {"answered": 0, "still_waiting": 0},
            "waiting": [w(104, "陈 伟", 400, true), w(1012, "Seán Ó Briain", 3, true), w(9, "Ana", 75, true)],
            "held_by": [{"staff": "Frank Manager", "conversations": [{"room": 305}, {"room": 102}, {"room": 1001}]}],
            "done": [], "later": [],
        });
        let t = text(&report);
        let columns: Vec<usize> = t
            .lines()
            .filter(|l| l.starts_with("  room ") && l.contains(" waiting "))
            .map(|l| crate::text::width(&l[..l.find("towels").unwrap()]))
            .collect();
        assert_eq!(columns.len(), 3, "{t}");
        assert!(
            columns.windows(2).all(|p| p[0] == p[1]),
            "not aligned:\n{t}"
        );
        assert!(t.contains("(102, 305, 1001)"), "rooms sorted:\n{t}");
        assert!(t.contains("still unanswered: 3\n  all of the above"), "{t}");
        // Only those who wrote in the night are listed when the others did not.
        report["waiting"][1]["after_hours"] = json!(false);
        let t = text(&report);
        let night = &t[t.find("Wrote after hours").unwrap()..t.find("Done, no answer").unwrap()];
        assert!(
            night.contains("陈 伟") && !night.contains("Seán"),
            "{night}"
        );
    }

    #[test]
    fn windows_and_night_hours_parse_or_say_why() {
        assert_eq!(parse_window("8h"), Ok(chrono::Duration::hours(8)));
        assert_eq!(parse_window("90m"), Ok(chrono::Duration::minutes(90)));
        assert!(parse_window("8x").unwrap_err().contains("m, h or d"));
        assert!(parse_window("0h").is_err());
        let (a, b) = parse_hours("22:00-07:00").unwrap();
        assert_eq!(
            (a.to_string(), b.to_string()),
            ("22:00:00".into(), "07:00:00".into())
        );
        assert!(parse_hours("late").unwrap_err().contains("HH:MM-HH:MM"));
    }
}
