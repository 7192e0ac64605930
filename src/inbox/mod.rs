//! Runs the inbox: terminal events, network results and timers become [`Event`]s; `update`
//! turns them into [`Command`]s, which run here as async jobs that report back by message.
//! The loop never awaits the network, and draws only when something changed.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{Local, Offset, Utc};
use futures_util::StreamExt;
use tokio::sync::mpsc;

use crate::api::StaffApi;
mod effects;
mod history;
mod jobs;
pub use history::{BackfillPace, backfill};

pub use effects::osc52;
use effects::{DraftWriter, Trace, notify_bytes, run_editor, suspend};
pub use jobs::execute;
use jobs::sign_in_again;

use crate::app::{App, Clock, Command, Connection, Effect, Event, Me, PollKind};
pub use crate::model::NotifyMode;

/// How often `unread-count` is read when no socket tells of guest messages.
const UNREAD_POLL: Duration = Duration::from_secs(15);
/// How often my staff-chat unread count is read for the header. The staff notifications
/// channel (public, so live on the deployment too) asks for a read whenever it changes; this
/// is the floor when events are lost. One read is about 90 SQL queries at 20 conversations
/// (staff-chat 6.16), so not often.
const TEAM_UNREAD_POLL: Duration = Duration::from_secs(120);
/// How often a staff conversation with a hand-off waiting is read (a page of 20), so an
/// answer shows within seconds.
const HAND_OFF_POLL: Duration = Duration::from_secs(3);
use crate::store::DraftStore;
use crate::tui::Tui;
use crate::ui::{self, Theme};

pub struct InboxConfig {
    pub api: StaffApi,
    pub me: Me,
    /// This staff member's drafts and outbox (see `cli::desk_dir`).
    pub data_dir: PathBuf,
    /// Where the session file lives (shared by whoever signs in on this account).
    pub session_dir: PathBuf,
    /// Said on screen at start (for example an outbox nobody can be named the author of).
    pub warnings: Vec<String>,
    pub canned: Vec<String>,
    /// When a guest's wait is marked, and when it is urgent.
    pub thresholds: crate::app::Thresholds,
    /// How long the desk's history keeps messages (0: no history is kept).
    pub retention_days: u32,
    pub page_size: u32,
    /// How often the open thread is read when live updates are partial or off.
    pub poll_every: Duration,
    /// How often the whole list is read then (it is expensive for the server).
    pub list_poll_every: Duration,
    pub notify: NotifyMode,
    pub theme: Theme,
    pub keymap: crate::app::keymap::Keymap,
    /// Realtime: a Pusher WebSocket URL, when configured.
    pub live: Option<crate::live::LiveConfig>,
    /// Where a new sign-in from inside the inbox is saved (None: not saved, e.g. env token).
    pub session: Option<crate::store::Session>,
    /// The staff member's department: the front desk log is shared with its people.
    pub department: Option<String>,
}

/// Terminal input as an app event (None for what the app ignores).
fn to_event(ev: crossterm::event::Event) -> Option<crate::app::Event> {
    use crate::app::Event;
    use crossterm::event::Event as T;
    match ev {
        T::Key(k) => Some(Event::Key(k)),
        T::Mouse(m) => Some(Event::Mouse(m)),
        T::Paste(p) => Some(Event::Paste(p)),
        T::Resize(w, h) => Some(Event::Resize(w, h)),
        T::FocusGained => Some(Event::FocusGained),
        T::FocusLost => Some(Event::FocusLost),
    }
}

/// Whether standard input and output are a terminal.
fn terminal_attached() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

/// Now, on the server's clock (see [`StaffApi::clock_offset`]).
fn server_now(api: &StaffApi) -> chrono::DateTime<Utc> {
    Utc::now() + api.clock_offset().unwrap_or_else(chrono::Duration::zero)
}

/// A sentence when this computer's clock is a minute or more off the server's.
pub fn clock_words(offset: chrono::Duration) -> Option<String> {
    let secs = offset.num_seconds();
    if secs.abs() < 60 {
        return None;
    }
    let minutes = (secs.abs() + 30) / 60;
    // The server ahead means this computer is behind.
    let way = if secs > 0 { "slow" } else { "fast" };
    Some(format!(
        "This computer's clock is {minutes} min {way}; ages and waits follow the hotel server's clock"
    ))
}

fn local_clock() -> Clock {
    Clock {
        now: Utc::now(),
        offset: Local::now().offset().fix(),
    }
}

