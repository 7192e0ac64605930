//! What reaches the terminal, replayed into a terminal model (the `vt100` crate), and compared
//! cell by cell with the frame we meant. The bytes are the ones the inbox writes (`tui::Screen`:
//! ratatui's diff inside a synchronized update, then the OSC 8 links), frame after frame, so
//! a cell the diff skips or shifts shows here as it would on a desk.
//!
//! Terminals disagree on how wide some graphemes are, so every replay runs once per way of
//! measuring them:
//! - `Vt100`: the model as it is (char by char, VS16 widens its base to two columns);
//! - `Parts`: the sum of each character's own width (ZWJ families 8 columns, VS16 none, a
//!   skin tone two more), as tmux 3.3 and many terminals draw them: the model fed without
//!   VS16;
//! - `Clusters`: the grapheme's width as a whole (a family 2 columns), as kitty and WezTerm do:
//!   each grapheme of a printed run replaced by a stand-in of its width before the model sees
//!   it. Such a terminal may join what ratatui wrote in two cells into one glyph, so here only
//!   what cannot be joined is compared exactly: every ASCII cell, and whether a cell is blank.

mod painter;

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

use chrono::{FixedOffset, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use frontdesk::api::{Conversation, Message};
use frontdesk::app::{App, Clock, Event, Focus, Me};
use frontdesk::model::{ConversationId, StaffId};
use frontdesk::tui::Screen;
use frontdesk::ui::{Theme, render};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};
use serde_json::json;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The guest text of the report: ZWJ families, flags, VS16, skin tones, keycaps, a subdivision
/// flag, next to plain words so a drift shows as a stray letter.
const EMOJI_LINES: [&str; 8] = [
    "The family 👩‍👩‍👧‍👦 joins us, bell ring 🔔 please",
    "Greetings from 🇮🇪 and 🇯🇵, carriage at ten",
    "I ❤️ the room, the bed 🛏️ is perfect",
    "Thumbs 👍🏽👍🏿 for the staff, jo jo",
    "Room 1️⃣0️⃣4️⃣ needs towels",
    "🏴󠁧󠁢󠁳󠁣󠁴󠁿 fans in the bar 👨‍👩‍👧 tonight",
    "Combining: é ñ ǅ ก่ क्ष, wide 中文字, RTL مرحبا שלום",
    "Nothing odd here at all, just words and words",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Widths {
    Vt100,
    Parts,
    Clusters,
}

const ALL: [Widths; 3] = [Widths::Vt100, Widths::Parts, Widths::Clusters];

/// A writer the test can read back.
#[derive(Clone, Default)]
struct Bytes(Rc<RefCell<Vec<u8>>>);

impl Write for Bytes {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Bytes {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.borrow_mut())
    }
}

/// What the model terminal was asked to do besides drawing.
#[derive(Default)]
struct Asked {
    titles: usize,
    clipboard: usize,
    resizes: usize,
}

impl vt100::Callbacks for Asked {
    fn set_window_title(&mut self, _: &mut vt100::Screen, _: &[u8]) {
        self.titles += 1;
    }
    fn set_window_icon_name(&mut self, _: &mut vt100::Screen, _: &[u8]) {
        self.titles += 1;
    }
    fn copy_to_clipboard(&mut self, _: &mut vt100::Screen, _: &[u8], _: &[u8]) {
        self.clipboard += 1;
    }
    fn paste_from_clipboard(&mut self, _: &mut vt100::Screen, _: &[u8]) {
        self.clipboard += 1;
    }
    fn resize(&mut self, _: &mut vt100::Screen, _: (u16, u16)) {
        self.resizes += 1;
    }
}

