//! The panes: the conversation list, the open thread and the reply box.

use super::*;
use crate::api::Conversation;
use crate::app::thread::Thread;
use crate::app::{Holder, ListOrder, Pressure, Standing, Stay, Writer};
use crate::desk_log::Mark;
use crate::model::{ConversationId, MessageId};

pub(crate) fn draw_list(frame: &mut Frame, app: &App, theme: &Theme, r: Rect) {
    let order = app.visible_order();
    let title = if matches!(app.overlay, Overlay::Filter(_)) || !app.filter.is_empty() {
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
        // The kept list until the server answers: say how old it is.
        let updated = match app.kept.as_of {
            Some(t) => format!("· kept, as of {} ", crate::ui::clock_time(app, t)),
            None => updated,
        };
        let sorted = match app.service.order {
            ListOrder::Activity => "",
            ListOrder::WaitingFirst => "· waiting first ",
        };
        // Rows that moved out of sight above (a guest wrote) are pointed to, not hidden.
        // From the order already at hand: the frame does not filter the list twice.
        let above = match app.list_offset.min(order.len()) {
            0 => String::new(),
            n => format!("· ↑ {n} above "),
        };
        format!(" Conversations ({}) {above}{sorted}{updated}", order.len())
    };
    let block = pane_block(title, app.focus == Focus::List, theme);
    let inner = block.inner(r);
    frame.render_widget(block, r);
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
        let y = inner.y + i as u16 * LIST_ROW_HEIGHT;
        draw_row(frame, app, theme, *id, inner, y);
    }
}

/// A waiting guest's row says so in words, with how long; a guest whose request was handed
/// on says to whom; others show the last activity.
fn row_when(app: &App, id: ConversationId, c: &Conversation) -> (String, Option<Pressure>) {
    if let Some(h) = app.hand_offs.of(id).find(|h| h.answer.is_none()) {
        return (format!("→ {}", text::one_line(&h.to.label)), None);
    }
    let current = matches!(app.stay(id), Stay::Current);
    if current && let Some(a) = app.aside(id) {
        match a.mark {
            Mark::Done => return ("✓ done".into(), None),
            Mark::Later { until } if until > app.clock.now => {
                let at = until.with_timezone(&app.clock.offset);
                return (format!("later {}", at.format("%H:%M")), None);
            }
            Mark::Later { until } => {
                let at = until.with_timezone(&app.clock.offset);
                return (
                    format!("⚠ due {}", at.format("%H:%M")),
                    Some(Pressure::Urgent),
                );
            }
            Mark::Claim | Mark::Undo => {}
        }
    }
    if current && app.service.standing(id) == Standing::Thanked {
        return ("✓ thanked".into(), None);
    }
    let wait = app
        .service
        .wait(id)
        .filter(|_| matches!(app.stay(id), Stay::Current));
    let pressure = wait.map(|w| app.service.pressure(&w, app.clock.now));
    let when = match wait {
        Some(w) => format!(
            "{}waiting {}{}",
            if pressure == Some(Pressure::Urgent) {
                "⚠ "
            } else {
                ""
            },
            text::wait_length(app.clock.now - w.since),
            if w.at_least { "+" } else { "" }
        ),
        None => c.last_message_time.map(|t| age(app, t)).unwrap_or_default(),
    };
    (when, pressure)
}

/// " ✎ draft" (or " ✎ hand-off", a draft to colleagues), and who handles it: " ✓ you",
/// " · Orla Quinn". The guest's name comes first: in a narrow row these give way, the
/// holder before the draft, each whole.
fn row_marks(app: &App, id: ConversationId, room_for: usize, name_w: usize) -> String {
    let holder = match app.service.holder(id) {
        Some(Holder::Me) => " ✓ you".to_string(),
        Some(Holder::Colleague(name)) => format!(" · {}", text::one_line(name)),
        None => app.claimed.get(&id).map(|_| " ✓").unwrap_or("").to_string(),
    };
    let draft = match app.drafts.get(&id) {
        Some(d) if d.hand_off.is_some() && !d.text.trim().is_empty() => " ✎ hand-off",
        Some(d) if !d.text.trim().is_empty() => " ✎ draft",
        _ => "",
    };
    // The name keeps up to 16 cells before any mark is shown.
    let keep = name_w.min(16);
    text::fit_parts(
        &[(draft, 1), (holder.as_str(), 2)],
        room_for.saturating_sub(keep),
    )
}

