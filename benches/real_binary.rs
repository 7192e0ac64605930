//! The real binary, in tmux, against `frontdesk serve-demo` on loopback: prints each figure of
//! the performance issue. `cargo bench --bench real_binary` (needs tmux).
//!
//! Environment: FRONTDESK_BENCH_IDLE_SECS (default 60), FRONTDESK_BENCH_SIZES (default
//! "10,100,1000,10000"), FRONTDESK_BENCH_SAMPLES (guest messages timed, default 200),
//! FRONTDESK_BENCH_ONLY=messages (only the new-message figures, and beside a short list),
//! FRONTDESK_BENCH_BINARY (the inbox of another build in the message figures).

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use support::*;

fn proc_field(pid: u32, file: &str, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/{file}"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| {
            l.strip_prefix(key)
                .map(|v| v.trim().trim_end_matches(" kB").trim().parse().unwrap_or(0))
        })
        .unwrap_or(0)
}

fn rss_mb(pid: u32) -> f64 {
    proc_field(pid, "status", "VmRSS:") as f64 / 1024.0
}

/// utime + stime of all threads, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    // Fields 14 and 15 of stat; `after` starts at field 3.
    let get = |i: usize| {
        f.get(i - 3)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    get(14) + get(15)
}

/// Context switches of all threads: each one is a wakeup.
fn switches(pid: u32) -> u64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    tasks
        .flatten()
        .map(|t| {
            let p = t.path().join("status");
            let s = std::fs::read_to_string(&p).unwrap_or_default();
            s.lines()
                .filter(|l| {
                    l.starts_with("voluntary_ctxt_switches")
                        || l.starts_with("nonvoluntary_ctxt_switches")
                })
                .filter_map(|l| l.split_whitespace().last()?.parse::<u64>().ok())
                .sum::<u64>()
        })
        .sum()
}

fn first_frame_ms(server: &Server, tag: &str) -> (f64, Inbox) {
    let inbox = Inbox::start(server, 200, 60, tag);
    let f = inbox.wait_frame(30, |f| f.list);
    ((f.ns - inbox.started_ns) as f64 / 1e6, inbox)
}

/// What guests write, from a word to a paragraph, so the rows a new message shifts differ.
const VARIED: [&str; 10] = [
    "Could I have more towels please?",
    "Hi, the air conditioning in our room is making a loud rattling noise every few minutes and we cannot sleep. Could someone come and look at it this evening?",
    "Thanks!",
    "What time does breakfast start tomorrow, and is it served in the main restaurant or the conservatory?",
    "Is late checkout possible? Our flight is at 6pm.",
    "ok",
    "We would like to book a table for four at 8 tonight if there is still space, ideally by the window. Also, do you have a high chair for a toddler?",
    "The wifi password on the card doesn't seem to work 😕",
    "Can you call us a taxi to the station for 7:15?",
    "Perfect, thank you so much 🙏",
];

/// The inbox at 200x60 with room 101's thread open and live, its pane's output piped to a
/// file beside the trace (the bytes on the pty, counted from outside).
fn open_room_101(server: &Server, tag: &str) -> Inbox {
    // Another build's inbox against the same demo server, for before and after figures.
    let binary = std::env::var("FRONTDESK_BENCH_BINARY").unwrap_or_else(|_| BIN.to_string());
    let inbox = Inbox::start_binary(&binary, server, 200, 60, tag);
    inbox.wait_frame(30, |f| f.list);
    inbox.wait_screen("● live", 30);
    inbox.keys(&["o"]);
    inbox.keys(&["-l", "101"]);
    inbox.keys(&["Enter"]);
    inbox.wait_frame(30, |f| f.messages > 0);
    std::thread::sleep(Duration::from_millis(500));
    let pty = inbox.trace.with_extension("pty");
    inbox.tmux(&[
        "pipe-pane",
        "-o",
        "-t",
        "b",
        &format!("cat > {}", pty.display()),
    ]);
    inbox
}

