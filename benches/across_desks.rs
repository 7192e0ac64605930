//! Across desks, with the real binary in tmux against `frontdesk serve-demo --profile
//! deployment` on loopback (`cargo bench --bench across_desks`, needs tmux):
//! - a colleague's reply in a conversation NOT open here, to this desk's row (the row stops
//!   saying "waiting" and shows the reply): p50, p95 and worst of FRONTDESK_BENCH_SAMPLES (20),
//!   for a colleague who opens the conversation first (as the web staff UI and frontdesk do),
//!   and for one who answers a guest already read without opening it;
//! - requests per minute of one idle desk (200 conversations, nothing open) with 0 waiting
//!   guests, 30 waiting unread, and 30 waiting read by another desk, each over
//!   FRONTDESK_BENCH_IDLE_SECS (120), with `retention_days = 0` (the history's backfill is
//!   measured by `cargo bench --bench history`), with the server's SQL work estimated from the real
//!   backend's costs (contract 4.13). FRONTDESK_BENCH_BEFORE=/path/to/frontdesk takes the
//!   same figures for an older build first.

mod support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use support::*;

/// SQL queries per call on the real backend, as measured there (contract 4.13 and the
/// issue): the list 12.5 per conversation, a page of 30 messages 186 (6.2 a message, the
/// page's own few included), `unread-count` one grouped query behind the usual 4 of
/// authentication and permissions, a staff-chat unread-count 91 for 20 conversations.
fn sql_estimate(kind: &str, n: f64, conversations: f64, page: f64) -> f64 {
    match kind {
        "list" => n * 12.5 * conversations,
        "messages" => n * 6.2 * page,
        "unread-count" => n * 5.0,
        "staff-unread-count" => n * 91.0,
        "staff-messages" => n * 46.0,
        "staff-conversations" => n * 91.0,
        _ => n * 5.0,
    }
}

struct Manager {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Manager {
    async fn sign_in(base: &str) -> Manager {
        let http = reqwest::Client::new();
        let token = staff_token(&http, base, "manager").await;
        Manager {
            http,
            base: base.to_string(),
            token,
        }
    }

    fn chat(&self, rel: &str) -> String {
        format!("{}/api/staff/hotel/hotel-killarney/chat/{rel}", self.base)
    }

    async fn conversations(&self) -> Vec<serde_json::Value> {
        self.http
            .get(self.chat("conversations/"))
            .header("Authorization", format!("Token {}", self.token))
            .send()
            .await
            .expect("list")
            .json()
            .await
            .expect("json")
    }

    /// The newest conversation of each room with a stay (a guest can write only then).
    async fn rooms(&self) -> Vec<(i64, i64)> {
        let mut newest: BTreeMap<i64, i64> = BTreeMap::new();
        for c in self.conversations().await {
            if c["guest_id"].is_null() {
                continue;
            }
            if let (Some(room), Some(id)) = (c["room_number"].as_i64(), c["id"].as_i64()) {
                let e = newest.entry(room).or_insert(id);
                *e = (*e).max(id);
            }
        }
        newest.into_iter().collect()
    }

    async fn newest_is_guest(&self, conv: i64) -> bool {
        let page: Vec<serde_json::Value> = self
            .http
            .get(self.chat(&format!("conversations/{conv}/messages/?limit=3")))
            .header("Authorization", format!("Token {}", self.token))
            .send()
            .await
            .expect("page")
            .json()
            .await
            .unwrap_or_default();
        page.iter()
            .rev()
            .find(|m| m["sender_type"] != "system")
            .is_some_and(|m| m["sender_type"] == "guest")
    }

    async fn mark_read(&self, conv: i64) {
        let _ = self
            .http
            .post(self.chat(&format!("conversations/{conv}/mark-read/")))
            .header("Authorization", format!("Token {}", self.token))
            .send()
            .await;
    }