/// How wide a terminal of this kind draws a grapheme.
fn width_in(widths: Widths, g: &str) -> usize {
    match widths {
        Widths::Clusters => g.width(),
        Widths::Parts => g.chars().map(|c| c.width().unwrap_or(0).min(2)).sum(),
        // VS16 widens a narrow base.
        Widths::Vt100 => {
            let parts: usize = g.chars().map(|c| c.width().unwrap_or(0).min(2)).sum();
            if g.contains('\u{fe0f}') {
                parts.max(2)
            } else {
                parts
            }
        }
    }
}

/// The grapheme as the model should draw it for this kind of terminal.
fn stand_in(widths: Widths, g: &str) -> String {
    match widths {
        Widths::Vt100 => g.to_string(),
        Widths::Parts => g.replace('\u{fe0f}', ""),
        // The cluster's first character where it fits, then filler to the cluster's width.
        Widths::Clusters => {
            let w = width_in(widths, g);
            let mut chars = g.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if c.width().unwrap_or(0) == w => g.to_string(),
                (Some(c), _) if c.width().is_some_and(|cw| cw > 0 && cw <= w) => {
                    let rest = w - c.width().unwrap_or(0);
                    format!("{c}{}{}", "一".repeat(rest / 2), "░".repeat(rest % 2))
                }
                _ => "一".repeat(w / 2) + &"░".repeat(w % 2),
            }
        }
    }
}

/// The printed text in a byte stream rewritten as this kind of terminal sees it; escape
/// sequences pass unchanged.
fn as_seen_by(widths: Widths, bytes: &[u8]) -> Vec<u8> {
    if widths == Widths::Vt100 {
        return bytes.to_vec();
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut text = Vec::new();
    let flush = |text: &mut Vec<u8>, out: &mut Vec<u8>| {
        let s = String::from_utf8_lossy(text);
        match widths {
            Widths::Clusters => {
                for g in s.graphemes(true) {
                    out.extend_from_slice(stand_in(widths, g).as_bytes());
                }
            }
            _ => out.extend_from_slice(stand_in(widths, &s).as_bytes()),
        }
        text.clear();
    };
    let mut i = 0;
    while i < bytes.len() {
        // Controls (a line feed, a carriage return) move the cursor; they are not text.
        if bytes[i] < 0x20 && bytes[i] != 0x1b {
            flush(&mut text, &mut out);
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        if bytes[i] != 0x1b {
            text.push(bytes[i]);
            i += 1;
            continue;
        }
        flush(&mut text, &mut out);
        let start = i;
        i += 1;
        match bytes.get(i) {
            Some(b'[') => {
                i += 1;
                while i < bytes.len() && !(0x40..=0x7e).contains(&bytes[i]) {
                    i += 1;
                }
                i += 1;
            }
            Some(b']') => {
                // To BEL or ST.
                while i < bytes.len()
                    && bytes[i] != 0x07
                    && !(bytes[i] == 0x1b && bytes.get(i + 1) == Some(&b'\\'))
                {
                    i += 1;
                }
                i += if bytes.get(i) == Some(&0x07) { 1 } else { 2 };
            }
            _ => i += 1,
        }
        out.extend_from_slice(&bytes[start..i.min(bytes.len())]);
    }
    flush(&mut text, &mut out);
    out
}

/// The frame we meant, drawn by ratatui alone.
fn meant(app: &App, theme: &Theme, (w, h): (u16, u16)) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| {
        render(f, app, theme);
    })
    .unwrap();
    t.backend().buffer().clone()
}

/// The meant frame as graphemes: each one's stand-in with the columns ratatui gave it, or one
/// no terminal can show when the terminal's width for it differs (the row would drift from
/// there).
fn graphemes(buf: &Buffer, widths: Widths) -> Vec<Vec<(usize, usize, String)>> {
    let (w, h) = (buf.area.width, buf.area.height);
    let mut rows = Vec::new();
    for y in 0..h {
        let mut row = Vec::new();
        let mut x = 0;
        while x < w {
            let g = buf[(x, y)].symbol();
            let cells = g.width().max(1);
            let shown = if width_in(widths, g) == g.width() || widths == Widths::Vt100 {
                stand_in(widths, g)
            } else {
                "≠".into()
            };
            row.push((x as usize, cells, shown));
            x += cells as u16;
        }
        rows.push(row);
    }
    rows
}

