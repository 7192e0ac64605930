//! Signing in again when the server refused our token, without leaving the inbox.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};

use super::{Outcome, Popup, Reaction, centered, typed};
use crate::text;
use crate::theme::Theme;

#[derive(Clone, PartialEq, Eq)]
pub struct SignIn {
    /// Who is asked (the signed-in staff member's name).
    pub name: String,
    password: String,
    pub error: Option<String>,
    /// Asked the server; waiting for its answer.
    pub busy: bool,
}

// By hand, so that a password never reaches a log through `{:?}`.
impl std::fmt::Debug for SignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignIn")
            .field("name", &self.name)
            .field("password", &"<hidden>")
            .field("error", &self.error)
            .field("busy", &self.busy)
            .finish()
    }
}

impl SignIn {
    pub fn new(name: impl Into<String>, why: Option<String>) -> Self {
        SignIn {
            name: name.into(),
            password: String::new(),
            error: why,
            busy: false,
        }
    }

    /// The server said no: the prompt takes a password again.
    pub fn refused(&mut self, why: String) {
        self.error = Some(why);
        self.busy = false;
    }
}

impl Popup for SignIn {
    fn on_key(&mut self, key: KeyEvent) -> Reaction {
        if self.busy {
            return Reaction::Ignored;
        }
        match key.code {
            KeyCode::Esc => Reaction::Close(Outcome::SignInLater),
            KeyCode::Enter if !self.password.is_empty() => {
                self.busy = true;
                self.error = None;
                Reaction::Tell(Outcome::SignIn {
                    password: std::mem::take(&mut self.password),
                })
            }
            KeyCode::Backspace => {
                self.password.pop();
                Reaction::Redraw
            }
            _ => match typed(&key) {
                Some(c) => {
                    self.password.push(c);
                    Reaction::Redraw
                }
                None => Reaction::Ignored,
            },
        }
    }

    fn on_paste(&mut self, text: &str) -> Reaction {
        if self.busy {
            return Reaction::Ignored;
        }
        // A password manager's paste: one line, no new line at its end.
        self.password.push_str(text.trim_end_matches(['\r', '\n']));
        Reaction::Redraw
    }

    fn hint(&self) -> &'static str {
        "Enter signs in · Esc later (nothing reaches the server until you sign in)"
    }

    fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let w = area.width.saturating_sub(4).min(64);
        let inner = w.saturating_sub(2) as usize;
        let typed = self.password.chars().count();
        let mut lines = vec![
            Line::raw(text::truncate(
                &format!(
                    "The server asks {} to sign in again.",
                    text::one_line(&self.name)
                ),
                inner,
            )),
            Line::raw(text::truncate("Drafts and unsent replies are kept.", inner)),
            Line::default(),
            Line::raw(format!(
                "Password: {}▏",
                "•".repeat(typed.min(inner.saturating_sub(12)))
            )),
        ];
        if self.busy {
            lines.push(Line::styled("Signing in…", theme.dim));
        } else if let Some(e) = &self.error {
            lines.push(Line::styled(
                text::truncate(&text::one_line(e), inner),
                theme.error,
            ));
        }
        lines.push(Line::styled(
            text::truncate("Enter signs in · Esc later", inner),
            theme.dim,
        ));
        let r = centered(area, w, lines.len() as u16 + 2);
        frame.render_widget(Clear, r);
        frame.render_widget(
            Paragraph::new(lines).block(theme.block(" Sign in ".into(), true)),
            r,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_password_never_shows_in_debug_output() {
        let mut p = SignIn::new("Fiona", None);
        p.on_paste("hunter2-secret\n");
        let shown = format!("{p:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert_eq!(
            p.on_key(KeyEvent::from(KeyCode::Enter)),
            Reaction::Tell(Outcome::SignIn {
                password: "hunter2-secret".into()
            })
        );
        assert!(p.busy);
    }
}