    /// The deployment may answer 500 after saving; the reply is stored either way.
    async fn send(&self, conv: i64, text: &str) {
        let _ = self
            .http
            .post(self.chat(&format!("conversations/{conv}/messages/send/")))
            .header("Authorization", format!("Token {}", self.token))
            .json(&serde_json::json!({ "message": text }))
            .send()
            .await;
    }
}

/// The room's two list lines, as tmux shows them.
fn row(screen: &str, room: i64) -> String {
    let lines: Vec<&str> = screen.lines().collect();
    lines
        .iter()
        .position(|l| l.contains(&format!("│ {room} ")))
        .map(|i| format!("{}\n{}", lines[i], lines.get(i + 1).unwrap_or(&"")))
        .unwrap_or_default()
}

fn reply_to_row(samples: usize) {
    let server = serve_with(&["--profile", "deployment"]);
    let inbox = Inbox::start(&server, 160, 70, "x-desks");
    inbox.wait_frame(30, |f| f.list);
    std::thread::sleep(Duration::from_secs(3));
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let manager = rt.block_on(Manager::sign_in(&server.base));
    let rooms = rt.block_on(manager.rooms());
    let guest_http = reqwest::Client::new();
    let screen = || inbox.tmux(&["capture-pane", "-p", "-t", "b"]);
    let wait_for_wait = |room: i64| {
        let deadline = Instant::now() + Duration::from_secs(15);
        while !row(&screen(), room).contains("waiting") {
            assert!(
                Instant::now() < deadline,
                "room {room} never waited:\n{}",
                screen()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    let measure = |conv: i64, room: i64, i: usize, open_first: bool| -> f64 {
        std::thread::sleep(Duration::from_millis(rand::random_range(0..3000)));
        let text = format!("answer-{i}-{}", now_ns() % 100_000);
        let sent = Instant::now();
        rt.block_on(async {
            if open_first {
                manager.mark_read(conv).await;
            }
            manager.send(conv, &text).await;
        });
        let deadline = sent + Duration::from_secs(180);
        loop {
            let r = row(&screen(), room);
            if r.contains(&text) && !r.contains("waiting") {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{text} never reached room {room}'s row"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        sent.elapsed().as_secs_f64()
    };
    let report = |what: &str, lat: &mut Vec<f64>| {
        lat.sort_by(f64::total_cmp);
        println!(
            "a colleague's reply to this desk's row, conversation not open, deployment profile, {what}, {} samples: p50 {:.2} s, p95 {:.2} s, worst {:.2} s",
            lat.len(),
            percentile(lat, 0.5),
            percentile(lat, 0.95),
            lat.last().copied().unwrap_or(f64::NAN)
        );
    };
    // A: the guest writes, a colleague opens the conversation and answers (the web staff
    // UI and frontdesk both mark read on opening).
    let mut lat = Vec::new();
    for i in 0..samples {
        let (room, conv) = rooms[i % rooms.len()];
        rt.block_on(guest_says(
            &guest_http,
            &server.base,
            room as u32,
            &format!("sample {i}: is anyone there?"),
        ));
        wait_for_wait(room);
        lat.push(measure(conv, room, i, true));
    }
    report("colleague opens it first", &mut lat);
    // B: guests read long ago by another desk and still waiting (no count can fall); the
    // colleague answers them one after another without opening.
    let picked: Vec<(i64, i64)> = rooms.iter().copied().take(samples).collect();
    for (room, _) in &picked {
        rt.block_on(guest_says(
            &guest_http,
            &server.base,
            *room as u32,
            "Hello?",
        ));
    }
    for (room, _) in &picked {
        wait_for_wait(*room);
    }
    for (_, conv) in &picked {
        rt.block_on(manager.mark_read(*conv));
    }
    // Past the two minutes a conversation stays hot after someone reads it.
    std::thread::sleep(Duration::from_secs(125));
    let header = screen().lines().next().unwrap_or("").trim().to_string();
    let mut lat = Vec::new();
    for (i, (room, conv)) in picked.iter().enumerate() {
        lat.push(measure(*conv, *room, i, false));
    }
    report(
        &format!(
            "{} guests read and waiting, answered without opening ({header})",
            picked.len()
        ),
        &mut lat,
    );
}

fn idle(label: &str, binary: &str, secs: u64) {
    let server = serve_with(&[
        "--profile",
        "deployment",
        "--conversations",
        "200",
        "--messages",
        "25",
    ]);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let manager = rt.block_on(Manager::sign_in(&server.base));
    let rooms = rt.block_on(manager.rooms());
    // Every guest answered: nobody waits.
    rt.block_on(async {
        for (_, conv) in &rooms {
            if manager.newest_is_guest(*conv).await {
                manager.send(*conv, "Answered before the shift.").await;
            }
        }
    });
    // No history kept: its backfill (a page every 2 s until every conversation is read)
    // would hide what the desk asks for across desks; it is measured in its own bench.
    let inbox = Inbox::start_configured(binary, &server, (160, 45), label, "retention_days = 0\n");
    inbox.wait_frame(60, |f| f.list);
    std::thread::sleep(Duration::from_secs(5));
    let measure = |what: &str| {
        let a = request_counts(&server.base);
        std::thread::sleep(Duration::from_secs(secs));
        let b = request_counts(&server.base);
        let mut total = 0.0;
        let mut sql = 0.0;
        let mut parts = Vec::new();
        for (k, v) in &b {
            let n = v.saturating_sub(a.get(k).copied().unwrap_or(0)) as f64 * 60.0 / secs as f64;
            // The demo's own counters and the test's guests are not the desk's.
            if n > 0.0 && k != "guest" && k != "send" && k != "mark-read" && k != "login" {
                total += n;
                sql += sql_estimate(k, n, rooms.len() as f64, 3.0);
                parts.push(format!("{k} {n:.1}"));
            }
        }
        let header = inbox
            .tmux(&["capture-pane", "-p", "-t", "b"])
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        println!(
            "{label}: idle desk, {} conversations, {what}: {total:.1} requests/min ({}), about {sql:.0} SQL queries/min; header: {header}",
            rooms.len(),
            parts.join(", ")
        );
    };
    measure("0 waiting");
    let guest_http = reqwest::Client::new();
    rt.block_on(async {
        for (room, _) in rooms.iter().take(30) {
            guest_says(
                &guest_http,
                &server.base,
                *room as u32,
                "Could I have more towels?",
            )
            .await;
        }
    });
    // The reads that a guest's new message itself causes (who waits, since when) settle first:
    // what is measured is the desk waiting, not the guests writing.
    std::thread::sleep(Duration::from_secs(30));
    measure("30 waiting, unread");
    rt.block_on(async {
        for (_, conv) in rooms.iter().take(30) {
            manager.mark_read(*conv).await;
        }
    });
    // The hot reads that the reading caused end after two minutes.
    std::thread::sleep(Duration::from_secs(125));
    measure("30 waiting, read by another desk");
}

fn main() {
    if !std::process::Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        eprintln!("SKIPPED: the across-desks benchmark needs tmux");
        return;
    }
    let samples: usize = env_or("FRONTDESK_BENCH_SAMPLES", 20);
    // Two minutes: one list read (every 120 s) falls in each window.
    let secs: u64 = env_or("FRONTDESK_BENCH_IDLE_SECS", 120);
    if std::env::var_os("FRONTDESK_BENCH_IDLE_ONLY").is_none() {
        reply_to_row(samples);
    }
    if let Ok(before) = std::env::var("FRONTDESK_BENCH_BEFORE") {
        idle("before", &before, secs);
    }
    idle("after", BIN, secs);
}
