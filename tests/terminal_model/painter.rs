//! The painter alone: any two frames and the panes that may move, its bytes replayed into
//! the model terminal. Whatever it chose (a scroll, an erase, a rewritten gap, a relative
//! move, a short SGR), the model must show the second frame, text and attributes.

use frontdesk::tui::{FrameCost, Painter};
use proptest::prelude::*;
use ratatui::backend::Backend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use unicode_width::UnicodeWidthStr;

use super::{Bytes, first_difference, nz};

fn model(area: Rect) -> vt100::Parser {
    vt100::Parser::new(nz(area.height), nz(area.width), 0)
}

/// A painter that has drawn `first` (checked in the model), then draws `next`: the model,
/// the bytes of the second frame, and what the painter says it cost.
fn replay(first: &Buffer, next: &Buffer, bands: &[Rect]) -> (vt100::Parser, Vec<u8>, FrameCost) {
    let out = Bytes::default();
    let mut painter = Painter::new(out.clone());
    let mut m = model(first.area);
    painter.prepare(first.clone(), Vec::new());
    painter.draw(std::iter::empty()).unwrap();
    m.process(&out.take());
    if let Some(d) = first_difference(m.screen(), first) {
        panic!("first frame: {d}");
    }
    painter.prepare(next.clone(), bands.to_vec());
    painter.draw(std::iter::empty()).unwrap();
    let bytes = out.take();
    m.process(&bytes);
    (m, bytes, painter.last)
}

/// The bytes a painter writes for `next` when nothing may move.
fn redraw(first: &Buffer, next: &Buffer) -> usize {
    replay(first, next, &[]).1.len()
}

const STYLES: [Style; 7] = [
    Style::new(),
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
    Style::new().add_modifier(Modifier::DIM),
    Style::new().fg(Color::Black).bg(Color::Cyan),
    Style::new().add_modifier(Modifier::REVERSED),
    Style::new()
        .fg(Color::Indexed(208))
        .add_modifier(Modifier::ITALIC.union(Modifier::UNDERLINED)),
    Style::new().bg(Color::Rgb(20, 30, 40)),
];

const WORDS: [&str; 8] = [
    "towels",
    "Room 101",
    "中文",
    "      ",
    "·",
    "a",
    "             ",
    "Could I have more towels please?",
];

/// A row: words in styles, from (word, style) picks.
fn row() -> impl Strategy<Value = Vec<(usize, usize)>> {
    prop::collection::vec((0..WORDS.len(), 0..STYLES.len()), 0..8)
}

fn paint(area: Rect, rows: &[Vec<(usize, usize)>]) -> Buffer {
    let mut b = Buffer::empty(area);
    for (y, row) in rows.iter().enumerate().take(area.height as usize) {
        let mut x = 0u16;
        for (w, s) in row {
            if x >= area.width {
                break;
            }
            let end = b.set_stringn(
                x,
                y as u16,
                WORDS[*w],
                (area.width - x) as usize,
                STYLES[*s],
            );
            x = end.0;
        }
    }
    b
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    /// Any two frames: the model ends on the second, whichever way the painter chose.
    #[test]
    fn any_change_draws_what_was_meant(
        a in prop::collection::vec(row(), 12),
        b in prop::collection::vec(row(), 12),
        // The second frame partly the first one moved, as a scrolled pane is.
        moved in -4i32..=4,
        split in 10u16..50,
    ) {
        let area = Rect::new(0, 0, 60, 12);
        let first = paint(area, &a);
        let mut second = paint(area, &b);
        // Rows of the right pane (split..60) come from the first frame, moved.
        for y in 0..12i32 {
            let from = y + moved;
            if (0..12).contains(&from) {
                for x in split..60 {
                    second[(x, y as u16)] = first[(x, from as u16)].clone();
                }
            }
        }
        // A wide character cut by the split would not be a frame ratatui makes.
        for y in 0..12 {
            if second[(split, y)].symbol().is_empty() || second[(split - 1, y)].symbol().width() > 1 {
                second[(split - 1, y)].set_symbol(" ");
                second[(split, y)].set_symbol(" ");
            }
        }
        let bands = [Rect::new(split, 1, 60 - split, 10), Rect::new(0, 0, split, 12)];
        let (m, ..) = replay(&first, &second, &bands);
        if let Some(d) = first_difference(m.screen(), &second) {
            panic!("{d}");
        }
    }
}

