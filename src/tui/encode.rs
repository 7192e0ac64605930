//! The bytes that turn what the terminal shows into the frame we mean, in as few of them as a
//! plain VT terminal (tmux included) allows. ratatui decides *which* cells changed (its diff,
//! with its care for wide characters); this decides *how* to say it:
//! - a short stretch of unchanged plain text between two changes is written again rather than
//!   jumped over (a jump costs 4 to 9 bytes);
//! - a jump along the row is relative (`CSI n C`), not an absolute position;
//! - a run of blanks is erased in place (`CSI n X`) rather than spelled out;
//! - a change of colours and attributes is one SGR sequence, from the pen the terminal holds,
//!   by whichever of "switch off what changed" or "reset, then set" is shorter.
//!
//! After any character that is not one column wide the next write places the cursor
//! absolutely, as ratatui's own backend does, so a terminal that draws a grapheme at another
//! width cannot shift what follows it.

use std::fmt::Write as _;
use std::io::Write as _;

use ratatui::buffer::{Buffer, Cell};
use ratatui::style::{Color, Modifier};
use unicode_width::UnicodeWidthStr;

/// The colours and attributes the terminal gives the next character it prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Pen {
    fg: Color,
    bg: Color,
    underline: Color,
    modifier: Modifier,
}

impl Pen {
    fn of(cell: &Cell) -> Pen {
        Pen {
            fg: cell.fg,
            bg: cell.bg,
            underline: cell.underline_color,
            modifier: cell.modifier,
        }
    }
}

/// Attributes that show on a blank cell, so a blank carrying one is written, not erased.
const SHOWS_ON_BLANK: Modifier = Modifier::REVERSED
    .union(Modifier::UNDERLINED)
    .union(Modifier::CROSSED_OUT);

/// The bytes that take a terminal showing `shown` to `next` (same area). Starts and ends with
/// the default pen, and leaves the cursor wherever the last write put it.
pub(crate) fn encode(shown: &Buffer, next: &Buffer) -> Vec<u8> {
    let mut updates: Vec<(u16, u16, &Cell)> = shown.diff(next);
    // A character written over the left part of a wide one: the terminal blanks the rest of
    // it, in whatever pen it holds, which ratatui does not count as a change. That rest is
    // written too.
    let mut halves = Vec::new();
    for (x, y, cell) in &updates {
        let end = x + columns(cell.symbol()).max(1);
        let reach = (*x..end.min(next.area.right()))
            .map(|p| p + columns(shown[(p, *y)].symbol()))
            .max();
        let Some(reach) = reach.filter(|r| *r > end) else {
            continue;
        };
        for k in end..reach.min(next.area.right()) {
            if !next[(k, *y)].symbol().is_empty() {
                halves.push((k, *y, &next[(k, *y)]));
            }
        }
    }
    if !halves.is_empty() {
        updates.extend(halves);
        updates.sort_by_key(|(x, y, _)| (*y, *x));
        updates.dedup_by_key(|(x, y, _)| (*x, *y));
    }
    let mut e = Encoder {
        out: Vec::with_capacity(updates.len() * 2 + 16),
        step: String::new(),
        reset: String::new(),
        pen: Pen::default(),
        cursor: None,
        next,
    };
    let mut i = 0;
    while i < updates.len() {
        i = e.update(&updates, i);
    }
    e.set_pen(Pen::default());
    e.out
}

struct Encoder<'a> {
    out: Vec<u8>,
    /// Scratch for the two ways to say a change of pen.
    step: String,
    reset: String,
    pen: Pen,
    /// Where the terminal's cursor is, when it is certain.
    cursor: Option<(u16, u16)>,
    next: &'a Buffer,
}

