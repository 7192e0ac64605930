//! Where each pane goes, and how tall a message block is. Pure functions of the state, shared
//! by drawing and by `update` (scrolling needs the same geometry the screen uses).

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Utc};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::thread::Thread;
use super::{App, Focus};
use crate::api::{Message, MessageId, SenderType};
pub use crate::model::LinkSpot;
use crate::text;

use crate::theme::Theme;

/// Below this width only one pane shows at a time.
pub const NARROW: u16 = 90;
pub const LIST_ROW_HEIGHT: u16 = 2;

#[derive(Debug, Clone, Copy, Default)]
pub struct Areas {
    pub list: Option<Rect>,
    pub thread: Option<Rect>,
    pub composer: Option<Rect>,
    pub status: Rect,
    pub hints: Rect,
}

fn composer_height(app: &App, width: u16) -> u16 {
    let inner = width.saturating_sub(2).max(1) as usize;
    let lines: usize = crate::text::wrap(app.composer.text(), inner).len();
    let answer = app.composer.answer.as_deref().map_or(0, |a| {
        crate::text::wrap(&crate::ui::answer_quote(a), inner).len()
    });
    let quote = usize::from(app.composer.reply_to.is_some()) + answer;
    (lines + quote + 2).clamp(3, 10) as u16
}

pub fn areas(app: &App) -> Areas {
    let (w, h) = app.size;
    if h < 3 {
        return Areas {
            status: Rect::new(0, 0, w, h.min(1)),
            hints: Rect::new(0, h.min(1), w, h.saturating_sub(1)),
            ..Areas::default()
        };
    }
    let status = Rect::new(0, 0, w, 1);
    let hints = Rect::new(0, h - 1, w, 1);
    let body = Rect::new(0, 1, w, h - 2);
    let show_thread = app.open.is_some();
    let narrow = w < NARROW;
    let (list, right) = if narrow {
        if show_thread && app.focus != Focus::List {
            (None, Some(body))
        } else {
            (Some(body), None)
        }
    } else {
        let lw = (w * 2 / 5).clamp(30, 48).min(w);
        (
            Some(Rect::new(0, body.y, lw, body.height)),
            Some(Rect::new(lw, body.y, w - lw, body.height)),
        )
    };
    let (thread, composer) = match right {
        Some(r) if show_thread => {
            let ch = composer_height(app, r.width).min(r.height.saturating_sub(2));
            (
                Some(Rect::new(r.x, r.y, r.width, r.height - ch)),
                Some(Rect::new(r.x, r.y + r.height - ch, r.width, ch)),
            )
        }
        Some(r) => (Some(r), None),
        None => (None, None),
    };
    Areas {
        list,
        thread,
        composer,
        status,
        hints,
    }
}

/// Inner width and height of the thread view (inside its border).
pub fn thread_view_size(app: &App) -> (usize, usize) {
    match areas(app).thread {
        Some(r) => (
            r.width.saturating_sub(2).max(1) as usize,
            r.height.saturating_sub(2).max(1) as usize,
        ),
        None => (1, 1),
    }
}

/// How many conversations fit in the list.
pub fn list_capacity(app: &App) -> usize {
    areas(app)
        .list
        .map(|r| (r.height.saturating_sub(2) / LIST_ROW_HEIGHT) as usize)
        .unwrap_or(0)
}

/// What a message block's height depends on: the memo's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct HeightKey {
    width: u32,
    new_day: bool,
    fingerprint: u64,
}

/// Entries before the memo starts again (a few MB at most).
const HEIGHT_MEMO_CAP: usize = 20_000;

thread_local! {
    /// A memo of a pure function, as ratatui memoises its layouts: an entry counts only when
    /// its key (every input) matches, so it can never be stale, and it is nobody's state.
    /// Wrapping is the costly part of a frame and of every scroll step.
    static HEIGHTS: std::cell::RefCell<HashMap<MessageId, (HeightKey, usize)>> =
        std::cell::RefCell::new(HashMap::new());
}

/// Rows of a message block: a pure function of the message, its width and whether a day
/// break comes before it.
pub fn message_height(app: &App, prev: Option<&Message>, m: &Message, width: usize) -> usize {
    let new_day = prev.is_none_or(|p| local_day(app, p.timestamp) != local_day(app, m.timestamp));
    let key = HeightKey {
        width: width as u32,
        new_day,
        fingerprint: fingerprint(m),
    };
    let memo = HEIGHTS.with_borrow(|memo| memo.get(&m.id).copied());
    if let Some((k, h)) = memo
        && k == key
    {
        return h;
    }
    let h = message_lines(app, prev, m, width, false, &Theme::plain()).len();
    HEIGHTS.with_borrow_mut(|memo| {
        if memo.len() > HEIGHT_MEMO_CAP {
            memo.clear();
        }
        memo.insert(m.id, (key, h));
    });
    h
}

