//! Search every kept message: results as you type (accents and case ignored), ↑/↓ to choose,
//! Enter opens the conversation at that message.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::{Outcome, Popup, Reaction, centered, clears_line, move_choice, one_line_paste, typed};
use crate::model::{ConversationId, MessageId};
use crate::text;
use crate::theme::Theme;

/// One message found, as the results list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub conversation: ConversationId,
    pub message: MessageId,
    /// "Room 102 · Aoife Murphy · Tue 2 Dec 13:30"
    pub heading: String,
    /// "Guest: Could you book an airport taxi…"
    pub text: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    pub query: String,
    /// The results for `answered` (the newest query answered so far).
    found: Vec<Found>,
    answered: Option<String>,
    selected: usize,
    /// What the search covers, said under the results ("1,204 messages kept, 14 days").
    pub covers: String,
}

impl Search {
    pub fn new(covers: String) -> Self {
        Search {
            covers,
            ..Search::default()
        }
    }

    /// Results for `query`; an answer to an older query than the one typed is still shown
    /// (better than nothing), and replaced when the newest arrives.
    pub fn answer(&mut self, query: &str, found: Vec<Found>) {
        if self.answered.as_deref() == Some(self.query.as_str()) && query != self.query {
            return;
        }
        self.found = found;
        self.answered = Some(query.to_string());
        self.selected = self.selected.min(self.found.len().saturating_sub(1));
    }

    pub fn found(&self) -> &[Found] {
        &self.found
    }

    fn typed_more(&mut self) -> Reaction {
        self.selected = 0;
        Reaction::Tell(Outcome::SearchTyped(self.query.clone()))
    }
}

impl Popup for Search {
    fn on_key(&mut self, key: KeyEvent) -> Reaction {
        match key.code {
            KeyCode::Esc => Reaction::Close(Outcome::Nothing),
            KeyCode::Down => move_choice(&mut self.selected, true, self.found.len()),
            KeyCode::Up => move_choice(&mut self.selected, false, self.found.len()),
            KeyCode::Enter => match self.found.get(self.selected) {
                Some(f) => Reaction::Close(Outcome::OpenFound {
                    conversation: f.conversation,
                    message: f.message,
                }),
                None => Reaction::Tell(Outcome::Say("Nothing found to open")),
            },
            KeyCode::Backspace => {
                if self.query.pop().is_none() {
                    return Reaction::Ignored;
                }
                self.typed_more()
            }
            _ if clears_line(&key) => {
                self.query.clear();
                self.typed_more()
            }
            _ => match typed(&key) {
                Some(c) => {
                    self.query.push(c);
                    self.typed_more()
                }
                None => Reaction::Ignored,
            },
        }
    }

    fn on_paste(&mut self, text: &str) -> Reaction {
        self.query.push_str(&one_line_paste(text));
        self.typed_more()
    }

    fn hint(&self) -> &'static str {
        "type to search · ↑/↓ choose · Enter opens at the message · Esc closes"
    }

    fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let w = area.width.saturating_sub(4).min(100);
        let h = area.height.saturating_sub(2).max(3);
        let inner = w.saturating_sub(2) as usize;
        let mut lines: Vec<Line> = vec![Line::raw(text::truncate(
            &format!("Find: {}▏", text::one_line(&self.query)),
            inner,
        ))];
        // Two rows per result; keep the chosen one in view.
        let room = (h.saturating_sub(4) / 2).max(1) as usize;
        let first = self.selected.saturating_sub(room.saturating_sub(1));
        for (i, f) in self.found.iter().enumerate().skip(first).take(room) {
            let style = if i == self.selected {
                theme.selected
            } else {
                theme.accent
            };
            lines.push(Line::from(Span::styled(
                text::truncate(&text::one_line(&f.heading), inner),
                style,
            )));
            lines.push(Line::raw(text::truncate(
                &format!("  {}", text::one_line(&f.text)),
                inner,
            )));
        }
        let said = match (&self.answered, self.found.len()) {
            _ if text::one_line(&self.query).trim().is_empty() => {
                "Type to search every kept message".to_string()
            }
            (None, _) => "Searching…".to_string(),
            (Some(_), 0) => "No kept message matches".to_string(),
            (Some(_), 1) => "1 message found".to_string(),
            (Some(_), n) => format!("{n} messages found, newest first"),
        };
        lines.push(Line::styled(
            text::truncate(&format!("{said} · {}", self.covers), inner),
            theme.dim,
        ));
        let r = centered(area, w, (lines.len() as u16 + 2).min(h));
        frame.render_widget(Clear, r);
        frame.render_widget(
            Paragraph::new(lines).block(theme.block(
                " Search kept messages (Enter opens, Esc closes) ".into(),
                true,
            )),
            r,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    fn press(p: &mut Search, code: KeyCode) -> Reaction {
        p.on_key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    fn found(id: i64) -> Found {
        Found {
            conversation: ConversationId(1),
            message: MessageId(id),
            heading: format!("Room 102 · {id}"),
            text: "taxi".into(),
        }
    }

    #[test]
    fn typing_asks_for_results_and_enter_opens_the_chosen_message() {
        let mut p = Search::new(String::new());
        assert_eq!(
            press(&mut p, KeyCode::Char('t')),
            Reaction::Tell(Outcome::SearchTyped("t".into()))
        );
        assert_eq!(
            press(&mut p, KeyCode::Char('a')),
            Reaction::Tell(Outcome::SearchTyped("ta".into()))
        );
        p.answer("ta", vec![found(10), found(9)]);
        press(&mut p, KeyCode::Down);
        assert_eq!(
            press(&mut p, KeyCode::Enter),
            Reaction::Close(Outcome::OpenFound {
                conversation: ConversationId(1),
                message: MessageId(9)
            })
        );
    }

    #[test]
    fn a_late_answer_to_an_older_query_does_not_replace_the_newest() {
        let mut p = Search::new(String::new());
        for c in "tax".chars() {
            press(&mut p, KeyCode::Char(c));
        }
        p.answer("tax", vec![found(10)]);
        p.answer("ta", vec![found(1), found(2)]);
        assert_eq!(p.found().len(), 1);
        // Before the newest answer, an older one is better than an empty list.
        press(&mut p, KeyCode::Char('i'));
        p.answer("tax", vec![found(10), found(11)]);
        assert_eq!(p.found().len(), 2);
        assert_eq!(
            press(&mut p, KeyCode::Backspace),
            Reaction::Tell(Outcome::SearchTyped("tax".into()))
        );
        // Ctrl-U clears the line.
        let ctrl_u = KeyEvent::new(KeyCode::Char('u'), crossterm::event::KeyModifiers::CONTROL);
        assert_eq!(
            p.on_key(ctrl_u),
            Reaction::Tell(Outcome::SearchTyped(String::new()))
        );
        assert_eq!(p.query, "");
    }
}