impl Encoder<'_> {
    /// Writes `updates[i]` (and the blanks after it, when erased together); returns the index
    /// of the next update still to write.
    fn update(&mut self, updates: &[(u16, u16, &Cell)], i: usize) -> usize {
        let (x, y, cell) = updates[i];
        self.move_to(x, y);
        if let Some(end) = self.blank_run(updates, i) {
            self.set_pen(Pen::of(cell));
            let n = end - x;
            let _ = write!(self.out, "\x1b[{n}X");
            // The cursor stays where the erase began.
            return updates[i..]
                .iter()
                .position(|(ux, uy, _)| *uy != y || *ux >= end)
                .map_or(updates.len(), |p| i + p);
        }
        self.put(x, y, cell);
        i + 1
    }

    /// When `updates[i]` starts a run of blanks worth erasing in one sequence, the column the
    /// erase ends at (exclusive). The run may cross unchanged blanks of the same colour.
    fn blank_run(&self, updates: &[(u16, u16, &Cell)], i: usize) -> Option<u16> {
        let (x, y, cell) = updates[i];
        let erasable = |c: &Cell| {
            c.symbol() == " " && c.bg == cell.bg && !c.modifier.intersects(SHOWS_ON_BLANK)
        };
        if !erasable(cell) {
            return None;
        }
        let right = self.next.area.right();
        // The last changed cell the run reaches, and whether a change follows on this row.
        let mut end = x + 1;
        let mut k = i + 1;
        let mut col = x + 1;
        while col < right && erasable(&self.next[(col, y)]) {
            // No change left on this row: the run can reach no further.
            if updates.get(k).is_none_or(|(_, uy, _)| *uy != y) {
                break;
            }
            col += 1;
            while let Some((ux, uy, _)) = updates.get(k)
                && *uy == y
                && *ux < col
            {
                end = ux + 1;
                k += 1;
            }
        }
        let n = end - x;
        let more_on_row = updates.get(k).is_some_and(|(_, uy, _)| *uy == y);
        let erase = 3 + digits(n) + if more_on_row { 3 + digits(n) } else { 0 };
        (erase < n as usize).then_some(end)
    }

    /// Places the cursor at (x, y) by the shortest of: rewriting the unchanged plain text in
    /// between, a relative move along the row, line feeds and a move along the row (raw mode
    /// leaves a line feed as just that: down one row, same column), or an absolute move.
    fn move_to(&mut self, x: u16, y: u16) {
        // Most writes follow the one before.
        if self.cursor == Some((x, y)) {
            return;
        }
        // After a write in the last column the cursor waits there to wrap: start afresh.
        let from = self.cursor.filter(|(cx, _)| *cx < self.next.area.right());
        let mut best = absolute(x, y);
        match from {
            Some((cx, cy)) if cy == y && cx < x && self.rewritable(cx, x, y) => {
                let gap: Vec<u8> = (cx..x)
                    .flat_map(|col| self.next[(col, y)].symbol().bytes())
                    .collect();
                best = shortest(best, gap);
                best = shortest(best, along(cx, x));
            }
            Some((cx, cy)) if cy == y => best = shortest(best, along(cx, x)),
            // Rows below the cursor: never from the last row, where a line feed would scroll.
            Some((cx, cy)) if cy < y && y - cy <= 4 => {
                let mut down = vec![b'\n'; (y - cy) as usize];
                down.extend(along(cx, x));
                best = shortest(best, down);
            }
            _ => {}
        }
        self.out.extend_from_slice(&best);
        self.cursor = Some((x, y));
    }

    /// Whether the cells from..to of row y can be written again as they are: one printable
    /// ASCII byte each, in the pen the terminal already holds.
    fn rewritable(&self, from: u16, to: u16, y: u16) -> bool {
        (from..to).all(|col| {
            let c = &self.next[(col, y)];
            let s = c.symbol().as_bytes();
            s.len() == 1 && (0x20..0x7f).contains(&s[0]) && Pen::of(c) == self.pen
        })
    }

    fn put(&mut self, x: u16, y: u16, cell: &Cell) {
        self.set_pen(Pen::of(cell));
        let symbol = cell.symbol();
        self.out.extend_from_slice(symbol.as_bytes());
        // Only a one-column character leaves the cursor where every terminal agrees.
        self.cursor = (columns(symbol) == 1).then_some((x + 1, y));
    }

    fn set_pen(&mut self, to: Pen) {
        if self.pen == to {
            return;
        }
        let (step, reset) = (&mut self.step, &mut self.reset);
        step.clear();
        reset.clear();
        sgr_step(self.pen, to, step);
        sgr_reset(to, reset);
        let params = if step.len() <= reset.len() {
            step
        } else {
            reset
        };
        self.out.extend_from_slice(b"\x1b[");
        self.out.extend_from_slice(params.as_bytes());
        self.out.push(b'm');
        self.pen = to;
    }
}

/// The move to (x, y) whatever the cursor's position.
fn absolute(x: u16, y: u16) -> Vec<u8> {
    if x == 0 {
        format!("\x1b[{}H", y + 1).into_bytes()
    } else {
        format!("\x1b[{};{}H", y + 1, x + 1).into_bytes()
    }
}

/// The move along a row from column `from` to `to`: forward, back, or to its start and on.
fn along(from: u16, to: u16) -> Vec<u8> {
    let step = |n: u16, op: char| match n {
        0 => Vec::new(),
        1 => format!("\x1b[{op}").into_bytes(),
        n => format!("\x1b[{n}{op}").into_bytes(),
    };
    if to >= from {
        return step(to - from, 'C');
    }
    let mut restart = b"\r".to_vec();
    restart.extend(step(to, 'C'));
    shortest(step(from - to, 'D'), restart)
}

fn shortest(a: Vec<u8>, b: Vec<u8>) -> Vec<u8> {
    if b.len() < a.len() { b } else { a }
}