fn next_minute(now: chrono::DateTime<Utc>) -> Duration {
    let into = (now.timestamp() % 60) as u64;
    Duration::from_secs(60 - into) + Duration::from_millis(20)
}

/// The runtime's state: the terminal, the app, where state is written, the realtime link.
struct Desk {
    config: InboxConfig,
    tui: Tui,
    app: App,
    theme: crate::ui::Theme,
    tx: mpsc::UnboundedSender<Event>,
    drafts: DraftWriter,
    outbox: crate::store::OutboxStore,
    live: Option<crate::live::LiveHandle>,
    trace: Option<Trace>,
    clock_said: bool,
    /// The desk's history (None: not kept).
    history: Option<history::DeskHistory>,
}

/// The timers: the minute, countdowns, the polling budget (contract 4.13), retries.
struct Timers {
    minute: tokio::time::Interval,
    second: tokio::time::Interval,
    poll_thread: tokio::time::Interval,
    poll_unread: tokio::time::Interval,
    poll_list: tokio::time::Interval,
    retry: tokio::time::Interval,
    /// The history's retention purge, daily.
    purge: tokio::time::Interval,
    /// Staff conversations with a hand-off waiting for an answer (a short page each).
    hand_offs: tokio::time::Interval,
    /// My unread staff-chat messages, for the header (`unread-count/`, a cheap call).
    team_unread: tokio::time::Interval,
}

impl Timers {
    fn new(config: &InboxConfig) -> Timers {
        let every = |d: Duration| {
            let mut i = tokio::time::interval_at(
                tokio::time::Instant::now() + d,
                d.max(Duration::from_secs(1)),
            );
            i.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            i
        };
        // The clock ticks on the minute, whatever else happens (a sleep rebuilt on every event
        // would never fire on a busy desk).
        let mut minute = tokio::time::interval_at(
            tokio::time::Instant::now() + next_minute(Utc::now()),
            Duration::from_secs(60),
        );
        minute.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Timers {
            minute,
            // A countdown on screen ("reconnecting in 12s") moves every second.
            second: every(Duration::from_secs(1)),
            // The open thread often with a short page, `unread-count` as a cheap detector,
            // the list seldom; which run depends on the link.
            poll_thread: every(config.poll_every),
            poll_unread: every(UNREAD_POLL),
            poll_list: every(config.list_poll_every),
            retry: every(Duration::from_secs(10)),
            purge: every(Duration::from_secs(24 * 3600)),
            hand_offs: every(HAND_OFF_POLL),
            team_unread: every(TEAM_UNREAD_POLL),
        }
    }
}

pub async fn run(config: InboxConfig) -> color_eyre::Result<()> {
    if !terminal_attached() {
        return Err(color_eyre::eyre::eyre!(
            "the inbox needs a terminal, and standard input or output is not one. Run frontdesk in a terminal window, or over ssh with -t."
        ));
    }
    let (tx, mut rx) = mpsc::unbounded_channel::<Event>();
    let (mut desk, mut pending) = Desk::open(config, tx)?;
    let mut timers = Timers::new(&desk.config);
    #[cfg(unix)]
    let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
    #[cfg(unix)]
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    #[cfg(unix)]
    end_when_the_terminal_hangs_up();
    loop {
        for cmd in pending.drain(..) {
            desk.run_command(cmd);
        }
        if desk.app.quit {
            break;
        }
        desk.draw()?;
        let plan = desk.app.poll_plan();
        let counting_down = matches!(desk.app.connection, Connection::Reconnecting { .. })
            || desk.app.list_retry_at.is_some();
        let api = &desk.config.api;
        let event = tokio::select! {
            term = async {
                match desk.tui.events.as_mut() {
                    Some(s) => s.next().await,
                    None => std::future::pending().await,
                }
            } => match term {
                Some(Ok(ev)) => match to_event(ev) {
                    Some(e) => e,
                    None => continue,
                },
                // The terminal is gone (closed window, dropped SSH, EIO): save and go. A read
                // error is never retried in a loop.
                Some(Err(e)) => {
                    tracing::warn!("terminal input failed ({e}); stopping");
                    break;
                }
                None => break,
            },
            Some(ev) = rx.recv() => ev,
            _ = timers.minute.tick() => Event::Tick(server_now(api)),
            _ = timers.second.tick(), if counting_down => Event::Tick(server_now(api)),
            _ = timers.poll_thread.tick(), if plan.thread => Event::Poll(PollKind::Thread),
            _ = timers.poll_unread.tick(), if plan.unread => Event::Poll(PollKind::Unread),
            _ = timers.poll_list.tick(), if plan.list => Event::Poll(PollKind::List),
            _ = timers.hand_offs.tick(), if desk.app.hand_offs.any_waiting() => {
                Event::Poll(PollKind::HandOffs)
            }
            _ = timers.team_unread.tick() => Event::Poll(PollKind::TeamUnread),
            _ = timers.retry.tick(), if desk.app.has_retryable() => Event::RetryOutbox,
            _ = timers.purge.tick() => {
                if let Some(h) = desk.history.as_ref() {
                    h.purge(server_now(api));
                }
                continue;
            }
            _ = hangup.recv() => break,
            _ = terminate.recv() => break,
        };
        // Merge whatever else is already queued into the same frame.
        let queued = std::iter::from_fn(|| rx.try_recv().ok());
        let (commands, changed) = handle_batch(event, queued, |ev| {
            let c = desk.handle(ev);
            (c, desk.app.dirty)
        });
        pending.extend(commands);
        desk.app.dirty = changed;
        desk.say_log_trouble();
    }
    desk.close();
    Ok(())
}