/// The last thing a person wrote, said by whom when the desk has seen it (the list's preview
/// names nobody, and may be a join line written after a reply: never anyone's words).
fn row_preview(app: &App, id: ConversationId, c: &Conversation, width: usize) -> String {
    let seen_newest = app
        .service
        .newest_seen(id)
        .is_some_and(|t| c.last_message_time.is_none_or(|l| t >= l));
    if seen_newest && let Some((_, said)) = app.service.said(id) {
        let by = match app.service.last_writer(id) {
            Some(Writer::Me) => "You: ".to_string(),
            Some(Writer::Colleague(name)) => format!("{}: ", text::one_line(name)),
            Some(Writer::Guest) => "Guest: ".to_string(),
            _ => String::new(),
        };
        return text::line_preview(&format!("{by}{said}"), width);
    }
    let by = match app.service.last_writer(id) {
        Some(Writer::Me) if seen_newest => "You: ".to_string(),
        Some(Writer::Colleague(name)) if seen_newest => format!("{}: ", text::one_line(name)),
        Some(Writer::Guest) if seen_newest => "Guest: ".to_string(),
        _ => String::new(),
    };
    c.last_message
        .as_deref()
        .map(|m| text::line_preview(&format!("{by}{m}"), width))
        .unwrap_or_default()
}

/// One conversation's rows: room, name, marks, unread badge and wait or age; then the preview.
fn draw_row(frame: &mut Frame, app: &App, theme: &Theme, id: ConversationId, inner: Rect, y: u16) {
    let w = inner.width as usize;
    let Some(c) = app.conversations.get(&id) else {
        return;
    };
    let unread = c.unread_count > 0;
    let badge = if unread {
        format!(" ●{}", c.unread_count)
    } else {
        String::new()
    };
    let (when, pressure) = row_when(app, id, c);
    let room = format!("{:>4} ", c.room_number);
    let right = format!("{badge} {when:>6}");
    let full_name = app.conversation_name(id);
    let room_for = w.saturating_sub(text::width(&room) + text::width(&right));
    let marks = row_marks(app, id, room_for, text::width(&full_name));
    let name_w = room_for.saturating_sub(text::width(&marks));
    let name = text::line_preview(&full_name, name_w);
    let base = if app.selected == Some(id) {
        theme.selected
    } else {
        Style::new()
    };
    let marked = base.patch(theme.unread).add_modifier(Modifier::BOLD);
    let line1 = Line::from(vec![
        Span::styled(room, base.add_modifier(Modifier::BOLD)),
        Span::styled(name, if unread { marked } else { base }),
        Span::styled(marks, base.patch(theme.dim)),
    ]);
    let when_style = match pressure {
        Some(Pressure::Urgent) => base.patch(theme.error).add_modifier(Modifier::BOLD),
        Some(Pressure::Attention) => base.patch(theme.accent).add_modifier(Modifier::BOLD),
        Some(Pressure::Waiting) => base.add_modifier(Modifier::BOLD),
        None => base.patch(theme.dim),
    };
    let right_line = Line::from(vec![
        Span::styled(badge, if unread { marked } else { base }),
        Span::styled(format!(" {when:>6}"), when_style),
    ]);
    let line2 = Line::from(vec![
        Span::raw("     "),
        Span::styled(
            row_preview(app, id, c, w.saturating_sub(5)),
            base.patch(theme.dim),
        ),
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

/// Draws the open thread; returns where its links are.
/// The thread pane with no conversation open: how to open one.
fn draw_no_thread(frame: &mut Frame, theme: &Theme, r: Rect) {
    let block = pane_block(" Thread ".into(), false, theme);
    let inner = block.inner(r);
    frame.render_widget(block, r);
    frame.render_widget(
        Paragraph::new(
            "Pick a conversation and press Enter. n jumps to the guest who has waited longest.",
        )
        .style(theme.dim)
        .wrap(ratatui::widgets::Wrap { trim: true }),
        inner,
    );
}

/// Appends the message blocks from `first` on until `(width, rows)` are filled, and returns
/// where their links sit (row in `lines`, column, shown text, address).
fn message_rows<'a>(
    app: &App,
    thread: &Thread,
    first: MessageId,
    (width, rows): (usize, usize),
    theme: &Theme,
    lines: &mut Vec<Line<'a>>,
) -> Vec<(usize, u16, String, String)> {
    let mut links = Vec::new();
    for m in thread.messages.range(first..).map(|(_, m)| m) {
        let prev = thread.prev_of(m.id);
        let selected = thread.selected == Some(m.id);
        let (block, block_links) =
            layout::message_lines_with_links(app, prev, m, width, selected, theme);
        let base = lines.len();
        links.extend(
            block_links
                .into_iter()
                .map(|(i, x, shown, url)| (base + i, x, shown, url)),
        );
        lines.extend(block);
        if lines.len() > rows {
            break;
        }
    }
    links
}

pub(crate) fn draw_thread(
    frame: &mut Frame,
    app: &App,
    theme: &Theme,
    r: Rect,
) -> Vec<layout::LinkSpot> {
    let Some(open) = app.open else {
        draw_no_thread(frame, theme, r);
        return Vec::new();
    };
    let block = pane_block(thread_title(app, open), app.focus == Focus::Thread, theme);
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
    let skip = start.map_or(0, |(_, s)| s);
    let links = match start {
        Some((id, _)) => message_rows(app, thread, id, (w, skip + view_h), theme, &mut lines),
        None => Vec::new(),
    };
    if thread.messages.is_empty() && thread.fetch == Fetch::Done {
        lines.push(Line::styled("No messages yet.", theme.dim));
    }
    // Our replies still on their way sit at the bottom, then what was handed on.
    lines.extend(pending_lines(app, open, theme, w));
    lines.extend(hand_off_lines(app, open, theme, w));
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
        draw_new_below(frame, theme, inner, thread.new_below);
    }
    spots
}

/// "Room 103 · Astrid Lindqvist · claimed by …".
fn thread_title(app: &App, open: ConversationId) -> String {
    let mut title = match app.conversations.get(&open) {
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
    // Shown from the desk's history, not yet read again from the server: say so.
    if app.threads.get(&open).is_some_and(|t| !t.kept.is_empty()) {
        title.push_str("· kept copy ");
    }
    title
}

/// Our replies still on their way, each with its state in words.
fn pending_lines<'a>(app: &'a App, open: ConversationId, theme: &Theme, w: usize) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
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
    lines
}