/// What a message's height depends on, hashed.
fn fingerprint(m: &Message) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    m.message.hash(&mut h);
    m.is_deleted.hash(&mut h);
    m.reply_to.hash(&mut h);
    m.reply_to_message.is_some().hash(&mut h);
    for a in &m.attachments {
        a.file_url.is_empty().hash(&mut h);
    }
    m.attachments.len().hash(&mut h);
    (m.sender_type as u8).hash(&mut h);
    h.finish()
}

fn local_day(app: &App, t: DateTime<Utc>) -> chrono::NaiveDate {
    t.with_timezone(&app.clock.offset).date_naive()
}

/// "Tuesday 24 November" (with the year when not this year).
pub fn day_label(app: &App, t: DateTime<Utc>) -> String {
    let local = t.with_timezone(&app.clock.offset);
    let today = local_day(app, app.clock.now);
    let day = local.date_naive();
    if day == today {
        return "Today".into();
    }
    if Some(day) == today.pred_opt() {
        return "Yesterday".into();
    }
    if day.year() == today.year() {
        local.format("%A %-d %B").to_string()
    } else {
        local.format("%A %-d %B %Y").to_string()
    }
}

/// A link line inside a message block: (line index, column, shown text, url).
pub type BlockLink = (usize, u16, String, String);

/// Only plain http(s) URLs of printable ASCII go into an OSC 8 sequence: nothing in them can
/// end or extend the escape.
pub fn hyperlink_safe(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && url.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

pub fn message_lines(
    app: &App,
    prev: Option<&Message>,
    m: &Message,
    width: usize,
    selected: bool,
    theme: &Theme,
) -> Vec<Line<'static>> {
    message_lines_with_links(app, prev, m, width, selected, theme).0
}

pub fn message_lines_with_links(
    app: &App,
    prev: Option<&Message>,
    m: &Message,
    width: usize,
    selected: bool,
    theme: &Theme,
) -> (Vec<Line<'static>>, Vec<BlockLink>) {
    let mut links: Vec<BlockLink> = Vec::new();
    let width = width.max(1);
    let mut out: Vec<Line<'static>> = Vec::new();
    let new_day = prev.is_none_or(|p| local_day(app, p.timestamp) != local_day(app, m.timestamp));
    if new_day {
        let label = format!(" {} ", day_label(app, m.timestamp));
        out.push(centered(&label, width, '─', theme.dim));
    }
    let time = m
        .timestamp
        .with_timezone(&app.clock.offset)
        .format("%H:%M")
        .to_string();
    if m.sender_type == SenderType::System {
        let body = format!("{} · {time}", text::one_line(&m.message));
        for l in text::wrap(&body, width) {
            out.push(centered(&l, width, ' ', theme.system));
        }
        out.push(Line::default());
        return (out, links);
    }
    let mine = m.sender_type == SenderType::Staff && m.staff == Some(app.me.staff_id);
    let indent = if m.sender_type == SenderType::Staff {
        (width / 6).min(8)
    } else {
        0
    };
    let pad = " ".repeat(indent);
    let inner = width.saturating_sub(indent + 2).max(1);
    let name_style = if m.sender_type == SenderType::Staff {
        theme.staff
    } else {
        theme.guest
    };
    // The marks ("· you", "(edited)", "· new") and the time are kept whole: the name gives way.
    let marks = header_marks(m, mine, theme);
    let marks_w: usize = marks.iter().map(|s| text::width(&s.content)).sum();
    let arrow = if selected { 2 } else { 0 };
    let author = text::truncate(
        &text::one_line(&app.author(m)),
        width
            .saturating_sub(indent + arrow + 3 + time.len() + marks_w)
            .max(4),
    );
    let mut header = vec![
        Span::raw(pad.clone()),
        Span::styled(if selected { "▶ " } else { "" }.to_string(), theme.accent),
        Span::styled(author, name_style),
        Span::styled(format!(" · {time}"), theme.dim),
    ];
    header.extend(marks);
    out.push(Line::from(header));
    body_lines(m, &pad, inner, theme, &mut out);
    for a in &m.attachments {
        attachment_lines(a, indent, inner, theme, &mut out, &mut links);
    }
    out.push(Line::default());
    (out, links)
}

