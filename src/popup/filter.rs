//! The list's filter, narrowing as you type. It draws nothing of its own: the list's title
//! shows the text and the count.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;

use super::{Outcome, Popup, Reaction, clears_line, one_line_paste, typed};
use crate::theme::Theme;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub text: String,
}

impl Popup for Filter {
    fn on_key(&mut self, key: KeyEvent) -> Reaction {
        match key.code {
            KeyCode::Esc => Reaction::Close(Outcome::FilterTyped(String::new())),
            KeyCode::Enter => Reaction::Close(Outcome::OpenSelected),
            KeyCode::Down => Reaction::Tell(Outcome::MoveSelection(1)),
            KeyCode::Up => Reaction::Tell(Outcome::MoveSelection(-1)),
            KeyCode::Backspace => {
                self.text.pop();
                Reaction::Tell(Outcome::FilterTyped(self.text.clone()))
            }
            _ if clears_line(&key) => {
                self.text.clear();
                Reaction::Tell(Outcome::FilterTyped(String::new()))
            }
            _ => match typed(&key) {
                Some(c) => {
                    self.text.push(c);
                    Reaction::Tell(Outcome::FilterTyped(self.text.clone()))
                }
                None => Reaction::Ignored,
            },
        }
    }

    fn on_paste(&mut self, text: &str) -> Reaction {
        self.text.push_str(&one_line_paste(text));
        Reaction::Tell(Outcome::FilterTyped(self.text.clone()))
    }

    fn hint(&self) -> &'static str {
        "type to filter · ↑/↓ move · Enter open · Esc clear"
    }

    fn draw(&self, _frame: &mut Frame, _area: Rect, _theme: &Theme) {}
}
