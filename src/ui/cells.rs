//! The last step of a frame: no cell may hold a cluster that terminals draw over more cells
//! than it has, one character at a time.
//!
//! Text of several spacing characters can form one grapheme (Devanagari "हि" and "न्दी",
//! Tamil "நி"). ratatui puts such a cluster in one cell as wide as the cluster and hides the
//! cells after it. Terminals draw it character by character, each in a cell of its own, so
//! when a later frame writes a narrow cell there, ratatui leaves the hidden cells alone, and
//! the terminal keeps the old characters in them. Each spacing character (with the marks that
//! follow it) is given its own cell instead, so every cell the terminal paints is one ratatui
//! tracks. Emoji sequences whose width terminals disagree on are settled earlier, in the text
//! (`text::sanitize`).

use ratatui::buffer::Buffer;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

pub(crate) fn settle(buf: &mut Buffer) {
    let area = buf.area;
    for y in area.top()..area.bottom() {
        let mut x = area.left();
        while x < area.right() {
            let symbol = buf[(x, y)].symbol();
            // Nearly every cell holds one ASCII byte: nothing to measure or split.
            if symbol.len() == 1 {
                x += 1;
                continue;
            }
            let width = symbol.width().max(1) as u16;
            if !symbol.is_ascii()
                && let Some(parts) = spacing_parts(symbol)
                && x + width <= area.right()
            {
                let style = buf[(x, y)].style();
                let mut at = x;
                for (part, w) in parts {
                    buf[(at, y)].set_symbol(&part).set_style(style);
                    at += w as u16;
                }
            }
            x += width;
        }
    }
}

/// The cluster cut at each spacing character, when it has several and they add up to the
/// cluster's width (anything else is left as it is).
fn spacing_parts(symbol: &str) -> Option<Vec<(String, usize)>> {
    let mut parts: Vec<(String, usize)> = Vec::new();
    for c in symbol.chars() {
        let w = c.width().unwrap_or(0);
        match parts.last_mut() {
            // A mark belongs to the character before it.
            Some((part, _)) if w == 0 => part.push(c),
            _ => parts.push((c.to_string(), w)),
        }
    }
    let total: usize = parts.iter().map(|(_, w)| w).sum();
    (parts.len() > 1 && total == symbol.width() && parts.iter().all(|(_, w)| *w > 0))
        .then_some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    #[test]
    fn a_cluster_of_spacing_characters_gets_a_cell_for_each() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 10, 1));
        buf.set_string(0, 0, "हिन्दी!", Style::new());
        settle(&mut buf);
        let cells: Vec<&str> = (0..7).map(|x| buf[(x, 0)].symbol()).collect();
        assert_eq!(cells, ["ह", "ि", "न\u{94d}", "द", "ी", "!", " "]);
    }

    #[test]
    fn single_characters_and_marks_stay_as_they_are() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 10, 1));
        buf.set_string(0, 0, "e\u{301}中ก่", Style::new());
        let before = buf.clone();
        settle(&mut buf);
        assert_eq!(buf, before);
    }
}