fn pty_bytes(inbox: &Inbox) -> u64 {
    std::fs::metadata(inbox.trace.with_extension("pty")).map_or(0, |m| m.len())
}

/// `samples` guest messages into room 101's open thread, one at a time: prints the latency
/// to the screen and the bytes each cost.
fn message_stream(
    inbox: &Inbox,
    rt: &tokio::runtime::Runtime,
    http: &reqwest::Client,
    server: &Server,
    label: &str,
    samples: usize,
    text: impl Fn(usize) -> String,
) {
    let (mut lat, mut frame) = (Vec::new(), Vec::new());
    let (mut pty, mut draw) = (Vec::new(), Vec::new());
    for i in 0..samples {
        let before = pty_bytes(inbox);
        let sent = now_ns();
        let id = rt.block_on(guest_says(http, &server.base, 101, &text(i)));
        let f = inbox.wait_frame(10, |f| f.live.contains(&id));
        lat.push((f.ns.saturating_sub(sent)) as f64 / 1e6);
        frame.push(f.bytes as f64);
        draw.push(f.us as f64 / 1000.0);
        // What follows the message on screen (its read mark, the list's counts) counts too.
        std::thread::sleep(Duration::from_millis(60));
        pty.push(pty_bytes(inbox).saturating_sub(before) as f64);
    }
    for v in [&mut lat, &mut frame, &mut pty, &mut draw] {
        v.sort_by(f64::total_cmp);
    }
    let stats = |v: &[f64]| {
        format!(
            "median {:.0}, p99 {:.0}, max {:.0}",
            percentile(v, 0.5),
            percentile(v, 0.99),
            v[v.len() - 1]
        )
    };
    println!(
        "{label}: guest message to screen ({samples} messages, from before the guest's POST): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        lat[lat.len() - 1]
    );
    println!(
        "{label}: drawing that frame (render and paint): p50 {:.2} ms, p99 {:.2} ms",
        percentile(&draw, 0.5),
        percentile(&draw, 0.99)
    );
    println!(
        "{label}: bytes of the frame that showed it: {}",
        stats(&frame)
    );
    println!(
        "{label}: bytes on the pty until the next message (tmux pipe-pane): {}",
        stats(&pty)
    );
}

