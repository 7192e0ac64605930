//! Draws the whole screen from the state. Nothing here changes state or does I/O.

/// The geometry the screen is drawn with, shared with `update` (it lives with the app).
pub use crate::app::geometry as layout;

use chrono::{DateTime, Datelike, Utc};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::app::keymap::Scope;
use crate::app::thread::{Fetch, Scroll};
use crate::app::{App, Connection, Focus, Level, Overlay, ReplyState};
use crate::model::Capability;
use crate::text;
pub use crate::theme::{self, Theme};
use layout::LIST_ROW_HEIGHT;

/// The smallest screen the full layout is drawn on.
const MIN_W: u16 = 20;
const MIN_H: u16 = 5;

/// What a frame learned that the runtime needs: where links were drawn, for the OSC 8
/// hyperlinks written over them.
#[derive(Debug, Default)]
pub struct Rendered {
    pub links: Vec<layout::LinkSpot>,
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
    if let Some(r) = areas.list {
        draw_list(frame, app, theme, r);
    }
    if let Some(r) = areas.thread {
        rendered.links = draw_thread(frame, app, theme, r);
    }
    if let Some(r) = areas.composer {
        draw_composer(frame, app, theme, r);
    }
    draw_hints(frame, app, theme, areas.hints);
    match &app.overlay {
        Overlay::Help(top) => draw_help(frame, app, theme, area, *top),
        Overlay::RoomPrompt(text) => draw_prompt(
            frame,
            theme,
            area,
            " Open a room ",
            &format!("Room number: {text}▏"),
            40,
        ),
        Overlay::Canned(i) => draw_canned(frame, app, theme, area, *i),
        Overlay::SignIn {
            password,
            error,
            busy,
        } => draw_sign_in(
            frame,
            app,
            theme,
            area,
            password.chars().count(),
            error.as_deref(),
            *busy,
        ),
        Overlay::Attach { input, files, hint } => {
            draw_attach(frame, app, theme, area, input, files, hint.as_deref())
        }
        Overlay::Confirm { question, .. } => draw_question(frame, theme, area, question),
        Overlay::Filter | Overlay::None => {}
    }
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
    let unread = app.total_unread();
    // A failing poll is said, with since when: the link's state alone would not show it.
    let offline = app
        .server_unreachable_since
        .map(|t| {
            let local = t.with_timezone(&app.clock.offset);
            format!("✕ server unreachable since {} · ", local.format("%H:%M"))
        })
        .unwrap_or_default();
    let right = format!(
        "{offline}{} · {} unread ",
        connection_label(&app.connection, app.clock.now),
        unread
    );
    // The desk's time and zone: ages and day separators are drawn in it.
    let local = app.clock.now.with_timezone(&app.clock.offset);
    let left = format!(
        " frontdesk · {} · {} · {} UTC{}",
        text::one_line(&app.me.hotel_name),
        text::one_line(&app.me.name),
        local.format("%H:%M"),
        local.format("%:z")
    );
    let w = r.width as usize;
    let rw = text::width(&right).min(w);
    let left = text::truncate(&left, w.saturating_sub(rw + 1));
    // The style fills the row; no padding text to segment.
    frame.render_widget(Paragraph::new(left).style(theme.status), r);
    frame.render_widget(
        Paragraph::new(text::truncate(&right, w)).alignment(ratatui::layout::Alignment::Right),
        r,
    );
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
    Block::default()
        .borders(Borders::ALL)
        .border_style(if focused {
            theme.border_focus
        } else {
            theme.border
        })
        .title(Span::styled(
            title,
            if focused {
                theme.border_focus
            } else {
                theme.border
            },
        ))
}

