//! The ratatui backend that writes frames: it keeps its own copy of what the terminal shows,
//! and for each frame writes whichever is shorter of
//! - the changed cells, encoded tightly (`encode`), or
//! - a scroll of the rows where a pane's content moved (DECSTBM, then IL/DL, which every VT102
//!   terminal and tmux know), then the cells that still differ.
//!
//! Scrolling moves whole rows, panes beside the moving one included, so it only pays when
//! what it disturbs costs less to redraw than what it saves; both are encoded and compared
//! byte for byte. Terminals with left and right margins (DECSLRM) could scroll one pane alone,
//! but tmux, screen, VTE and most terminals a desk is reached through do not have them.

use std::collections::HashMap;
use std::io::{self, Write};

use crossterm::cursor::{Hide, MoveTo, Show};
use crossterm::queue;
use crossterm::terminal::{Clear, ClearType as CtClear};
use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::{Position, Rect, Size};

use super::encode::encode;

pub struct Painter<W: Write> {
    out: W,
    /// What the terminal shows, as far as this process has drawn it, and each of its cells as
    /// a number (`keys_of`).
    shown: Buffer,
    shown_keys: Vec<u64>,
    /// The next frame as ratatui rendered it, with the panes whose rows may have moved.
    next: Option<(Buffer, Vec<Rect>)>,
    /// Whether the cursor is hidden, when known, so it is not hidden again on every frame.
    cursor_hidden: Option<bool>,
    /// Where the cursor was last put, when nothing has been written since.
    cursor_at: Option<Position>,
    /// The frame's synchronized update: begun only once something is written, so a frame
    /// that changes nothing sends nothing at all.
    sync: Sync,
    /// The last frame: bytes written, and how many rows a scroll moved (0 when none).
    pub last: FrameCost,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sync {
    /// Between frames: writes go out as they come.
    Off,
    /// A frame has begun and nothing is written yet.
    Pending,
    /// The frame's `BeginSynchronizedUpdate` is written.
    Open,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FrameCost {
    pub bytes: usize,
    pub scrolled: i32,
}

impl<W: Write> Painter<W> {
    pub fn new(out: W) -> Painter<W> {
        Painter {
            out,
            shown: Buffer::empty(Rect::default()),
            shown_keys: Vec::new(),
            next: None,
            cursor_hidden: None,
            cursor_at: None,
            sync: Sync::Off,
            last: FrameCost::default(),
        }
    }

    /// A frame begins: its synchronized update opens with its first write.
    pub fn begin_frame(&mut self) {
        self.sync = Sync::Pending;
    }

    /// The frame ends: closes its synchronized update if anything was written.
    pub fn end_frame(&mut self) -> io::Result<()> {
        let open = self.sync == Sync::Open;
        self.sync = Sync::Off;
        if open {
            queue!(self.out, crossterm::terminal::EndSynchronizedUpdate)?;
        }
        Ok(())
    }

    /// Before a write inside a frame: the synchronized update, once.
    fn open(&mut self) -> io::Result<()> {
        if self.sync == Sync::Pending {
            queue!(self.out, crossterm::terminal::BeginSynchronizedUpdate)?;
            self.sync = Sync::Open;
        }
        Ok(())
    }

    /// The whole next frame, handed over before ratatui flushes it, and the areas of the panes
    /// whose content scrolls (the thread, the list).
    pub fn prepare(&mut self, next: Buffer, moving: Vec<Rect>) {
        self.next = Some((next, moving));
    }

    fn forget(&mut self) {
        self.shown.reset();
        self.shown_keys.clear();
    }
}

/// A frame, and each of its cells as one number (`keys_of`): the scroll estimate compares
/// numbers, which is far cheaper than comparing cells.
#[derive(Clone, Copy)]
pub(crate) struct Keyed<'a> {
    pub buf: &'a Buffer,
    pub keys: &'a [u64],
}

impl<'a> Keyed<'a> {
    /// Row y's keys, in columns `cols` (all of them when None).
    fn keys(&self, y: u16, cols: Option<Rect>) -> &'a [u64] {
        let area = self.buf.area;
        let w = area.width as usize;
        let start = (y - area.y) as usize * w;
        let (from, to) = cols.map_or((0, w), |c| {
            ((c.left() - area.x) as usize, (c.right() - area.x) as usize)
        });
        self.keys.get(start + from..start + to).unwrap_or_default()
    }

