//! Runs the inbox: terminal events, network results and timers become [`Event`]s; `update`
//! turns them into [`Command`]s, which run here as async jobs that report back by message.
//! The loop never awaits the network, and draws only when something changed.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{Local, Offset, Utc};
use futures_util::StreamExt;
use tokio::sync::{mpsc, watch};

use crate::api::StaffApi;
use crate::app::{App, Clock, Command, Connection, Draft, Event, Me, PollKind, REFRESH_LIMIT};
pub use crate::model::NotifyMode;

/// How often `unread-count` is read when no socket tells of guest messages.
const UNREAD_POLL: Duration = Duration::from_secs(15);
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
}

/// Signs in again with the same username; on success the API uses the new token everywhere
/// and the saved session is updated.
async fn sign_in_again(
    api: StaffApi,
    username: String,
    password: String,
    save: Option<(crate::store::SessionStore, crate::store::Session)>,
) -> Result<(), String> {
    let server = api.config().server.clone();
    let login = crate::api::login(&server, &username, &password)
        .await
        .map_err(|e| match e.kind {
            crate::api::ErrorKind::Unauthorised(_) => "Wrong password".to_string(),
            _ => e.summary(),
        })?;
    if login.hotel_slug != api.config().hotel {
        return Err(format!("{username} now belongs to {}", login.hotel_slug));
    }
    api.set_token(&login.token);
    if let Some((store, mut session)) = save {
        session.token = login.token.clone();
        session.capabilities = login.allowed_capabilities.clone();
        tokio::task::spawn_blocking(move || store.save(&session))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("signed in, but the session was not saved: {e}"))?;
    }
    Ok(())
}