/// Handles a batch of events (the one that woke the loop, and whatever else is queued) for one
/// frame. Each event says whether it changed the screen; one that did not (an unchanged
/// count) must not hide one that did earlier in the batch, or that frame would wait for the
/// next event (an answer from a colleague once waited up to 2 s this way).
pub fn handle_batch(
    first: Event,
    more: impl Iterator<Item = Event>,
    mut handle: impl FnMut(Event) -> (Vec<Command>, bool),
) -> (Vec<Command>, bool) {
    let (mut commands, mut changed) = handle(first);
    for ev in more {
        let (c, d) = handle(ev);
        commands.extend(c);
        changed |= d;
    }
    (commands, changed)
}

/// The loop ends by itself when its terminal closes. But a process left behind by a closed
/// terminal was once found spinning a core for 45 minutes, reading end-of-file from fd 0 on the
/// loop's own thread (inside crossterm's read), where neither the loop nor a signal gets a
/// turn. So a worker checks the terminal each second, and if it has hung up for 3 s while the
/// process still runs, ends it. Drafts and the outbox are already on disk (each change is
/// written at once).
#[cfg(unix)]
fn end_when_the_terminal_hangs_up() {
    tokio::spawn(async move {
        let mut hung_up_for = 0;
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            let mut fd = libc::pollfd {
                fd: libc::STDIN_FILENO,
                events: 0,
                revents: 0,
            };
            // SAFETY: one valid pollfd, zero timeout; poll only writes `revents`.
            let n = unsafe { libc::poll(&mut fd, 1, 0) };
            hung_up_for = if n > 0 && fd.revents & libc::POLLHUP != 0 {
                hung_up_for + 1
            } else {
                0
            };
            if hung_up_for >= 3 {
                tracing::warn!("the terminal hung up and the inbox loop did not stop; ending");
                std::process::exit(129);
            }
        }
    });
}