    fn cells(&self, y: u16) -> &'a [Cell] {
        let w = self.buf.area.width as usize;
        let i = (y - self.buf.area.y) as usize * w;
        self.buf.content.get(i..i + w).unwrap_or_default()
    }
}

/// Each cell as a number that differs, but for hash collisions, wherever the cells differ.
pub(crate) fn keys_of(b: &Buffer) -> Vec<u64> {
    b.content.iter().map(cell_key).collect()
}

fn cell_key(c: &Cell) -> u64 {
    let symbol = c
        .symbol()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, byte| {
            (h ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3)
        });
    let style = colour_word(c.fg)
        | colour_word(c.bg) << 25
        | u64::from(c.modifier.bits()) << 50
        | colour_word(c.underline_color).rotate_left(13);
    (symbol ^ style.rotate_left(29)).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// Takes `shown` to `next`, scrolling first if that is shorter: the bytes, and the rows moved.
pub(crate) fn plan(shown: Keyed, next: Keyed, moving: &[Rect]) -> (Vec<u8>, i32) {
    let mut best = (encode(shown.buf, next.buf), 0);
    if shown.buf.area != next.buf.area || shown.keys.len() != next.keys.len() {
        return best;
    }
    for band in moving {
        let band = band.intersection(next.buf.area);
        if band.height < 2 {
            continue;
        }
        let Some(d) = shift_of(shown, next, band) else {
            continue;
        };
        // Rows are weighed by an estimate first; only a scroll that may pay is encoded.
        let Some((top, bottom)) = cheapest_scroll(shown, next, band, d) else {
            continue;
        };
        let mut bytes = scroll_bytes(top, bottom, d);
        bytes.extend(encode(&scrolled(shown.buf, top, bottom, d), next.buf));
        if bytes.len() < best.0.len() {
            best = (bytes, d);
        }
    }
    best
}

/// The rows top..bottom (within the band) whose scroll by d should cost least, when that is
/// estimated to cost less than redrawing. Rows outside the region are redrawn as they are;
/// rows inside take their content from |d| rows away, except the |d| rows the scroll brings
/// in blank. Scrolling fewer rows than the whole pane can be cheaper: rows beside a busy pane
/// are left in place and redrawn, rows beside a quiet one are moved.
fn cheapest_scroll(shown: Keyed, next: Keyed, band: Rect, d: i32) -> Option<(u16, u16)> {
    let blank = vec![cell_key(&Cell::EMPTY); next.buf.area.width as usize];
    let n = d.unsigned_abs() as u16;
    let (t, b) = (band.top(), band.bottom());
    // Prefix sums over the band's rows: the cost of rows from..to is s[to] - s[from].
    let prefix = |cost: &dyn Fn(u16) -> usize| -> Vec<usize> {
        let mut s = vec![0; (b - t) as usize + 1];
        for (i, y) in (t..b).enumerate() {
            s[i + 1] = s[i] + cost(y);
        }
        s
    };
    let cost = |from: &[u64], y: u16| row_cost(from, next.keys(y, None), next.cells(y));
    let plain = prefix(&|y| cost(shown.keys(y, None), y));
    let moved = prefix(&|y| match u16::try_from(y as i32 + d) {
        Ok(f) if (t..b).contains(&f) => cost(shown.keys(f, None), y),
        _ => cost(&blank, y),
    });
    let fresh = prefix(&|y| cost(&blank, y));
    let sum = |s: &[usize], from: u16, to: u16| s[(to - t) as usize] - s[(from - t) as usize];
    let mut best: Option<((u16, u16), usize)> = None;
    for top in t..b {
        for bottom in (top + n + 1)..=b {
            let (kept, blanked) = if d > 0 {
                ((top, bottom - n), (bottom - n, bottom))
            } else {
                ((top + n, bottom), (top, top + n))
            };
            let cost = sum(&plain, t, top)
                + sum(&plain, bottom, b)
                + sum(&moved, kept.0, kept.1)
                + sum(&fresh, blanked.0, blanked.1)
                + SCROLL_BYTES;
            if best.is_none_or(|(_, c)| cost < c) {
                best = Some(((top, bottom), cost));
            }
        }
    }
    best.filter(|(_, cost)| *cost < plain[plain.len() - 1])
        .map(|(region, _)| region)
}