/// The quoted message, then the text (or that it was deleted), indented under the header.
fn body_lines(m: &Message, pad: &str, inner: usize, theme: &Theme, out: &mut Vec<Line<'static>>) {
    let indented = |span: Span<'static>| Line::from(vec![Span::raw(format!("{pad}  ")), span]);
    if let Some(q) = &m.reply_to_message {
        let who = q.sender_name.clone().unwrap_or_else(|| "message".into());
        let quote = format!("↳ {}: {}", text::one_line(&who), text::one_line(&q.message));
        out.push(indented(Span::styled(
            text::truncate(&quote, inner),
            theme.quote,
        )));
    } else if let Some(id) = m.reply_to {
        out.push(indented(Span::styled(
            format!("↳ reply to message {id}"),
            theme.quote,
        )));
    }
    if m.is_deleted {
        out.push(indented(Span::styled(
            "[message deleted]".to_string(),
            theme.dim.add_modifier(Modifier::ITALIC),
        )));
    } else if !m.message.is_empty() {
        let body = text::body(&m.message);
        for l in text::wrap(&body, inner) {
            out.push(indented(Span::styled(l, theme.body)));
        }
    }
}

/// "· you", "(edited)", "· new" after the author and time.
fn header_marks(m: &Message, mine: bool, theme: &Theme) -> Vec<Span<'static>> {
    let mut marks = Vec::new();
    if mine {
        marks.push(Span::styled(" · you".to_string(), theme.dim));
    }
    if m.is_edited && !m.is_deleted {
        marks.push(Span::styled(" (edited)".to_string(), theme.dim));
    }
    if m.sender_type == SenderType::Guest && !m.read_by_staff {
        marks.push(Span::styled(" · new".to_string(), theme.unread));
    }
    marks
}

/// An attachment's line, and its link's (recorded for the OSC 8 hyperlink when it is safe).
fn attachment_lines(
    a: &crate::api::Attachment,
    indent: usize,
    inner: usize,
    theme: &Theme,
    out: &mut Vec<Line<'static>>,
    links: &mut Vec<BlockLink>,
) {
    let pad = " ".repeat(indent);
    let kind = if a.file_type == "image" {
        "image"
    } else {
        a.file_type.as_str()
    };
    let label = format!(
        "📎 {} ({}, {})",
        text::one_line(&a.file_name),
        text::one_line(kind),
        human_size(a.file_size)
    );
    out.push(Line::from(vec![
        Span::raw(format!("{pad}  ")),
        Span::styled(text::truncate(&label, inner), theme.attachment),
    ]));
    let url = text::one_line(&a.file_url);
    if url.is_empty() {
        return;
    }
    let shown = text::truncate(&url, inner.saturating_sub(2).max(1));
    if hyperlink_safe(&a.file_url) {
        links.push((
            out.len(),
            (indent + 4) as u16,
            shown.clone(),
            a.file_url.clone(),
        ));
    }
    out.push(Line::from(vec![
        Span::raw(format!("{pad}    ")),
        Span::styled(shown, theme.link),
    ]));
}

pub fn human_size(bytes: u64) -> String {
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < 1024 * 1024 {
        format!("{:.0} KB", bytes as f64 / 1024.0)
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    }
}

fn centered(label: &str, width: usize, fill: char, style: Style) -> Line<'static> {
    let lw = text::width(label);
    if lw >= width {
        return Line::styled(text::truncate(label, width), style);
    }
    let left = (width - lw) / 2;
    let right = width - lw - left;
    let f = fill.to_string();
    Line::styled(
        format!("{}{label}{}", f.repeat(left), f.repeat(right)),
        style,
    )
}

impl App {
    pub(crate) fn thread_view(&self) -> (usize, usize) {
        thread_view_size(self)
    }

    pub fn heights(&self) -> impl Fn(Option<&Message>, &Message) -> usize + '_ {
        let (w, _) = self.thread_view();
        move |prev, m| message_height(self, prev, m, w)
    }

    pub(crate) fn with_thread<R>(
        &mut self,
        f: impl FnOnce(&mut Thread, usize, &dyn Fn(Option<&Message>, &Message) -> usize) -> R,
    ) -> Option<R> {
        let open = self.open?;
        let (w, h) = self.thread_view();
        // Heights need &self while the thread is borrowed mutably: take it out briefly.
        let mut thread = self.threads.remove(&open)?;
        let r = {
            let heights = |prev: Option<&Message>, m: &Message| message_height(self, prev, m, w);
            f(&mut thread, h, &heights)
        };
        self.threads.insert(open, thread);
        Some(r)
    }
}