/// Where the model's row differs from the meant one: each grapheme must fill exactly its
/// columns (a terminal may spread a cluster over its cells, as long as nothing shifts). For a
/// terminal that joins clusters, ASCII and blank cells are compared, and others by kind.
fn differs(widths: Widths, meant: &[(usize, usize, String)], seen: &[String]) -> Option<usize> {
    fn kind(s: &str) -> &str {
        match s {
            "" | " " => s,
            s if s.is_ascii() => s,
            _ => "*",
        }
    }
    meant.iter().find_map(|(x, w, g)| {
        let cells = seen.get(*x..x + w).unwrap_or_default();
        let same = if widths == Widths::Clusters && !g.is_ascii() && g != "≠" {
            // A joining terminal may draw two cells' clusters as one glyph and fill the rest:
            // any non-ASCII cell, or a blank left by the join, is that; ASCII would be a shift.
            cells
                .first()
                .is_some_and(|c| kind(c) == "*" || c.is_empty() || c == " ")
        } else if widths == Widths::Clusters {
            cells.first().map(|c| kind(c)) == Some(kind(g))
        } else {
            cells.concat() == *g
        };
        (!same).then_some(*x)
    })
}

/// The model's screen, column by column (the second half of a wide cell is empty).
fn seen(screen: &vt100::Screen) -> Vec<Vec<String>> {
    let (h, w) = screen.size();
    let (h, w) = (h.get(), w.get());
    (0..h)
        .map(|y| {
            (0..w)
                .map(|x| match screen.cell(y, x) {
                    Some(c) if c.is_wide_continuation() => String::new(),
                    Some(c) if c.has_contents() => c.contents().to_string(),
                    _ => " ".into(),
                })
                .collect()
        })
        .collect()
}

/// A desk drawing into one model terminal per way of measuring.
struct Desk {
    app: App,
    theme: Theme,
    screen: Screen<Bytes>,
    out: Bytes,
    models: Vec<(Widths, vt100::Parser<Asked>)>,
    size: (u16, u16),
    frames: usize,
}

impl Desk {
    fn new(app: App, size: (u16, u16)) -> Desk {
        let out = Bytes::default();
        let screen = Screen::of_size(out.clone(), Rect::new(0, 0, size.0, size.1)).unwrap();
        let models = ALL
            .iter()
            .map(|w| {
                (
                    *w,
                    vt100::Parser::new_with_callbacks(nz(size.1), nz(size.0), 0, Asked::default()),
                )
            })
            .collect();
        Desk {
            app,
            theme: Theme::colour(),
            screen,
            out,
            models,
            size,
            frames: 0,
        }
    }

    /// Draws a frame as the inbox does, replays its bytes, and checks every model.
    fn frame(&mut self, what: &str) {
        let (app, theme) = (&self.app, &self.theme);
        self.screen.frame(|f| render(f, app, theme)).unwrap();
        let buffer = meant(app, theme, self.size);
        let bytes = self.out.take();
        self.frames += 1;
        for (widths, model) in &mut self.models {
            model.process(&as_seen_by(*widths, &bytes));
            let want = graphemes(&buffer, *widths);
            let got = seen(model.screen());
            for (y, (w, g)) in want.iter().zip(&got).enumerate() {
                if let Some(x) = differs(*widths, w, g) {
                    let meant: String = w.iter().map(|(_, _, s)| s.as_str()).collect();
                    panic!(
                        "{widths:?}, frame {} ({what}), row {y}, column {x}:\n meant {meant:?}\n shown {:?}",
                        self.frames,
                        g.concat()
                    );
                }
            }
            // Colours and attributes too, where the model draws as ratatui measures.
            if *widths == Widths::Vt100
                && let Some(d) = first_difference(model.screen(), &buffer)
            {
                panic!("frame {} ({what}): {d}", self.frames);
            }
            let asked = model.callbacks();
            assert_eq!(
                (asked.titles, asked.clipboard, asked.resizes),
                (0, 0, 0),
                "{widths:?}: a title, clipboard or size request reached the terminal ({what})"
            );
            let s = model.screen();
            assert!(
                !s.alternate_screen() && !s.bracketed_paste() && !s.application_keypad(),
                "{widths:?}: a mode changed ({what})"
            );
        }
    }

