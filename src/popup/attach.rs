//! Files to send: a path being typed (Tab completes) and the files chosen so far.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};

use super::{Outcome, Popup, Reaction, centered, one_line_paste, typed};
use crate::text;
use crate::theme::Theme;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attach {
    pub input: String,
    pub files: Vec<String>,
    pub hint: Option<String>,
    /// The reply's text, sent with the files (shown, so nobody is surprised).
    pub with_text: String,
}

impl Attach {
    pub fn new(with_text: impl Into<String>) -> Self {
        Attach {
            with_text: with_text.into(),
            ..Attach::default()
        }
    }

    /// A completion for `asked` came back; a path typed since then wins.
    pub fn completed(&mut self, asked: &str, completed: String, choices: &[String]) {
        if self.input != asked {
            return;
        }
        self.input = completed;
        self.hint = match choices.len() {
            0 => Some("no such file or folder".into()),
            1 => None,
            n => Some(format!(
                "{n} matches: {}",
                choices
                    .iter()
                    .take(6)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("  ")
            )),
        };
    }
}

impl Popup for Attach {
    fn on_key(&mut self, key: KeyEvent) -> Reaction {
        match key.code {
            KeyCode::Esc => Reaction::Close(Outcome::Nothing),
            KeyCode::Tab => Reaction::Tell(Outcome::CompletePath(self.input.clone())),
            KeyCode::Enter if !self.input.trim().is_empty() => {
                self.files.push(self.input.trim().to_string());
                self.input.clear();
                self.hint = None;
                Reaction::Redraw
            }
            KeyCode::Enter if !self.files.is_empty() => {
                Reaction::Close(Outcome::Upload(std::mem::take(&mut self.files)))
            }
            KeyCode::Backspace if self.input.is_empty() => {
                self.files.pop();
                Reaction::Redraw
            }
            KeyCode::Backspace => {
                self.input.pop();
                Reaction::Redraw
            }
            _ => match typed(&key) {
                Some(c) => {
                    self.input.push(c);
                    Reaction::Redraw
                }
                None => Reaction::Ignored,
            },
        }
    }

    fn on_paste(&mut self, text: &str) -> Reaction {
        self.input.push_str(&one_line_paste(text));
        Reaction::Redraw
    }

    fn hint(&self) -> &'static str {
        "Tab completes · Enter adds the file · Enter on an empty line sends · Esc cancels"
    }

    fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let w = area.width.saturating_sub(4).min(90);
        let inner = w.saturating_sub(2) as usize;
        let mut lines: Vec<Line> = Vec::new();
        for f in &self.files {
            lines.push(Line::raw(text::truncate(
                &format!("📎 {}", text::one_line(f)),
                inner,
            )));
        }
        lines.push(Line::raw(text::truncate(
            &format!("File: {}▏", text::one_line(&self.input)),
            inner,
        )));
        if let Some(h) = &self.hint {
            lines.push(Line::styled(
                text::truncate(&text::one_line(h), inner),
                theme.dim,
            ));
        }
        let with_text = if self.with_text.trim().is_empty() {
            "no message".to_string()
        } else {
            format!("with your text: {}", text::one_line(&self.with_text))
        };
        lines.push(Line::styled(text::truncate(&with_text, inner), theme.dim));
        // The limits are read before choosing a file: wrapped, never cut.
        for l in text::wrap(
            "Tab completes · Enter adds the file · Enter on an empty line sends · Esc cancels · up to 50 MB each: images, pdf, doc(x), xls(x), txt, csv",
            inner,
        ) {
            lines.push(Line::styled(l, theme.dim));
        }
        let r = centered(area, w, lines.len() as u16 + 2);
        frame.render_widget(Clear, r);
        frame.render_widget(
            Paragraph::new(lines).block(theme.block(" Send files ".into(), true)),
            r,
        );
    }
}
