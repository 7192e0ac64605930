//! Popups drawn over the panes: the help (keys and marks), prompts, y/n questions, canned
//! replies, sign-in, files to send.

use super::*;

pub(crate) fn popup(area: Rect, w: u16, h: u16) -> Rect {
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
pub(crate) fn marks(theme: &Theme) -> Vec<Line<'static>> {
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

pub(crate) fn draw_help(frame: &mut Frame, app: &App, theme: &Theme, area: Rect, top: usize) {
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

pub(crate) fn draw_prompt(
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
pub(crate) fn draw_question(frame: &mut Frame, theme: &Theme, area: Rect, question: &str) {
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

pub(crate) fn draw_canned(
    frame: &mut Frame,
    app: &App,
    theme: &Theme,
    area: Rect,
    selected: usize,
) {
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

pub(crate) fn draw_sign_in(
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

pub(crate) fn draw_attach(
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
