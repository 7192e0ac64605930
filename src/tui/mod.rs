//! The terminal: raw mode, alternate screen, mouse, paste and focus reporting, and the event
//! stream. Restores the terminal on drop and from the panic hook, before anything is printed.

use std::io::{BufWriter, Stdout, Write, stdout};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crossterm::event::{
    DisableBracketedPaste, DisableFocusChange, DisableMouseCapture, EnableBracketedPaste,
    EnableFocusChange, EnableMouseCapture, EventStream,
};
use crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute, queue};
use ratatui::Terminal;

mod encode;
mod painter;
pub use painter::{FrameCost, Painter};

/// Stdout, buffered so a frame leaves in one write, and counted for the benchmarks.
pub struct Output {
    inner: BufWriter<Stdout>,
    written: Arc<AtomicU64>,
}

impl Output {
    fn new(written: Arc<AtomicU64>) -> Output {
        Output {
            inner: BufWriter::with_capacity(256 * 1024, stdout()),
            written,
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// What draws frames: a ratatui terminal over any writer (the terminal in the inbox, a byte
/// buffer in the terminal-model tests, so they replay exactly what the desk is sent), and the
/// links it last wrapped in OSC 8.
pub struct Screen<W: Write> {
    pub terminal: Terminal<Painter<W>>,
    /// The links last wrapped in OSC 8 (cleared when the screen is redrawn from scratch).
    pub hyperlinked: Vec<crate::model::LinkSpot>,
}

impl<W: Write> Screen<W> {
    pub fn new(out: W) -> std::io::Result<Screen<W>> {
        Ok(Screen {
            terminal: Terminal::new(Painter::new(out))?,
            hyperlinked: Vec::new(),
        })
    }

    /// A screen of a fixed size over any writer, whatever terminal the process has (the
    /// terminal-model tests, the benchmarks).
    pub fn of_size(out: W, area: ratatui::layout::Rect) -> std::io::Result<Screen<W>> {
        Ok(Screen {
            terminal: Terminal::with_options(
                Painter::new(out),
                ratatui::TerminalOptions {
                    viewport: ratatui::Viewport::Fixed(area),
                },
            )?,
            hyperlinked: Vec::new(),
        })
    }

    /// One frame: drawn inside a synchronized update, so terminals show it whole, by the
    /// painter (which may scroll the panes `draw` says can move); then the links `draw`
    /// reports are wrapped in OSC 8 when they changed.
    pub fn frame(
        &mut self,
        draw: impl FnOnce(&mut ratatui::Frame) -> crate::ui::Rendered,
    ) -> std::io::Result<()> {
        // A frame that changes nothing on screen sends nothing (not even the update's
        // markers): an idle desk writes nothing.
        self.terminal.backend_mut().begin_frame();
        let r = self.paint(draw);
        self.terminal.backend_mut().end_frame()?;
        self.terminal.backend_mut().flush()?;
        let spots = r?;
        if spots != self.hyperlinked {
            self.write_hyperlinks(&spots);
        }
        Ok(())
    }

    /// ratatui's frame, rendered, then handed whole to the painter before it is flushed.
    fn paint(
        &mut self,
        draw: impl FnOnce(&mut ratatui::Frame) -> crate::ui::Rendered,
    ) -> std::io::Result<Vec<crate::model::LinkSpot>> {
        self.terminal.autoresize()?;
        let mut frame = self.terminal.get_frame();
        let rendered = draw(&mut frame);
        let next = frame.buffer_mut().clone();
        self.terminal.backend_mut().prepare(next, rendered.moving);
        self.terminal.apply_buffer_with_cursor(rendered.cursor)?;
        Ok(rendered.links)
    }

    /// What the last frame cost, and whether it scrolled.
    pub fn last_frame(&self) -> FrameCost {
        self.terminal.backend().last
    }

    /// Rewrites each link's cells with the same text inside an OSC 8 hyperlink, so terminals
    /// that support it make the link clickable; others print the same text again. ratatui keeps
    /// its own copy of those cells unchanged, so later diffs stay correct.
    fn write_hyperlinks(&mut self, spots: &[crate::model::LinkSpot]) {
        let out = self.terminal.backend_mut();
        let _ = queue!(out, cursor::SavePosition);
        for s in spots {
            let _ = queue!(out, cursor::MoveTo(s.x, s.y));
            let _ = write!(out, "\x1b]8;;{}\x1b\\{}\x1b]8;;\x1b\\", s.url, s.shown);
        }
        let _ = queue!(out, cursor::RestorePosition);
        let _ = out.flush();
        self.hyperlinked = spots.to_vec();
    }
}

pub struct Tui {
    pub screen: Screen<Output>,
    /// Dropped while an external editor owns the terminal, so it does not steal keys.
    pub events: Option<EventStream>,
    active: bool,
    written: Arc<AtomicU64>,
}

/// Puts the terminal back as the shell expects it. Safe to call more than once.
pub fn restore() {
    crate::log::restore_stderr();
    let mut out = stdout();
    let _ = execute!(
        out,
        DisableMouseCapture,
        DisableBracketedPaste,
        DisableFocusChange,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = disable_raw_mode();
    let _ = out.flush();
}

impl Tui {
    pub fn new() -> std::io::Result<Tui> {
        let written = Arc::new(AtomicU64::new(0));
        let mut tui = Tui {
            screen: Screen::new(Output::new(written.clone()))?,
            events: None,
            active: false,
            written,
        };
        tui.enter()?;
        Ok(tui)
    }

    pub fn enter(&mut self) -> std::io::Result<()> {
        enable_raw_mode()?;
        execute!(
            stdout(),
            EnterAlternateScreen,
            EnableMouseCapture,
            EnableBracketedPaste,
            EnableFocusChange
        )?;
        self.active = true;
        self.events = Some(EventStream::new());
        // From here only the frame reaches the terminal.
        crate::log::capture_stderr();
        // The screen was someone else's meanwhile: blank it and start from empty buffers, so
        // the next frame draws everything. (Terminal::clear would ask the terminal for the
        // cursor position: a round trip over SSH, and unanswered right after `fg`.)
        execute!(stdout(), Clear(ClearType::All))?;
        self.screen = Screen::new(Output::new(self.written.clone()))?;
        Ok(())
    }

    pub fn leave(&mut self) {
        self.events = None;
        restore();
        self.active = false;
    }

    /// Bytes written to the terminal by frames so far.
    pub fn bytes_written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }

    /// Writes raw bytes between frames (bell, desktop-notification escapes).
    pub fn write_raw(&mut self, bytes: &[u8]) {
        let mut out = stdout();
        let _ = out.write_all(bytes);
        let _ = out.flush();
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        if self.active {
            restore();
        }
    }
}

/// A terminal multiplexer between frontdesk and the terminal: escape sequences it does not
/// know must be wrapped to pass through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Multiplexer {
    Tmux,
    Screen,
}

/// The multiplexer this process runs inside, from its environment.
pub fn multiplexer() -> Option<Multiplexer> {
    if std::env::var_os("TMUX").is_some_and(|v| !v.is_empty()) {
        Some(Multiplexer::Tmux)
    } else if std::env::var_os("STY").is_some_and(|v| !v.is_empty()) {
        Some(Multiplexer::Screen)
    } else {
        None
    }
}

/// An escape sequence wrapped so it reaches the terminal through the multiplexer (tmux needs
/// `allow-passthrough on`; `frontdesk doctor` says whether it is).
pub fn pass_through(seq: &[u8], via: Option<Multiplexer>) -> Vec<u8> {
    match via {
        None => seq.to_vec(),
        Some(Multiplexer::Tmux) => {
            let mut out = b"\x1bPtmux;".to_vec();
            for b in seq {
                // Inside the wrapper every ESC is doubled.
                if *b == 0x1b {
                    out.push(0x1b);
                }
                out.push(*b);
            }
            out.extend_from_slice(b"\x1b\\");
            out
        }
        Some(Multiplexer::Screen) => {
            let mut out = b"\x1bP".to_vec();
            out.extend_from_slice(seq);
            out.extend_from_slice(b"\x1b\\");
            out
        }
    }
}

/// color-eyre's hooks, with the terminal restored first so the report is readable.
pub fn install_panic_hook(log_hint: Option<String>) {
    let (panic_hook, eyre_hook) = color_eyre::config::HookBuilder::default()
        .display_env_section(false)
        .into_hooks();
    let panic_hook = panic_hook.into_panic_hook();
    let _ = eyre_hook.install();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        tracing::error!("panic: {info}");
        panic_hook(info);
        if let Some(hint) = &log_hint {
            eprintln!("frontdesk stopped unexpectedly. The log is at {hint}");
        }
    }));
}