fn draw_list(frame: &mut Frame, app: &App, theme: &Theme, r: Rect) {
    let order = app.visible_order();
    let title = if app.overlay == Overlay::Filter || !app.filter.is_empty() {
        format!(
            " Filter: {}▏ ({}) ",
            text::one_line(&app.filter),
            order.len()
        )
    } else {
        // When the list is read on a timer, say how fresh it is.
        let updated = match (app.poll_plan().list, app.list_updated) {
            (true, Some(t)) => format!(
                "· updated {} ",
                t.with_timezone(&app.clock.offset).format("%H:%M")
            ),
            _ => String::new(),
        };
        format!(" Conversations ({}) {updated}", order.len())
    };
    let block = pane_block(title, app.focus == Focus::List, theme);
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let w = inner.width as usize;
    if !app.list_loaded {
        let text = match (&app.list_error, app.list_retry_at) {
            (Some(why), Some(at)) => {
                let secs = (at - app.clock.now).num_seconds().max(0);
                format!(
                    "The conversations could not be loaded: {}. Trying again in {secs}s.",
                    text::one_line(why)
                )
            }
            (Some(why), None) => format!(
                "The conversations could not be loaded: {}. Trying again now…",
                text::one_line(why)
            ),
            _ => "Loading conversations…".into(),
        };
        frame.render_widget(
            Paragraph::new(text)
                .style(theme.dim)
                .wrap(ratatui::widgets::Wrap { trim: true }),
            inner,
        );
        return;
    }
    if order.is_empty() {
        let msg = if app.filter.is_empty() {
            "No conversations yet. Guests' messages will appear here."
        } else {
            "No room or guest matches the filter. Esc clears it."
        };
        frame.render_widget(
            Paragraph::new(msg)
                .style(theme.dim)
                .wrap(ratatui::widgets::Wrap { trim: true }),
            inner,
        );
        return;
    }
    let rows = (inner.height / LIST_ROW_HEIGHT) as usize;
    for (i, id) in order.iter().skip(app.list_offset).take(rows).enumerate() {
        let Some(c) = app.conversations.get(id) else {
            continue;
        };
        let y = inner.y + i as u16 * LIST_ROW_HEIGHT;
        let selected = app.selected == Some(*id);
        let unread = c.unread_count > 0;
        let badge = if unread {
            format!(" ●{}", c.unread_count)
        } else {
            String::new()
        };
        let when = c.last_message_time.map(|t| age(app, t)).unwrap_or_default();
        let room = format!("{:>4} ", c.room_number);
        let claimed = app.claimed.get(id).map(|_| " ✓").unwrap_or("");
        let right = format!("{badge} {when:>6}");
        let name_w =
            w.saturating_sub(text::width(&room) + text::width(&right) + text::width(claimed));
        let name = text::line_preview(&app.conversation_name(*id), name_w);
        let base = if selected {
            theme.selected
        } else {
            Style::new()
        };
        let marked = base.patch(theme.unread).add_modifier(Modifier::BOLD);
        let line1 = Line::from(vec![
            Span::styled(room, base.add_modifier(Modifier::BOLD)),
            Span::styled(name, if unread { marked } else { base }),
            Span::styled(claimed.to_string(), base),
        ]);
        let right_line = Line::from(vec![
            Span::styled(badge, if unread { marked } else { base }),
            Span::styled(format!(" {when:>6}"), base.patch(theme.dim)),
        ]);
        let preview = c
            .last_message
            .as_deref()
            .map(|m| text::line_preview(m, w.saturating_sub(5)))
            .unwrap_or_default();
        let line2 = Line::from(vec![
            Span::raw("     "),
            Span::styled(preview, base.patch(theme.dim)),
        ]);
        // The row's style fills it (reverse video when selected) without padding text.
        let row = Rect::new(inner.x, y, inner.width, 1);
        frame.render_widget(Paragraph::new(line1).style(base), row);
        frame.render_widget(
            Paragraph::new(right_line).alignment(ratatui::layout::Alignment::Right),
            row,
        );
        if LIST_ROW_HEIGHT > 1 && y + 1 < inner.y + inner.height {
            frame.render_widget(
                Paragraph::new(line2).style(base),
                Rect::new(inner.x, y + 1, inner.width, 1),
            );
        }
    }
}