    fn key(&mut self, code: KeyCode) {
        self.app
            .update(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }

    fn resize(&mut self, w: u16, h: u16) {
        self.size = (w, h);
        self.app.update(Event::Resize(w, h));
        self.screen.terminal.resize(Rect::new(0, 0, w, h)).unwrap();
        for (_, m) in &mut self.models {
            m.set_size(nz(h), nz(w));
        }
    }
}

fn index_of(c: Color) -> Option<vt100::Color> {
    let named = [
        Color::Black,
        Color::Red,
        Color::Green,
        Color::Yellow,
        Color::Blue,
        Color::Magenta,
        Color::Cyan,
        Color::Gray,
        Color::DarkGray,
        Color::LightRed,
        Color::LightGreen,
        Color::LightYellow,
        Color::LightBlue,
        Color::LightMagenta,
        Color::LightCyan,
        Color::White,
    ];
    Some(match c {
        Color::Reset => vt100::Color::Default,
        Color::Indexed(i) => vt100::Color::Idx(i),
        Color::Rgb(r, g, b) => vt100::Color::Rgb(r, g, b),
        named_colour => vt100::Color::Idx(named.iter().position(|n| *n == named_colour)? as u8),
    })
}

/// Where the model differs from the buffer: text everywhere; for printed cells every
/// attribute the model keeps; for blank cells what shows on a blank (background, inverse,
/// underline).
pub(crate) fn first_difference(screen: &vt100::Screen, want: &Buffer) -> Option<String> {
    let area = want.area;
    for y in area.top()..area.bottom() {
        let mut x = area.left();
        while x < area.right() {
            let c = &want[(x, y)];
            let w = c.symbol().width().max(1) as u16;
            let Some(got) = screen.cell(y, x) else {
                return Some(format!("({x},{y}) missing"));
            };
            let text = if got.has_contents() {
                got.contents()
            } else {
                " "
            };
            let m = c.modifier;
            let blank = c.symbol() == " ";
            let same = text == c.symbol()
                && Some(got.bgcolor()) == index_of(c.bg)
                && got.inverse() == m.contains(Modifier::REVERSED)
                && got.underline() == m.contains(Modifier::UNDERLINED)
                && (blank
                    || (Some(got.fgcolor()) == index_of(c.fg)
                        // The model keeps one intensity: bold and faint together are either.
                        && (m.contains(Modifier::BOLD | Modifier::DIM)
                            || (got.bold() == m.contains(Modifier::BOLD)
                                && got.dim() == m.contains(Modifier::DIM)))
                        && got.italic() == m.contains(Modifier::ITALIC)));
            if !same {
                return Some(format!(
                    "({x},{y}): meant {:?} {:?}/{:?} {:?}, shown {text:?} {:?}/{:?} b{} d{} i{} u{} r{}",
                    c.symbol(),
                    c.fg,
                    c.bg,
                    m,
                    got.fgcolor(),
                    got.bgcolor(),
                    got.bold(),
                    got.dim(),
                    got.italic(),
                    got.underline(),
                    got.inverse()
                ));
            }
            x += w;
        }
    }
    None
}

fn nz(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n.max(1)).unwrap_or(std::num::NonZeroU16::MIN)
}

