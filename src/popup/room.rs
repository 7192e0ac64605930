//! "Open a room": a room number, digits only.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Clear, Paragraph};

use super::{Outcome, Popup, Reaction, centered, clears_line, typed};
use crate::theme::Theme;

/// Room numbers are short; more digits are a slip.
const MAX_DIGITS: usize = 6;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoomPrompt {
    pub text: String,
}

impl RoomPrompt {
    fn push_digits(&mut self, from: impl Iterator<Item = char>) {
        let room = MAX_DIGITS.saturating_sub(self.text.len());
        self.text
            .extend(from.filter(char::is_ascii_digit).take(room));
    }
}

impl Popup for RoomPrompt {
    fn on_key(&mut self, key: KeyEvent) -> Reaction {
        match key.code {
            KeyCode::Esc => Reaction::Close(Outcome::Nothing),
            KeyCode::Enter => Reaction::Close(Outcome::RoomTyped(self.text.clone())),
            KeyCode::Backspace => {
                self.text.pop();
                Reaction::Redraw
            }
            _ if clears_line(&key) => {
                self.text.clear();
                Reaction::Redraw
            }
            _ => match typed(&key) {
                Some(c) if c.is_ascii_digit() && self.text.len() < MAX_DIGITS => {
                    self.text.push(c);
                    Reaction::Redraw
                }
                _ => Reaction::Ignored,
            },
        }
    }

    fn on_paste(&mut self, text: &str) -> Reaction {
        self.push_digits(text.chars());
        Reaction::Redraw
    }

    fn hint(&self) -> &'static str {
        "type the room number · Enter opens it · Esc cancels"
    }

    fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let r = centered(area, 40, 3);
        frame.render_widget(Clear, r);
        frame.render_widget(
            Paragraph::new(format!("Room number: {}▏", self.text))
                .block(theme.block(" Open a room ".into(), true)),
            r,
        );
    }
}
