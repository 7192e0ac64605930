//! The deployment profile's figures, with the real binary in tmux against
//! `frontdesk serve-demo --profile deployment` on loopback (`cargo bench --bench deployment`,
//! needs tmux):
//! - another desk's reply to this screen: median and worst of FRONTDESK_BENCH_SAMPLES (20);
//! - requests per minute of one idle desk with 200 conversations (nothing open, a thread open,
//!   then after one guest message), each over FRONTDESK_BENCH_IDLE_SECS (60). With FRONTDESK_BENCH_BEFORE=/path/to/frontdesk
//!   (an older build) the same figures are taken for it first;
//! - what start costs the server with 200 and 2,000 conversations: the requests until the
//!   background reads that learn who waits are done, and how long they take
//!   (FRONTDESK_BENCH_START_ONLY=1 takes only these).

mod support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use support::*;

fn per_minute(
    before: &BTreeMap<String, u64>,
    after: &BTreeMap<String, u64>,
    secs: f64,
) -> BTreeMap<String, f64> {
    after
        .iter()
        .map(|(k, v)| {
            let d = v.saturating_sub(before.get(k).copied().unwrap_or(0));
            (k.clone(), d as f64 * 60.0 / secs)
        })
        .filter(|(_, v)| *v > 0.0)
        .collect()
}

fn show(m: &BTreeMap<String, f64>) -> String {
    let total: f64 = m.values().sum();
    let parts: Vec<String> = m.iter().map(|(k, v)| format!("{k} {v:.1}")).collect();
    format!("{total:.1}/min ({})", parts.join(", "))
}

/// The screen's first line: the header.
fn header(inbox: &Inbox) -> String {
    inbox
        .tmux(&["capture-pane", "-p", "-t", "b"])
        .lines()
        .next()
        .unwrap_or("")
        .trim()
        .to_string()
}

/// A colleague's token and the conversation of a room, through the API.
async fn colleague(base: &str, room: i64) -> (String, i64) {
    let http = reqwest::Client::new();
    let token = staff_token(&http, base, "manager").await;
    let list: Vec<serde_json::Value> = http
        .get(format!(
            "{base}/api/staff/hotel/hotel-killarney/chat/conversations/"
        ))
        .header("Authorization", format!("Token {token}"))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    let conv = list
        .iter()
        .filter(|c| c["room_number"].as_i64() == Some(room))
        .filter_map(|c| c["id"].as_i64())
        .max()
        .expect("the room has a conversation");
    (token, conv)
}

fn desk_to_desk(samples: usize) {
    let server = serve_with(&["--profile", "deployment"]);
    let inbox = Inbox::start(&server, 160, 45, "d2d");
    inbox.wait_frame(30, |f| f.list);
    inbox.keys(&["/"]);
    inbox.keys(&["-l", "105"]);
    inbox.keys(&["Enter"]);
    inbox.wait_screen("Room 105", 10);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (token, conv) = rt.block_on(colleague(&server.base, 105));
    let http = reqwest::Client::new();
    let mut lat = Vec::new();
    for i in 0..samples {
        // Spread over the poll's phase, as real replies are.
        std::thread::sleep(Duration::from_millis(rand::random_range(0..3000)));
        let text = format!("desk2-{i}-{}", now_ns() % 100_000);
        let sent = Instant::now();
        rt.block_on(async {
            // The deployment may answer 500 after saving; the reply is stored either way.
            let _ = http
                .post(format!(
                    "{}/api/staff/hotel/hotel-killarney/chat/conversations/{conv}/messages/send/",
                    server.base
                ))
                .header("Authorization", format!("Token {token}"))
                .json(&serde_json::json!({ "message": text }))
                .send()
                .await;
        });
        let deadline = sent + Duration::from_secs(30);
        while !inbox
            .tmux(&["capture-pane", "-p", "-t", "b"])
            .contains(&text)
        {
            assert!(Instant::now() < deadline, "{text} never appeared");
            std::thread::sleep(Duration::from_millis(10));
        }
        lat.push(sent.elapsed().as_secs_f64());
    }
    lat.sort_by(f64::total_cmp);
    println!(
        "another desk's reply to this screen (deployment profile, {samples} samples): median {:.2} s, worst {:.2} s",
        percentile(&lat, 0.5),
        lat.last().copied().unwrap_or(f64::NAN)
    );
}