fn main() {
    if !Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        eprintln!("SKIPPED: the real-binary benchmark needs tmux");
        return;
    }
    let idle_secs: u64 = env_or("FRONTDESK_BENCH_IDLE_SECS", 60);
    let samples: usize = env_or("FRONTDESK_BENCH_SAMPLES", 200);
    let sizes: Vec<usize> = std::env::var("FRONTDESK_BENCH_SIZES")
        .unwrap_or_else(|_| "10,100,1000,10000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let http = reqwest::Client::new();

    println!(
        "frontdesk real-binary benchmark: 200x60 tmux pane, serve-demo on 127.0.0.1, release build"
    );
    println!("== hotel of 2000 conversations x 25 messages");
    let server = serve(2000, 25);
    let mut starts = Vec::new();
    for i in 0..5 {
        let (ms, inbox) = first_frame_ms(&server, &format!("start{i}"));
        starts.push(ms);
        drop(inbox);
    }
    starts.sort_by(f64::total_cmp);
    println!(
        "start to first frame with conversations: median {:.1} ms, worst {:.1} ms (5 runs; includes sign-in)",
        percentile(&starts, 0.5),
        starts[starts.len() - 1]
    );

    let inbox = open_room_101(&server, "main");
    let pid = inbox.pid();

    // Guest message → on screen, and the bytes it costs: one text of the same shape each
    // time (rows shift onto rows that look alike), then guests' real variety.
    message_stream(
        &inbox,
        &rt,
        &http,
        &server,
        "same-shaped text",
        samples,
        |i| format!("Could I have more towels? #{i}"),
    );
    message_stream(&inbox, &rt, &http, &server, "varied text", samples, |i| {
        VARIED[i % VARIED.len()].to_string()
    });
    if std::env::var("FRONTDESK_BENCH_ONLY").is_ok_and(|v| v == "messages") {
        drop(inbox);
        drop(server);
        // Beside a short list (a small hotel, a quiet night) the thread's rows are scrolled.
        let server = serve(8, 25);
        let inbox = open_room_101(&server, "few");
        message_stream(
            &inbox,
            &rt,
            &http,
            &server,
            "varied text, 8 conversations",
            samples,
            |i| VARIED[i % VARIED.len()].to_string(),
        );
        return;
    }
    // A burst of 1000 at once.
    std::thread::sleep(Duration::from_millis(500));
    let before = inbox.frames().len();
    let t0 = now_ns();
    let last: serde_json::Value = rt.block_on(async {
        http.post(format!(
            "{}/api/demo/burst?room=101&count=1000",
            server.base
        ))
        .send()
        .await
        .expect("burst")
        .json()
        .await
        .expect("json")
    });
    let t_published = now_ns();
    let last_id = last["last_id"].as_i64().unwrap_or(-1);
    let f = inbox.wait_frame(30, |f| f.live.contains(&last_id));
    let frames_in_burst = inbox.frames()[before..]
        .iter()
        .filter(|x| x.ns <= f.ns)
        .count();
    println!(
        "burst of 1000 guest messages (4000 events): last one on screen {:.1} ms after the burst was published ({:.1} ms after the request began), in {frames_in_burst} frames",
        (f.ns.saturating_sub(t_published)) as f64 / 1e6,
        (f.ns - t0) as f64 / 1e6,
    );

    // Idle.
    std::thread::sleep(Duration::from_secs(3));
    let (f0, c0, s0) = (inbox.frames().len(), cpu_ticks(pid), switches(pid));
    let t = Instant::now();
    std::thread::sleep(Duration::from_secs(idle_secs));
    let secs = t.elapsed().as_secs_f64();
    let (f1, c1, s1) = (inbox.frames().len(), cpu_ticks(pid), switches(pid));
    // SAFETY: sysconf only reads a constant.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    println!(
        "idle for {secs:.0} s: {} frames, {} context switches (wakeups), CPU {:.3}%",
        f1 - f0,
        s1 - s0,
        (c1 - c0) as f64 / hz / secs * 100.0
    );

    // Memory with everything loaded: open every conversation once (Enter opens, Tab goes
    // back to the list, j moves on). Escapes go one at a time: ESC ESC in one read is Alt-Esc.
    for _ in 0..2 {
        inbox.keys(&["Escape"]);
        std::thread::sleep(Duration::from_millis(300));
    }
    for _ in 0..(2000 / 50) {
        let mut keys = Vec::new();
        for _ in 0..50 {
            keys.extend(["Enter", "Tab", "j"]);
        }
        inbox.keys(&keys);
        std::thread::sleep(Duration::from_millis(100));
    }
    let loaded = inbox.wait_frame(180, |f| f.messages >= 50_000);
    std::thread::sleep(Duration::from_secs(1));
    println!(
        "resident memory with 2000 conversations and {} messages loaded: {:.1} MB",
        loaded.messages,
        rss_mb(pid)
    );
    drop(inbox);
    drop(server);

    println!("== how it grows (each: serve-demo N x 25, 3 starts)");
    println!("conversations | first frame median | first frame bytes | RSS after list");
    for n in sizes {
        let server = serve(n, 25);
        let mut ms = Vec::new();
        let mut last = None;
        for i in 0..3 {
            let (t, inbox) = first_frame_ms(&server, &format!("grow{n}-{i}"));
            ms.push(t);
            last = Some(inbox);
        }
        ms.sort_by(f64::total_cmp);
        let Some(inbox) = last else { continue };
        let first_bytes = inbox
            .frames()
            .iter()
            .find(|f| f.list)
            .map(|f| f.bytes)
            .unwrap_or(0);
        std::thread::sleep(Duration::from_millis(800));
        println!(
            "{n:>13} | {:>15.1} ms | {first_bytes:>17} | {:>9.1} MB",
            percentile(&ms, 0.5),
            rss_mb(inbox.pid())
        );
    }
}
