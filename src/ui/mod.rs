//! Draws the whole screen from the state. Nothing here changes state or does I/O.

/// The geometry the screen is drawn with, shared with `update` (it lives with the app).
pub use crate::app::geometry as layout;

use chrono::{DateTime, Datelike, Utc};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::app::keymap::Scope;
use crate::app::thread::{Fetch, Scroll};
use crate::app::{App, Connection, Focus, Level, Overlay, ReplyState};
use crate::model::Capability;
use crate::text;
pub use crate::theme::{self, Theme};
use layout::LIST_ROW_HEIGHT;

mod cells;
mod panes;
pub use panes::answer_quote;
use panes::*;

/// The smallest screen the full layout is drawn on.
const MIN_W: u16 = 20;
const MIN_H: u16 = 5;

/// What a frame learned that the runtime needs: where links were drawn, for the OSC 8
/// hyperlinks written over them; the panes whose rows scroll, so the terminal can be asked to
/// move them; and where the cursor stands, if anywhere.
#[derive(Debug, Default)]
pub struct Rendered {
    pub links: Vec<layout::LinkSpot>,
    pub moving: Vec<Rect>,
    pub cursor: Option<Position>,
}

pub fn render(frame: &mut Frame, app: &App, theme: &Theme) -> Rendered {
    let mut rendered = Rendered::default();
    let area = frame.area();
    if area.width < MIN_W || area.height < MIN_H {
        let msg = text::truncate("frontdesk: enlarge the window", area.width as usize);
        frame.render_widget(Paragraph::new(msg), area);
        return rendered;
    }
    let areas = layout::areas(app);
    draw_status(frame, app, theme, areas.status);
    let inside = |r: Rect| r.inner(ratatui::layout::Margin::new(1, 1));
    if let Some(r) = areas.list {
        draw_list(frame, app, theme, r);
        rendered.moving.push(inside(r));
    }
    if let Some(r) = areas.thread {
        rendered.links = draw_thread(frame, app, theme, r);
        rendered.moving.push(inside(r));
    }
    if let Some(r) = areas.composer {
        rendered.cursor = draw_composer(frame, app, theme, r);
        // Set on the frame too, so any ratatui terminal (the tests' TestBackend) places it.
        if let Some(p) = rendered.cursor {
            frame.set_cursor_position(p);
        }
    }
    draw_hints(frame, app, theme, areas.hints);
    if let Some(popup) = app.overlay.popup() {
        popup.draw(frame, area, theme);
    }
    cells::settle(frame.buffer_mut());
    rendered
}

fn connection_label(c: &Connection, now: DateTime<Utc>) -> String {
    match c {
        Connection::Connecting => "○ connecting".into(),
        Connection::Live => "● live".into(),
        Connection::LivePartial => "◐ live (partial)".into(),
        Connection::Polling => "◌ polling".into(),
        Connection::Reconnecting { at, attempt } => {
            let secs = (*at - now).num_seconds().max(0);
            if secs == 0 {
                format!("○ reconnecting ({attempt})")
            } else {
                format!("○ reconnecting in {secs}s ({attempt})")
            }
        }
        Connection::Stopped(reason) => format!("✕ stopped: {}", text::one_line(reason)),
    }
}

fn draw_status(frame: &mut Frame, app: &App, theme: &Theme, r: Rect) {
    // Each part carries the separator before it; the right side's first one is dropped.
    const SEP: &str = " · ";
    // A failing poll is said, with since when: the link's state alone would not show it.
    let offline = app
        .server_unreachable_since
        .map(|t| {
            let local = t.with_timezone(&app.clock.offset);
            format!("{SEP}✕ server unreachable since {}", local.format("%H:%M"))
        })
        .unwrap_or_default();
    // With history kept, what is on screen is what was kept: say so.
    let kept = if !offline.is_empty() && (app.kept.as_of.is_some() || app.kept.available) {
        format!("{SEP}showing kept history")
    } else {
        String::new()
    };
    let team = match app.team.unread {
        Some(n) if n > 0 => format!("{SEP}team {n} unread"),
        _ => String::new(),
    };
    let backfill = match app.kept.backfill {
        Some((open, active)) if open > 0 => {
            format!("{SEP}history {}/{active}", active - open.min(active))
        }
        _ => String::new(),
    };
    let (waiting, longest) = app.waiting_summary();
    // Until the background reads are done, the count is a floor, and says so.
    let checking = match app.service.learning_progress() {
        n if n > 0 && longest.is_some() => format!(" (checking {n})"),
        _ => String::new(),
    };
    // More to read at the next list read: the count is a floor ("200+").
    let more = if app.service.left_for_later > 0 {
        "+"
    } else {
        ""
    };
    // No count at all rather than a "0 waiting" that may not be true yet.
    let (count, longest) = match longest {
        Some(longest) => (
            format!("{SEP}{waiting}{more} waiting"),
            format!(
                "{SEP}longest {}",
                text::wait_length(app.clock.now - longest.since)
            ),
        ),
        None => (String::new(), String::new()),
    };
    // What the header must say stays whole (the server unreachable, the link, the clock);
    // the rest gives way, a part at a time, the least needed first.
    let link = format!("{SEP}{}", connection_label(&app.connection, app.clock.now));
    let unread = format!("{SEP}{} unread", app.total_unread());
    let right_parts = [
        (offline.as_str(), 0),
        (kept.as_str(), 1),
        (backfill.as_str(), 6),
        (count.as_str(), 1),
        (checking.as_str(), 4),
        (longest.as_str(), 2),
        (link.as_str(), 0),
        (team.as_str(), 3),
        (unread.as_str(), 2),
        (" ", 0),
    ];
    // The desk's time and zone: ages and day separators are drawn in it.
    let local = app.clock.now.with_timezone(&app.clock.offset);
    let hotel = format!(" {} ·", text::one_line(&app.me.hotel_name));
    let staff = format!(
        " {} ·",
        text::one_line(app.my_full_name.as_deref().unwrap_or(&app.me.name))
    );
    let clock = format!(" {} UTC{}", local.format("%H:%M"), local.format("%:z"));
    let left_parts = [
        (" frontdesk ·", 5),
        (hotel.as_str(), 3),
        (staff.as_str(), 4),
        (clock.as_str(), 0),
    ];
    let (left, right) = text::fit_sides(&left_parts, &right_parts, r.width as usize);
    let right = right.strip_prefix(SEP).unwrap_or(&right).to_string();
    let w = r.width as usize;
    // The style fills the row; no padding text to segment.
    frame.render_widget(Paragraph::new(left).style(theme.status), r);
    frame.render_widget(
        Paragraph::new(text::truncate(&right, w)).alignment(ratatui::layout::Alignment::Right),
        r,
    );
}

