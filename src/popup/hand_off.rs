//! Whom to hand a guest's request to: teams first (everyone of a department), then people;
//! type to narrow (accents and case ignored), ↑/↓ to choose, Enter picks.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};

use super::{Outcome, Popup, Reaction, centered, move_choice, one_line_paste, typed};
use crate::model::HandOffTo;
use crate::text;
use crate::theme::Theme;

/// One row of the picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// "Housekeeping", "Orla Quinn".
    pub label: String,
    /// "team of 2: Orla Quinn, Hannah Keeper", "Housekeeping Supervisor".
    pub detail: String,
    pub to: HandOffTo,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HandOffPicker {
    /// None while the colleagues are being read.
    choices: Option<Vec<Choice>>,
    /// Why they could not be read.
    trouble: Option<String>,
    pub query: String,
    selected: usize,
}

impl HandOffPicker {
    pub fn loading() -> Self {
        HandOffPicker::default()
    }

    pub fn with(choices: Vec<Choice>) -> Self {
        HandOffPicker {
            choices: Some(choices),
            ..HandOffPicker::default()
        }
    }

    pub fn fill(&mut self, choices: Vec<Choice>) {
        self.choices = Some(choices);
        self.selected = 0;
    }

    pub fn failed(&mut self, why: String) {
        self.trouble = Some(why);
    }

    /// The choices the query lets through, teams first as given.
    pub fn shown(&self) -> Vec<&Choice> {
        let query = text::fold(&self.query);
        self.choices
            .iter()
            .flatten()
            .filter(|c| text::fold(&format!("{} {}", c.label, c.detail)).contains(&query))
            .collect()
    }
}

impl Popup for HandOffPicker {
    fn on_key(&mut self, key: KeyEvent) -> Reaction {
        let count = self.shown().len();
        match key.code {
            KeyCode::Esc => Reaction::Close(Outcome::Nothing),
            KeyCode::Down => move_choice(&mut self.selected, true, count),
            KeyCode::Up => move_choice(&mut self.selected, false, count),
            KeyCode::Enter => match self.shown().get(self.selected) {
                Some(c) => Reaction::Close(Outcome::HandOffTo(c.to.clone())),
                None => Reaction::Tell(Outcome::Say("Nobody matches: Backspace to widen")),
            },
            KeyCode::Backspace => {
                self.query.pop();
                self.selected = 0;
                Reaction::Redraw
            }
            _ => match typed(&key) {
                Some(c) => {
                    self.query.push(c);
                    self.selected = 0;
                    Reaction::Redraw
                }
                None => Reaction::Ignored,
            },
        }
    }

    fn on_paste(&mut self, text: &str) -> Reaction {
        self.query.push_str(&one_line_paste(text));
        self.selected = 0;
        Reaction::Redraw
    }

    fn hint(&self) -> &'static str {
        "type to narrow · ↑/↓ choose · Enter writes the hand-off · Esc closes"
    }

    fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let w = area.width.saturating_sub(4).min(72);
        let inner = w.saturating_sub(2) as usize;
        let room = area.height.saturating_sub(6).max(1) as usize;
        let shown = self.shown();
        let first = self.selected.saturating_sub(room.saturating_sub(1));
        let mut lines: Vec<Line> = shown
            .iter()
            .enumerate()
            .skip(first)
            .take(room)
            .map(|(i, c)| {
                let t = text::truncate(
                    &format!(
                        "{} — {}",
                        text::one_line(&c.label),
                        text::one_line(&c.detail)
                    ),
                    inner,
                );
                if i == self.selected {
                    Line::styled(t, theme.selected)
                } else {
                    Line::raw(t)
                }
            })
            .collect();
        let said = match (&self.trouble, &self.choices) {
            (Some(why), _) => Some(format!("Colleagues could not be read: {why}")),
            (None, None) => Some("Reading colleagues…".to_string()),
            (None, Some(_)) if shown.is_empty() => Some("Nobody matches".to_string()),
            _ => None,
        };
        if let Some(said) = said {
            lines.push(Line::styled(text::truncate(&said, inner), theme.dim));
        }
        lines.push(Line::styled(
            text::truncate(&format!("Find: {}▏", text::one_line(&self.query)), inner),
            theme.dim,
        ));
        let r = centered(area, w, lines.len() as u16 + 2);
        frame.render_widget(Clear, r);
        frame.render_widget(
            Paragraph::new(lines).block(theme.block(" Hand on to (Enter picks) ".into(), true)),
            r,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::StaffId;
    use crossterm::event::KeyModifiers;

    fn choice(label: &str, detail: &str, id: i64) -> Choice {
        Choice {
            label: label.into(),
            detail: detail.into(),
            to: HandOffTo {
                label: label.into(),
                people: vec![StaffId(id)],
                names: vec![],
                guest_message: None,
            },
        }
    }

    #[test]
    fn typing_narrows_and_enter_picks_the_first_shown() {
        let mut p = HandOffPicker::with(vec![
            choice("Housekeeping", "team of 2", 5),
            choice("Maintenance", "team of 1", 6),
            choice("Orla Quinn", "Housekeeping Supervisor", 5),
        ]);
        for c in "HOUSEK".chars() {
            p.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        assert_eq!(p.shown().len(), 2, "the team and the person");
        let r = p.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
        assert!(matches!(r, Reaction::Close(Outcome::HandOffTo(to)) if to.label == "Housekeeping"));
    }
}