/// How many columns a cell's symbol takes; nearly every one is a single ASCII byte.
fn columns(symbol: &str) -> u16 {
    if symbol.len() == 1 {
        1
    } else {
        symbol.width() as u16
    }
}

/// Decimal digits of n.
fn digits(n: u16) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

const MODIFIERS: [(Modifier, &str); 9] = [
    (Modifier::BOLD, "1"),
    (Modifier::DIM, "2"),
    (Modifier::ITALIC, "3"),
    (Modifier::UNDERLINED, "4"),
    (Modifier::SLOW_BLINK, "5"),
    (Modifier::RAPID_BLINK, "6"),
    (Modifier::REVERSED, "7"),
    (Modifier::HIDDEN, "8"),
    (Modifier::CROSSED_OUT, "9"),
];

/// Appends one SGR parameter, after a separator when it is not the first.
fn param(out: &mut String, p: impl std::fmt::Display) {
    if !out.is_empty() {
        out.push(';');
    }
    let _ = write!(out, "{p}");
}

/// SGR parameters from `from` to `to`: what was switched off, then what is new.
fn sgr_step(from: Pen, to: Pen, out: &mut String) {
    let removed = from.modifier - to.modifier;
    let mut added = to.modifier - from.modifier;
    // One code switches off both bold and faint, and one both blinks: what stays is set again.
    for (pair, off) in [
        (Modifier::BOLD | Modifier::DIM, "22"),
        (Modifier::SLOW_BLINK | Modifier::RAPID_BLINK, "25"),
    ] {
        if removed.intersects(pair) {
            param(out, off);
            added |= to.modifier & pair;
        }
    }
    for (m, off) in [
        (Modifier::ITALIC, "23"),
        (Modifier::UNDERLINED, "24"),
        (Modifier::REVERSED, "27"),
        (Modifier::HIDDEN, "28"),
        (Modifier::CROSSED_OUT, "29"),
    ] {
        if removed.contains(m) {
            param(out, off);
        }
    }
    modifier_params(added, out);
    for (a, b, layer) in [
        (from.fg, to.fg, Layer::Fg),
        (from.bg, to.bg, Layer::Bg),
        (from.underline, to.underline, Layer::Underline),
    ] {
        if a != b {
            colour(b, layer, out);
        }
    }
}

/// SGR parameters that reset everything, then set `to`.
fn sgr_reset(to: Pen, out: &mut String) {
    param(out, "0");
    modifier_params(to.modifier, out);
    for (c, layer) in [
        (to.fg, Layer::Fg),
        (to.bg, Layer::Bg),
        (to.underline, Layer::Underline),
    ] {
        if c != Color::Reset {
            colour(c, layer, out);
        }
    }
}

fn modifier_params(m: Modifier, out: &mut String) {
    for (bit, code) in MODIFIERS {
        if m.contains(bit) {
            param(out, code);
        }
    }
}

#[derive(Clone, Copy)]
enum Layer {
    Fg,
    Bg,
    Underline,
}

/// One colour's SGR parameter. The sixteen named colours are the terminal's palette 0 to 15,
/// as crossterm sends them, in their short form.
fn colour(c: Color, layer: Layer, out: &mut String) {
    let index = match c {
        Color::Reset => {
            return param(
                out,
                match layer {
                    Layer::Fg => "39",
                    Layer::Bg => "49",
                    Layer::Underline => "59",
                },
            );
        }
        Color::Black => 0,
        Color::Red => 1,
        Color::Green => 2,
        Color::Yellow => 3,
        Color::Blue => 4,
        Color::Magenta => 5,
        Color::Cyan => 6,
        Color::Gray => 7,
        Color::DarkGray => 8,
        Color::LightRed => 9,
        Color::LightGreen => 10,
        Color::LightYellow => 11,
        Color::LightBlue => 12,
        Color::LightMagenta => 13,
        Color::LightCyan => 14,
        Color::White => 15,
        Color::Indexed(i) => i,
        Color::Rgb(r, g, b) => {
            let base = match layer {
                Layer::Fg => 38,
                Layer::Bg => 48,
                Layer::Underline => 58,
            };
            return param(out, format_args!("{base};2;{r};{g};{b}"));
        }
    };
    match (layer, index) {
        (Layer::Fg, 0..=7) => param(out, 30 + index),
        (Layer::Fg, 8..=15) => param(out, 90 + index - 8),
        (Layer::Bg, 0..=7) => param(out, 40 + index),
        (Layer::Bg, 8..=15) => param(out, 100 + index - 8),
        (Layer::Fg, _) => param(out, format_args!("38;5;{index}")),
        (Layer::Bg, _) => param(out, format_args!("48;5;{index}")),
        (Layer::Underline, _) => param(out, format_args!("58;5;{index}")),
    }
}
