//! The Team view: colleagues' staff-chat conversations over the guest panes. The list (with
//! each one's unread, from `unread-count/`), the open conversation (older pages with PgUp),
//! and a reply line (`r` replies to the selected message). It holds what it shows; what must
//! reach the server leaves as an [`Outcome`].

use std::collections::{BTreeMap, HashMap};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::{Outcome, Popup, Reaction, one_line_paste, typed};
use crate::api::staff_models::{TeamMessage, TeamMessageId, TeamThread, TeamThreadId};
use crate::model::StaffId;
use crate::text;
use crate::theme::Theme;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TeamFocus {
    #[default]
    List,
    Thread,
    Reply,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamPane {
    pub messages: BTreeMap<TeamMessageId, TeamMessage>,
    pub has_more: bool,
    pub loading: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamScreen {
    pub me: StaffId,
    /// None until the conversations are read.
    pub threads: Option<Vec<TeamThread>>,
    pub unread: HashMap<TeamThreadId, u32>,
    pub trouble: Option<String>,
    pub selected: usize,
    pub open: Option<TeamThreadId>,
    pub panes: HashMap<TeamThreadId, TeamPane>,
    pub selected_message: Option<TeamMessageId>,
    pub focus: TeamFocus,
    /// What is typed, per conversation: kept when the view closes (the app holds it then).
    pub drafts: HashMap<TeamThreadId, String>,
    pub reply_to: Option<TeamMessageId>,
    pub sending: bool,
    /// The desk's time zone, for message times.
    pub offset: Option<chrono::FixedOffset>,
}

impl TeamScreen {
    pub fn new(me: StaffId, drafts: HashMap<TeamThreadId, String>) -> Self {
        TeamScreen {
            me,
            drafts,
            ..TeamScreen::default()
        }
    }

    pub fn fill(&mut self, threads: Vec<TeamThread>, unread: HashMap<TeamThreadId, u32>) {
        self.threads = Some(threads);
        self.unread = unread;
        self.trouble = None;
    }

    /// Messages of a conversation, merged by id (a page, or one from the live feed).
    pub fn merge(
        &mut self,
        thread: TeamThreadId,
        messages: &[TeamMessage],
        has_more: Option<bool>,
    ) {
        let pane = self.panes.entry(thread).or_default();
        pane.loading = false;
        if let Some(more) = has_more {
            // An older page's answer says whether anything is older still.
            if messages
                .first()
                .is_none_or(|m| pane.messages.keys().next().is_none_or(|k| m.id <= *k))
            {
                pane.has_more = more;
            }
        }
        for m in messages {
            pane.messages.insert(m.id, m.clone());
        }
        if self.open != Some(thread)
            && messages.iter().any(|m| m.sender != self.me)
            && has_more.is_none()
        {
            *self.unread.entry(thread).or_default() += 1;
        }
    }

    pub fn sent(&mut self, thread: TeamThreadId, m: TeamMessage) {
        self.sending = false;
        self.drafts.remove(&thread);
        self.reply_to = None;
        self.merge(thread, std::slice::from_ref(&m), None);
        self.focus = TeamFocus::Thread;
    }

    fn thread_ids(&self) -> Vec<TeamThreadId> {
        self.threads.iter().flatten().map(|t| t.id).collect()
    }

    /// "Housekeeping", or the other members' names for a one-to-one.
    pub fn title_of(&self, t: &TeamThread) -> String {
        if !t.title.trim().is_empty() {
            return t.title.clone();
        }
        t.participants
            .iter()
            .filter(|p| p.id != self.me)
            .map(|p| p.full_name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn move_message(&mut self, down: bool) {
        let Some(pane) = self.open.and_then(|o| self.panes.get(&o)) else {
            return;
        };
        let ids: Vec<TeamMessageId> = pane.messages.keys().copied().collect();
        let at = self
            .selected_message
            .and_then(|s| ids.iter().position(|i| *i == s));
        let next = match (at, down) {
            (None, _) => ids.last().copied(),
            (Some(i), true) => ids.get(i + 1).or(ids.last()).copied(),
            (Some(i), false) => ids.get(i.saturating_sub(1)).copied(),
        };
        self.selected_message = next;
    }

    fn open_selected(&mut self) -> Reaction {
        let Some(id) = self.thread_ids().get(self.selected).copied() else {
            return Reaction::Ignored;
        };
        self.open = Some(id);
        self.selected_message = None;
        self.focus = TeamFocus::Thread;
        self.unread.remove(&id);
        self.panes.entry(id).or_default().loading = true;
        Reaction::Tell(Outcome::OpenTeamThread(id))
    }

    fn on_reply_key(&mut self, key: KeyEvent) -> Reaction {
        let Some(open) = self.open else {
            return Reaction::Ignored;
        };
        match key.code {
            KeyCode::Esc => {
                self.focus = TeamFocus::Thread;
                Reaction::Redraw
            }
            KeyCode::Enter if !key.modifiers.contains(KeyModifiers::ALT) => {
                let text = self.drafts.get(&open).cloned().unwrap_or_default();
                if text.trim().is_empty() || self.sending {
                    return Reaction::Ignored;
                }
                self.sending = true;
                Reaction::Tell(Outcome::SendTeam {
                    thread: open,
                    text: text.trim_end().to_string(),
                    reply_to: self.reply_to,
                })
            }
            KeyCode::Backspace => {
                self.drafts.entry(open).or_default().pop();
                Reaction::Redraw
            }
            _ => match typed(&key) {
                Some(c) => {
                    self.drafts.entry(open).or_default().push(c);
                    Reaction::Redraw
                }
                None => Reaction::Ignored,
            },
        }
    }
}

impl Popup for TeamScreen {
    fn on_key(&mut self, key: KeyEvent) -> Reaction {
        if self.focus == TeamFocus::Reply {
            return self.on_reply_key(key);
        }
        let count = self.thread_ids().len();
        match (self.focus, key.code) {
            (_, KeyCode::Esc | KeyCode::Char('T'))
                if self.focus == TeamFocus::List || key.code == KeyCode::Char('T') =>
            {
                Reaction::Close(Outcome::TeamClosed(std::mem::take(&mut self.drafts)))
            }
            (TeamFocus::Thread, KeyCode::Esc) => {
                self.focus = TeamFocus::List;
                Reaction::Redraw
            }
            (_, KeyCode::Tab) => {
                self.focus = match self.focus {
                    TeamFocus::List if self.open.is_some() => TeamFocus::Thread,
                    _ => TeamFocus::List,
                };
                Reaction::Redraw
            }
            (TeamFocus::List, KeyCode::Down | KeyCode::Char('j')) => {
                self.selected = (self.selected + 1).min(count.saturating_sub(1));
                Reaction::Redraw
            }
            (TeamFocus::List, KeyCode::Up | KeyCode::Char('k')) => {
                self.selected = self.selected.saturating_sub(1);
                Reaction::Redraw
            }
            (TeamFocus::List, KeyCode::Enter) => self.open_selected(),
            (TeamFocus::Thread, KeyCode::Down | KeyCode::Char('j')) => {
                self.move_message(true);
                Reaction::Redraw
            }
            (TeamFocus::Thread, KeyCode::Up | KeyCode::Char('k')) => {
                self.move_message(false);
                Reaction::Redraw
            }
            (TeamFocus::Thread, KeyCode::Enter | KeyCode::Char('i')) => {
                self.reply_to = None;
                self.focus = TeamFocus::Reply;
                Reaction::Redraw
            }
            (TeamFocus::Thread, KeyCode::Char('r')) => {
                self.reply_to = self.selected_message.or_else(|| {
                    self.open
                        .and_then(|o| self.panes.get(&o)?.messages.keys().next_back().copied())
                });
                self.focus = TeamFocus::Reply;
                Reaction::Redraw
            }
            (TeamFocus::Thread, KeyCode::PageUp) => {
                let Some(open) = self.open else {
                    return Reaction::Ignored;
                };
                let pane = self.panes.entry(open).or_default();
                if !pane.has_more || pane.loading {
                    return Reaction::Ignored;
                }
                pane.loading = true;
                let before = pane.messages.keys().next().copied();
                Reaction::Tell(Outcome::OlderTeamPage {
                    thread: open,
                    before,
                })
            }
            _ => Reaction::Ignored,
        }
    }

    fn on_paste(&mut self, text: &str) -> Reaction {
        match (self.focus, self.open) {
            (TeamFocus::Reply, Some(open)) => {
                self.drafts
                    .entry(open)
                    .or_default()
                    .push_str(&one_line_paste(text));
                Reaction::Redraw
            }
            _ => Reaction::Ignored,
        }
    }

    fn hint(&self) -> &'static str {
        match self.focus {
            TeamFocus::List => {
                "Team: j/k choose · Enter opens · Tab thread · Esc or T back to guests"
            }
            TeamFocus::Thread => {
                "Team: j/k select · i write · r reply to selected · PgUp older · Esc list"
            }
            TeamFocus::Reply => {
                "Team reply: Enter sends to your colleagues · Esc stops writing (kept)"
            }
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        // Over the panes; the status line (top) and the hint line (bottom) stay.
        let r = Rect::new(
            area.x,
            area.y + 1.min(area.height),
            area.width,
            area.height.saturating_sub(2),
        );
        frame.render_widget(Clear, r);
        let list_w = (r.width / 3).clamp(20.min(r.width), 40);
        let list = Rect::new(r.x, r.y, list_w, r.height);
        let right = Rect::new(r.x + list_w, r.y, r.width.saturating_sub(list_w), r.height);
        self.draw_list(frame, list, theme);
        self.draw_thread(frame, right, theme);
    }
}

impl TeamScreen {
    fn draw_list(&self, frame: &mut Frame, r: Rect, theme: &Theme) {
        let block = theme.block(" Team ".into(), self.focus == TeamFocus::List);
        let inner = block.inner(r);
        frame.render_widget(block, r);
        let w = inner.width as usize;
        // A sentence in a narrow list is wrapped, not cut.
        let said = |words: &str, style| {
            text::wrap(words, w.max(1))
                .into_iter()
                .map(|l| Line::styled(l, style))
                .collect::<Vec<Line>>()
        };
        let lines: Vec<Line> = match (&self.threads, &self.trouble) {
            (_, Some(why)) => said(&format!("Staff chat could not be read: {why}"), theme.error),
            (None, None) => said("Reading colleagues' conversations…", theme.dim),
            (Some(t), None) if t.is_empty() => said(
                "No conversations with colleagues yet (f in a guest's thread starts one)",
                theme.dim,
            ),
            (Some(threads), None) => threads
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let unread = self.unread.get(&t.id).copied().unwrap_or(0);
                    let badge = if unread > 0 {
                        format!(" ●{unread}")
                    } else {
                        String::new()
                    };
                    let label =
                        text::truncate(&format!("{}{badge}", text::one_line(&self.title_of(t))), w);
                    let style = if i == self.selected {
                        theme.selected
                    } else if unread > 0 {
                        theme.unread
                    } else {
                        theme.body
                    };
                    Line::styled(label, style)
                })
                .collect(),
        };
        frame.render_widget(Paragraph::new(lines), inner);
    }

    fn draw_thread(&self, frame: &mut Frame, r: Rect, theme: &Theme) {
        let title = self
            .open
            .and_then(|o| self.threads.iter().flatten().find(|t| t.id == o))
            .map(|t| format!(" {} ", text::one_line(&self.title_of(t))))
            .unwrap_or_else(|| " Pick a conversation ".into());
        let block = theme.block(title, self.focus != TeamFocus::List);
        let inner = block.inner(r);
        frame.render_widget(block, r);
        let w = inner.width.max(1) as usize;
        let Some(open) = self.open else {
            return;
        };
        let pane = self.panes.get(&open);
        let mut lines: Vec<Line> = Vec::new();
        if pane.is_some_and(|p| p.has_more) {
            lines.push(Line::styled("  PgUp reads older messages", theme.dim));
        }
        for m in pane.iter().flat_map(|p| p.messages.values()) {
            let mark = if self.selected_message == Some(m.id) {
                "▶ "
            } else {
                ""
            };
            let style = if m.sender == self.me {
                theme.staff
            } else {
                theme.guest
            };
            lines.push(Line::from(vec![Span::styled(
                text::truncate(
                    &format!(
                        "{mark}{} · {}",
                        text::one_line(&m.sender_name),
                        self.offset
                            .map(|o| m.timestamp.with_timezone(&o).format("%H:%M").to_string())
                            .unwrap_or_else(|| m.timestamp.format("%H:%M UTC").to_string())
                    ),
                    w,
                ),
                style,
            )]));
            if let Some(r) = m.reply_to.and_then(|id| pane?.messages.get(&id)) {
                lines.push(Line::styled(
                    text::truncate(
                        &format!(
                            "  ↳ {}: {}",
                            text::one_line(&r.sender_name),
                            text::one_line(&r.message)
                        ),
                        w,
                    ),
                    theme.quote,
                ));
            }
            for l in text::wrap(&text::body(&m.message), w.saturating_sub(2).max(1)) {
                lines.push(Line::raw(format!("  {l}")));
            }
        }
        let reply_rows = 2usize;
        let view = (inner.height as usize).saturating_sub(reply_rows);
        let first = lines.len().saturating_sub(view);
        let shown: Vec<Line> = lines.into_iter().skip(first).collect();
        frame.render_widget(
            Paragraph::new(shown),
            Rect::new(inner.x, inner.y, inner.width, view as u16),
        );
        let draft = self.drafts.get(&open).map(String::as_str).unwrap_or("");
        let head = match (self.sending, self.reply_to) {
            (true, _) => "sending…".to_string(),
            (false, Some(id)) => format!("↳ replying to message {}", id.0),
            (false, None) => "reply to your colleagues".to_string(),
        };
        let cursor = if self.focus == TeamFocus::Reply {
            "▏"
        } else {
            ""
        };
        frame.render_widget(
            Paragraph::new(vec![
                Line::styled(text::truncate(&head, w), theme.dim),
                Line::raw(text::truncate(
                    &format!("> {}{cursor}", text::one_line(draft)),
                    w,
                )),
            ]),
            Rect::new(
                inner.x,
                inner.y + view as u16,
                inner.width,
                reply_rows as u16,
            ),
        );
    }
}
