//! The hand-off, from outside (`cargo bench --bench hand_off`, needs tmux): the real binary
//! in a 160x45 tmux pane against `serve-demo --profile friendly|deployment`, with the live
//! link. Twenty times: keys `f`, `Housekeeping`, Enter, Enter in room 102's thread; then a
//! housekeeper answers through `send-message/` with `reply_to`, and the time from before that
//! call to the answer on the pane (read with `capture-pane` every 5 ms) is taken.

mod support;

use std::time::{Duration, Instant};

use support::*;

fn newest_from_desk(
    rt: &tokio::runtime::Runtime,
    api: &frontdesk::api::StaffApi,
    after: i64,
) -> Option<(
    frontdesk::api::staff_models::TeamThreadId,
    frontdesk::api::staff_models::TeamMessageId,
)> {
    rt.block_on(async {
        for t in api.team_threads().await.ok()? {
            let page = api.team_messages(t.id, 5, None).await.ok()?;
            if let Some(m) = page
                .messages
                .iter()
                .rev()
                .find(|m| m.sender.0 == 1 && m.id.0 > after)
            {
                return Some((t.id, m.id));
            }
        }
        None
    })
}

fn run(profile: &str, samples: usize) {
    let server = serve_with(&["--profile", profile]);
    let inbox = Inbox::start(&server, 160, 45, &format!("handoff-{profile}"));
    inbox.wait_frame(30, |f| f.list);
    inbox.keys(&["o"]);
    inbox.keys(&["-l", "102"]);
    inbox.keys(&["Enter"]);
    inbox.wait_screen("Room 102", 10);
    std::thread::sleep(Duration::from_millis(300));
    inbox.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(300));
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let orla = rt.block_on(async {
        let l = frontdesk::api::login(&server.base, "hksuper", "demo")
            .await
            .expect("login");
        frontdesk::api::StaffApi::new(frontdesk::api::ApiConfig::new(
            &server.base,
            &l.hotel_slug,
            &l.token,
        ))
    });
    let mut last = 0;
    let mut lat = Vec::new();
    for i in 0..samples {
        inbox.keys(&["f"]);
        inbox.wait_screen("Hand on to", 10);
        inbox.keys(&["-l", "Housekeeping"]);
        inbox.keys(&["Enter"]);
        inbox.wait_screen("Hand-off to Housekeeping", 10);
        inbox.keys(&["Enter"]);
        let deadline = Instant::now() + Duration::from_secs(10);
        let (thread, sent) = loop {
            if let Some(found) = newest_from_desk(&rt, &orla, last) {
                break found;
            }
            assert!(Instant::now() < deadline, "hand-off {i} was not sent");
            std::thread::sleep(Duration::from_millis(20));
        };
        last = sent.0;
        // Let the confirmation land (the subscription follows it) before answering.
        std::thread::sleep(Duration::from_millis(300));
        let text = format!("towels-{i}-{}", now_ns() % 100_000);
        let start = Instant::now();
        rt.block_on(orla.team_send(thread, &text, Some(sent)))
            .expect("answer");
        let deadline = start + Duration::from_secs(10);
        while !inbox
            .tmux(&["capture-pane", "-p", "-t", "b"])
            .contains(&text)
        {
            assert!(Instant::now() < deadline, "{text} never appeared");
            std::thread::sleep(Duration::from_millis(5));
        }
        lat.push(start.elapsed().as_secs_f64() * 1e3);
    }
    let in_order: Vec<String> = lat.iter().map(|l| format!("{l:.0}")).collect();
    println!("{profile}: in order (ms): {}", in_order.join(" "));
    lat.sort_by(f64::total_cmp);
    println!(
        "{profile}: a colleague's answer to this screen, {samples} hand-offs: median {:.0} ms, worst {:.0} ms (keys per hand-off: f + Housekeeping + Enter + Enter = 15)",
        percentile(&lat, 0.5),
        lat.last().copied().unwrap_or(f64::NAN)
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let samples: usize = env_or("FRONTDESK_BENCH_SAMPLES", 20);
    for profile in ["friendly", "deployment"] {
        run(profile, samples);
    }
}