/// Runs one command as an async job; its result comes back on `tx`. `live` is the realtime
/// link, told what to follow.
pub fn execute(
    api: &StaffApi,
    me: &Me,
    cmd: Command,
    tx: &mpsc::UnboundedSender<Event>,
    live: Option<&crate::live::Control>,
) {
    let api = api.clone();
    let tx = tx.clone();
    let my_name = me.name.clone();
    let send = move |e: Event| {
        // The loop has ended: nobody to tell.
        let _ = tx.send(e);
    };
    let send = std::sync::Arc::new(send);
    match cmd {
        Command::LoadConversations => {
            tokio::spawn(async move {
                let result = api.conversation_rows().await;
                send(Event::ConversationsLoaded(counted(
                    result,
                    "conversation",
                    &*send,
                )));
            });
        }
        Command::LoadPage {
            conversation,
            before,
            limit,
        } => {
            tokio::spawn(async move {
                let result = api.message_rows(conversation, limit, before).await;
                let result = counted(result, "message", &*send);
                send(Event::PageLoaded {
                    conversation,
                    limit,
                    result,
                });
            });
        }
        Command::Refresh {
            conversation,
            limit,
        } => {
            tokio::spawn(async move {
                let result = api.message_rows(conversation, limit, None).await;
                let result = counted(result, "message", &*send);
                send(Event::Refreshed {
                    conversation,
                    limit,
                    result,
                });
            });
        }
        Command::LoadUnreadCounts => {
            tokio::spawn(async move { send(Event::UnreadCounts(api.unread_counts().await)) });
        }
        Command::Watch {
            conversations,
            bookings,
        } => {
            if let Some(live) = live {
                live.watch(conversations, bookings);
            }
        }
        Command::SendReply {
            local_id,
            conversation,
            reply_to,
            identity,
            check_first,
        } => {
            tokio::spawn(async move {
                let result = api
                    .deliver(conversation, reply_to, &identity, check_first)
                    .await;
                send(Event::ReplySent { local_id, result });
            });
        }
        Command::CompletePath(input) => {
            tokio::spawn(async move {
                let probe = input.clone();
                if let Ok((completed, choices)) =
                    tokio::task::spawn_blocking(move || crate::files::complete(&probe)).await
                {
                    send(Event::PathCompleted {
                        input,
                        completed,
                        choices,
                    });
                }
            });
        }
        Command::Upload {
            conversation,
            files,
            text,
            reply_to,
            after_id,
        } => {
            let staff_id = me.staff_id;
            tokio::spawn(async move {
                // Limits first: nothing leaves if one file is refused, and the good ones go
                // back to the prompt with the reasons for the others.
                let checked = tokio::task::spawn_blocking(move || {
                    files
                        .into_iter()
                        .map(|f| {
                            let r = crate::files::load(&f);
                            (f, r)
                        })
                        .collect::<Vec<_>>()
                })
                .await
                .unwrap_or_default();
                let refused: Vec<(String, String)> = checked
                    .iter()
                    .filter_map(|(f, r)| r.as_ref().err().map(|e| (f.clone(), e.clone())))
                    .collect();
                if !refused.is_empty() {
                    let kept = checked
                        .into_iter()
                        .filter(|(_, r)| r.is_ok())
                        .map(|(f, _)| f)
                        .collect();
                    send(Event::UploadRefused {
                        conversation,
                        kept,
                        refused,
                    });
                    return;
                }
                let loaded: Result<Vec<_>, String> = checked.into_iter().map(|(_, r)| r).collect();
                let result = match loaded {
                    Err(e) => Err(e),
                    Ok(files) => {
                        let progress_tx = send.clone();
                        let progress =
                            move |sent, total| progress_tx(Event::UploadProgress { sent, total });
                        let names: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
                        match api
                            .upload_with_progress(
                                conversation,
                                &files,
                                Some(&text),
                                reply_to,
                                progress,
                            )
                            .await
                        {
                            Ok(r) => Ok(r),
                            // A failed upload can still leave its message (contract 4.5).
                            Err(e) if e.outcome_unknown() => {
                                find_upload(&api, conversation, staff_id, after_id, &names)
                                    .await
                                    .ok_or_else(|| e.summary())
                            }
                            Err(e) => Err(e.summary()),
                        }
                    }
                };
                send(Event::Uploaded {
                    conversation,
                    result,
                });
            });
        }
        Command::EditMessage {
            conversation,
            message,
            text,
        } => {
            tokio::spawn(async move {
                let result = match api.update_message(message, &text).await {
                    Ok(_) => Ok(()),
                    // Saved, then a 500 (contract 4.2): the message read back tells.
                    Err(e) if e.outcome_unknown() => {
                        match api.message_by_id(conversation, message).await {
                            Ok(Some(m)) if m.message.trim() == text.trim() => Ok(()),
                            _ => Err(e),
                        }
                    }
                    Err(e) => Err(e),
                };
                send(Event::Edited {
                    message,
                    text,
                    result,
                });
            });
        }
        Command::DeleteMessage {
            conversation,
            message,
            hard,
        } => {
            tokio::spawn(async move {
                let result = match api.delete_message(message, hard).await {
                    Ok(_) => Ok(()),
                    Err(e) if e.outcome_unknown() => {
                        match api.message_by_id(conversation, message).await {
                            Ok(None) => Ok(()),
                            Ok(Some(m)) if m.is_deleted && !hard => Ok(()),
                            _ => Err(e),
                        }
                    }
                    Err(e) => Err(e),
                };
                send(Event::Deleted {
                    message,
                    hard,
                    result,
                });
            });
        }
        Command::DeleteAttachment {
            conversation,
            message,
            attachment,
        } => {
            tokio::spawn(async move {
                let result = match api.delete_attachment(attachment).await {
                    Ok(_) => Ok(()),
                    Err(e) if e.outcome_unknown() => {
                        match api.message_by_id(conversation, message).await {
                            Ok(Some(m)) if m.attachments.iter().all(|a| a.id != attachment) => {
                                Ok(())
                            }
                            _ => Err(e),
                        }
                    }
                    Err(e) => Err(e),
                };
                send(Event::AttachmentDeleted {
                    message,
                    attachment,
                    result,
                });
            });
        }
        Command::RefreshSoon(conversation) => {
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let result = api.message_rows(conversation, REFRESH_LIMIT, None).await;
                let result = counted(result, "message", &*send);
                send(Event::Refreshed {
                    conversation,
                    limit: REFRESH_LIMIT,
                    result,
                });
            });
        }
        Command::MarkSoon(conversation) => {
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs(3)).await;
                send(Event::MarkDue(conversation));
            });
        }
        Command::RetryListIn(secs) => {
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs(secs)).await;
                send(Event::RetryList);
            });
        }
        Command::CheckSoon { conversation } => {
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(400)).await;
                send(Event::CheckDue { conversation });
            });
        }
        Command::MarkRead(conversation) => {
            tokio::spawn(async move {
                let result = api.mark_read(conversation).await;
                send(Event::MarkedRead {
                    conversation,
                    result,
                });
            });
        }
        Command::Claim(conversation) => {
            tokio::spawn(async move {
                let result = api.claim_settled(conversation, &my_name).await;
                send(Event::Claimed {
                    conversation,
                    result,
                });
            });
        }
        Command::FromRoom(room) => {
            tokio::spawn(async move {
                let result = api.from_room(room).await;
                send(Event::RoomOpened { room, result });
            });
        }
        // These touch the terminal or disk and are handled by the loop itself.
        Command::SaveDrafts(_)
        | Command::SaveOutbox(_)
        | Command::OpenEditor(_)
        | Command::Notify { .. }
        | Command::SignIn { .. }
        | Command::Suspend
        | Command::Copy(_)
        | Command::Quit => {}
    }
}