impl Desk {
    /// The terminal taken, the app built from what is on disk, the realtime link started;
    /// returns the first commands (load the list, resend the outbox).
    fn open(
        config: InboxConfig,
        tx: mpsc::UnboundedSender<Event>,
    ) -> color_eyre::Result<(Desk, Vec<Command>)> {
        let store = DraftStore::new(&config.data_dir);
        let loaded = store.load();
        let drafts = DraftWriter::spawn(store);
        let outbox = crate::store::OutboxStore::new(&config.data_dir);
        let outbox_loaded = outbox.load();
        let data_problem = crate::store::check_writable(&config.data_dir).err();
        let tui = Tui::new()?;
        let size = tui.screen.terminal.size()?;
        let mut app = App::new(config.me.clone(), local_clock(), (size.width, size.height));
        // The history's troubles first: the notice shown is the last, and drafts that cannot
        // be saved matter more.
        let mut warnings = Vec::new();
        let mut history = history::DeskHistory::open(
            &config.data_dir,
            config.retention_days,
            &mut app,
            &tx,
            &mut warnings,
        );
        if let Some(h) = history.as_mut() {
            h.start_backfill(config.api.clone(), tx.clone(), server_now(&config.api));
        }
        app.canned = config.canned.clone();
        app.service.thresholds = config.thresholds;
        app.desk_log.department = config.department.clone();
        app.keymap = config.keymap.clone();
        app.page_size = config.page_size.max(5);
        app.drafts = loaded.value;
        let team_drafts = crate::store::TeamDraftStore::new(&config.data_dir).load();
        app.restore_team_drafts(team_drafts.value);
        let data_problem = data_problem.map(|e| {
            format!(
                "Drafts and unsent replies cannot be saved in {} ({e}); they are kept while frontdesk runs",
                config.data_dir.display()
            )
        });
        for w in warnings
            .into_iter()
            .chain(
                [
                    loaded.warning,
                    outbox_loaded.warning,
                    team_drafts.warning,
                    data_problem,
                ]
                .into_iter()
                .flatten(),
            )
            .chain(config.warnings.iter().cloned())
        {
            tracing::error!("{w}");
            app.notice = Some(crate::app::Notice {
                text: w,
                level: crate::app::Level::Error,
                reply: None,
            });
        }
        let live = config.live.clone().map(|live_config| {
            let tx = tx.clone();
            crate::live::spawn(
                live_config,
                config.api.clone(),
                config.me.staff_id,
                move |e| tx.send(Event::from(e)).is_ok(),
            )
        });
        app.connection = if live.is_some() {
            Connection::Connecting
        } else {
            Connection::Polling
        };
        let mut pending: Vec<Command> = app.start();
        pending.extend(app.restore_outbox(outbox_loaded.value));
        let desk = Desk {
            theme: config.theme.clone(),
            config,
            tui,
            app,
            tx,
            drafts,
            outbox,
            live,
            trace: Trace::from_env(),
            clock_said: false,
            history,
        };
        Ok((desk, pending))
    }

    /// Jobs run as tasks; what comes back is an effect for this loop to run.
    fn run_command(&mut self, cmd: Command) {
        let live = self.live.as_ref().map(|l| &l.control);
        if let Some(effect) = execute(&self.config.api, &self.config.me, cmd, &self.tx, live) {
            self.run_effect(effect);
        }
    }

    fn run_effect(&mut self, effect: Effect) {
        match effect {
            Effect::Quit => self.app.quit = true,
            Effect::SaveOutbox(entries) => {
                // Synchronously: the reply is on disk before its request leaves.
                if let Err(e) = self.outbox.save(&entries) {
                    tracing::error!("saving the outbox: {e}");
                    self.app.notice = Some(crate::app::Notice {
                        text: format!(
                            "The outbox could not be saved ({e}); replies are kept while frontdesk runs"
                        ),
                        level: crate::app::Level::Error,
                        reply: None,
                    });
                    self.app.dirty = true;
                }
            }
            Effect::Suspend => {
                if let Err(e) = self.drafts.save_now(&self.app.drafts_snapshot()) {
                    tracing::error!("saving drafts before suspending: {e}");
                }
                suspend(&mut self.tui);
                self.app.dirty = true;
            }
            Effect::SaveDrafts(d) => {
                self.drafts.save_later(d);
            }
            Effect::SaveTeamDrafts(d) => {
                let store = crate::store::TeamDraftStore::new(&self.config.data_dir);
                if let Err(e) = store.save(&d) {
                    tracing::error!("saving team drafts: {e}");
                    self.app.notice = Some(crate::app::Notice {
                        text: format!(
                            "What you typed to colleagues could not be saved ({e}); it is kept while frontdesk runs"
                        ),
                        level: crate::app::Level::Error,
                        reply: None,
                    });
                }
            }
            Effect::OpenEditor(text) => {
                let result = run_editor(&mut self.tui, &text);
                let _ = self.tx.send(Event::EditorDone(result));
            }
            Effect::SignIn { password } => self.sign_in(password),
            Effect::Copy(text) => self.tui.write_raw(&osc52(&text)),
            e @ (Effect::ReadKept { .. } | Effect::Search(_) | Effect::CountKept) => {
                // Without a history (none kept), nothing answers and the app knows it.
                if let Some(h) = self.history.as_ref() {
                    h.ask(e, &self.tx);
                }
            }
            Effect::Notify { title, body } => {
                let bytes =
                    notify_bytes(self.config.notify, &title, &body, crate::tui::multiplexer());
                if !bytes.is_empty() {
                    self.tui.write_raw(&bytes);
                }
            }
        }
    }

