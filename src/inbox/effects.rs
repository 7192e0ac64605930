//! Effects the loop runs itself: the drafts writer, suspend, the editor, notifications, the
//! clipboard, the frame trace.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;

use crate::app::{App, Draft};
use crate::model::{ConversationId, NotifyMode};
use crate::store::DraftStore;
use crate::tui::Tui;

type Drafts = Vec<(ConversationId, Draft)>;

/// Writes drafts off the UI thread, and at once before a suspend or an exit. Every snapshot
/// has a number, and a write of an older one never lands after a newer one: without that, the
/// background write of a draft one key old could overwrite the flush made just before Ctrl-Z.
pub(super) struct DraftWriter {
    later: watch::Sender<Option<(u64, Drafts)>>,
    store: Arc<DraftStore>,
    /// The number of the snapshot on disk; held while writing.
    written: Arc<Mutex<u64>>,
    next: u64,
}

impl DraftWriter {
    pub(super) fn spawn(store: DraftStore) -> Self {
        let (later, mut rx) = watch::channel::<Option<(u64, Drafts)>>(None);
        let store = Arc::new(store);
        let written = Arc::new(Mutex::new(0));
        let (task_store, task_written) = (store.clone(), written.clone());
        tokio::spawn(async move {
            while rx.changed().await.is_ok() {
                let snapshot = rx.borrow_and_update().clone();
                if let Some((number, drafts)) = snapshot {
                    let (store, written) = (task_store.clone(), task_written.clone());
                    let r = tokio::task::spawn_blocking(move || {
                        save_if_newer(&store, &written, number, &drafts)
                    })
                    .await;
                    if let Ok(Err(e)) = r {
                        tracing::error!("saving drafts: {e}");
                    }
                }
            }
        });
        DraftWriter {
            later,
            store,
            written,
            next: 0,
        }
    }

    /// Saved soon, by the background task.
    pub(super) fn save_later(&mut self, drafts: Drafts) {
        self.next += 1;
        let _ = self.later.send(Some((self.next, drafts)));
    }

    /// Saved before this returns.
    pub(super) fn save_now(&mut self, drafts: &Drafts) -> std::io::Result<()> {
        self.next += 1;
        save_if_newer(&self.store, &self.written, self.next, drafts)
    }
}

fn save_if_newer(
    store: &DraftStore,
    written: &Mutex<u64>,
    number: u64,
    drafts: &Drafts,
) -> std::io::Result<()> {
    // A panic elsewhere while holding the lock leaves the number intact: go on with it.
    let mut on_disk = written.lock().unwrap_or_else(|p| p.into_inner());
    if number <= *on_disk {
        return Ok(());
    }
    store.save(drafts)?;
    *on_disk = number;
    Ok(())
}

/// Ctrl-Z: give the terminal back to the shell, stop, and take it again on `fg`.
pub(super) fn suspend(tui: &mut Tui) {
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

pub(super) fn run_editor(tui: &mut Tui, text: &str) -> Result<String, String> {
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

pub(super) fn notify_bytes(
    mode: NotifyMode,
    title: &str,
    body: &str,
    via: Option<crate::tui::Multiplexer>,
) -> Vec<u8> {
    // Escape payloads are sanitised: guest text must not end or extend the sequence.
    let clean = |s: &str| crate::text::one_line(s).replace(';', ",");
    let mut out = Vec::new();
    if matches!(mode, NotifyMode::Desktop | NotifyMode::Both) {
        let (t, b) = (clean(title), clean(body));
        // tmux and screen drop sequences they do not know unless wrapped.
        let pass = |seq: String| crate::tui::pass_through(seq.as_bytes(), via);
        out.extend(pass(format!("\x1b]777;notify;{t};{b}\x1b\\")));
        out.extend(pass(format!("\x1b]9;{t}: {b}\x1b\\")));
    }
    if matches!(mode, NotifyMode::Bell | NotifyMode::Both) {
        out.push(0x07);
    }
    out
}

/// `FRONTDESK_TRACE=FILE`: one line per frame, for the benchmarks (time, bytes written,
/// whether the list is loaded, messages held, live message ids the frame shows).
pub(super) struct Trace {
    out: std::io::BufWriter<std::fs::File>,
}

impl Trace {
    pub(super) fn from_env() -> Option<Trace> {
        let path = std::env::var_os("FRONTDESK_TRACE")?;
        let file = std::fs::File::create(path).ok()?;
        Some(Trace {
            out: std::io::BufWriter::new(file),
        })
    }

    /// One line per frame: when, the bytes written, what the app held, how many rows the
    /// terminal was told to scroll (0: none), and how long drawing took.
    pub(super) fn frame(&mut self, app: &App, bytes: u64, scrolled: i32, took: Duration) {
        let micros = took.as_micros();
        use std::io::Write;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let held: usize = app.threads.values().map(|t| t.messages.len()).sum();
        let live: Vec<String> = app.traced_live.iter().map(|id| id.to_string()).collect();
        let _ = writeln!(
            self.out,
            "frame {now} bytes={bytes} list={} messages={held} live={} scrolled={scrolled} us={micros}",
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

#[cfg(test)]
mod tests {
    use super::*;

    fn drafts(text: &str) -> Drafts {
        vec![(
            ConversationId(1),
            Draft {
                text: text.into(),
                reply_to: None,
                hand_off: None,
            },
        )]
    }

    /// The flush before Ctrl-Z is newer than a background write still in hand: the older write
    /// must not land after it.
    #[test]
    fn an_older_snapshot_never_overwrites_a_newer_one() {
        let dir = tempfile::tempdir().unwrap();
        let store = DraftStore::new(dir.path());
        let written = Mutex::new(0);
        save_if_newer(&store, &written, 2, &drafts("kept across suspend")).unwrap();
        save_if_newer(&store, &written, 1, &drafts("kept across suspen")).unwrap();
        let on_disk = store.load().value;
        assert_eq!(on_disk[&ConversationId(1)].text, "kept across suspend");
        save_if_newer(&store, &written, 3, &drafts("newer still")).unwrap();
        assert_eq!(store.load().value[&ConversationId(1)].text, "newer still");
    }
}