/// A thread beside a quiet list: a new message moves the thread's rows up, and the painter
/// scrolls them rather than write them again.
#[test]
fn a_pane_beside_a_quiet_one_is_scrolled_not_redrawn() {
    let area = Rect::new(0, 0, 100, 20);
    const SAID: [&str; 5] = [
        "Could I have more towels please?",
        "ok",
        "What time does breakfast start tomorrow, and where is it served?",
        "Guest · 14:02",
        "The wifi password on the card does not work",
    ];
    let line = |i: usize| format!("{} #{i}", SAID[i % SAID.len()]);
    let mut first = Buffer::empty(area);
    let mut second = Buffer::empty(area);
    first.set_string(0, 0, "101 Aoife", Style::new().add_modifier(Modifier::BOLD));
    second.set_string(0, 0, "101 Aoife", Style::new().add_modifier(Modifier::BOLD));
    for y in 0..18u16 {
        first.set_string(30, y + 1, line(y as usize), Style::new());
        second.set_string(30, y + 1, line(y as usize + 3), Style::new());
    }
    let thread = Rect::new(30, 1, 70, 18);
    let plain = redraw(&first, &second);
    let (m, bytes, cost) = replay(&first, &second, &[thread]);
    assert_eq!(cost.scrolled, 3, "the thread moved up three rows");
    assert_eq!(first_difference(m.screen(), &second), None);
    assert!(
        bytes.len() * 4 < plain,
        "a scroll costs {} bytes, a redraw {plain}",
        bytes.len()
    );
}

/// Scrolling down (older messages come in at the top) as well as up.
#[test]
fn scrolling_down_draws_what_was_meant() {
    let area = Rect::new(0, 0, 50, 10);
    let mut first = Buffer::empty(area);
    for y in 0..10u16 {
        first.set_string(
            0,
            y,
            format!("message number {y} from the guest"),
            STYLES[1],
        );
    }
    let mut second = Buffer::empty(area);
    for y in 2..10u16 {
        second.set_string(
            0,
            y,
            format!("message number {} from the guest", y - 2),
            STYLES[1],
        );
    }
    let (m, _, cost) = replay(&first, &second, &[area]);
    assert_eq!(cost.scrolled, -2);
    assert_eq!(first_difference(m.screen(), &second), None);
}

/// Blanks are erased in place, and short unchanged gaps are written again rather than jumped.
#[test]
fn blanks_are_erased_and_short_gaps_rewritten() {
    let area = Rect::new(0, 0, 80, 2);
    let mut first = Buffer::empty(area);
    first.set_string(0, 0, "x".repeat(80), Style::new());
    first.set_string(0, 1, "ab cd ef", Style::new());
    let mut second = Buffer::empty(area);
    second.set_string(0, 1, "Ab Cd Ef", Style::new());
    let (m, bytes, _) = replay(&first, &second, &[]);
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.contains("\u{1b}[80X"),
        "one erase for the row: {text:?}"
    );
    // "f" did not change: the row ends at "E".
    assert!(
        text.ends_with("Ab Cd E"),
        "gaps of one letter written again: {text:?}"
    );
    assert_eq!(first_difference(m.screen(), &second), None);
}

/// A frame that changes nothing on screen sends nothing at all, not even the synchronized
/// update's markers: an idle desk is silent (only the first frame and a real change write).
#[test]
fn a_frame_that_changes_nothing_sends_nothing() {
    let area = Rect::new(0, 0, 30, 4);
    let out = Bytes::default();
    let mut screen = frontdesk::tui::Screen::of_size(out.clone(), area).unwrap();
    let draw = |text: &'static str| {
        move |f: &mut ratatui::Frame| {
            f.render_widget(ratatui::widgets::Paragraph::new(text), f.area());
            f.set_cursor_position((3, 1));
            frontdesk::ui::Rendered::default()
        }
    };
    screen.frame(draw("Room 101 · towels")).unwrap();
    let first = out.take();
    assert!(!first.is_empty());
    assert!(
        first.windows(8).any(|w| w == b"\x1b[?2026h"),
        "begins an update"
    );
    screen.frame(draw("Room 101 · towels")).unwrap();
    assert!(out.take().is_empty(), "an unchanged frame wrote bytes");
    screen.frame(draw("Room 102 · towels")).unwrap();
    let changed = out.take();
    assert!(
        changed.starts_with(b"\x1b[?2026h") && changed.ends_with(b"\x1b[?2026l"),
        "{changed:?}"
    );
}