fn clock() -> Clock {
    Clock {
        now: Utc.with_ymd_and_hms(2026, 11, 24, 14, 30, 0).unwrap(),
        offset: FixedOffset::east_opt(0).unwrap(),
    }
}

fn message(id: i64, text: &str, minutes_ago: i64) -> Message {
    let sender = if id % 3 == 0 { "staff" } else { "guest" };
    serde_json::from_value(json!({
        "id": id, "conversation_id": 1, "sender_type": sender, "message": text,
        "staff": if sender == "staff" { json!(1) } else { json!(null) },
        "staff_name": "Fiona Desk", "read_by_staff": true,
        "timestamp": (clock().now - chrono::Duration::minutes(minutes_ago)).to_rfc3339(),
    }))
    .unwrap()
}

/// A hotel whose guest names and previews carry the disputed graphemes too, with room 101's
/// thread open and `n` messages in it.
fn hotel(size: (u16, u16), lines: &[&str], n: usize) -> App {
    let me = Me {
        staff_id: StaffId(1),
        name: "Fiona Desk".into(),
        hotel_name: "Hotel 🇮🇪 Killarney".into(),
        capabilities: vec!["chat.conversation.read".into(), "chat.message.send".into()],
    };
    let mut app = App::new(me, clock(), size);
    app.canned = vec![
        "Welcome {guest} ❤️".into(),
        "Towels 🛏️ for room {room}".into(),
    ];
    let list: Vec<Conversation> = lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            serde_json::from_value(json!({
                "id": i + 1, "room_number": 101 + i, "guest_name": format!("Guest {}", line.split(' ').next_back().unwrap_or("")),
                "last_message": line, "unread_count": i % 2,
                "last_message_time": (clock().now - chrono::Duration::minutes(i as i64 * 7)).to_rfc3339(),
            }))
            .unwrap()
        })
        .collect();
    app.update(Event::ConversationsLoaded(Ok(list)));
    app.open_conversation(ConversationId(1), Focus::Thread);
    let page: Vec<Message> = (0..n)
        .map(|i| message(i as i64 + 1, lines[i % lines.len()], (n - i) as i64 * 3))
        .collect();
    app.update(Event::PageLoaded {
        conversation: ConversationId(1),
        limit: 200,
        result: Ok(page),
    });
    app
}

#[test]
fn scrolling_resizing_live_inserts_and_popups_draw_what_was_meant() {
    let size = (100, 30);
    let mut d = Desk::new(hotel(size, &EMOJI_LINES, 40), size);
    d.frame("first frame");
    // Scroll up through every message, then back down: each frame is a diff of the last.
    for i in 0..30 {
        d.key(KeyCode::Char('k'));
        d.frame(&format!("k #{i}"));
    }
    for i in 0..6 {
        d.key(KeyCode::PageDown);
        d.frame(&format!("PgDn #{i}"));
    }
    d.key(KeyCode::End);
    d.frame("End");
    // Live inserts at the bottom push the thread up.
    for (i, line) in EMOJI_LINES.iter().enumerate() {
        d.app.update(Event::LiveMessage(Box::new(message(
            100 + i as i64,
            line,
            0,
        ))));
        d.frame(&format!("live {i}"));
    }
    // Popups over it, and away again.
    for (open, close) in [
        (KeyCode::Char('?'), KeyCode::Esc),
        (KeyCode::Char('t'), KeyCode::Esc),
    ] {
        d.key(open);
        d.frame(&format!("{open:?}"));
        d.key(close);
        d.frame(&format!("{close:?}"));
    }
    // The reply box with the same text typed, then the list moving under the emoji names.
    d.key(KeyCode::Char('i'));
    for c in "Gracias 👍🏽 🇪🇸 ❤️".chars() {
        d.key(KeyCode::Char(c));
    }
    d.frame("typed");
    d.key(KeyCode::Esc);
    d.key(KeyCode::Esc);
    for i in 0..8 {
        d.key(KeyCode::Char('j'));
        d.frame(&format!("list j #{i}"));
    }
    // Resizes, narrow to wide.
    for (w, h) in [(80, 24), (61, 20), (140, 40), (100, 30)] {
        d.resize(w, h);
        d.frame(&format!("resize {w}x{h}"));
        d.key(KeyCode::Char('k'));
        d.frame(&format!("after resize {w}x{h}"));
    }
}