/// The rows that could be read; the others are counted to the app, which says so.
fn counted<T>(
    result: Result<crate::api::client::Rows<T>, crate::api::ApiError>,
    what: &'static str,
    send: &dyn Fn(Event),
) -> Result<Vec<T>, crate::api::ApiError> {
    result.map(|rows| {
        if rows.skipped > 0 {
            send(Event::Unreadable {
                what,
                count: rows.skipped,
            });
        }
        rows.items
    })
}

/// An upload whose answer proved nothing, looked for in the thread: our newest message
/// after `after_id` carrying every file, by name.
async fn find_upload(
    api: &StaffApi,
    conversation: crate::api::ConversationId,
    staff_id: i64,
    after_id: Option<crate::api::MessageId>,
    names: &[String],
) -> Option<crate::api::UploadResult> {
    let recent = api.messages(conversation, 30, None).await.ok()?;
    let m = recent.into_iter().rev().find(|m| {
        m.staff == Some(staff_id)
            && after_id.is_none_or(|a| m.id > a)
            && names
                .iter()
                .all(|n| m.attachments.iter().any(|a| &a.file_name == n))
    })?;
    tracing::info!(
        "upload to {conversation}: the answer failed, but message {} holds the files",
        m.id
    );
    Some(crate::api::UploadResult {
        attachments: m.attachments.clone(),
        message: m,
        success: true,
    })
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

/// Writes drafts in order, off the UI thread; the newest snapshot wins.
fn spawn_draft_writer(store: DraftStore) -> watch::Sender<Option<Vec<(i64, Draft)>>> {
    let (tx, mut rx) = watch::channel::<Option<Vec<(i64, Draft)>>>(None);
    tokio::spawn(async move {
        let store = std::sync::Arc::new(store);
        while rx.changed().await.is_ok() {
            let snapshot = rx.borrow_and_update().clone();
            if let Some(drafts) = snapshot {
                let store = store.clone();
                let r = tokio::task::spawn_blocking(move || store.save(&drafts)).await;
                if let Ok(Err(e)) = r {
                    tracing::error!("saving drafts: {e}");
                }
            }
        }
    });
    tx
}

/// Ctrl-Z: give the terminal back to the shell, stop, and take it again on `fg`.
fn suspend(tui: &mut Tui) {
    tui.leave();
    #[cfg(unix)]
    // SAFETY: raise() only sends a signal to this process; SIGTSTP stops it until SIGCONT.
    unsafe {
        libc::raise(libc::SIGTSTP);
    }
    if let Err(e) = tui.enter() {
        tracing::error!("taking the terminal back after fg: {e}");
    }
}

fn run_editor(tui: &mut Tui, text: &str) -> Result<String, String> {
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .unwrap_or_else(|_| "vi".into());
    let dir = tempfile::Builder::new()
        .prefix("frontdesk-reply")
        .tempdir()
        .map_err(|e| format!("no temporary directory: {e}"))?;
    let path = dir.path().join("reply.txt");
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    tui.leave();
    // The editor string may carry arguments ("code --wait").
    let mut parts = editor.split_whitespace();
    let program = parts.next().unwrap_or("vi");
    let status = std::process::Command::new(program)
        .args(parts)
        .arg(&path)
        .status();
    let entered = tui.enter();
    let status = status.map_err(|e| format!("could not run {editor:?}: {e}"))?;
    entered.map_err(|e| format!("terminal: {e}"))?;
    if !status.success() {
        return Err(format!(
            "{editor} exited with {status}; the reply is unchanged"
        ));
    }
    std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))
}

