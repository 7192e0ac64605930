//! The inbox without a terminal: App + the async jobs (+ the live client, when asked), against
//! a demo server on 127.0.0.1. Shared by the integration tests.
#![allow(dead_code)]

pub mod contract;
pub mod hostile;

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use frontdesk::api::{ApiConfig, Login, StaffApi, login};
use frontdesk::app::{App, Clock, Command, Event, Me};
use frontdesk::live::LiveConfig;
use frontdesk::model::{ConversationId, MessageId, RoomNumber};
use frontdesk_demo::RunningDemo;
use tokio::sync::mpsc;

pub struct Harness {
    pub app: App,
    pub rx: mpsc::UnboundedReceiver<Event>,
    pub tx: mpsc::UnboundedSender<Event>,
    pub api: StaffApi,
    pub me: Me,
    /// Commands the harness does not run (the inbox loop's own: copy, notify, save…).
    pub local: Vec<Command>,
    /// The realtime link, when the harness runs one.
    pub live: Option<frontdesk::live::LiveHandle>,
    /// The desk's history, when the test gives one: kept from every answer and asked by the
    /// app's effects, as the inbox loop does.
    pub history: Option<Box<dyn frontdesk::history::History>>,
}

pub async fn signed_in(d: &RunningDemo, user: &str) -> (StaffApi, Login) {
    let l = login(&d.base_url, user, "demo").await.unwrap();
    (
        StaffApi::new(ApiConfig::new(&d.base_url, &l.hotel_slug, &l.token)),
        l,
    )
}

impl Harness {
    pub async fn new(d: &RunningDemo, user: &str, live: Option<LiveConfig>) -> Harness {
        let (api, l) = signed_in(d, user).await;
        let me = Me {
            staff_id: l.staff_id,
            name: l.username.clone(),
            hotel_name: l.hotel_display_name(),
            capabilities: l.allowed_capabilities.clone(),
        };
        Harness::on(api, me, live)
    }

    /// A desk on any server (no sign-in): the hostile-server tests' form.
    pub fn on(api: StaffApi, me: Me, live: Option<LiveConfig>) -> Harness {
        let clock = Clock {
            now: chrono::Utc::now(),
            offset: chrono::FixedOffset::east_opt(0).unwrap(),
        };
        let (tx, rx) = mpsc::unbounded_channel();
        let live = live.map(|cfg| {
            let tx = tx.clone();
            frontdesk::live::spawn(cfg, api.clone(), me.staff_id, move |e| {
                tx.send(Event::from(e)).is_ok()
            })
        });
        let app = App::new(me.clone(), clock, (120, 40));
        let mut h = Harness {
            app,
            rx,
            tx,
            api,
            me,
            local: Vec::new(),
            live,
            history: None,
        };
        let cmds = h.app.start();
        h.run(cmds);
        h
    }

    /// Handles events for `secs`, whatever happens.
    pub async fn for_secs(&mut self, secs: f64) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs_f64(secs);
        while let Ok(Some(ev)) = tokio::time::timeout_at(deadline, self.rx.recv()).await {
            self.handle(ev);
        }
    }

    /// The realtime tests' form: live client on `ws_url`, tuned by `tune`.
    pub async fn with_live(
        d: &RunningDemo,
        ws_url: &str,
        tune: impl FnOnce(&mut LiveConfig),
    ) -> Harness {
        let mut cfg = LiveConfig::new(ws_url, &d.hotel);
        tune(&mut cfg);
        Harness::new(d, "frontdesk", Some(cfg)).await
    }

    /// One event: kept in the history (if any), then into the app.
    pub fn handle(&mut self, ev: Event) {
        if let Some(h) = self.history.as_mut()
            && let Some(keep) = frontdesk::app::keep_of(&ev, self.app.clock.now)
        {
            keep.apply(h.as_mut()).expect("kept");
        }
        let cmds = self.app.update(ev);
        self.run(cmds);
    }

    /// Runs commands through the inbox's own router: jobs as tasks, effects kept here (or
    /// answered from the history, when the test gives one).
    pub fn run(&mut self, cmds: Vec<Command>) {
        for c in cmds {
            let effect = frontdesk::inbox::execute(
                &self.api,
                &self.me,
                c,
                &self.tx,
                self.live.as_ref().map(|l| &l.control),
            );
            if let (Some(h), Some(e)) = (self.history.as_mut(), effect.as_ref())
                && frontdesk::app::asks_history(e)
            {
                if let Some(answer) = frontdesk::app::answer(e.clone(), h.as_mut(), 30) {
                    let _ = self.tx.send(answer);
                }
                continue;
            }
            self.local.extend(effect.map(Command::Effect));
        }
    }

    pub fn key(&mut self, code: KeyCode) {
        let mods = match code {
            KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
            _ => KeyModifiers::NONE,
        };
        let cmds = self.app.update(Event::Key(KeyEvent::new(code, mods)));
        self.run(cmds);
    }

    pub fn ctrl(&mut self, c: char) {
        let cmds = self.app.update(Event::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::CONTROL,
        )));
        self.run(cmds);
    }

    pub fn typed(&mut self, s: &str) {
        for c in s.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    /// Handles events until `done` holds or the time runs out.
    pub async fn until(&mut self, secs: u64, done: impl Fn(&App) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        while !done(&self.app) {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(ev)) => {
                    self.handle(ev);
                }
                _ => return false,
            }
        }
        true
    }

    /// Like [`Harness::until`], with the inbox's poll timers running as `poll_plan` says
    /// (the open thread every `thread` interval, the list and unread-count every `list`).
    pub async fn until_polling(
        &mut self,
        secs: u64,
        thread: Duration,
        list: Duration,
        done: impl Fn(&App) -> bool,
    ) -> bool {
        use frontdesk::app::PollKind;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        let mut t = tokio::time::interval_at(tokio::time::Instant::now() + thread, thread);
        let mut l = tokio::time::interval_at(tokio::time::Instant::now() + list, list);
        while !done(&self.app) {
            let plan = self.app.poll_plan();
            let ev = tokio::select! {
                ev = self.rx.recv() => match ev { Some(ev) => ev, None => return false },
                _ = t.tick(), if plan.thread => Event::Poll(PollKind::Thread),
                _ = l.tick(), if plan.list => Event::Poll(PollKind::List),
                _ = tokio::time::sleep_until(deadline) => return false,
            };
            self.handle(ev);
        }
        true
    }

    /// Opens a conversation and waits for its newest page.
    pub async fn open(
        &mut self,
        id: ConversationId,
        focus: frontdesk::app::Focus,
    ) -> ConversationId {
        let cmds = self.app.open_conversation(id, focus);
        self.run(cmds);
        assert!(
            self.until(10, |a| a
                .threads
                .get(&id)
                .is_some_and(|t| !t.messages.is_empty()))
                .await,
            "conversation {id} did not load"
        );
        id
    }

    pub fn room(&self, room: i64) -> Option<ConversationId> {
        self.app
            .conversations
            .values()
            .find(|c| c.room_number == RoomNumber(room))
            .map(|c| c.id)
    }
}

