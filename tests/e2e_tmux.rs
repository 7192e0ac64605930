//! The real binary in a real terminal (tmux) against `frontdesk serve-demo`: open room 101,
//! scroll to its first message, reply, and check through the API that the reply was stored once.

mod common;

use frontdesk::model::{RoomNumber, StaffId};
use std::io::{BufRead, BufReader};
use std::path::Path;
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

/// `frontdesk serve-demo` with extra arguments; returns it and the variables it printed.
fn serve_demo(extra: &[&str]) -> (Server, std::collections::HashMap<String, String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .arg("serve-demo")
        .args(extra)
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
        if env.contains_key("FRONTDESK_PUSHER_KEY") {
            break;
        }
    }
    (server, env)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Tmux {
    fn start(name: &str, cmd: &str) -> Tmux {
        let tmux = Tmux {
            socket: format!("frontdesk-{name}-{}", std::process::id()),
        };
        tmux.run(&[
            "new-session",
            "-d",
            "-s",
            "e2e",
            "-x",
            "120",
            "-y",
            "40",
            cmd,
        ]);
        tmux
    }
}

/// The inbox's command line, signed in as the demo's front desk, with its own directories.
fn inbox_cmd(dirs: &Path, base: &str, extra: &str) -> String {
    format!(
        "exec env XDG_DATA_HOME={d}/data XDG_STATE_HOME={d}/state XDG_CONFIG_HOME={d}/config FRONTDESK_USERNAME=frontdesk FRONTDESK_PASSWORD=demo {bin} --server {base} --hotel hotel-killarney {extra}",
        d = dirs.display(),
        bin = env!("CARGO_BIN_EXE_frontdesk"),
    )
}

async fn staff_api(base: &str) -> frontdesk::api::StaffApi {
    staff_api_as(base, "frontdesk").await
}

/// The staff API of the demo, signed in as `user`.
async fn staff_api_as(base: &str, user: &str) -> frontdesk::api::StaffApi {
    let login = frontdesk::api::login(base, user, "demo").await.unwrap();
    frontdesk::api::StaffApi::new(frontdesk::api::ApiConfig::new(
        base,
        "hotel-killarney",
        &login.token,
    ))
}