/// Draws the open thread; returns where its links are.
fn draw_thread(frame: &mut Frame, app: &App, theme: &Theme, r: Rect) -> Vec<layout::LinkSpot> {
    let Some(open) = app.open else {
        let block = pane_block(" Thread ".into(), false, theme);
        let inner = block.inner(r);
        frame.render_widget(block, r);
        frame.render_widget(
            Paragraph::new("Pick a conversation and press Enter. n jumps to the next unread.")
                .style(theme.dim)
                .wrap(ratatui::widgets::Wrap { trim: true }),
            inner,
        );
        return Vec::new();
    };
    let conv = app.conversations.get(&open);
    let mut title = match conv {
        Some(c) => format!(
            " Room {} · {} ",
            c.room_number,
            text::one_line(&app.conversation_name(open))
        ),
        None => format!(" Conversation {open} "),
    };
    if let Some(who) = app.claimed.get(&open) {
        title.push_str(&format!("· claimed by {} ", text::one_line(who)));
    }
    let block = pane_block(title, app.focus == Focus::Thread, theme);
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let Some(thread) = app.threads.get(&open) else {
        return Vec::new();
    };
    let w = inner.width as usize;
    let view_h = inner.height as usize;
    let heights = app.heights();
    let mut lines: Vec<Line> = Vec::with_capacity(view_h + 8);
    let start = thread.view_start(view_h, &heights);
    let at_top = match start {
        None => true,
        Some((id, skip)) => skip == 0 && thread.prev_of(id).is_none(),
    };
    if at_top {
        let marker = match thread.fetch {
            Fetch::Done => "── start of conversation ──",
            Fetch::Loading | Fetch::NotStarted => "loading…",
            Fetch::More => "scroll up for older messages",
        };
        lines.push(Line::styled(format!("{marker:^w$}"), theme.dim));
    }
    let mut skip = 0;
    let mut links: Vec<(usize, u16, String, String)> = Vec::new();
    if let Some((id, s)) = start {
        skip = s;
        for m in thread.messages.range(id..).map(|(_, m)| m) {
            let prev = thread.prev_of(m.id);
            let (block, block_links) = layout::message_lines_with_links(
                app,
                prev,
                m,
                w,
                thread.selected == Some(m.id),
                theme,
            );
            let base = lines.len();
            links.extend(
                block_links
                    .into_iter()
                    .map(|(i, x, shown, url)| (base + i, x, shown, url)),
            );
            lines.extend(block);
            if lines.len() > skip + view_h {
                break;
            }
        }
    }
    if thread.messages.is_empty() && thread.fetch == Fetch::Done {
        lines.push(Line::styled("No messages yet.", theme.dim));
    }
    // Our replies still on their way sit at the bottom.
    for p in app.pending.iter().filter(|p| p.conversation == open) {
        let (label, style) = match &p.state {
            ReplyState::Queued => ("waiting for the reply above…".to_string(), theme.dim),
            ReplyState::Sending => ("sending…".to_string(), theme.dim),
            // The server may hold it: "not sent" would not be true.
            ReplyState::Failed {
                reason,
                unknown: true,
                ..
            } => (format!("not confirmed yet: {reason}"), theme.error),
            ReplyState::Failed { reason, .. } => (format!("not sent: {reason}"), theme.error),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{} · ", text::one_line(&app.me.name)), theme.staff),
            Span::styled(label, style),
        ]));
        for l in text::wrap(&text::body(&p.text), w.saturating_sub(2).max(1)) {
            lines.push(Line::from(vec![
                Span::raw("  "),
                Span::styled(l, theme.dim),
            ]));
        }
        lines.push(Line::default());
    }
    // With Follow the view shows the last rows.
    let total = lines.len();
    let first = if matches!(thread.scroll, Scroll::Follow) {
        total.saturating_sub(view_h)
    } else {
        skip + usize::from(at_top && skip > 0)
    }
    .min(total);
    let visible: Vec<Line> = lines.into_iter().skip(first).take(view_h).collect();
    frame.render_widget(Paragraph::new(visible), inner);
    let spots = links
        .into_iter()
        .filter(|(i, ..)| *i >= first && *i < first + view_h)
        .map(|(i, x, shown, url)| layout::LinkSpot {
            x: inner.x + x.min(inner.width.saturating_sub(1)),
            y: inner.y + (i - first) as u16,
            shown,
            url,
        })
        .collect();

    if thread.new_below > 0 {
        let label = format!(" {} new below ↓ (End) ", thread.new_below);
        let lw = text::width(&label) as u16;
        let x = inner.x + inner.width.saturating_sub(lw) / 2;
        let y = inner.y + inner.height.saturating_sub(1);
        frame.render_widget(
            Paragraph::new(label).style(theme.accent.add_modifier(Modifier::REVERSED)),
            Rect::new(x, y, lw.min(inner.width), 1),
        );
    }
    spots
}