    fn sign_in(&self, password: String) {
        let api = self.config.api.clone();
        let username = self.config.me.name.clone();
        let save = self
            .config
            .session
            .clone()
            .map(|s| (crate::store::SessionStore::new(&self.config.session_dir), s));
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let r = sign_in_again(api, username, password, save).await;
            let _ = tx.send(Event::SignedIn(r));
        });
    }

    /// A frame, when something changed, with its links wrapped as hyperlinks.
    fn draw(&mut self) -> color_eyre::Result<()> {
        if !self.app.dirty {
            return Ok(());
        }
        let before = self.tui.bytes_written();
        let started = std::time::Instant::now();
        self.app.remember_waiting();
        let (app, theme) = (&self.app, &self.theme);
        self.tui.screen.frame(|f| ui::render(f, app, theme))?;
        self.app.dirty = false;
        if let Some(t) = self.trace.as_mut() {
            let bytes = self.tui.bytes_written() - before;
            let scrolled = self.tui.screen.last_frame().scrolled;
            t.frame(&self.app, bytes, scrolled, started.elapsed());
        }
        self.app.traced_live.clear();
        Ok(())
    }

    /// One event into the app, on the server's clock.
    fn handle(&mut self, event: Event) -> Vec<Command> {
        if matches!(event, Event::Resize(..)) {
            // A resize redraws every cell plain: the links need wrapping again.
            self.tui.screen.hyperlinked.clear();
        }
        // Ages, and the time a reply is first attempted, follow the real clock, and the time
        // zone follows daylight saving through a night shift.
        self.app.clock = local_clock();
        self.app.clock.now = server_now(&self.config.api);
        if !self.clock_said
            && let Some(words) = self.config.api.clock_offset().and_then(clock_words)
        {
            self.clock_said = true;
            tracing::warn!("{words}");
            self.app.notice = Some(crate::app::Notice {
                text: words,
                level: crate::app::Level::Info,
                reply: None,
            });
        }
        if let Some(h) = self.history.as_ref() {
            h.observe(&event, self.app.clock.now);
        }
        self.app.update(event)
    }

    /// Said when nothing else is: a full data directory matters more than the log.
    fn say_log_trouble(&mut self) {
        if self.app.notice.is_none()
            && let Some(why) = self.history.as_ref().and_then(|h| h.take_trouble())
        {
            self.app.notice = Some(crate::app::Notice {
                text: format!("The desk's history: {why}"),
                level: crate::app::Level::Error,
                reply: None,
            });
            self.app.dirty = true;
        }
        if self.app.notice.is_none()
            && let Some(why) = crate::log::take_trouble()
        {
            self.app.notice = Some(crate::app::Notice {
                text: format!("The log cannot be written ({why}); frontdesk goes on without it"),
                level: crate::app::Level::Error,
                reply: None,
            });
            self.app.dirty = true;
        }
    }

    /// Drafts flushed before the terminal goes; the link stopped.
    fn close(mut self) {
        let all = self.app.drafts_snapshot();
        if let Err(e) = self.drafts.save_now(&all) {
            tracing::error!("saving drafts at exit: {e}");
        }
        if let Some(l) = self.live.take() {
            l.join.abort();
        }
        if let Some(h) = self.history.take() {
            h.close();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notifications_cannot_carry_escapes() {
        let b = notify_bytes(
            NotifyMode::Both,
            "Room 101",
            "hi\x1b]52;c;evil\x07\x1b\\",
            None,
        );
        let s = String::from_utf8(b).unwrap();
        // Only our own sequences: two OSC starts and their terminators, then the bell.
        assert_eq!(s.matches("\x1b]").count(), 2);
        assert!(s.ends_with('\x07'));
        assert!(!s.contains("52;c"));
        assert!(notify_bytes(NotifyMode::Off, "a", "b", None).is_empty());
    }

    #[test]
    fn inside_tmux_notifications_are_wrapped_to_pass_through_and_the_bell_is_not() {
        use crate::tui::Multiplexer;
        let b = notify_bytes(
            NotifyMode::Both,
            "Room 101",
            "towels",
            Some(Multiplexer::Tmux),
        );
        let s = String::from_utf8(b).unwrap();
        assert_eq!(s.matches("\x1bPtmux;\x1b\x1b]").count(), 2, "{s:?}");
        assert!(
            s.contains("\x1b\x1b]777;notify;Room 101;towels\x1b\x1b\\\x1b\\"),
            "{s:?}"
        );
        assert!(s.ends_with("\x1b\\\x07"), "{s:?}");
        let screen = notify_bytes(NotifyMode::Desktop, "a", "b", Some(Multiplexer::Screen));
        assert!(screen.starts_with(b"\x1bP\x1b]777;notify;a;b\x1b\\\x1b\\"));
    }
}
