//! Styles. Only the 16 basic colours are used, so any terminal draws them; with NO_COLOR the
//! plain theme marks everything by modifiers alone (bold, reverse, italic, dim).

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders};

#[derive(Debug, Clone)]
pub struct Theme {
    pub dim: Style,
    pub guest: Style,
    pub staff: Style,
    pub system: Style,
    pub body: Style,
    pub quote: Style,
    pub attachment: Style,
    pub link: Style,
    pub accent: Style,
    pub unread: Style,
    pub selected: Style,
    pub error: Style,
    pub border: Style,
    pub border_focus: Style,
    pub status: Style,
}

impl Theme {
    /// A pane's or popup's frame; the focused one stands out.
    pub fn block<'a>(&self, title: String, focused: bool) -> Block<'a> {
        let style = if focused {
            self.border_focus
        } else {
            self.border
        };
        Block::default()
            .borders(Borders::ALL)
            .border_style(style)
            .title(Span::styled(title, style))
    }

    pub fn plain() -> Theme {
        let none = Style::new();
        Theme {
            dim: none.add_modifier(Modifier::DIM),
            guest: none.add_modifier(Modifier::BOLD),
            staff: none.add_modifier(Modifier::BOLD),
            system: none.add_modifier(Modifier::ITALIC),
            body: none,
            quote: none.add_modifier(Modifier::ITALIC | Modifier::DIM),
            attachment: none,
            link: none.add_modifier(Modifier::UNDERLINED),
            accent: none.add_modifier(Modifier::BOLD),
            unread: none.add_modifier(Modifier::BOLD),
            selected: none.add_modifier(Modifier::REVERSED),
            error: none.add_modifier(Modifier::BOLD),
            border: none,
            border_focus: none.add_modifier(Modifier::BOLD),
            status: none.add_modifier(Modifier::REVERSED),
        }
    }

    pub fn colour() -> Theme {
        let p = Theme::plain();
        Theme {
            guest: p.guest.fg(Color::Cyan),
            staff: p.staff.fg(Color::Green),
            system: p.system.fg(Color::DarkGray),
            quote: p.quote.fg(Color::Gray),
            attachment: p.attachment.fg(Color::Magenta),
            link: p.link.fg(Color::Blue),
            accent: p.accent.fg(Color::Yellow),
            unread: p.unread.fg(Color::Yellow),
            error: p.error.fg(Color::Red),
            border_focus: p.border_focus.fg(Color::Cyan),
            status: Style::new().fg(Color::Black).bg(Color::Cyan),
            ..p
        }
    }

    /// Colour unless NO_COLOR is set (any value, per no-color.org).
    pub fn no_color_env() -> bool {
        std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
    }

    pub fn from_env() -> Theme {
        if Theme::no_color_env() {
            Theme::plain()
        } else {
            Theme::colour()
        }
    }
}