/// A moment as a clock on the desk reads it: "14:02" today, "Tue 1 Dec 14:02" before.
pub fn clock_time(app: &App, t: DateTime<Utc>) -> String {
    let local = t.with_timezone(&app.clock.offset);
    if local.date_naive() == app.clock.now.with_timezone(&app.clock.offset).date_naive() {
        local.format("%H:%M").to_string()
    } else {
        local.format("%a %-d %b %H:%M").to_string()
    }
}

/// "now", "5m", "14:02", "Tue", "3 Nov", "3 Nov 2025".
pub fn age(app: &App, t: DateTime<Utc>) -> String {
    let now = app.clock.now;
    let mins = (now - t).num_minutes();
    if mins < 1 {
        return "now".into();
    }
    if mins < 60 {
        return format!("{mins}m");
    }
    let local = t.with_timezone(&app.clock.offset);
    let today = now.with_timezone(&app.clock.offset).date_naive();
    let day = local.date_naive();
    if day == today {
        local.format("%H:%M").to_string()
    } else if (today - day).num_days() < 7 && day < today {
        local.format("%a").to_string()
    } else if day.year() == today.year() {
        local.format("%-d %b").to_string()
    } else {
        local.format("%-d %b %Y").to_string()
    }
}

fn pane_block<'a>(title: String, focused: bool, theme: &Theme) -> Block<'a> {
    theme.block(title, focused)
}

fn draw_hints(frame: &mut Frame, app: &App, theme: &Theme, r: Rect) {
    if let Some(n) = &app.notice {
        let style = match n.level {
            Level::Error => theme.error,
            Level::Info => theme.accent,
        };
        frame.render_widget(
            Paragraph::new(text::truncate(&text::one_line(&n.text), r.width as usize)).style(style),
            r,
        );
        return;
    }
    // A popup's own keys while it is open.
    if let Some(popup) = app.overlay.popup() {
        frame.render_widget(
            Paragraph::new(text::truncate(popup.hint(), r.width as usize)).style(theme.dim),
            r,
        );
        return;
    }
    // Writing a hand-off, Enter does not reply to the guest: the line says what it does.
    if app.focus == Focus::Composer && app.composer.hand_off.is_some() {
        frame.render_widget(
            Paragraph::new(text::truncate(
                "Enter sends the hand-off to your colleagues · Alt-Enter new line · Esc keeps it as a draft",
                r.width as usize,
            ))
            .style(theme.dim),
            r,
        );
        return;
    }
    let scope = match app.focus {
        Focus::List => Scope::List,
        Focus::Thread => Scope::Thread,
        Focus::Composer => Scope::Composer,
    };
    let allowed = |cap: Capability| app.me.can(cap);
    let line = hint_line(app, scope, &allowed, r.width as usize);
    frame.render_widget(Paragraph::new(line).style(theme.dim), r);
}

/// The hint bar: the scope's most useful keys first, whole hints only, as many as fit, and
/// "? help" last when there is room (quit and help are always in the help).
pub fn hint_line(
    app: &App,
    scope: Scope,
    allowed: &dyn Fn(Capability) -> bool,
    width: usize,
) -> String {
    use crate::app::keymap::Action;
    let mut rows: Vec<_> = app
        .keymap
        .visible(allowed)
        .filter(|r| r.applies_in(scope) && r.base.hint)
        .filter(|r| !matches!(r.base.action, Action::Quit | Action::Help))
        .map(|r| format!("{} {}", r.label, r.base.help))
        .collect();
    rows.push("Tab pane".into());
    // In the reply box "?" is text.
    let tail = if scope == Scope::Composer {
        "F1 help"
    } else {
        "? help"
    };
    let mut line = String::new();
    for part in rows {
        let sep = if line.is_empty() { 0 } else { 3 };
        if text::width(&line) + sep + text::width(&part) + 3 + text::width(tail) > width {
            break;
        }
        if sep > 0 {
            line.push_str(" · ");
        }
        line.push_str(&part);
    }
    if text::width(&line) + 3 + text::width(tail) <= width {
        if !line.is_empty() {
            line.push_str(" · ");
        }
        line.push_str(tail);
    }
    line
}