fn notify_bytes(mode: NotifyMode, title: &str, body: &str) -> Vec<u8> {
    // Escape payloads are sanitised: guest text must not end or extend the sequence.
    let clean = |s: &str| crate::text::one_line(s).replace(';', ",");
    let mut out = Vec::new();
    if matches!(mode, NotifyMode::Desktop | NotifyMode::Both) {
        let (t, b) = (clean(title), clean(body));
        out.extend(format!("\x1b]777;notify;{t};{b}\x1b\\").as_bytes());
        out.extend(format!("\x1b]9;{t}: {b}\x1b\\").as_bytes());
    }
    if matches!(mode, NotifyMode::Bell | NotifyMode::Both) {
        out.push(0x07);
    }
    out
}

/// `FRONTDESK_TRACE=FILE`: one line per frame, for the benchmarks (time, bytes written,
/// whether the list is loaded, messages held, live message ids the frame shows).
struct Trace {
    out: std::io::BufWriter<std::fs::File>,
}

impl Trace {
    fn from_env() -> Option<Trace> {
        let path = std::env::var_os("FRONTDESK_TRACE")?;
        let file = std::fs::File::create(path).ok()?;
        Some(Trace {
            out: std::io::BufWriter::new(file),
        })
    }

    fn frame(&mut self, app: &App, bytes: u64) {
        use std::io::Write;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let held: usize = app.threads.values().map(|t| t.messages.len()).sum();
        let live: Vec<String> = app.traced_live.iter().map(|id| id.to_string()).collect();
        let _ = writeln!(
            self.out,
            "frame {now} bytes={bytes} list={} messages={held} live={}",
            u8::from(app.list_loaded),
            live.join(",")
        );
        let _ = self.out.flush();
    }
}

/// The OSC 52 sequence that puts `text` on the clipboard (works over SSH and in tmux with
/// set-clipboard on). Base64 carries it, so no byte of it can end the sequence early.
pub fn osc52(text: &str) -> Vec<u8> {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\x1b]52;c;{encoded}\x07").into_bytes()
}

fn next_minute(now: chrono::DateTime<Utc>) -> Duration {
    let into = (now.timestamp() % 60) as u64;
    Duration::from_secs(60 - into) + Duration::from_millis(20)
}