/// About what `scroll_bytes` writes.
const SCROLL_BYTES: usize = 20;

/// About what the encoder writes to turn a row whose cells have keys `was` into `cells`
/// (keys `now`): the changed characters, a cursor move before each run of them, and a change
/// of pen where the style changes.
fn row_cost(was: &[u64], now: &[u64], cells: &[Cell]) -> usize {
    let (mut cost, mut in_run, mut pen) = (0, false, None);
    for ((a, b), cell) in was.iter().zip(now).zip(cells) {
        if a == b {
            in_run = false;
            continue;
        }
        if !in_run {
            cost += 8;
            in_run = true;
        }
        cost += cell.symbol().len();
        let style = (cell.fg, cell.bg, cell.modifier);
        if pen != Some(style) {
            cost += 6;
            pen = Some(style);
        }
    }
    cost
}

/// DECSTBM to rows top..bottom, delete (content up) or insert (down) |d| lines at its top, and
/// the whole screen as the region again. Lines come in blank in the default colours: every
/// frame starts with the default pen.
fn scroll_bytes(top: u16, bottom: u16, d: i32) -> Vec<u8> {
    let op = if d > 0 { 'M' } else { 'L' };
    format!(
        "\x1b[{};{}r\x1b[{}H\x1b[{}{op}\x1b[r",
        top + 1,
        bottom,
        top + 1,
        d.unsigned_abs()
    )
    .into_bytes()
}

/// `shown` with rows top..bottom moved by d (up when positive), as the terminal will have them
/// after `scroll_bytes`: rows that come in are blank.
pub(crate) fn scrolled(shown: &Buffer, top: u16, bottom: u16, d: i32) -> Buffer {
    let mut b = shown.clone();
    let w = b.area.width as usize;
    let (top, bottom) = (
        (top - b.area.y) as usize * w,
        (bottom - b.area.y) as usize * w,
    );
    let n = d.unsigned_abs() as usize * w;
    let Some(rows) = b.content.get_mut(top..bottom) else {
        return b;
    };
    if n >= rows.len() {
        rows.fill(Cell::EMPTY);
    } else if d > 0 {
        rows.rotate_left(n);
        let len = rows.len();
        rows[len - n..].fill(Cell::EMPTY);
    } else {
        rows.rotate_right(n);
        rows[..n].fill(Cell::EMPTY);
    }
    b
}

/// How far the content of `band` moved between the frames (positive: up), when most of its
/// non-blank rows agree on it: each row of the next frame votes for where the same row (in the
/// band's columns) was before.
fn shift_of(shown: Keyed, next: Keyed, band: Rect) -> Option<i32> {
    // Most frames (a key typed, a clock ticking, a list row's count) change a row or two of
    // a pane, and a move changes most of them: no voting then.
    let changed = |y: u16| shown.keys(y, Some(band)) != next.keys(y, Some(band));
    (band.top()..band.bottom()).filter(|y| changed(*y)).nth(2)?;
    let blank = cell_key(&Cell::EMPTY);
    // A row's hash in the band's columns, or None when it is blank.
    let row_hash = |f: Keyed, y: u16| {
        let keys = f.keys(y, Some(band));
        (!keys.iter().all(|k| *k == blank)).then(|| {
            keys.iter().fold(0u64, |h, k| {
                (h.rotate_left(7) ^ k).wrapping_mul(0x100_0000_01b3)
            })
        })
    };
    let mut was_at: HashMap<u64, Vec<i32>> = HashMap::new();
    for (i, y) in (band.top()..band.bottom()).enumerate() {
        if let Some(h) = row_hash(shown, y) {
            was_at.entry(h).or_default().push(i as i32);
        }
    }
    let mut votes: HashMap<i32, u32> = HashMap::new();
    for (i, y) in (band.top()..band.bottom()).enumerate() {
        let Some(h) = row_hash(next, y) else {
            continue;
        };
        // A row repeated all over (a rule) says nothing.
        let Some(rows) = was_at.get(&h).filter(|r| r.len() <= 3) else {
            continue;
        };
        for from in rows {
            let d = from - i as i32;
            if d != 0 {
                *votes.entry(d).or_default() += 1;
            }
        }
    }
    votes
        .into_iter()
        .filter(|(_, v)| *v >= 2)
        .max_by_key(|(d, v)| (*v, -d.abs()))
        .map(|(d, _)| d)
}