/// A guest in `room` writes, through the demo's guest API; returns the message id.
/// The demo hotel in a profile, on the base path that profile serves; `answer_after`: a
/// colleague answers hand-offs by themselves.
pub async fn demo_for(
    profile: frontdesk_demo::Profile,
    answer_after: Option<Duration>,
) -> RunningDemo {
    use frontdesk_demo::{DemoConfig, Profile, ServedPaths};
    frontdesk_demo::start(DemoConfig {
        profile,
        paths: match profile {
            Profile::Friendly => ServedPaths::Hotels,
            Profile::Deployment => ServedPaths::Hotel,
        },
        colleagues_answer_after: answer_after,
        ..Default::default()
    })
    .await
    .unwrap()
}

/// The screen `ui::render` draws for `app` (plain theme), as text.
pub fn screen_of(app: &App) -> String {
    let mut t =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(app.size.0, app.size.1)).unwrap();
    let theme = frontdesk::ui::Theme::plain();
    t.draw(|f| {
        frontdesk::ui::render(f, app, &theme);
    })
    .unwrap();
    let buf = t.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..buf.area.height {
        // A wide character's second cell is part of it, not a space after it.
        let mut skip = 0;
        for x in 0..buf.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
            out.push_str(sym);
        }
        out.push('\n');
    }
    out
}

/// Runs the real binary with `args`, signed in from the environment as the front desk; its
/// exit status and its JSON.
pub async fn frontdesk_json_at(
    base: &str,
    hotel: &str,
    ws: &str,
    args: &[&str],
) -> (bool, serde_json::Value) {
    let (base, hotel, ws) = (base.to_string(), hotel.to_string(), ws.to_string());
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let out = tokio::task::spawn_blocking(move || {
        let home = tempfile::tempdir().unwrap();
        std::process::Command::new(env!("CARGO_BIN_EXE_frontdesk"))
            .args(&args)
            .env_clear()
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_STATE_HOME", home.path().join("state"))
            .env("FRONTDESK_SERVER", base)
            .env("FRONTDESK_HOTEL", hotel)
            .env("FRONTDESK_USERNAME", "frontdesk")
            .env("FRONTDESK_PASSWORD", "demo")
            .env("FRONTDESK_PUSHER_URL", ws)
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.success(), json)
}

/// How many requests of `kind` the demo has answered (`GET /api/demo/requests`).
pub async fn request_count(base: &str, kind: &str) -> u64 {
    let counts: serde_json::Value = reqwest::get(format!("{base}/api/demo/requests"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    counts[kind].as_u64().unwrap_or(0)
}

pub async fn guest_says(base: &str, room: u32, text: &str) -> MessageId {
    let http = reqwest::Client::new();
    let ctx: serde_json::Value = http
        .get(format!(
            "{base}/api/guest/hotel/hotel-killarney/chat/context?token=guest-token-room-{room}"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let session = ctx["chat_session"].as_str().unwrap().to_string();
    let r: serde_json::Value = http
        .post(format!(
            "{base}/api/guest/hotel/hotel-killarney/chat/messages"
        ))
        .header("X-Guest-Chat-Session", session)
        .json(&serde_json::json!({ "message": text }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    MessageId(r["message_id"].as_i64().unwrap())
}

impl Drop for Harness {
    fn drop(&mut self) {
        if let Some(l) = &self.live {
            l.join.abort();
        }
    }
}