fn idle_requests(label: &str, binary: &str, secs: u64) {
    let server = serve_with(&[
        "--profile",
        "deployment",
        "--conversations",
        "200",
        "--messages",
        "25",
    ]);
    let inbox = Inbox::start_binary(binary, &server, 160, 45, label);
    inbox.wait_frame(60, |f| f.list);
    // Let start-up settle, then count.
    std::thread::sleep(Duration::from_secs(3));
    let a = request_counts(&server.base);
    std::thread::sleep(Duration::from_secs(secs));
    let b = request_counts(&server.base);
    println!(
        "{label}: idle desk, 200 conversations, nothing open: {}",
        show(&per_minute(&a, &b, secs as f64))
    );
    inbox.keys(&["Enter"]);
    std::thread::sleep(Duration::from_secs(3));
    let a = request_counts(&server.base);
    std::thread::sleep(Duration::from_secs(secs));
    let b = request_counts(&server.base);
    println!(
        "{label}: idle desk, 200 conversations, a thread open: {}",
        show(&per_minute(&a, &b, secs as f64))
    );
    // A guest writes once: a client that learns of signing only from an event's booking id
    // changes its polling now.
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(guest_says(
        &reqwest::Client::new(),
        &server.base,
        102,
        "Could I have more towels?",
    ));
    std::thread::sleep(Duration::from_secs(3));
    let a = request_counts(&server.base);
    std::thread::sleep(Duration::from_secs(secs));
    let b = request_counts(&server.base);
    println!(
        "{label}: after one guest message, a thread open: {}",
        show(&per_minute(&a, &b, secs as f64))
    );
    println!("{label}: screen header: {}", header(&inbox));
}

/// Requests from start until the desk is quiet: the list, and the background reads that
/// learn which guests wait.
fn start_cost(binary: &str, conversations: usize, profile: &str) {
    let n = conversations.to_string();
    let server = serve_with(&[
        "--profile",
        profile,
        "--conversations",
        &n,
        "--messages",
        "25",
    ]);
    let before = request_counts(&server.base);
    let started = Instant::now();
    let inbox = Inbox::start_binary(binary, &server, 160, 45, "start");
    inbox.wait_frame(120, |f| f.list);
    let listed = started.elapsed().as_secs_f64();
    // Quiet: no new request for 4 s (the idle polls come every 120 s).
    let mut last = request_counts(&server.base);
    let mut quiet_since = Instant::now();
    let mut settled = started.elapsed().as_secs_f64();
    while quiet_since.elapsed() < Duration::from_secs(4)
        && started.elapsed() < Duration::from_secs(300)
    {
        std::thread::sleep(Duration::from_millis(250));
        let now = request_counts(&server.base);
        if now != last {
            last = now;
            quiet_since = Instant::now();
            settled = started.elapsed().as_secs_f64();
        }
    }
    let spent: BTreeMap<String, f64> = per_minute(&before, &last, 60.0);
    let total: f64 = spent.values().sum();
    let parts: Vec<String> = spent.iter().map(|(k, v)| format!("{k} {v:.0}")).collect();
    println!(
        "start with {conversations} conversations ({profile}): {total:.0} requests ({}); list on screen at {listed:.1} s, quiet at {settled:.1} s",
        parts.join(", ")
    );
    println!(
        "start with {conversations} conversations ({profile}): screen header: {}",
        header(&inbox)
    );
}

fn main() {
    if !std::process::Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        eprintln!("SKIPPED: the deployment benchmark needs tmux");
        return;
    }
    for profile in ["deployment", "friendly"] {
        start_cost(BIN, 200, profile);
        start_cost(BIN, 2000, profile);
    }
    if std::env::var_os("FRONTDESK_BENCH_START_ONLY").is_some() {
        return;
    }
    let samples: usize = env_or("FRONTDESK_BENCH_SAMPLES", 20);
    let secs: u64 = env_or("FRONTDESK_BENCH_IDLE_SECS", 60);
    if let Ok(before) = std::env::var("FRONTDESK_BENCH_BEFORE") {
        idle_requests("before", &before, secs);
    }
    idle_requests("after", BIN, secs);
    desk_to_desk(samples);
}