async fn copies_in_room(base: &str, room: u32, text: &str) -> usize {
    let api = staff_api(base).await;
    let conv = api
        .from_room(RoomNumber(i64::from(room)))
        .await
        .unwrap()
        .conversation_id;
    api.messages(conv, 50, None)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.message == text)
        .count()
}
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
    let (server, env) = serve_demo(&["--addr", "127.0.0.1:0"]);
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
        let api = staff_api(&base).await;
        let room = api.from_room(RoomNumber(101)).await.unwrap();
        api.messages(room.conversation_id, 20, None)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.message == "Towels are on their way to 101 ☘")
            .count()
    });
    assert_eq!(copies, 1);

    // Quit cleanly from the list (q in a thread goes back to the list): the program ends and
    // the pane closes. One key at a time: ESC then a letter at once reads as Alt-letter.
    for k in ["Escape", "Escape", "q"] {
        tmux.keys(&[k]);
        std::thread::sleep(Duration::from_millis(150));
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while tmux.run(&["list-sessions"]).contains("e2e") {
        assert!(Instant::now() < deadline, "frontdesk did not quit");
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(server);
}

fn skip_without_tmux() -> bool {
    if tmux_available() {
        return false;
    }
    assert!(std::env::var_os("CI").is_none(), "CI must install tmux");
    eprintln!("SKIPPED: tmux is not installed");
    true
}

#[test]
fn a_reply_survives_kill_9_and_is_delivered_once_after_restart() {
    if skip_without_tmux() {
        return;
    }
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let base = format!("http://{addr}");
    let (server, _) = serve_demo(&["--addr", &addr]);
    let dirs = tempfile::tempdir().unwrap();
    let tmux = Tmux::start("outbox", &inbox_cmd(dirs.path(), &base, ""));
    tmux.wait_for("Conversations (", 20);
    tmux.keys(&["/", "103"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("Room 103", 10);

    // The server goes away; the reply is kept on disk.
    drop(server);
    tmux.keys(&["-l", "The remote is fixed now"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("not sent", 15);
    let outbox = desk_file(dirs.path(), &base, "outbox.json");
    let saved = std::fs::read_to_string(&outbox).unwrap();
    assert!(saved.contains("The remote is fixed now"), "{saved}");

    // kill -9: no chance to clean up.
    let pid = tmux.run(&["display", "-p", "-t", "e2e", "#{pane_pid}"]);
    let status = Command::new("kill")
        .args(["-9", pid.trim()])
        .status()
        .unwrap();
    assert!(status.success());
    drop(tmux);

    // The server is back; a new run delivers it, once.
    let (_server, _) = serve_demo(&["--addr", &addr]);
    let tmux = Tmux::start("outbox2", &inbox_cmd(dirs.path(), &base, ""));
    tmux.wait_for("Conversations (", 20);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let n = rt.block_on(copies_in_room(&base, 103, "The remote is fixed now"));
        if n >= 1 {
            assert_eq!(n, 1);
            break;
        }
        assert!(
            Instant::now() < deadline,
            "never delivered; screen:\n{}",
            tmux.screen()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // Once confirmed, it leaves the outbox; and a second restart sends nothing again.
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::fs::read_to_string(&outbox)
        .unwrap_or_default()
        .contains("The remote is fixed now")
    {
        assert!(Instant::now() < deadline, "outbox not cleared");
        std::thread::sleep(Duration::from_millis(100));
    }
    tmux.keys(&["q"]);
    drop(tmux);
    let tmux = Tmux::start("outbox3", &inbox_cmd(dirs.path(), &base, ""));
    tmux.wait_for("Conversations (", 20);
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(
        rt.block_on(copies_in_room(&base, 103, "The remote is fixed now")),
        1
    );
}

#[test]
fn hostile_guest_text_stays_inert_in_a_real_terminal() {
    if skip_without_tmux() {
        return;
    }
    let (_server, env) = serve_demo(&["--addr", "127.0.0.1:0"]);
    let base = env["FRONTDESK_SERVER"].clone();
    let dirs = tempfile::tempdir().unwrap();
    let tmux = Tmux::start(
        "hostile",
        &inbox_cmd(
            dirs.path(),
            &base,
            &format!("--pusher-url '{}'", env["FRONTDESK_PUSHER_URL"]),
        ),
    );
    tmux.wait_for("● live", 20);
    let title_before = tmux.run(&["display", "-p", "-t", "e2e", "#{pane_title}"]);
    let hostile = "HOSTILE\u{1b}]0;pwned-title\u{7}\u{1b}[2J\u{1b}[H\u{1b}]52;c;cGF5bG9hZA==\u{7}\u{1b}]8;;http://evil.example/\u{7}click\u{1b}]8;;\u{7}\u{9b}31m\u{202e}desrever\u{200b}END";
    let hostile = hostile.to_string();
    assert!(hostile.contains('\u{1b}'));
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(common::guest_says(&base, 104, &hostile));
    tmux.wait_for("HOSTILE", 10);
    tmux.keys(&["/", "104"]);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("END", 10);
    let title_after = tmux.run(&["display", "-p", "-t", "e2e", "#{pane_title}"]);
    assert_eq!(title_before, title_after, "the title was changed");
    assert!(!title_after.contains("pwned"));
    assert!(
        screen.contains("frontdesk · Hotel Killarney") && screen.contains("Filter: 104"),
        "the screen was not cleared:\n{screen}"
    );
    assert!(
        screen.contains("␛]0;pwned-title"),
        "the escape shows inert:\n{screen}"
    );
    assert!(!screen.contains('\u{202e}'));
    let clipboard = tmux.run(&["show-buffer"]);
    assert!(
        !clipboard.contains("payload"),
        "OSC 52 reached the clipboard"
    );
}

#[test]
fn keys_still_work_while_the_server_says_nothing() {
    if skip_without_tmux() {
        return;
    }
    let (_server, env) = serve_demo(&["--addr", "127.0.0.1:0", "--faults", "stall"]);
    let base = env["FRONTDESK_SERVER"].clone();
    let dirs = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dirs.path().join("config/frontdesk")).unwrap();
    std::fs::write(
        dirs.path().join("config/frontdesk/config.toml"),
        "request_timeout_seconds = 3\n",
    )
    .unwrap();
    // A stalled server cannot even sign in: use a token so the inbox opens.
    let cmd = format!(
        "exec env XDG_DATA_HOME={d}/data XDG_STATE_HOME={d}/state XDG_CONFIG_HOME={d}/config FRONTDESK_TOKEN=demo-token-frontdesk FRONTDESK_STAFF_ID=1 {bin} --server {base} --hotel hotel-killarney",
        d = dirs.path().display(),
        bin = env!("CARGO_BIN_EXE_frontdesk"),
    );
    let tmux = Tmux::start("stall", &cmd);
    tmux.wait_for("Loading conversations", 10);
    let asked = Instant::now();
    tmux.keys(&["?"]);
    tmux.wait_for("open or start a room", 2);
    assert!(
        asked.elapsed() < Duration::from_secs(2),
        "the help took {:?}",
        asked.elapsed()
    );
    tmux.keys(&["Escape"]);
    tmux.wait_for("did not answer in time", 15);
    tmux.keys(&["q"]);
}

/// The inbox started from an interactive shell (so Ctrl-Z hands the terminal back to it),
/// once its list is on screen.
fn inbox_in_a_shell(name: &str, dirs: &Path, base: &str) -> Tmux {
    let tmux = Tmux::start(name, "bash --norc --noprofile -i");
    std::thread::sleep(Duration::from_millis(300));
    let cmd = inbox_cmd(dirs, base, "").replacen("exec env", "env", 1);
    tmux.keys(&["-l", &cmd]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("Conversations (", 20);
    tmux
}

#[test]
fn ctrl_z_suspends_and_fg_restores_the_screen() {
    if skip_without_tmux() {
        return;
    }
    let (_server, env) = serve_demo(&["--addr", "127.0.0.1:0"]);
    let base = env["FRONTDESK_SERVER"].clone();
    let dirs = tempfile::tempdir().unwrap();
    let tmux = inbox_in_a_shell("suspend", dirs.path(), &base);
    tmux.keys(&["Enter"]);
    tmux.keys(&["-l", "kept across suspend"]);
    tmux.keys(&["C-z"]);
    tmux.wait_for("Stopped", 15);
    let drafts = std::fs::read_to_string(desk_file(dirs.path(), &base, "drafts.json")).unwrap();
    assert!(
        drafts.contains("kept across suspend"),
        "drafts flushed before stopping: {drafts}"
    );
    tmux.keys(&["-l", "fg"]);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("kept across suspend", 15);
    assert!(screen.contains("Conversations ("), "{screen}");
    tmux.keys(&["Escape", "Escape", "q"]);
}

/// The real binary against the deployment profile: partial from the start, a colleague's
/// reply by polling, a reply that the server answers with 500 after saving shown once and
/// delivered, and a turned-over room kept apart.
/// The deployment profile's demo and the inbox on it in tmux, live (partial) on screen.
fn deployment_inbox(name: &str) -> (Server, String, tempfile::TempDir, Tmux) {
    let (server, env) = serve_demo(&["--addr", "127.0.0.1:0", "--profile", "deployment"]);
    let base = env["FRONTDESK_SERVER"].clone();
    let dirs = tempfile::tempdir().unwrap();
    let tmux = Tmux::start(
        name,
        &inbox_cmd(
            dirs.path(),
            &base,
            &format!("--pusher-url '{}'", env["FRONTDESK_PUSHER_URL"]),
        ),
    );
    tmux.wait_for("Conversations (", 20);
    tmux.wait_for("◐ live (partial)", 10);
    (server, base, dirs, tmux)
}

#[test]
fn the_deployments_quirks_in_a_real_terminal() {
    if skip_without_tmux() {
        return;
    }
    let (server, base, _dirs, tmux) = deployment_inbox("deploy");
    assert!(tmux.screen().contains("earlier stay"), "{}", tmux.screen());

    tmux.keys(&["/", "102"]);
    tmux.wait_for("Filter: 102", 5);
    tmux.keys(&["Enter"]);
    tmux.wait_for("Room 102 ·", 10);

    // A colleague answers; no guest writes. It shows within the poll interval (5 s).
    let rt = tokio::runtime::Runtime::new().unwrap();
    let conv = rt.block_on(async {
        let api = staff_api_as(&base, "manager").await;
        let conv = api
            .conversations()
            .await
            .unwrap()
            .into_iter()
            .filter(|c| c.room_number == RoomNumber(102))
            .map(|c| c.id)
            .max()
            .unwrap();
        let _ = api
            .send(conv, "Manager: spare key left at the desk", None)
            .await;
        conv
    });
    tmux.wait_for("spare key left at the desk", 15);

    // Our reply now answers 500 after saving (4.7): shown once, no error left.
    tmux.keys(&["-l", "Thank you, collect it any time"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("Thank you, collect it any time", 10);
    std::thread::sleep(Duration::from_millis(1500));
    let screen = tmux.screen();
    assert!(!screen.contains("not confirmed"), "{screen}");
    assert!(!screen.contains("Reply not"), "{screen}");
    assert!(!screen.contains("sending…"), "{screen}");
    // Once in the thread, once as the list row's preview.
    assert_eq!(
        screen.matches("Thank you, collect it any time").count(),
        2,
        "{screen}"
    );
    let stored = rt.block_on(async {
        let api = staff_api(&base).await;
        api.messages(conv, 20, None)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.message == "Thank you, collect it any time")
            .count()
    });
    assert_eq!(stored, 1);

    // `o 103`: the current stay, named after its guest.
    // One key at a time: ESC then a letter at once reads as Alt-letter.
    for k in ["Escape", "Escape", "o"] {
        tmux.keys(&[k]);
        std::thread::sleep(Duration::from_millis(150));
    }
    tmux.keys(&["-l", "103"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("Room 103 · Astrid Lindqvist", 10);
    tmux.keys(&["Escape", "Escape", "q"]);
    drop(server);
}

/// The realtime server is down: the header counts down to the next try and counts the tries,
/// while the clock moves on its own (no events arrive from a dead link).
#[test]
fn the_reconnect_countdown_moves() {
    if skip_without_tmux() {
        return;
    }
    let (server, env) = serve_demo(&["--addr", "127.0.0.1:0"]);
    let base = env["FRONTDESK_SERVER"].clone();
    let dirs = tempfile::tempdir().unwrap();
    let dead = format!("ws://127.0.0.1:{}/app/x?protocol=7", free_port());
    let tmux = Tmux::start(
        "countdown",
        &inbox_cmd(dirs.path(), &base, &format!("--pusher-url '{dead}'")),
    );
    tmux.wait_for("Conversations (", 20);
    let seconds = |s: &str| -> Option<(i64, i64)> {
        let at = s.find("reconnecting in ")?;
        let rest = &s[at + "reconnecting in ".len()..];
        let (n, rest) = rest.split_once("s (")?;
        let (k, _) = rest.split_once(')')?;
        Some((n.parse().ok()?, k.parse().ok()?))
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    let first = loop {
        if let Some((n, k)) = seconds(&tmux.screen())
            && n >= 3
        {
            break (n, k);
        }
        assert!(
            Instant::now() < deadline,
            "no countdown:\n{}",
            tmux.screen()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    // With 3 s or more to go, the same try counts down within 2.5 s, even on a loaded
    // machine (a countdown that stood still would read the same until the next try).
    let deadline = Instant::now() + Duration::from_millis(2500);
    loop {
        let later = seconds(&tmux.screen());
        if later.is_some_and(|(n, k)| k == first.1 && n < first.0) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the countdown stood still at {first:?}:\n{}",
            tmux.screen()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(server);
}

/// A file of the front desk's own state (per server, hotel and staff member).
fn desk_file(dirs: &Path, base: &str, name: &str) -> std::path::PathBuf {
    frontdesk::cli::desk_dir_in(
        &dirs.join("data/frontdesk"),
        base,
        "hotel-killarney",
        StaffId(1),
    )
    .join(name)
}

fn alive(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .unwrap_or_default()
            .contains(") Z ")
}

/// Closes the terminal under the inbox (the tmux server goes, as a closed window or a dropped
/// SSH session does) and returns how long frontdesk took to end.
fn close_terminal_and_time_exit(tmux: &Tmux) -> Duration {
    let pid: u32 = tmux
        .run(&["display", "-p", "-t", "e2e", "#{pane_pid}"])
        .trim()
        .parse()
        .expect("pane pid");
    assert!(alive(pid));
    let closed = Instant::now();
    tmux.run(&["kill-server"]);
    while alive(pid) {
        assert!(
            closed.elapsed() < Duration::from_secs(5),
            "frontdesk is still running 5 s after its terminal closed"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    closed.elapsed()
}

/// The pid of the process whose command line holds `needle`.
fn pid_with_arg(needle: &str) -> Option<u32> {
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
        let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
        let is_frontdesk = args.first()?.ends_with(b"frontdesk");
        (is_frontdesk && args.contains(&needle.as_bytes())).then_some(pid)
    })
}

/// Stopped by Ctrl-Z, then its terminal closed: the process is woken with a terminal that only
/// reads end-of-file. It must end, not spin on a core for ever.
#[test]
fn a_suspended_frontdesk_ends_when_its_terminal_closes() {
    if skip_without_tmux() {
        return;
    }
    let (_server, env) = serve_demo(&["--addr", "127.0.0.1:0"]);
    let base = env["FRONTDESK_SERVER"].clone();
    let dirs = tempfile::tempdir().unwrap();
    let tmux = inbox_in_a_shell("stopped", dirs.path(), &base);
    tmux.keys(&["C-z"]);
    tmux.wait_for("Stopped", 15);
    let pid = pid_with_arg(&base).expect("frontdesk's pid");
    let closed = Instant::now();
    tmux.run(&["kill-server"]);
    while alive(pid) {
        assert!(
            closed.elapsed() < Duration::from_secs(10),
            "a suspended frontdesk is still running 10 s after its terminal closed"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    eprintln!(
        "suspended: frontdesk ended {:?} after its terminal closed",
        closed.elapsed()
    );
}

#[test]
fn a_closed_terminal_ends_frontdesk() {
    if skip_without_tmux() {
        return;
    }
    let (server, env) = serve_demo(&["--addr", "127.0.0.1:0"]);
    let dirs = tempfile::tempdir().unwrap();
    let tmux = Tmux::start(
        "closed",
        &inbox_cmd(dirs.path(), &env["FRONTDESK_SERVER"], ""),
    );
    tmux.wait_for("Conversations (", 20);
    tmux.keys(&["Enter"]);
    tmux.keys(&["-l", "half a reply"]);
    std::thread::sleep(Duration::from_millis(300));
    let took = close_terminal_and_time_exit(&tmux);
    eprintln!("healthy disk: frontdesk ended {took:?} after its terminal closed");
    // The draft typed before the terminal closed is on disk.
    let drafts = std::fs::read_to_string(desk_file(
        dirs.path(),
        &env["FRONTDESK_SERVER"],
        "drafts.json",
    ))
    .unwrap_or_default();
    assert!(drafts.contains("half a reply"), "{drafts}");
    drop(server);
}

/// A 64 KB data and state directory that is full: nothing but the frame reaches the terminal,
/// the screen says what cannot be kept, no temp file stays behind, and closing the terminal
/// still ends frontdesk.
#[test]
fn a_full_disk_is_said_on_screen_and_never_printed_over_it() {
    if skip_without_tmux() {
        return;
    }
    let dirs = tempfile::tempdir().unwrap();
    let mnt = dirs.path().join("small");
    std::fs::create_dir_all(&mnt).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
        .arg(&mnt)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs as root: tmpfs must mount"
        );
        eprintln!("SKIPPED: cannot mount a tmpfs here");
        return;
    }
    struct Unmount(std::path::PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(&self.0).status();
        }
    }
    let _unmount = Unmount(mnt.clone());
    let (server, env) = serve_demo(&["--addr", "127.0.0.1:0"]);
    // Directories first, then fill the rest of the 64 KB.
    for d in ["data/frontdesk", "state/frontdesk", "config"] {
        std::fs::create_dir_all(mnt.join(d)).unwrap();
    }
    let mut filler = std::fs::File::create(mnt.join("filler")).unwrap();
    let block = [0u8; 4096];
    while std::io::Write::write_all(&mut filler, &block).is_ok() {}
    drop(filler);
    let tmux = Tmux::start("fulldisk", &inbox_cmd(&mnt, &env["FRONTDESK_SERVER"], ""));
    let screen = tmux.wait_for("Conversations (", 20);
    assert!(
        screen.contains("cannot be saved") || screen.contains("log cannot be written"),
        "{screen}"
    );
    eprintln!(
        "full disk, the screen's last line: {:?}",
        screen.lines().last().unwrap_or_default().trim()
    );
    // Work goes on: open a thread, type, send; the log keeps failing underneath.
    tmux.keys(&["Enter"]);
    tmux.keys(&["-l", "Extra pillows are on the way"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("Extra pillows are on the way", 10);
    std::thread::sleep(Duration::from_millis(500));
    let screen = tmux.screen();
    assert!(!screen.contains("tracing-subscriber"), "{screen}");
    assert!(!screen.contains("Unable to write"), "{screen}");
    let took = close_terminal_and_time_exit(&tmux);
    eprintln!("full disk: frontdesk ended {took:?} after its terminal closed");
    fn walk(dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p.display().to_string());
            }
        }
    }
    let mut files = Vec::new();
    walk(&mnt.join("data"), &mut files);
    // Temp files by name (the test's own directory is a temp directory too).
    let left: Vec<&String> = files
        .iter()
        .filter(|n| {
            Path::new(n)
                .file_name()
                .is_some_and(|f| f.to_string_lossy().contains(".tmp"))
        })
        .collect();
    assert!(left.is_empty(), "temp files left: {left:?}");
    // A full disk is not the history file's fault: it is never moved aside for it.
    assert!(
        !files.iter().any(|n| n.contains(".corrupt-")),
        "moved aside on a full disk: {files:?}"
    );
    drop(server);
}

/// The desk's clock 10 minutes fast, then 10 minutes slow (the server's clock shifted the
/// other way): a message a guest has just sent reads "now", and the screen says the clock is
/// off.
#[test]
fn ages_follow_the_servers_clock_when_the_desks_is_wrong() {
    if skip_without_tmux() {
        return;
    }
    for (server_offset, says) in [(-600, "10 min fast"), (600, "10 min slow")] {
        let fault = format!("clock-offset={server_offset}");
        let (server, env) = serve_demo(&["--addr", "127.0.0.1:0", "--faults", &fault]);
        let base = env["FRONTDESK_SERVER"].clone();
        let dirs = tempfile::tempdir().unwrap();
        let tmux = Tmux::start(
            &format!("clock{server_offset}"),
            &inbox_cmd(
                dirs.path(),
                &base,
                &format!("--pusher-url '{}'", env["FRONTDESK_PUSHER_URL"]),
            ),
        );
        tmux.wait_for("Conversations (", 20);
        let rt = tokio::runtime::Runtime::new().unwrap();
        // Room 110's guest had an answer: this message starts a new wait.
        rt.block_on(common::guest_says(&base, 110, "Is the pool open?"));
        let screen = tmux.wait_for("Is the pool open?", 20);
        let row = screen
            .lines()
            .find(|l| l.contains(" 110 "))
            .unwrap_or_default()
            .to_string();
        eprintln!("server clock {server_offset:+} s: room 110 reads {row:?}");
        // The guest's new message: a wait that has only just begun, whichever clock is wrong.
        assert!(row.contains("waiting <1m"), "{row}\n{screen}");
        assert!(screen.contains(says), "{screen}");
        drop(tmux);
        drop(server);
    }
}

/// Guest text with the emoji sequences terminals disagree on (ZWJ families, flags, VS16,
/// skin tones, keycaps), scrolled through in tmux: every bordered row keeps its border in the
/// last column, so nothing was shifted, and the flags read as their letters.
#[test]
fn emoji_sequences_leave_no_stale_cells_and_no_shifted_borders_in_tmux() {
    if skip_without_tmux() {
        return;
    }
    let (server, env) = serve_demo(&["--addr", "127.0.0.1:0"]);
    let base = env["FRONTDESK_SERVER"].clone();
    let lines = [
        "The family 👩‍👩‍👧‍👦 joins us, bell ring 🔔 please",
        "Greetings from 🇮🇪 and 🇯🇵, carriage at ten",
        "I ❤️ the room, the bed 🛏️ is perfect",
        "Thumbs 👍🏽👍🏿 for the staff, jo jo",
        "Room 1️⃣0️⃣4️⃣ needs towels, 👨‍👩‍👧 here",
    ];
    let rt = tokio::runtime::Runtime::new().unwrap();
    for (i, line) in lines.iter().enumerate() {
        for room in [101u32, 102, 103] {
            rt.block_on(common::guest_says(&base, room, &format!("{i}: {line}")));
        }
    }
    let dirs = tempfile::tempdir().unwrap();
    let tmux = Tmux::start(
        "emoji",
        &inbox_cmd(
            dirs.path(),
            &base,
            &format!("--pusher-url '{}'", env["FRONTDESK_PUSHER_URL"]),
        ),
    );
    tmux.wait_for("Conversations (", 20);
    let columns = |row: &str| -> usize {
        use unicode_width::UnicodeWidthChar;
        row.chars().map(|c| c.width().unwrap_or(0)).sum()
    };
    let wrong = |screen: &str| -> Option<String> {
        screen
            .lines()
            .filter(|r| r.starts_with(['│', '┌', '└']))
            .find(|row| {
                columns(row) != 120 || !row.ends_with(['│', '┐', '┘']) || row.contains('\u{1f1ea}')
            })
            .map(str::to_string)
    };
    // A capture can fall between the writes of one frame: a row counts as shifted only when
    // it stays so once the frame is done.
    let check = |what: &str| {
        let mut screen = tmux.screen();
        for _ in 0..5 {
            if wrong(&screen).is_none() {
                return screen;
            }
            std::thread::sleep(Duration::from_millis(200));
            screen = tmux.screen();
        }
        panic!("{what}: a shifted row {:?}\n{screen}", wrong(&screen));
    };
    check("the list");
    let mut steps: Vec<&str> = vec!["j"; 4];
    steps.extend(["Enter", "Escape"]);
    steps.extend(["k"; 12]);
    steps.extend(["PageDown", "End", "Escape", "j", "Enter", "Escape"]);
    steps.extend(["k"; 6]);
    for (i, key) in steps.iter().enumerate() {
        tmux.keys(&[key]);
        std::thread::sleep(Duration::from_millis(150));
        check(&format!("after key {i} ({key})"));
    }
    // Room 101's thread: the guest's lines read naturally, drawn in settled forms.
    tmux.keys(&["Escape", "Escape", "o"]);
    tmux.keys(&["101", "Enter"]);
    tmux.wait_for("Room 101", 10);
    tmux.keys(&["Escape"]);
    let screen = tmux.wait_for("[IE]", 10);
    check("room 101");
    for shown in [
        "👩👩👧👦 joins us, bell ring 🔔",
        "❤ the room",
        "👍👍 for the staff, jo jo",
    ] {
        assert!(screen.contains(shown), "{shown:?} not in\n{screen}");
    }
    drop(tmux);
    drop(server);
}

/// The desk's history in the real binary, against a slow server with the deployment's
/// quirks: the second start draws the kept inbox before the server has answered, marked as
/// kept; then `frontdesk search` finds a message from the shell, and `frontdesk forget
/// --room` removes that room's at once.
#[test]
fn a_second_start_draws_the_kept_inbox_before_a_slow_server_answers() {
    if skip_without_tmux() {
        return;
    }
    let (server, env) = serve_demo(&[
        "--addr",
        "127.0.0.1:0",
        "--profile",
        "deployment",
        "--faults",
        "slow=4000",
    ]);
    let base = env["FRONTDESK_SERVER"].clone();
    let dirs = tempfile::tempdir().unwrap();
    let d = dirs.path().display().to_string();
    let vars = format!(
        "XDG_DATA_HOME={d}/data XDG_STATE_HOME={d}/state XDG_CONFIG_HOME={d}/config FRONTDESK_TOKEN=demo-token-frontdesk FRONTDESK_STAFF_ID=1"
    );
    let cmd = format!(
        "exec env {vars} {bin} --server {base} --hotel hotel-killarney",
        bin = env!("CARGO_BIN_EXE_frontdesk"),
    );
    {
        let first = Tmux::start("kept1", &cmd);
        first.wait_for("Loading conversations", 10);
        first.wait_for("Conversations (", 30);
        // Open room 110 so its thread is kept too, then let the store write and quit.
        first.keys(&["o"]);
        first.keys(&["-l", "110"]);
        first.keys(&["Enter"]);
        first.wait_for("Kerry Airport", 30);
        // Apart, so the terminal does not read Escape and q as Alt-q.
        first.keys(&["Escape"]);
        std::thread::sleep(Duration::from_millis(300));
        first.keys(&["Escape"]);
        std::thread::sleep(Duration::from_millis(300));
        first.keys(&["q"]);
        std::thread::sleep(Duration::from_millis(500));
    }
    let second = Tmux::start("kept2", &cmd);
    let first_list = second.wait_for("Conversations (", 10);
    assert!(
        first_list.contains("kept, as of"),
        "the first list drawn is the kept one, said so:\n{first_list}"
    );
    let merged = second.wait_for("updated", 30);
    assert!(!merged.contains("kept, as of"), "{merged}");
    second.keys(&["q"]);
    drop(second);

    let frontdesk = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
            .args(args)
            .env("XDG_DATA_HOME", dirs.path().join("data"))
            .env("XDG_STATE_HOME", dirs.path().join("state"))
            .env("XDG_CONFIG_HOME", dirs.path().join("config"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let found: serde_json::Value =
        serde_json::from_str(&frontdesk(&["search", "kerry", "airp", "--json"])).unwrap();
    let rooms: Vec<i64> = found
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["room"].as_i64())
        .collect();
    assert!(rooms.contains(&110), "{found}");
    let said = frontdesk(&["forget", "--room", "110"]);
    assert!(said.contains("Forgot room 110"), "{said}");
    let found: serde_json::Value =
        serde_json::from_str(&frontdesk(&["search", "kerry", "--json"])).unwrap();
    assert_eq!(found, serde_json::json!([]), "room 110 is forgotten");
    drop(server);
}

/// The hand-off in the real binary against the deployment profile, where a colleague answers
/// by themselves after a second: `f`, "Housekeeping", Enter, Enter in room 102's thread, then
/// the answer on screen, live.
#[test]
fn a_hand_off_and_its_answer_in_a_real_terminal() {
    if skip_without_tmux() {
        return;
    }
    let (_server, env) = serve_demo(&[
        "--addr",
        "127.0.0.1:0",
        "--profile",
        "deployment",
        "--colleagues-answer-after",
        "1",
    ]);
    let base = env["FRONTDESK_SERVER"].clone();
    let dirs = tempfile::tempdir().unwrap();
    let tmux = Tmux::start(
        "handoff",
        &inbox_cmd(
            dirs.path(),
            &base,
            &format!("--pusher-url '{}'", env["FRONTDESK_PUSHER_URL"]),
        ),
    );
    tmux.wait_for("Conversations (", 20);
    tmux.keys(&["o"]);
    tmux.keys(&["-l", "102"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("Room 102", 10);
    std::thread::sleep(Duration::from_millis(300));
    tmux.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(300));
    tmux.keys(&["f"]);
    tmux.wait_for("Hand on to", 10);
    tmux.keys(&["-l", "Housekeeping"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("To colleagues, not the guest: hand-off to Housekeeping", 5);
    tmux.keys(&["Enter"]);
    tmux.wait_for("→ Housekeeping", 10);
    // A member of the team answers (the demo's first housekeeper), live.
    let screen = tmux.wait_for("On my way with towels", 10);
    assert!(screen.contains("· answered"), "{screen}");
    assert!(screen.contains("← "), "{screen}");
    tmux.keys(&["h"]);
    // `h` offers the answer above the reply box, to be put in the desk's words.
    let screen = tmux.wait_for("↳ to put in your words: Housekeeping", 5);
    assert!(
        screen.contains("Their answer is above the reply"),
        "{screen}"
    );
    tmux.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(300));
    tmux.keys(&["q"]);
}

/// Live messages move room 101's thread up on an 80x24 screen, where the thread is alone: the
/// terminal (tmux here) is told to scroll its rows instead of being sent them again, and what
/// tmux shows is what a full redraw of the same state shows.
#[test]
fn a_scrolled_thread_in_tmux_matches_a_full_redraw() {
    if skip_without_tmux() {
        return;
    }
    let (server, env) = serve_demo(&["--addr", "127.0.0.1:0"]);
    let base = env["FRONTDESK_SERVER"].clone();
    let dirs = tempfile::tempdir().unwrap();
    let trace = dirs.path().join("trace");
    let tmux = Tmux::start(
        "scroll",
        &inbox_cmd(
            dirs.path(),
            &base,
            &format!(
                "--pusher-url '{}' --notify off",
                env["FRONTDESK_PUSHER_URL"]
            ),
        )
        .replace(
            "exec env ",
            &format!("exec env FRONTDESK_TRACE={} ", trace.display()),
        ),
    );
    tmux.run(&["resize-window", "-t", "e2e", "-x", "80", "-y", "24"]);
    tmux.wait_for("● live", 20);
    tmux.keys(&["o"]);
    tmux.keys(&["101", "Enter"]);
    tmux.wait_for("Room 101", 10);
    tmux.keys(&["Escape"]);
    let said = [
        "Could I have more towels please?",
        "The air conditioning is making a loud rattling noise every few minutes and we cannot sleep at all",
        "Thanks!",
        "What time does breakfast start tomorrow?",
        "ok",
        "Is late checkout possible? Our flight is at 6pm.",
    ];
    let rt = tokio::runtime::Runtime::new().unwrap();
    for (i, text) in said.iter().cycle().take(12).enumerate() {
        let text = format!("{text} ({i})");
        rt.block_on(common::guest_says(&base, 101, &text));
        tmux.wait_for(&format!("({i})"), 10);
    }
    std::thread::sleep(Duration::from_millis(500));
    let scrolls = std::fs::read_to_string(&trace)
        .unwrap_or_default()
        .lines()
        .filter(|l| {
            l.split_whitespace()
                .any(|p| p.starts_with("scrolled=") && p != "scrolled=0")
        })
        .count();
    assert!(scrolls >= 6, "{scrolls} frames scrolled the terminal");
    // The thread's rows, between its title and the reply box (the header's clock may move).
    let thread = |screen: &str| -> Vec<String> {
        screen
            .lines()
            .skip_while(|l| !l.contains("Room 101"))
            .take_while(|l| !l.contains("Reply"))
            .map(str::to_string)
            .collect()
    };
    // A new width redraws every cell; back at 80 columns, every cell again.
    let redrawn = || {
        tmux.run(&["resize-window", "-t", "e2e", "-x", "81", "-y", "24"]);
        std::thread::sleep(Duration::from_millis(500));
        tmux.run(&["resize-window", "-t", "e2e", "-x", "80", "-y", "24"]);
        std::thread::sleep(Duration::from_millis(800));
        thread(&tmux.screen())
    };
    // The messages are marked read a moment later ("· new" goes, paced per conversation):
    // compare once the thread shows no mark and has stood still for a while.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let before = thread(&tmux.screen());
        std::thread::sleep(Duration::from_millis(800));
        let after = thread(&tmux.screen());
        let settled = before == after && !after.concat().contains("· new");
        if settled || std::time::Instant::now() > deadline {
            break;
        }
    }
    let scrolled = thread(&tmux.screen());
    assert!(
        !scrolled.concat().contains("· new"),
        "the read marks never came:\n{}",
        tmux.screen()
    );
    assert!(
        scrolled.len() > 10,
        "no thread on screen:\n{}",
        tmux.screen()
    );
    assert_eq!(
        scrolled,
        redrawn(),
        "the scrolled screen differs from a redraw"
    );
    // Reading back up moves the rows the other way (lines inserted at the top).
    for key in ["k", "k", "k", "PageUp", "k", "j"] {
        tmux.keys(&[key]);
        std::thread::sleep(Duration::from_millis(150));
    }
    std::thread::sleep(Duration::from_millis(300));
    let back = thread(&tmux.screen());
    assert_ne!(back, scrolled, "the keys did not move the thread");
    assert_eq!(
        back,
        redrawn(),
        "the screen scrolled back differs from a redraw"
    );
    drop(tmux);
    drop(server);
}

/// Two desks on the deployment profile: the clerk's real terminal watches, the manager acts
/// through the API and the shell. A colleague's answer in a conversation not open here, and
/// a "done" from another desk, show on the clerk's row within 15 s, with no list read.
#[test]
fn what_another_desk_did_shows_in_a_real_terminal() {
    if skip_without_tmux() {
        return;
    }
    let (server, base, dirs, tmux) = deployment_inbox("desks");
    let row = |screen: &str, room: &str| -> String {
        let lines: Vec<&str> = screen.lines().collect();
        lines
            .iter()
            .position(|l| l.contains(&format!("│ {room} ")))
            .map(|i| format!("{}\n{}", lines[i], lines.get(i + 1).unwrap_or(&"")))
            .unwrap_or_default()
    };
    // 109's guest waits.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !row(&tmux.screen(), "109").contains("waiting") {
        assert!(Instant::now() < deadline, "{}", tmux.screen());
        std::thread::sleep(Duration::from_millis(100));
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let api = rt.block_on(staff_api_as(&base, "manager"));
    let conv = rt.block_on(async {
        api.conversations()
            .await
            .unwrap()
            .into_iter()
            .filter(|c| c.room_number == RoomNumber(109))
            .map(|c| c.id)
            .max()
            .unwrap()
    });
    let lists_before = rt.block_on(common::request_count(&base, "list"));
    let started = Instant::now();
    rt.block_on(async {
        api.mark_read(conv).await.unwrap();
        let _ = api
            .send(conv, "The wifi code is on the card by the TV", None)
            .await;
    });
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let r = row(&tmux.screen(), "109");
        if r.contains("Frank Manager: The wifi code") && !r.contains("waiting") {
            break;
        }
        assert!(Instant::now() < deadline, "after 15 s:\n{}", tmux.screen());
        std::thread::sleep(Duration::from_millis(100));
    }
    let took = started.elapsed();
    let lists = rt.block_on(common::request_count(&base, "list")) - lists_before;
    assert_eq!(
        lists, 0,
        "the answer came by a list read, not the watch ({took:?})"
    );

    // "Done" for 205 from another desk's shell: the row says so here.
    let out = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args(["done", "205"])
        .env("XDG_DATA_HOME", dirs.path().join("other"))
        .env("XDG_STATE_HOME", dirs.path().join("other"))
        .env("XDG_CONFIG_HOME", dirs.path().join("other"))
        .env("FRONTDESK_SERVER", &base)
        .env("FRONTDESK_HOTEL", "hotel-killarney")
        .env("FRONTDESK_USERNAME", "manager")
        .env("FRONTDESK_PASSWORD", "demo")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    while !row(&tmux.screen(), "205").contains("✓ done") {
        assert!(Instant::now() < deadline, "after 15 s:\n{}", tmux.screen());
        std::thread::sleep(Duration::from_millis(100));
    }
    tmux.keys(&["q"]);
    drop(server);
}
