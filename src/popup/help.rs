//! The key help and what the screen's marks mean. The key rows come from the keymap when
//! the help opens, so it lists exactly what dispatch does.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::{Outcome, Popup, Reaction, centered};
use crate::theme::Theme;

/// What each mark the screen can show means.
const MARKS: [(&str, &str); 19] = [
    ("● live", "replies arrive at once"),
    ("◐ partial", "colleagues' replies are polled"),
    ("◌ polling", "no realtime link: read on a timer"),
    ("○", "connecting; (3) counts the tries"),
    ("✕ unreachable", "no answer from the server since"),
    ("●2", "unread guest messages"),
    ("waiting 12m", "the guest's wait for an answer"),
    ("⚠ waiting", "past the urgent threshold"),
    ("✓ you", "you handle it (claim or reply)"),
    ("· Orla", "a colleague is handling it"),
    ("✎ draft", "a reply is drafted"),
    ("✓ done", "no answer needed (any desk)"),
    ("later 05:45", "put aside until then"),
    ("⚠ due", "a later whose time has come"),
    ("✓ thanked", "the guest only thanked"),
    ("✓", "claimed; who: the thread's title"),
    ("earlier stay", "a guest who has checked out"),
    ("not confirmed", "may be stored; checked first"),
    ("waiting…", "goes after the reply above"),
];

/// One pane's keys: (label, what it does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpSection {
    pub title: &'static str,
    pub rows: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Help {
    /// Rows scrolled off the top (small terminals).
    pub top: usize,
    left: Vec<HelpSection>,
    right: Vec<HelpSection>,
}

impl Help {
    /// `left` and `right` are the columns when the screen is wide enough for two; the
    /// marks follow the right one.
    pub fn new(left: Vec<HelpSection>, right: Vec<HelpSection>) -> Self {
        Help {
            top: 0,
            left,
            right,
        }
    }
}

fn lines_of(sections: &[HelpSection], theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for s in sections {
        lines.push(Line::styled(s.title.to_string(), theme.accent));
        for (label, help) in &s.rows {
            lines.push(Line::from(vec![
                Span::styled(
                    format!("  {label:<12}"),
                    Style::new().add_modifier(Modifier::BOLD),
                ),
                Span::raw(help.clone()),
            ]));
        }
        lines.push(Line::default());
    }
    lines
}

fn marks(theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled("Marks".to_string(), theme.accent)];
    for (mark, meaning) in MARKS {
        lines.push(Line::from(vec![
            Span::styled(
                format!("  {mark:<14}"),
                Style::new().add_modifier(Modifier::BOLD),
            ),
            Span::raw(meaning.to_string()),
        ]));
    }
    lines
}

impl Popup for Help {
    /// Arrows and pages scroll a help taller than the screen; any other key closes.
    fn on_key(&mut self, key: KeyEvent) -> Reaction {
        // How far it can go is known when drawn; past the end it stays at the end.
        const FAR: usize = 200;
        match key.code {
            KeyCode::Down | KeyCode::Char('j') => self.top = (self.top + 1).min(FAR),
            KeyCode::Up | KeyCode::Char('k') => self.top = self.top.saturating_sub(1),
            KeyCode::PageDown | KeyCode::Char(' ') => self.top = (self.top + 10).min(FAR),
            KeyCode::PageUp => self.top = self.top.saturating_sub(10),
            KeyCode::Home | KeyCode::Char('g') => self.top = 0,
            KeyCode::End | KeyCode::Char('G') => self.top = FAR,
            _ => return Reaction::Close(Outcome::Nothing),
        }
        Reaction::Redraw
    }

    fn hint(&self) -> &'static str {
        "j/k ↑/↓ PgUp/PgDn scroll · any other key closes"
    }

    fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let left = lines_of(&self.left, theme);
        let mut right = lines_of(&self.right, theme);
        right.extend(marks(theme));
        let footer = Line::styled(
            "j/k ↑/↓ PgUp/PgDn scroll · any other key closes this help.",
            theme.dim,
        );
        let one_column = left.len() + right.len() + 1;
        // Side by side when one column would not fit the screen and two do.
        let two = one_column + 2 > area.height as usize && area.width >= 96;
        let block = theme.block(" Keys ".into(), true);
        if two {
            let tallest = left.len().max(right.len());
            let r = centered(area, 110, tallest as u16 + 3);
            frame.render_widget(Clear, r);
            let inner = block.inner(r);
            frame.render_widget(block, r);
            let half = inner.width / 2;
            let body_h = inner.height.saturating_sub(1);
            // Still too tall: both columns scroll together, and the footer says how far.
            let top = self.top.min(tallest.saturating_sub(body_h as usize));
            let footer = if tallest > body_h as usize {
                Line::styled(
                    format!(
                        "j/k ↑/↓ PgUp/PgDn scroll ({}/{tallest}) · any other key closes this help.",
                        (top + body_h as usize).min(tallest)
                    ),
                    theme.dim,
                )
            } else {
                footer
            };
            frame.render_widget(
                Paragraph::new(left.into_iter().skip(top).collect::<Vec<_>>()),
                Rect::new(inner.x, inner.y, half, body_h),
            );
            frame.render_widget(
                Paragraph::new(right.into_iter().skip(top).collect::<Vec<_>>()),
                Rect::new(inner.x + half, inner.y, inner.width - half, body_h),
            );
            frame.render_widget(
                Paragraph::new(footer),
                Rect::new(inner.x, inner.y + body_h, inner.width, 1.min(inner.height)),
            );
            return;
        }
        let mut lines = left;
        lines.extend(right);
        lines.push(footer);
        let r = centered(area, 64, lines.len() as u16 + 2);
        frame.render_widget(Clear, r);
        let rows = r.height.saturating_sub(2) as usize;
        if lines.len() > rows {
            // Too tall for the screen: scrollable, with the way out always on the first row.
            lines.pop();
            let body = rows.saturating_sub(1);
            let top = self.top.min(lines.len().saturating_sub(body));
            let mut shown = vec![Line::styled(
                format!(
                    "j/k ↑/↓ PgUp/PgDn scroll ({}/{}) · other keys close",
                    top + body.min(lines.len()),
                    lines.len()
                ),
                theme.dim,
            )];
            shown.extend(lines.into_iter().skip(top).take(body));
            lines = shown;
        }
        frame.render_widget(Paragraph::new(lines).block(block), r);
    }
}
