//! A yes/no question before something that cannot be undone.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};

use super::{Outcome, Popup, Reaction, centered};
use crate::model::{AttachmentId, ConversationId, MessageId};
use crate::text;
use crate::theme::Theme;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub question: String,
    pub then: Confirmed,
}

/// What a yes leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmed {
    Edit {
        message: MessageId,
        text: String,
    },
    Delete {
        message: MessageId,
        hard: bool,
    },
    DeleteAttachment {
        message: MessageId,
        attachment: AttachmentId,
    },
    /// A reply into an earlier stay's conversation, whose guest has checked out.
    SendToEarlierStay,
    /// Quit with replies still in the outbox.
    Quit,
    /// Claim a conversation a colleague is handling.
    Claim(ConversationId),
}

impl Confirm {
    pub fn new(question: impl Into<String>, then: Confirmed) -> Self {
        Confirm {
            question: question.into(),
            then,
        }
    }
}

impl Popup for Confirm {
    fn on_key(&mut self, key: KeyEvent) -> Reaction {
        match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => {
                Reaction::Close(Outcome::Confirmed(self.then.clone()))
            }
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => {
                Reaction::Close(Outcome::Cancelled)
            }
            // Enter or a stray key must not decide: the question stays.
            _ => Reaction::Tell(Outcome::Say("Answer y (yes) or n (no)")),
        }
    }

    fn hint(&self) -> &'static str {
        "y yes · n or Esc no"
    }

    /// Wrapped to fit, so its end (the "y/n") is always on screen.
    fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let w = (text::width(&self.question) as u16 + 4).min(area.width.min(80));
        let lines = text::wrap(
            &text::one_line(&self.question),
            w.saturating_sub(2).max(1) as usize,
        );
        let r = centered(area, w, lines.len() as u16 + 2);
        frame.render_widget(Clear, r);
        let body: Vec<Line> = lines.into_iter().map(Line::from).collect();
        frame.render_widget(
            Paragraph::new(body).block(theme.block(" Confirm ".into(), true)),
            r,
        );
    }
}