pub async fn run(config: InboxConfig) -> color_eyre::Result<()> {
    let theme = config.theme.clone();
    let (tx, mut rx) = mpsc::unbounded_channel::<Event>();
    let store = DraftStore::new(&config.data_dir);
    let loaded = store.load();
    let final_store = DraftStore::new(&config.data_dir);
    let drafts_tx = spawn_draft_writer(store);
    let outbox = crate::store::OutboxStore::new(&config.data_dir);
    let outbox_loaded = outbox.load();

    if !terminal_attached() {
        return Err(color_eyre::eyre::eyre!(
            "the inbox needs a terminal, and standard input or output is not one. Run frontdesk in a terminal window, or over ssh with -t."
        ));
    }
    let data_problem = crate::store::check_writable(&config.data_dir).err();
    let mut tui = Tui::new()?;
    let size = tui.terminal.size()?;
    let mut app = App::new(config.me.clone(), local_clock(), (size.width, size.height));
    app.canned = config.canned.clone();
    app.keymap = config.keymap.clone();
    app.page_size = config.page_size.max(5);
    app.drafts = loaded.value;
    let data_problem = data_problem.map(|e| {
        format!(
            "Drafts and unsent replies cannot be saved in {} ({e}); they are kept while frontdesk runs",
            config.data_dir.display()
        )
    });
    for w in [loaded.warning, outbox_loaded.warning, data_problem]
        .into_iter()
        .flatten()
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
        crate::live::spawn(
            live_config,
            config.api.clone(),
            config.me.staff_id,
            tx.clone(),
        )
    });
    app.connection = if live.is_some() {
        Connection::Connecting
    } else {
        Connection::Polling
    };
    let mut trace = Trace::from_env();
    let mut clock_said = false;
    let mut pending: Vec<Command> = app.start();
    pending.extend(app.restore_outbox(outbox_loaded.value));
    let mut retry = tokio::time::interval(Duration::from_secs(10));
    retry.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    retry.tick().await;

    #[cfg(unix)]
    let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
    #[cfg(unix)]
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;

    // The polling budget (contract 4.13): the open thread often with a short page,
    // `unread-count` as a cheap detector, the list seldom. Which run depends on the link.
    let every = |d: Duration| {
        let mut i = tokio::time::interval_at(
            tokio::time::Instant::now() + d,
            d.max(Duration::from_secs(1)),
        );
        i.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        i
    };
    let mut poll_thread = every(config.poll_every);
    let mut poll_unread = every(UNREAD_POLL);
    let mut poll_list = every(config.list_poll_every);
    // The clock ticks on the minute, whatever else happens (a sleep rebuilt on every event
    // would never fire on a busy desk).
    let mut minute = tokio::time::interval_at(
        tokio::time::Instant::now() + next_minute(Utc::now()),
        Duration::from_secs(60),
    );
    minute.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // A countdown on screen ("reconnecting in 12s") moves every second.
    let mut second = tokio::time::interval(Duration::from_secs(1));
    second.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);

    loop {
        for cmd in pending.drain(..) {
            match cmd {
                Command::Quit => {}
                Command::SaveOutbox(entries) => {
                    // Synchronously: the reply is on disk before its request leaves.
                    if let Err(e) = outbox.save(&entries) {
                        tracing::error!("saving the outbox: {e}");
                        app.notice = Some(crate::app::Notice {
                            text: format!(
                                "The outbox could not be saved ({e}); replies are kept while frontdesk runs"
                            ),
                            level: crate::app::Level::Error,
                            reply: None,
                        });
                        app.dirty = true;
                    }
                }
                Command::Suspend => {
                    if let Err(e) = final_store.save(&app.drafts_snapshot()) {
                        tracing::error!("saving drafts before suspending: {e}");
                    }
                    suspend(&mut tui);
                    app.dirty = true;
                }
                Command::SaveDrafts(d) => {
                    let _ = drafts_tx.send(Some(d));
                }
                Command::OpenEditor(text) => {
                    let result = run_editor(&mut tui, &text);
                    let _ = tx.send(Event::EditorDone(result));
                }
                Command::SignIn { password } => {
                    let api = config.api.clone();
                    let username = config.me.name.clone();
                    let save = config
                        .session
                        .clone()
                        .map(|s| (crate::store::SessionStore::new(&config.session_dir), s));
                    let tx = tx.clone();
                    tokio::spawn(async move {
                        let r = sign_in_again(api, username, password, save).await;
                        let _ = tx.send(Event::SignedIn(r));
                    });
                }
                Command::Copy(text) => {
                    tui.write_raw(&osc52(&text));
                }
                Command::Notify { title, body } => {
                    let bytes = notify_bytes(config.notify, &title, &body);
                    if !bytes.is_empty() {
                        tui.write_raw(&bytes);
                    }
                }
                other => execute(
                    &config.api,
                    &config.me,
                    other,
                    &tx,
                    live.as_ref().map(|l| &l.control),
                ),
            }
        }
        if app.quit {
            break;
        }
        if app.dirty {
            let before = tui.bytes_written();
            let mut spots = Vec::new();
            tui.draw(|f| spots = ui::render(f, &app, &theme).links)?;
            app.dirty = false;
            if spots != tui.hyperlinked {
                tui.write_hyperlinks(&spots);
            }
            if let Some(t) = trace.as_mut() {
                t.frame(&app, tui.bytes_written() - before);
            }
            app.traced_live.clear();
        }
        let plan = app.poll_plan();
        let counting_down = matches!(app.connection, Connection::Reconnecting { .. })
            || app.list_retry_at.is_some();
        let event = tokio::select! {
            term = async {
                match tui.events.as_mut() {
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
            _ = minute.tick() => Event::Tick(server_now(&config.api)),
            _ = second.tick(), if counting_down => Event::Tick(server_now(&config.api)),
            _ = poll_thread.tick(), if plan.thread => Event::Poll(PollKind::Thread),
            _ = poll_unread.tick(), if plan.unread => Event::Poll(PollKind::Unread),
            _ = poll_list.tick(), if plan.list => Event::Poll(PollKind::List),
            _ = retry.tick(), if app.has_retryable() => Event::RetryOutbox,
            _ = hangup.recv() => break,
            _ = terminate.recv() => break,
        };
        if matches!(event, Event::Resize(..)) {
            // A resize redraws every cell plain: the links need wrapping again.
            tui.hyperlinked.clear();
        }
        // Ages, and the time a reply is first attempted, follow the real clock, and the time
        // zone follows daylight saving through a night shift.
        app.clock = local_clock();
        app.clock.now = server_now(&config.api);
        if !clock_said && let Some(words) = config.api.clock_offset().and_then(clock_words) {
            clock_said = true;
            tracing::warn!("{words}");
            app.notice = Some(crate::app::Notice {
                text: words,
                level: crate::app::Level::Info,
                reply: None,
            });
        }
        pending.extend(app.update(event));
        // Merge whatever else is already queued into the same frame.
        while let Ok(ev) = rx.try_recv() {
            pending.extend(app.update(ev));
        }
        // Said when nothing else is: a full data directory matters more than the log.
        if app.notice.is_none()
            && let Some(why) = crate::log::take_trouble()
        {
            app.notice = Some(crate::app::Notice {
                text: format!("The log cannot be written ({why}); frontdesk goes on without it"),
                level: crate::app::Level::Error,
                reply: None,
            });
            app.dirty = true;
        }
    }
    // Flush the composer into the drafts file before the terminal goes.
    let all = app.drafts_snapshot();
    if let Err(e) = final_store.save(&all) {
        tracing::error!("saving drafts at exit: {e}");
    }
    if let Some(l) = live {
        l.join.abort();
    }
    drop(tui);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notifications_cannot_carry_escapes() {
        let b = notify_bytes(NotifyMode::Both, "Room 101", "hi\x1b]52;c;evil\x07\x1b\\");
        let s = String::from_utf8(b).unwrap();
        // Only our own sequences: two OSC starts and their terminators, then the bell.
        assert_eq!(s.matches("\x1b]").count(), 2);
        assert!(s.ends_with('\x07'));
        assert!(!s.contains("52;c"));
        assert!(notify_bytes(NotifyMode::Off, "a", "b").is_empty());
    }
}