/// A colour as a number that differs for every colour.
fn colour_word(c: ratatui::style::Color) -> u64 {
    use ratatui::style::Color;
    match c {
        Color::Reset => 0,
        Color::Black => 1,
        Color::Red => 2,
        Color::Green => 3,
        Color::Yellow => 4,
        Color::Blue => 5,
        Color::Magenta => 6,
        Color::Cyan => 7,
        Color::Gray => 8,
        Color::DarkGray => 9,
        Color::LightRed => 10,
        Color::LightGreen => 11,
        Color::LightYellow => 12,
        Color::LightBlue => 13,
        Color::LightMagenta => 14,
        Color::LightCyan => 15,
        Color::White => 16,
        Color::Indexed(i) => 1 << 23 | u64::from(i),
        Color::Rgb(r, g, b) => 1 << 24 | u64::from(r) << 16 | u64::from(g) << 8 | u64::from(b),
    }
}

impl<W: Write> Write for Painter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

impl<W: Write> Backend for Painter<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let (next, moving) = match self.next.take() {
            Some(prepared) => prepared,
            // Drawn without `prepare`: ratatui's changes on top of what is shown.
            None => {
                let mut next = self.shown.clone();
                for (x, y, cell) in content {
                    if next.area.contains(Position::new(x, y)) {
                        next[(x, y)] = cell.clone();
                    }
                }
                (next, Vec::new())
            }
        };
        if self.shown.area != next.area {
            // A new size: ratatui cleared the screen before this frame.
            self.shown = Buffer::empty(next.area);
        }
        if self.shown_keys.len() != self.shown.content.len() {
            self.shown_keys = keys_of(&self.shown);
        }
        let next_keys = keys_of(&next);
        let shown = Keyed {
            buf: &self.shown,
            keys: &self.shown_keys,
        };
        let (bytes, scrolled) = plan(
            shown,
            Keyed {
                buf: &next,
                keys: &next_keys,
            },
            &moving,
        );
        if !bytes.is_empty() {
            self.open()?;
            self.out.write_all(&bytes)?;
            // Writing cells moved the terminal's cursor.
            self.cursor_at = None;
        }
        self.last = FrameCost {
            bytes: bytes.len(),
            scrolled,
        };
        self.shown = next;
        self.shown_keys = next_keys;
        Ok(())
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        if self.cursor_hidden != Some(true) {
            self.open()?;
            queue!(self.out, Hide)?;
            self.cursor_hidden = Some(true);
        }
        Ok(())
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        if self.cursor_hidden != Some(false) {
            self.open()?;
            queue!(self.out, Show)?;
            self.cursor_hidden = Some(false);
        }
        Ok(())
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        crossterm::cursor::position().map(|(x, y)| Position { x, y })
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        let p = position.into();
        if self.cursor_at == Some(p) {
            return Ok(());
        }
        self.open()?;
        self.cursor_at = Some(p);
        queue!(self.out, MoveTo(p.x, p.y))
    }

    fn clear(&mut self) -> io::Result<()> {
        self.clear_region(ClearType::All)
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        let ct = match clear_type {
            ClearType::All => CtClear::All,
            ClearType::AfterCursor => CtClear::FromCursorDown,
            ClearType::BeforeCursor => CtClear::FromCursorUp,
            ClearType::CurrentLine => CtClear::CurrentLine,
            ClearType::UntilNewLine => CtClear::UntilNewLine,
        };
        // ratatui takes whatever it cleared as blank from here; so does this copy.
        self.forget();
        self.open()?;
        self.cursor_at = None;
        queue!(self.out, Clear(ct))
    }

    fn size(&self) -> io::Result<Size> {
        let (width, height) = crossterm::terminal::size()?;
        Ok(Size { width, height })
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        let crossterm::terminal::WindowSize {
            columns,
            rows,
            width,
            height,
        } = crossterm::terminal::window_size()?;
        Ok(WindowSize {
            columns_rows: Size {
                width: columns,
                height: rows,
            },
            pixels: Size { width, height },
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
