//! The desk's history (`cargo bench --bench history`, needs tmux): the real binary in tmux
//! against `serve-demo --profile deployment --faults slow=2000` (every answer takes 2 s):
//! - cold start (nothing kept) and warm start (a history holding every message of every
//!   conversation) to the first frame with a list, at 200 and 2,000 conversations of 25
//!   messages (FRONTDESK_BENCH_SIZES, FRONTDESK_BENCH_RUNS each, 5);
//! - the store's size on disk, and the inbox's RSS with it open once the server's list has
//!   merged;
//! - search latency over that store (in process, as the popup's search runs on the store's
//!   thread), per query, median and p99 of 50.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use frontdesk::history::{History, SqliteHistory};
use support::*;

const TOKEN: &str = "FRONTDESK_TOKEN=demo-token-frontdesk FRONTDESK_STAFF_ID=1";

fn ms(ns: u128) -> f64 {
    ns as f64 / 1e6
}

/// A history holding every message of every conversation, as a desk that has run a while
/// (with the backfill) has it: read from `fast` (the same seeded hotel without the delay),
/// written where the inbox on `slow` looks for it.
fn fill(dir: &Path, slow: &Server, fast: &Server) -> std::path::PathBuf {
    let desk = frontdesk::cli::desk_dir_in(
        &dir.join("data/frontdesk"),
        &slow.base,
        "hotel-killarney",
        frontdesk::model::StaffId(1),
    );
    let path = frontdesk::history::path_in(&desk);
    let (mut store, _) = SqliteHistory::open(&path).expect("store");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let login = frontdesk::api::login(&fast.base, "frontdesk", "demo")
            .await
            .expect("login");
        let api = frontdesk::api::StaffApi::new(frontdesk::api::ApiConfig::new(
            &fast.base,
            &login.hotel_slug,
            &login.token,
        ));
        let list = api.conversations().await.expect("list");
        store.keep_list(&list, chrono::Utc::now()).expect("keep");
        for c in &list {
            let messages = api.all_messages(c.id, 100).await.expect("messages");
            store.keep_messages(c.id, &messages, true).expect("keep");
        }
    });
    path
}

fn first_list_frame(server: &Server, dir: &Path, tag: &str) -> (f64, Inbox) {
    let inbox = Inbox::start_in(BIN, server, dir, TOKEN, (200, 60), tag);
    let f = inbox.wait_frame(60, |f| f.list);
    (ms(f.ns - inbox.started_ns), inbox)
}

fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn size_of(path: &Path) -> u64 {
    ["", "-wal", "-shm"]
        .iter()
        .filter_map(|s| {
            let mut p = path.as_os_str().to_owned();
            p.push(s);
            std::fs::metadata(std::path::PathBuf::from(p)).ok()
        })
        .map(|m| m.len())
        .sum()
}

fn stats(mut v: Vec<f64>) -> String {
    v.sort_by(f64::total_cmp);
    format!(
        "median {:.0} ms, best {:.0}, worst {:.0} (n={})",
        percentile(&v, 0.5),
        v.first().copied().unwrap_or(f64::NAN),
        v.last().copied().unwrap_or(f64::NAN),
        v.len()
    )
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let sizes: Vec<usize> = std::env::var("FRONTDESK_BENCH_SIZES")
        .unwrap_or_else(|_| "200,2000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let runs: usize = env_or("FRONTDESK_BENCH_RUNS", 5);
    for n in sizes {
        let args = |slow: bool| {
            let mut a = vec![
                "--conversations".to_string(),
                n.to_string(),
                "--messages".into(),
                "25".into(),
                "--profile".into(),
                "deployment".into(),
            ];
            if slow {
                a.extend(["--faults".into(), "slow=2000".into()]);
            }
            a
        };
        let slow_args = args(true);
        let slow = serve_with(&slow_args.iter().map(String::as_str).collect::<Vec<_>>());
        let fast_args = args(false);
        let fast = serve_with(&fast_args.iter().map(String::as_str).collect::<Vec<_>>());

        let mut cold = Vec::new();
        for r in 0..runs {
            let dir = tempfile::tempdir().expect("tempdir");
            let (t, inbox) = first_list_frame(&slow, dir.path(), &format!("cold{n}-{r}"));
            cold.push(t);
            drop(inbox);
        }

        let dir = tempfile::tempdir().expect("tempdir");
        let filled = Instant::now();
        let path = fill(dir.path(), &slow, &fast);
        let filled = filled.elapsed();
        let counts = SqliteHistory::open_existing(&path)
            .expect("open")
            .expect("there")
            .counts()
            .expect("counts");
        let mut warm = Vec::new();
        let mut rss = 0;
        for r in 0..runs {
            let (t, inbox) = first_list_frame(&slow, dir.path(), &format!("warm{n}-{r}"));
            warm.push(t);
            if r == 0 {
                // The server's list merged, the background reads done (none are needed).
                inbox.wait_screen("updated", 60);
                std::thread::sleep(Duration::from_secs(3));
                rss = rss_kb(inbox.pid());
            }
            drop(inbox);
            std::thread::sleep(Duration::from_millis(300));
        }
        // The same desk keeping no history, for what the store costs in memory.
        let bare = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(bare.path().join("config/frontdesk")).expect("config dir");
        std::fs::write(
            bare.path().join("config/frontdesk/config.toml"),
            "retention_days = 0\n",
        )
        .expect("config");
        let (_, inbox) = first_list_frame(&slow, bare.path(), &format!("bare{n}"));
        inbox.wait_screen("updated", 60);
        std::thread::sleep(Duration::from_secs(3));
        let rss_bare = rss_kb(inbox.pid());
        drop(inbox);
        println!(
            "{n} conversations, slow=2000, deployment profile, 200x60:\n  cold start to first list frame: {}\n  warm start to first list frame: {}\n  store: {} conversations, {} messages, {:.1} MB on disk (filled in {:.1} s)\n  RSS with the store open, after the server's list merged: {:.1} MB (keeping no history: {:.1} MB)",
            stats(cold),
            stats(warm),
            counts.conversations,
            counts.messages,
            size_of(&path) as f64 / 1e6,
            filled.as_secs_f64(),
            rss as f64 / 1024.0,
            rss_bare as f64 / 1024.0,
        );

        let store = SqliteHistory::open_existing(&path)
            .expect("open")
            .expect("there");
        for query in ["pharmacy", "extra blanket", "wi", "lakes walk", "zzzzqq"] {
            let mut took = Vec::new();
            let mut found = 0;
            for _ in 0..50 {
                let t = Instant::now();
                found = store.search(query, 100).expect("search").len();
                took.push(t.elapsed().as_secs_f64() * 1e3);
            }
            took.sort_by(f64::total_cmp);
            println!(
                "  search {query:?} over {} messages: median {:.2} ms, p99 {:.2} ms, {found} results (of at most 100)",
                counts.messages,
                percentile(&took, 0.5),
                percentile(&took, 0.99),
            );
        }
    }
}
