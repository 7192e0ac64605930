//! What a hostile server costs the desk (`cargo bench --bench hostile`): peak memory with an
//! endless list body, connections a minute under a `pusher:error` 4200 loop, signing requests
//! for 5,000 made-up stays, and REST requests and bells during a 10 s flood of guest messages.
//! Everything runs in this process against servers on 127.0.0.1. FRONTDESK_BENCH_SECS (60)
//! is the length of the reconnect window.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::Harness;
use common::hostile::*;
use frontdesk::app::{Command, Effect, Focus};
use frontdesk::live::LiveConfig;
use frontdesk::model::ConversationId;

fn status_kb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn ws_of(server: &str) -> String {
    format!("{}/app/key?protocol=7", server.replace("http", "ws"))
}

async fn endless_list() {
    let server = endless_server().await;
    let before = status_kb("VmHWM:");
    let started = Instant::now();
    let result = api(&server).conversations().await;
    let after = status_kb("VmHWM:");
    println!(
        "endless list body: peak RSS {:.1} MB before, {:.1} MB after ({:?} in {:.2} s)",
        before as f64 / 1024.0,
        after as f64 / 1024.0,
        result.err().map(|e| e.summary()).unwrap_or_default(),
        started.elapsed().as_secs_f64()
    );
}

async fn reconnect_loop(secs: u64) {
    let counts = Counts::default();
    let server = storm_server(&counts).await;
    let mut h = Harness::on(
        api(&server),
        me(),
        Some(LiveConfig::new(&ws_of(&server), "h")),
    );
    h.for_secs(secs as f64).await;
    println!(
        "pusher:error 4200 on every connection: {} connections in {secs} s ({:.1} a minute); the header: {:?}",
        counts.get("connect"),
        counts.get("connect") as f64 * 60.0 / secs as f64,
        h.app.connection
    );
}

async fn made_up_stays() {
    let counts = Counts::default();
    let server = made_up_stays_server(&counts, 5000).await;
    let mut h = Harness::on(
        api(&server),
        me(),
        Some(LiveConfig::new(&ws_of(&server), "h")),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while counts.get("sent") == 0 && Instant::now() < deadline {
        h.for_secs(0.2).await;
    }
    h.for_secs(2.0).await;
    println!(
        "5,000 notes naming made-up stays (2 conversations listed): {} signing requests",
        counts.get("sign")
    );
}

async fn flood() {
    let counts = Counts::default();
    // 61,600 frames in 10 s, as in the issue: 30,800 guest messages and 30,800 edit events.
    let server = flood_server(&counts, 30_800, 10.0).await;
    let mut h = Harness::on(
        api(&server),
        me(),
        Some(LiveConfig::new(&ws_of(&server), "h")),
    );
    let _ = h.until(5, |a| a.list_loaded).await;
    let cmds = h.app.open_conversation(ConversationId(1), Focus::Thread);
    h.run(cmds);
    let deadline = Instant::now() + Duration::from_secs(20);
    while counts.get("sent") == 0 && Instant::now() < deadline {
        // The inbox stamps its clock on every event; so does this loop, so pacing is real.
        h.app.clock.now = chrono::Utc::now();
        h.for_secs(0.05).await;
    }
    h.for_secs(1.0).await;
    let bells = h
        .local
        .iter()
        .filter(|c| matches!(c, Command::Effect(Effect::Notify { .. })))
        .count();
    println!(
        "10 s flood of 30,800 guest messages + 30,800 edit events: {} page reads, {} mark-reads, {} list reads, {bells} bells; {} messages held",
        counts.get("messages"),
        counts.get("mark-read"),
        counts.get("list"),
        h.app
            .threads
            .get(&ConversationId(1))
            .map_or(0, |t| t.messages.len()),
    );
}

fn main() {
    let secs: u64 = std::env::var("FRONTDESK_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        endless_list().await;
        made_up_stays().await;
        flood().await;
        reconnect_loop(secs).await;
    });
}