/// "→ Housekeeping (Orla Quinn) 14:02 · waiting", then "← Orla Quinn 14:05: On my way".
fn hand_off_lines<'a>(
    app: &'a App,
    open: ConversationId,
    theme: &Theme,
    w: usize,
) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    let at = |t| crate::ui::clock_time(app, t);
    for h in app.hand_offs.of(open) {
        let state = match &h.answer {
            None => "waiting",
            Some(_) => "answered",
        };
        lines.push(Line::styled(
            text::truncate(
                &format!(
                    "→ {} {} · {state}",
                    text::one_line(&h.to.describe()),
                    at(h.at)
                ),
                w,
            ),
            theme.accent,
        ));
        if let Some(a) = &h.answer {
            for (i, l) in text::wrap(
                &format!(
                    "← {} {}: {}",
                    text::one_line(&a.by),
                    at(a.at),
                    text::one_line(&a.text)
                ),
                w.max(1),
            )
            .into_iter()
            .enumerate()
            {
                let style = if i == 0 { theme.staff } else { theme.body };
                lines.push(Line::styled(l, style));
            }
            lines.push(Line::styled("  h puts it into your reply", theme.dim));
        }
    }
    lines
}

/// "3 new below ↓ (End)", over the last row.
fn draw_new_below(frame: &mut Frame, theme: &Theme, inner: Rect, n: usize) {
    let label = format!(" {n} new below ↓ (End) ");
    let lw = text::width(&label) as u16;
    let x = inner.x + inner.width.saturating_sub(lw) / 2;
    let y = inner.y + inner.height.saturating_sub(1);
    frame.render_widget(
        Paragraph::new(label).style(theme.accent.add_modifier(Modifier::REVERSED)),
        Rect::new(x, y, lw.min(inner.width), 1),
    );
}

/// A colleague's answer as the reply box shows it, to be put in the desk's words.
pub fn answer_quote(answer: &str) -> String {
    format!("↳ to put in your words: {answer}")
}

/// The reply box; where the cursor stands in it when it has the focus.
pub(crate) fn draw_composer(
    frame: &mut Frame,
    app: &App,
    theme: &Theme,
    r: Rect,
) -> Option<Position> {
    let focused = app.focus == Focus::Composer;
    let may_send = app.me.can(Capability::MessageSend);
    let title = if app.composer.editing.is_some() {
        " Edit your message (Enter saves, Esc cancels) ".to_string()
    } else if let Some(to) = &app.composer.hand_off {
        // Said plainly, first, so that a narrow box cuts the names, never the warning.
        let warning = " To colleagues, not the guest: hand-off to ";
        let room = (r.width as usize).saturating_sub(text::width(warning) + 3);
        format!(
            "{warning}{} ",
            text::truncate(&text::one_line(&to.describe()), room.max(1))
        )
    } else if let Some(u) = app.uploading {
        let pct = (u.sent * 100).checked_div(u.total).unwrap_or(0);
        format!(
            " Reply · uploading {pct}% of {} ",
            layout::human_size(u.total)
        )
    } else if may_send {
        // Whom Enter sends to, always in sight.
        match app
            .open
            .and_then(|o| app.conversations.get(&o).map(|c| (o, c)))
        {
            Some((o, c)) => format!(
                " Reply to Room {} · {} ",
                c.room_number,
                text::one_line(&app.conversation_name(o))
            ),
            None => " Reply ".to_string(),
        }
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
    if let Some(answer) = &app.composer.answer {
        // Whole: the clerk rephrases from it.
        for l in text::wrap(&answer_quote(answer), w) {
            lines.push(Line::styled(l, theme.quote));
        }
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
    if !focused || app.overlay.is_open() {
        return None;
    }
    let before = app.composer.before_cursor();
    let wrapped = text::wrap(&text::sanitize(before), w);
    let row = quote_rows + wrapped.len().saturating_sub(1);
    let col = wrapped.last().map(|l| text::width(l)).unwrap_or(0);
    let y = (row.saturating_sub(skip) as u16).min(inner.height.saturating_sub(1));
    Some(Position::new(
        inner.x + (col as u16).min(inner.width.saturating_sub(1)),
        inner.y + y,
    ))
}