fn draw_composer(frame: &mut Frame, app: &App, theme: &Theme, r: Rect) {
    let focused = app.focus == Focus::Composer;
    let may_send = app.me.can(Capability::MessageSend);
    let title = if app.composer.editing.is_some() {
        " Edit your message (Enter saves, Esc cancels) ".to_string()
    } else if let Some(u) = app.uploading {
        let pct = (u.sent * 100).checked_div(u.total).unwrap_or(0);
        format!(
            " Reply · uploading {pct}% of {} ",
            layout::human_size(u.total)
        )
    } else if may_send {
        " Reply ".to_string()
    } else {
        " Reply (you may not send) ".to_string()
    };
    let block = pane_block(title, focused, theme);
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let w = inner.width.max(1) as usize;
    let mut lines: Vec<Line> = Vec::new();
    if let Some(id) = app.composer.reply_to {
        let quoted = app
            .open
            .and_then(|o| app.threads.get(&o))
            .and_then(|t| t.messages.get(&id))
            .map(|m| format!("{}: {}", m.author(), m.message))
            .unwrap_or_else(|| format!("message {id}"));
        lines.push(Line::styled(
            text::truncate(&format!("↳ replying to {}", text::one_line(&quoted)), w),
            theme.quote,
        ));
    }
    let quote_rows = lines.len();
    if app.composer.text().is_empty() && !focused {
        lines.push(Line::styled("Press Enter or i to write…", theme.dim));
    } else {
        for l in text::wrap(&text::sanitize(app.composer.text()), w) {
            lines.push(Line::raw(l));
        }
    }
    let h = inner.height as usize;
    let skip = lines.len().saturating_sub(h);
    frame.render_widget(
        Paragraph::new(lines.into_iter().skip(skip).collect::<Vec<_>>()),
        inner,
    );
    if focused && app.overlay == Overlay::None {
        let before = app.composer.before_cursor();
        let wrapped = text::wrap(&text::sanitize(before), w);
        let row = quote_rows + wrapped.len().saturating_sub(1);
        let col = wrapped.last().map(|l| text::width(l)).unwrap_or(0);
        let y = (row.saturating_sub(skip) as u16).min(inner.height.saturating_sub(1));
        frame.set_cursor_position(Position::new(
            inner.x + (col as u16).min(inner.width.saturating_sub(1)),
            inner.y + y,
        ));
    }
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
    let scope = match (&app.overlay, app.focus) {
        (Overlay::Filter, _) => {
            let t = "type to filter · ↑/↓ move · Enter open · Esc clear";
            frame.render_widget(
                Paragraph::new(text::truncate(t, r.width as usize)).style(theme.dim),
                r,
            );
            return;
        }
        (_, Focus::List) => Scope::List,
        (_, Focus::Thread) => Scope::Thread,
        (_, Focus::Composer) => Scope::Composer,
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

fn popup(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// What each mark the screen can show means, for the help.
fn marks(theme: &Theme) -> Vec<Line<'static>> {
    let rows: [(&str, &str); 10] = [
        ("● live", "replies arrive at once"),
        ("◐ partial", "colleagues' replies are polled"),
        ("◌ polling", "no realtime link: read on a timer"),
        ("○", "connecting; (3) counts the tries"),
        ("✕ unreachable", "no answer from the server since"),
        ("●2", "unread guest messages"),
        ("✓", "claimed; who: the thread's title"),
        ("earlier stay", "a guest who has checked out"),
        ("not confirmed", "may be stored; checked first"),
        ("waiting…", "goes after the reply above"),
    ];
    let mut lines = vec![Line::styled("Marks".to_string(), theme.accent)];
    for (mark, meaning) in rows {
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

fn draw_help(frame: &mut Frame, app: &App, theme: &Theme, area: Rect, top: usize) {
    let allowed = |cap: Capability| app.me.can(cap);
    let section = |scope: Scope, name: &str| -> Vec<Line<'static>> {
        let mut lines = vec![Line::styled(name.to_string(), theme.accent)];
        for r in app.keymap.visible(&allowed).filter(|r| r.applies_in(scope)) {
            lines.push(Line::from(vec![
                Span::styled(
                    format!("  {:<12}", r.label),
                    Style::new().add_modifier(Modifier::BOLD),
                ),
                Span::raw(r.base.help.to_string()),
            ]));
        }
        lines.push(Line::default());
        lines
    };
    let mut left = section(Scope::List, "Conversation list");
    left.extend(section(Scope::Thread, "Thread"));
    let mut right = section(Scope::Composer, "Composer");
    right.extend(section(Scope::Everywhere, "Everywhere"));
    right.extend(marks(theme));
    let footer = Line::styled("Any key closes this help.", theme.dim);
    let one_column = left.len() + right.len() + 1;
    // Side by side when one column would not fit the screen and two do.
    let two = one_column + 2 > area.height as usize && area.width >= 96;
    let block = pane_block(" Keys ".into(), true, theme);
    if two {
        let rows = left.len().max(right.len()) + 1;
        let r = popup(area, 110, rows as u16 + 2);
        frame.render_widget(Clear, r);
        let inner = block.inner(r);
        frame.render_widget(block, r);
        let half = inner.width / 2;
        let body_h = inner.height.saturating_sub(1);
        frame.render_widget(
            Paragraph::new(left),
            Rect::new(inner.x, inner.y, half, body_h),
        );
        frame.render_widget(
            Paragraph::new(right),
            Rect::new(inner.x + half, inner.y, inner.width - half, body_h),
        );
        frame.render_widget(
            Paragraph::new(footer),
            Rect::new(inner.x, inner.y + body_h, inner.width, 1.min(inner.height)),
        );
    } else {
        let mut lines = left;
        lines.extend(right);
        lines.push(footer);
        let r = popup(area, 64, lines.len() as u16 + 2);
        frame.render_widget(Clear, r);
        let rows = r.height.saturating_sub(2) as usize;
        if lines.len() > rows {
            // Too tall for the screen: scrollable, with the way out always on the first row.
            lines.pop();
            let body = rows.saturating_sub(1);
            let top = top.min(lines.len().saturating_sub(body));
            let mut shown = vec![Line::styled(
                format!(
                    "↑/↓ PgUp/PgDn scroll ({}/{}) · other keys close",
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

fn draw_prompt(
    frame: &mut Frame,
    theme: &Theme,
    area: Rect,
    title: &str,
    text_line: &str,
    width: u16,
) {
    let r = popup(area, width, 3);
    frame.render_widget(Clear, r);
    let block = pane_block(title.into(), true, theme);
    frame.render_widget(Paragraph::new(text_line.to_string()).block(block), r);
}

/// A y/n question, wrapped to fit, so its end (the "y/n") is always on screen.
fn draw_question(frame: &mut Frame, theme: &Theme, area: Rect, question: &str) {
    let w = (text::width(question) as u16 + 4).min(area.width.min(80));
    let lines = text::wrap(
        &text::one_line(question),
        w.saturating_sub(2).max(1) as usize,
    );
    let r = popup(area, w, lines.len() as u16 + 2);
    frame.render_widget(Clear, r);
    let block = pane_block(" Confirm ".into(), true, theme);
    let body: Vec<Line> = lines.into_iter().map(Line::from).collect();
    frame.render_widget(Paragraph::new(body).block(block), r);
}

fn draw_canned(frame: &mut Frame, app: &App, theme: &Theme, area: Rect, selected: usize) {
    let w = area.width.saturating_sub(4).min(70);
    let lines: Vec<Line> = app
        .canned
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let t = text::truncate(&text::one_line(c), w.saturating_sub(2) as usize);
            if i == selected {
                Line::styled(t, theme.selected)
            } else {
                Line::raw(t)
            }
        })
        .collect();
    let r = popup(area, w, lines.len() as u16 + 2);
    frame.render_widget(Clear, r);
    let block = pane_block(
        " Canned replies (Enter inserts, Esc closes) ".into(),
        true,
        theme,
    );
    frame.render_widget(Paragraph::new(lines).block(block), r);
}

fn draw_sign_in(
    frame: &mut Frame,
    app: &App,
    theme: &Theme,
    area: Rect,
    typed: usize,
    error: Option<&str>,
    busy: bool,
) {
    let w = area.width.saturating_sub(4).min(64);
    let inner = w.saturating_sub(2) as usize;
    let mut lines = vec![
        Line::raw(text::truncate(
            &format!(
                "The server asks {} to sign in again.",
                text::one_line(&app.me.name)
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
    if busy {
        lines.push(Line::styled("Signing in…", theme.dim));
    } else if let Some(e) = error {
        lines.push(Line::styled(
            text::truncate(&text::one_line(e), inner),
            theme.error,
        ));
    }
    lines.push(Line::styled(
        text::truncate("Enter signs in · Esc later", inner),
        theme.dim,
    ));
    let r = popup(area, w, lines.len() as u16 + 2);
    frame.render_widget(Clear, r);
    let block = pane_block(" Sign in ".into(), true, theme);
    frame.render_widget(Paragraph::new(lines).block(block), r);
}

fn draw_attach(
    frame: &mut Frame,
    app: &App,
    theme: &Theme,
    area: Rect,
    input: &str,
    files: &[String],
    hint: Option<&str>,
) {
    let w = area.width.saturating_sub(4).min(90);
    let inner = w.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = Vec::new();
    for f in files {
        lines.push(Line::raw(text::truncate(
            &format!("📎 {}", text::one_line(f)),
            inner,
        )));
    }
    lines.push(Line::raw(text::truncate(
        &format!("File: {}▏", text::one_line(input)),
        inner,
    )));
    if let Some(h) = hint {
        lines.push(Line::styled(
            text::truncate(&text::one_line(h), inner),
            theme.dim,
        ));
    }
    let with_text = if app.composer.text().trim().is_empty() {
        "no message".to_string()
    } else {
        format!("with your text: {}", text::one_line(app.composer.text()))
    };
    lines.push(Line::styled(text::truncate(&with_text, inner), theme.dim));
    lines.push(Line::styled(
        text::truncate(
            "Tab completes · Enter adds the file · Enter on an empty line sends · Esc cancels · up to 50 MB each: images, pdf, doc(x), xls(x), txt, csv",
            inner,
        ),
        theme.dim,
    ));
    let r = popup(area, w, lines.len() as u16 + 2);
    frame.render_widget(Clear, r);
    let block = pane_block(" Send files ".into(), true, theme);
    frame.render_widget(Paragraph::new(lines).block(block), r);
}
