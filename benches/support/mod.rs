//! What the real-binary benchmarks share: `serve-demo` on loopback, the inbox in tmux with a
//! frame trace, and small statistics.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub const BIN: &str = env!("CARGO_BIN_EXE_frontdesk");

pub fn now_ns() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

pub fn env_or<T: std::str::FromStr>(key: &str, default: T) -> T {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

pub struct Server {
    child: Child,
    pub base: String,
    pub ws: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn serve(conversations: usize, messages: usize) -> Server {
    serve_with(&[
        "--conversations",
        &conversations.to_string(),
        "--messages",
        &messages.to_string(),
    ])
}

/// `frontdesk serve-demo` on a free loopback port, with these extra arguments.
pub fn serve_with(extra: &[&str]) -> Server {
    let mut child = Command::new(BIN)
        .args(["serve-demo", "--addr", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve-demo starts");
    let out = child.stdout.take().expect("stdout");
    let mut vars = HashMap::new();
    for line in BufReader::new(out).lines().map_while(Result::ok) {
        if let Some((k, v)) = line.split_once('=') {
            vars.insert(k.to_string(), v.to_string());
        }
        if vars.contains_key("FRONTDESK_PUSHER_KEY") {
            break;
        }
    }
    Server {
        child,
        base: vars["FRONTDESK_SERVER"].clone(),
        ws: vars["FRONTDESK_PUSHER_URL"].clone(),
    }
}

#[derive(Debug, Clone, Default)]
pub struct FrameLine {
    pub ns: u128,
    pub bytes: u64,
    pub list: bool,
    pub messages: usize,
    pub live: Vec<i64>,
    /// Microseconds spent drawing the frame (render and paint), when the build says.
    pub us: u64,
}

pub fn parse(line: &str) -> Option<FrameLine> {
    let mut parts = line.split_whitespace();
    if parts.next()? != "frame" {
        return None;
    }
    let mut f = FrameLine {
        ns: parts.next()?.parse().ok()?,
        ..FrameLine::default()
    };
    for p in parts {
        match p.split_once('=')? {
            ("bytes", v) => f.bytes = v.parse().ok()?,
            ("list", v) => f.list = v == "1",
            ("messages", v) => f.messages = v.parse().ok()?,
            ("live", v) => f.live = v.split(',').filter_map(|x| x.parse().ok()).collect(),
            ("us", v) => f.us = v.parse().ok()?,
            _ => {}
        }
    }
    Some(f)
}

pub struct Inbox {
    socket: String,
    pub trace: PathBuf,
    _dir: Option<tempfile::TempDir>,
    pub started_ns: u128,
}

impl Drop for Inbox {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

impl Inbox {
    pub fn start(server: &Server, w: u16, h: u16, tag: &str) -> Inbox {
        Inbox::start_binary(BIN, server, w, h, tag)
    }

    /// The inbox of `binary` with `config` as its config file (TOML).
    pub fn start_configured(
        binary: &str,
        server: &Server,
        (w, h): (u16, u16),
        tag: &str,
        config: &str,
    ) -> Inbox {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("config/frontdesk/config.toml");
        std::fs::create_dir_all(file.parent().expect("parent")).expect("config dir");
        std::fs::write(&file, config).expect("config file");
        let mut inbox = Inbox::start_in(
            binary,
            server,
            dir.path(),
            "FRONTDESK_USERNAME=frontdesk FRONTDESK_PASSWORD=demo",
            (w, h),
            tag,
        );
        inbox._dir = Some(dir);
        inbox
    }

    /// The inbox of `binary` (another build, for before/after figures) in tmux.
    pub fn start_binary(binary: &str, server: &Server, w: u16, h: u16, tag: &str) -> Inbox {
        Inbox::start_configured(binary, server, (w, h), tag, "")
    }

    /// The inbox with its files in `dir` (kept by the caller: a second start finds them),
    /// signed in by `sign_in` (environment assignments).
    pub fn start_in(
        binary: &str,
        server: &Server,
        dir: &std::path::Path,
        sign_in: &str,
        (w, h): (u16, u16),
        tag: &str,
    ) -> Inbox {
        let trace = dir.join(format!("trace-{tag}"));
        let _ = std::fs::remove_file(&trace);
        let socket = format!("frontdesk-bench-{tag}-{}", std::process::id());
        let cmd = format!(
            "exec env XDG_DATA_HOME={d}/data XDG_STATE_HOME={d}/state XDG_CONFIG_HOME={d}/config \
             FRONTDESK_TRACE={t} {sign_in} \
             {binary} --server {base} --hotel hotel-killarney --pusher-url '{ws}' --notify off",
            d = dir.display(),
            t = trace.display(),
            base = server.base,
            ws = server.ws,
        );
        let started_ns = now_ns();
        let ok = Command::new("tmux")
            .args(["-L", &socket, "new-session", "-d", "-s", "b", "-x"])
            .arg(w.to_string())
            .arg("-y")
            .arg(h.to_string())
            .arg(&cmd)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "tmux new-session");
        Inbox {
            socket,
            trace,
            _dir: None,
            started_ns,
        }
    }

    pub fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux");
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "b"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    pub fn pid(&self) -> u32 {
        self.tmux(&["display", "-p", "-t", "b", "#{pane_pid}"])
            .trim()
            .parse()
            .expect("pane pid")
    }

    pub fn frames(&self) -> Vec<FrameLine> {
        std::fs::read_to_string(&self.trace)
            .unwrap_or_default()
            .lines()
            .filter_map(parse)
            .collect()
    }

    pub fn wait_frame(&self, secs: u64, pred: impl Fn(&FrameLine) -> bool) -> FrameLine {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(f) = self.frames().into_iter().find(|f| pred(f)) {
                return f;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for a frame; screen:\n{}",
                self.tmux(&["capture-pane", "-p", "-t", "b"])
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    pub fn wait_screen(&self, what: &str, secs: u64) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while !self.tmux(&["capture-pane", "-p", "-t", "b"]).contains(what) {
            assert!(Instant::now() < deadline, "{what:?} never appeared");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub async fn guest_says(http: &reqwest::Client, base: &str, room: u32, text: &str) -> i64 {
    let ctx: serde_json::Value = http
        .get(format!(
            "{base}/api/guest/hotel/hotel-killarney/chat/context?token=guest-token-room-{room}"
        ))
        .send()
        .await
        .expect("context")
        .json()
        .await
        .expect("json");
    let r: serde_json::Value = http
        .post(format!(
            "{base}/api/guest/hotel/hotel-killarney/chat/messages"
        ))
        .header(
            "X-Guest-Chat-Session",
            ctx["chat_session"].as_str().unwrap_or(""),
        )
        .json(&serde_json::json!({ "message": text }))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    r["message_id"].as_i64().unwrap_or(-1)
}

/// A staff member's token on the demo (password `demo`).
pub async fn staff_token(http: &reqwest::Client, base: &str, user: &str) -> String {
    let login: serde_json::Value = http
        .post(format!("{base}/api/staff/login/"))
        .json(&serde_json::json!({"username": user, "password": "demo"}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    login["token"].as_str().unwrap_or("").to_string()
}

/// The demo's request counts by endpoint (`GET /api/demo/requests`).
pub fn request_counts(base: &str) -> std::collections::BTreeMap<String, u64> {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        reqwest::get(format!("{base}/api/demo/requests"))
            .await
            .expect("counts")
            .json()
            .await
            .expect("json")
    })
}
