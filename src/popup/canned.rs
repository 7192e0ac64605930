//! Canned replies: type to narrow, ↑/↓ to choose, a digit picks, Enter inserts. The texts
//! arrive with their placeholders already filled in for the open conversation, so what is
//! shown is what goes into the reply.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};

use super::{Outcome, Popup, Reaction, centered, move_choice, one_line_paste, typed};
use crate::text;
use crate::theme::Theme;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CannedPicker {
    replies: Vec<String>,
    /// Typed to narrow the list (accents and case ignored).
    pub query: String,
    /// Among the shown replies.
    pub selected: usize,
}

impl CannedPicker {
    pub fn new(replies: Vec<String>) -> Self {
        CannedPicker {
            replies,
            ..CannedPicker::default()
        }
    }

    /// The replies the query lets through, in their configured order.
    pub fn shown(&self) -> Vec<&str> {
        let query = text::fold(&self.query);
        self.replies
            .iter()
            .filter(|r| text::fold(r).contains(&query))
            .map(String::as_str)
            .collect()
    }

    fn pick(&self, index: usize) -> Reaction {
        match self.shown().get(index) {
            Some(text) => Reaction::Close(Outcome::InsertCanned((*text).to_string())),
            None => Reaction::Tell(Outcome::Say("No canned reply there")),
        }
    }

    fn narrowed(&mut self) -> Reaction {
        self.selected = 0;
        Reaction::Redraw
    }
}

impl Popup for CannedPicker {
    fn on_key(&mut self, key: KeyEvent) -> Reaction {
        let count = self.shown().len();
        match key.code {
            KeyCode::Esc => Reaction::Close(Outcome::Nothing),
            KeyCode::Down => move_choice(&mut self.selected, true, count),
            KeyCode::Up => move_choice(&mut self.selected, false, count),
            KeyCode::Enter => self.pick(self.selected),
            KeyCode::Backspace => {
                self.query.pop();
                self.narrowed()
            }
            _ => match typed(&key) {
                // 1-9 pick the shown reply with that number.
                Some(c @ '1'..='9') => self.pick(c as usize - '1' as usize),
                Some(c) => {
                    self.query.push(c);
                    self.narrowed()
                }
                None => Reaction::Ignored,
            },
        }
    }

    fn on_paste(&mut self, text: &str) -> Reaction {
        self.query.push_str(&one_line_paste(text));
        self.narrowed()
    }

    fn hint(&self) -> &'static str {
        "type to narrow · 1-9 or Enter inserts · ↑/↓ choose · Esc closes"
    }

    fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let w = area.width.saturating_sub(4).min(70);
        let inner = w.saturating_sub(2) as usize;
        let shown = self.shown();
        let mut lines: Vec<Line> = shown
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let number = if i < 9 {
                    format!("{} ", i + 1)
                } else {
                    "  ".to_string()
                };
                let t = text::truncate(&format!("{number}{}", text::one_line(c)), inner);
                if i == self.selected {
                    Line::styled(t, theme.selected)
                } else {
                    Line::raw(t)
                }
            })
            .collect();
        if shown.is_empty() {
            lines.push(Line::styled("No canned reply matches", theme.dim));
        }
        lines.push(Line::styled(
            text::truncate(&format!("Find: {}▏", text::one_line(&self.query)), inner),
            theme.dim,
        ));
        let r = centered(area, w, lines.len() as u16 + 2);
        frame.render_widget(Clear, r);
        frame.render_widget(
            Paragraph::new(lines)
                .block(theme.block(" Canned replies (Enter inserts, Esc closes) ".into(), true)),
            r,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    fn press(p: &mut CannedPicker, code: KeyCode) -> Reaction {
        p.on_key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    fn picker() -> CannedPicker {
        CannedPicker::new(vec![
            "Good morning, Aoife!".into(),
            "Housekeeping is on the way.".into(),
            "The café opens at 7.".into(),
        ])
    }

    #[test]
    fn typing_narrows_ignoring_case_and_accents() {
        let mut p = picker();
        for c in "CAFE".chars() {
            press(&mut p, KeyCode::Char(c));
        }
        assert_eq!(p.shown(), ["The café opens at 7."]);
        assert_eq!(
            press(&mut p, KeyCode::Enter),
            Reaction::Close(Outcome::InsertCanned("The café opens at 7.".into()))
        );
    }

    #[test]
    fn a_digit_picks_the_shown_reply_with_that_number() {
        let mut p = picker();
        assert_eq!(
            press(&mut p, KeyCode::Char('2')),
            Reaction::Close(Outcome::InsertCanned("Housekeeping is on the way.".into()))
        );
        assert!(matches!(
            press(&mut p, KeyCode::Char('9')),
            Reaction::Tell(Outcome::Say(_))
        ));
    }

    #[test]
    fn arrows_stop_at_the_ends_of_what_is_shown() {
        let mut p = picker();
        for _ in 0..5 {
            press(&mut p, KeyCode::Down);
        }
        assert_eq!(p.selected, 2);
        press(&mut p, KeyCode::Char('h'));
        assert_eq!(p.selected, 0, "a new query starts at its first match");
    }
}
