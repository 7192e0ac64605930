//! The log: a size-rotated file, never the terminal. While the inbox owns the terminal,
//! nothing else may write there: the log writer swallows its own failures (a full disk must
//! not print "[tracing-subscriber] Unable to write…" over the frame), counts them, and the
//! inbox says once on screen that the log cannot be written; standard error is pointed at the
//! log for that time, so a library's stray line lands there too.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};

/// Past this the log is rotated to `frontdesk.log.1` (one kept).
const LOG_CAP: u64 = 5 * 1024 * 1024;

static FAILURES: AtomicU64 = AtomicU64::new(0);
static PATH: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
static TROUBLE: Mutex<Option<String>> = Mutex::new(None);
static TROUBLE_SAID: AtomicBool = AtomicBool::new(false);

/// Records why the log cannot be written (the first reason is kept).
fn trouble(why: String) {
    FAILURES.fetch_add(1, Ordering::Relaxed);
    let mut t = TROUBLE.lock().unwrap_or_else(|p| p.into_inner());
    if t.is_none() {
        *t = Some(why);
    }
}

/// The sentence to show once: why the log cannot be written. None after the first call, or
/// when all is well.
pub fn take_trouble() -> Option<String> {
    if FAILURES.load(Ordering::Relaxed) == 0 || TROUBLE_SAID.swap(true, Ordering::Relaxed) {
        return None;
    }
    let t = TROUBLE.lock().unwrap_or_else(|p| p.into_inner());
    t.clone()
}

/// How many log writes failed.
pub fn failures() -> u64 {
    FAILURES.load(Ordering::Relaxed)
}

/// A log writer that rotates by size and never fails: a write that cannot be done is counted.
pub struct RotatingLog {
    path: PathBuf,
    file: Option<std::fs::File>,
    written: u64,
}

impl RotatingLog {
    pub fn open(path: &Path) -> std::io::Result<RotatingLog> {
        let file = open_private(path)?;
        let written = file.metadata().map(|m| m.len()).unwrap_or(0);
        Ok(RotatingLog {
            path: path.to_path_buf(),
            file: Some(file),
            written,
        })
    }

    fn rotate(&mut self) {
        self.file = None;
        let _ = std::fs::rename(&self.path, self.path.with_extension("log.1"));
        self.file = open_private(&self.path).ok();
        self.written = 0;
    }
}

/// The log holds guest and staff text: owner-only.
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
}

impl Write for RotatingLog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.written + buf.len() as u64 > LOG_CAP {
            self.rotate();
        }
        match self.file.as_mut().map(|f| f.write_all(buf)) {
            Some(Ok(())) => self.written += buf.len() as u64,
            Some(Err(e)) => trouble(format!("{}: {e}", self.path.display())),
            None => trouble(format!("{}: could not be reopened", self.path.display())),
        }
        // Always "written": an error here would make the logging library print to stderr.
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        if let Some(Err(e)) = self.file.as_mut().map(|f| f.flush()) {
            trouble(format!("{}: {e}", self.path.display()));
        }
        Ok(())
    }
}

/// Starts logging at `level` to `path` (or to stderr for the server commands). None when the
/// log file cannot be opened; the reason is kept for the screen.
pub fn init(level: &str, to_stderr: bool, path: &Path) -> Option<PathBuf> {
    let filter = tracing_subscriber::EnvFilter::try_new(format!("frontdesk={level},warn"))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("frontdesk=info,warn"));
    if to_stderr {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .try_init();
        return None;
    }
    let opened = path
        .parent()
        .map_or(Ok(()), crate::store::private_dir)
        .and_then(|()| RotatingLog::open(path));
    let log = match opened {
        Ok(log) => log,
        Err(e) => {
            trouble(format!("{}: {e}", path.display()));
            return None;
        }
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(Mutex::new(log))
        .try_init();
    let _ = PATH.set(path.to_path_buf());
    Some(path.to_path_buf())
}

/// The terminal's standard error, saved while it points at the log (-1: not redirected).
static SAVED_STDERR: AtomicI32 = AtomicI32::new(-1);

/// Points standard error at the log (or nowhere) while the inbox draws; undone by
/// [`restore_stderr`], which leaving the terminal and the panic hook call.
pub fn capture_stderr() {
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        if SAVED_STDERR.load(Ordering::SeqCst) >= 0 {
            return;
        }
        let target = PATH.get().and_then(|p| open_private(p).ok()).or_else(|| {
            std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/null")
                .ok()
        });
        let Some(target) = target else {
            return;
        };
        // SAFETY: dup/dup2 on the process's own descriptors; `target` stays open for the call.
        unsafe {
            let saved = libc::dup(2);
            if saved < 0 {
                return;
            }
            if libc::dup2(target.as_raw_fd(), 2) < 0 {
                libc::close(saved);
                return;
            }
            let old = SAVED_STDERR.swap(saved, Ordering::SeqCst);
            if old >= 0 {
                libc::close(old);
            }
        }
    }
}

/// Gives standard error back to the terminal.
pub fn restore_stderr() {
    #[cfg(unix)]
    {
        let saved = SAVED_STDERR.swap(-1, Ordering::SeqCst);
        if saved >= 0 {
            // SAFETY: `saved` is the descriptor dup'ed in `capture_stderr`, owned here.
            unsafe {
                libc::dup2(saved, 2);
                libc::close(saved);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_that_cannot_be_written_is_counted_not_raised() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("frontdesk.log");
        let mut log = RotatingLog::open(&path).unwrap();
        // A file opened read-only stands in for a full disk: every write fails.
        log.file = Some(std::fs::File::open(&path).unwrap());
        let before = failures();
        assert_eq!(log.write(b"hello\n").unwrap(), 6);
        assert!(log.flush().is_ok());
        assert!(failures() > before);
        let said = take_trouble().expect("a reason");
        assert!(said.contains("frontdesk.log"), "{said}");
        assert!(take_trouble().is_none(), "said once");
    }
}
