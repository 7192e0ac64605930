//! The real binary in a real terminal (tmux) against `frontdesk serve-demo`: open room 101,
//! scroll to its first message, reply, and check through the API that the reply was stored once.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).to_string()
    }
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        self.run(&args);
    }
    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "e2e"])
    }
    fn wait_for(&self, what: &str, secs: u64) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let s = self.screen();
            if s.contains(what) {
                return s;
            }
            if Instant::now() > deadline {
                panic!("{what:?} did not appear; the screen was:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}

struct Server(Child);
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn reply_to_room_101_from_the_real_terminal() {
    if !tmux_available() {
        assert!(std::env::var_os("CI").is_none(), "CI must install tmux");
        eprintln!("SKIPPED: tmux is not installed");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_frontdesk");
    let mut child = Command::new(bin)
        .args(["serve-demo", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve-demo starts");
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);
    let mut env = std::collections::HashMap::new();
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        if let Some((k, v)) = line.split_once('=') {
            env.insert(k.to_string(), v.to_string());
        }
        if env.contains_key("FRONTDESK_PUSHER_URL") {
            break;
        }
    }
    let base = env["FRONTDESK_SERVER"].clone();
    let dirs = tempfile::tempdir().unwrap();
    let tmux = Tmux {
        socket: format!("frontdesk-e2e-{}", std::process::id()),
    };
    let cmd = format!(
        "env XDG_DATA_HOME={d}/data XDG_STATE_HOME={d}/state FRONTDESK_USERNAME=frontdesk FRONTDESK_PASSWORD=demo {bin} --server {base} --hotel hotel-killarney --pusher-url '{ws}'",
        d = dirs.path().display(),
        ws = env["FRONTDESK_PUSHER_URL"],
    );
    tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "e2e",
        "-x",
        "120",
        "-y",
        "40",
        &cmd,
    ]);
    tmux.wait_for("Conversations (", 20);
    tmux.wait_for("● live", 20);

    // Filter to room 101 and open it.
    tmux.keys(&["/", "101"]);
    tmux.wait_for("Filter: 101", 5);
    tmux.keys(&["Enter"]);
    tmux.wait_for("Room 101 · Aoife Murphy", 10);
    tmux.wait_for("And a second pillow please", 10);

    // Scroll up until the very first message; history loads on the way.
    tmux.keys(&["Escape"]);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let s = tmux.screen();
        if s.contains("start of conversation") && s.contains("Backlog message #1 from guest") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "never reached the first message:\n{s}"
        );
        tmux.keys(&["PPage", "PPage", "PPage", "PPage"]);
        std::thread::sleep(Duration::from_millis(50));
    }

    // Back to the newest, reply.
    tmux.keys(&["End", "i"]);
    tmux.keys(&["-l", "Towels are on their way to 101 ☘"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("Towels are on their way to 101", 10);
    std::thread::sleep(Duration::from_millis(500));
    let screen = tmux.screen();
    assert!(
        !screen.contains("sending…"),
        "the server's copy replaced the pending one:\n{screen}"
    );

    // Through the API: stored exactly once.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let copies = rt.block_on(async {
        let http = reqwest::Client::new();
        let login = frontdesk::api::login(&http, &base, "frontdesk", "demo")
            .await
            .unwrap();
        let api = frontdesk::api::StaffApi::new(frontdesk::api::ApiConfig::new(
            &base,
            "hotel-killarney",
            &login.token,
        ));
        let room = api.from_room(101).await.unwrap();
        api.messages(room.conversation_id, 20, None)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.message == "Towels are on their way to 101 ☘")
            .count()
    });
    assert_eq!(copies, 1);

    // Quit cleanly: the program ends and the pane closes.
    tmux.keys(&["Escape", "Escape", "q"]);
    let deadline = Instant::now() + Duration::from_secs(5);
    while tmux.run(&["list-sessions"]).contains("e2e") {
        assert!(Instant::now() < deadline, "frontdesk did not quit");
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(server);
}