/// A live message moves the thread up. Where nothing busy sits beside the thread (a narrow
/// screen shows it alone; a short list leaves rows empty), the terminal is told to scroll
/// those rows instead of being sent them again, and the screen is still the one meant.
#[test]
fn live_messages_scroll_the_terminal_and_draw_what_was_meant() {
    for size in [(80, 24), (200, 60)] {
        let mut d = Desk::new(hotel(size, &EMOJI_LINES, 40), size);
        d.frame("first");
        let (mut scrolls, mut bytes) = (0, Vec::new());
        for i in 0..16 {
            let line = EMOJI_LINES[(i * 3) % EMOJI_LINES.len()];
            d.app.update(Event::LiveMessage(Box::new(message(
                200 + i as i64,
                line,
                0,
            ))));
            d.frame(&format!("live {i} at {size:?}"));
            let cost = d.screen.last_frame();
            scrolls += usize::from(cost.scrolled > 0);
            bytes.push(cost.bytes);
        }
        assert!(
            scrolls >= 12,
            "{size:?}: {scrolls} of 16 new messages scrolled the terminal ({bytes:?} bytes)"
        );
        // Printed for BENCHMARKS.md: `cargo test --test terminal_model live -- --nocapture`.
        println!("{size:?}: {scrolls} of 16 scrolled; bytes per message {bytes:?}");
    }
}

/// Fragments that guests send: emoji sequences, combining marks, wide CJK, RTL, controls and
/// escape sequences aimed at the terminal.
fn fragment() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "👩‍👩‍👧‍👦",
        "👨‍👩‍👧",
        "🇮🇪",
        "🇯",
        "❤️",
        "🛏️",
        "👍🏽",
        "🏽",
        "1️⃣",
        "🏴󠁧󠁢󠁳󠁣󠁴󠁿",
        "🧑‍🍳",
        "⛹️‍♀️",
        "e\u{301}",
        "ǅ",
        "ก่",
        "क्ष",
        "\u{915}\u{94d}\u{200d}",
        "中文",
        "ｶﾞ",
        "مرحبا",
        "שלום",
        "\u{202e}evil",
        "\u{1b}]0;pwned\u{7}",
        "\u{1b}]52;c;cHduZWQ=\u{7}",
        "\u{1b}[2J",
        "\u{1b}[?1049h",
        "\u{9b}31m",
        "\u{1b}P+q\u{1b}\\",
        "\r",
        "\t",
        "\n",
        "\u{0}",
        "\u{7f}",
        "word",
        " ",
        "towels",
        "…",
        "—",
    ])
    .prop_map(str::to_string)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    /// Whatever guests send, every kind of terminal shows the frame we meant, and nothing
    /// they send sets a title, reaches the clipboard, or changes a mode.
    #[test]
    fn guest_text_draws_what_was_meant_in_every_terminal(
        texts in prop::collection::vec(prop::collection::vec(fragment(), 1..12).prop_map(|f| f.concat()), 3..8)
    ) {
        let lines: Vec<&str> = texts.iter().map(String::as_str).collect();
        let size = (90, 26);
        let mut d = Desk::new(hotel(size, &lines, 12), size);
        d.frame("first");
        for i in 0..6 {
            d.key(KeyCode::Char('k'));
            d.frame(&format!("k #{i}"));
        }
        d.app.update(Event::LiveMessage(Box::new(message(500, lines[0], 0))));
        d.frame("live");
        d.key(KeyCode::Esc);
        d.key(KeyCode::Char('j'));
        d.frame("list");
    }
}
