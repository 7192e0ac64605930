//! Keys and mouse: the keymap first, then the popup's own keys, then typing.

use super::*;

impl App {
    pub(crate) fn on_key(&mut self, key: KeyEvent) -> Vec<Command> {
        if key.kind == KeyEventKind::Release {
            self.dirty = false;
            return vec![];
        }
        // Any key dismisses an informational notice; errors stay until the next key too.
        self.notice = None;
        if self.overlay != Overlay::None {
            let allowed = self.allowed();
            let global = self.keymap.global(&key, &allowed);
            drop(allowed);
            match global {
                // Asked already whether to quit with unsent replies: a second Ctrl-C is yes.
                Some(Action::Quit) if matches!(&self.overlay, Overlay::Confirm(c) if c.then == Confirmed::Quit) =>
                {
                    self.overlay = Overlay::None;
                    return self.quit_now();
                }
                Some(Action::Quit) => {
                    self.overlay = Overlay::None;
                    return self.on_action(Action::Quit);
                }
                Some(Action::Suspend) => return self.on_action(Action::Suspend),
                _ => {}
            }
        }
        if self.overlay.is_open() {
            return self.on_popup_key(key);
        }
        let allowed = self.allowed();
        let action = self.keymap.lookup(self.scope(), &key, &allowed);
        drop(allowed);
        match action {
            Some(a) => self.on_action(a),
            None if self.focus == Focus::Composer => self.on_composer_key(key),
            None => self.key_does_nothing(key),
        }
    }

    /// A key with no binding here says so, so that what was typed next does not go where
    /// the clerk did not mean (a room number typed into a thread, then Enter).
    fn key_does_nothing(&mut self, key: KeyEvent) -> Vec<Command> {
        let typed = match key.code {
            KeyCode::Char(c)
                if !key
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                c
            }
            _ => {
                self.dirty = false;
                return vec![];
            }
        };
        let here = match self.focus {
            Focus::Thread => "in the thread",
            _ => "in the list",
        };
        let text = if typed.is_ascii_digit() {
            format!(
                "{typed} does nothing {here}: o, then the room number, opens a room (? lists the keys)"
            )
        } else {
            format!("{typed} does nothing {here} (? lists the keys)")
        };
        self.notice(Level::Info, text);
        vec![]
    }

    pub(crate) fn on_action(&mut self, action: Action) -> Vec<Command> {
        match action {
            a @ (Action::NextPane
            | Action::PrevPane
            | Action::Down
            | Action::Up
            | Action::Top
            | Action::Bottom
            | Action::HalfPageDown
            | Action::HalfPageUp
            | Action::PageUp
            | Action::PageDown) => return self.on_move(a),
            // Esc in the list clears the filter; elsewhere it leaves the reply box or thread.
            Action::Leave if self.focus == Focus::List => return self.on_move(Action::Leave),
            a @ (Action::Write
            | Action::QuoteReply
            | Action::ClearQuote
            | Action::Send
            | Action::Newline
            | Action::Leave
            | Action::Editor
            | Action::Canned
            | Action::Retry
            | Action::SendAndNext
            | Action::Attach) => return self.on_reply_action(a),
            a @ (Action::Claim
            | Action::Edit
            | Action::Delete
            | Action::HardDelete
            | Action::DeleteAttachment
            | Action::Copy) => return self.on_message_action(a),
            Action::Quit if !self.pending.is_empty() => {
                let n = self.pending.len();
                self.ask(
                    format!(
                        "{n} {} not confirmed yet. {} in the outbox and {} checked and sent when frontdesk next starts. Quit now? y/n",
                        if n == 1 { "reply is" } else { "replies are" },
                        if n == 1 { "It stays" } else { "They stay" },
                        if n == 1 { "is" } else { "are" },
                    ),
                    Confirmed::Quit,
                );
            }
            Action::Quit => return self.quit_now(),
            Action::Help => self.open_help(),
            Action::Suspend => {
                let mut c = self.stash_draft();
                c.push(Command::Effect(Effect::Suspend));
                return c;
            }
            Action::Open => {
                if let Some(id) = self.selected {
                    return self.open_conversation(id, Focus::Composer);
                }
            }
            Action::NextUnread => return self.next_waiting(),
            Action::ToggleOrder => self.toggle_order(),
            Action::Filter => {
                // The filter narrows the list: that is where the clerk goes next.
                self.focus = Focus::List;
                self.open_filter();
            }
            Action::Search => return self.open_search(),
            Action::HandOff => return self.start_hand_off(),
            Action::Team => return self.open_team(),
            Action::QuoteAnswer => return self.quote_hand_off_answer(),
            Action::OpenRoom => self.overlay = Overlay::RoomPrompt(Default::default()),
            Action::Done => return self.mark_done(),
            Action::Later => return self.ask_later(),
            Action::Undo => return self.undo_mark(),
        }
        vec![]
    }

    /// Moving: panes, the list (and clearing its filter), the thread.
    fn on_move(&mut self, action: Action) -> Vec<Command> {
        match action {
            Action::NextPane | Action::PrevPane => {
                let forward = action == Action::NextPane;
                self.focus = match (self.focus, self.open.is_some(), forward) {
                    (_, false, _) => Focus::List,
                    (Focus::List, true, true) => Focus::Thread,
                    (Focus::Thread, true, true) => Focus::Composer,
                    (Focus::Composer, true, true) => Focus::List,
                    (Focus::List, true, false) => Focus::Composer,
                    (Focus::Thread, true, false) => Focus::List,
                    (Focus::Composer, true, false) => Focus::Thread,
                };
            }
            Action::Down if self.focus == Focus::List => self.select_relative(1),
            Action::Up if self.focus == Focus::List => self.select_relative(-1),
            Action::Top if self.focus == Focus::List => self.select_relative(isize::MIN / 2),
            Action::Bottom if self.focus == Focus::List => self.select_relative(isize::MAX / 2),
            Action::HalfPageDown | Action::HalfPageUp if self.focus == Focus::List => {
                let half = (geometry::list_capacity(self) / 2).max(1) as isize;
                let down = action == Action::HalfPageDown;
                self.select_relative(if down { half } else { -half });
            }
            Action::HalfPageDown | Action::HalfPageUp => {
                let down = action == Action::HalfPageDown;
                self.with_thread(|t, h, hs| {
                    let rows = (h / 2).max(1);
                    if down {
                        t.scroll_down(rows, h, hs)
                    } else {
                        t.scroll_up(rows, h, hs)
                    }
                });
            }
            Action::Leave if self.focus == Focus::List => {
                if self.filter.is_empty() {
                    self.dirty = false;
                } else {
                    self.filter.clear();
                    self.after_filter_change();
                }
            }
            Action::Down => {
                self.with_thread(|t, h, hs| t.move_selection(1, h, hs));
            }
            Action::Up => {
                self.with_thread(|t, h, hs| t.move_selection(-1, h, hs));
            }
            Action::PageUp => {
                self.with_thread(|t, h, hs| t.scroll_up(h.saturating_sub(2).max(1), h, hs));
            }
            Action::PageDown => {
                self.with_thread(|t, h, hs| t.scroll_down(h.saturating_sub(2).max(1), h, hs));
            }
            Action::Top => {
                self.with_thread(|t, _, _| t.scroll_to_top());
            }
            Action::Bottom => {
                self.with_thread(|t, _, _| {
                    t.follow();
                    t.selected = t.newest_id();
                });
            }
            _ => {}
        }
        vec![]
    }

    /// Writing: the reply box, quoting, canned replies, files, retrying.
    fn on_reply_action(&mut self, action: Action) -> Vec<Command> {
        match action {
            Action::Write if self.open.is_some() => self.focus = Focus::Composer,
            Action::QuoteReply => {
                let selected = self
                    .open
                    .and_then(|o| self.threads.get(&o))
                    .and_then(|t| t.selected.or(t.newest_id()));
                if let Some(id) = selected {
                    self.composer.reply_to = Some(id);
                    self.focus = Focus::Composer;
                    return self.stash_draft();
                }
            }
            Action::ClearQuote => {
                self.composer.reply_to = None;
                self.composer.answer = None;
                return self.stash_draft();
            }
            Action::Send if self.composer.editing.is_some() => {
                if let Some((id, _)) = self.composer.editing {
                    let text = self.composer.text().trim().to_string();
                    if text.is_empty() {
                        self.notice(Level::Info, "An edit cannot be empty; d deletes instead");
                    } else {
                        self.ask(
                            "Save this edit? The guest sees it marked (edited). y/n",
                            Confirmed::Edit { message: id, text },
                        );
                    }
                }
            }
            Action::Send if self.composer.hand_off.is_some() => return self.send_hand_off(),
            Action::Send => return self.send(),
            Action::SendAndNext => {
                let typed = !self.composer.text().trim().is_empty();
                let mut c = self.send();
                // Sent (the composer emptied): on to the next guest. Not sent: stay, the
                // notice says why.
                if typed && self.composer.text().is_empty() && !self.overlay.is_open() {
                    c.extend(self.next_waiting());
                }
                return c;
            }
            Action::Newline => {
                self.composer.insert("\n");
                return self.stash_draft();
            }
            Action::Leave if self.composer.editing.is_some() => {
                if let Some((_, draft)) = self.composer.editing.take() {
                    self.composer.set(draft);
                }
                self.focus = Focus::Thread;
                self.notice(Level::Info, "Edit cancelled; your draft is back");
            }
            Action::Leave => {
                self.focus = match self.focus {
                    Focus::Composer => Focus::Thread,
                    _ => Focus::List,
                };
            }
            Action::Editor if self.open.is_some() => {
                return vec![Command::Effect(Effect::OpenEditor(
                    self.composer.text().to_string(),
                ))];
            }
            Action::Canned => self.open_canned(),
            Action::Retry => return self.retry(),
            Action::Attach => self.open_attach(),
            _ => {}
        }
        vec![]
    }

    /// Acting on a message or conversation: claim, edit, delete, copy.
    fn on_message_action(&mut self, action: Action) -> Vec<Command> {
        match action {
            Action::Claim => {
                let target = if self.focus == Focus::List {
                    self.selected
                } else {
                    self.open
                };
                if let Some(id) = target {
                    if let Some(Holder::Colleague(name)) = self.service.holder(id) {
                        let name = name.clone();
                        self.ask(
                            format!("{name} is handling this conversation. Claim it anyway? y/n"),
                            Confirmed::Claim(id),
                        );
                        return vec![];
                    }
                    return vec![Command::Job(Job::Claim(id))];
                }
            }
            Action::Edit => return self.start_edit(),
            Action::Delete | Action::HardDelete => {
                return self.ask_delete(action == Action::HardDelete);
            }
            Action::DeleteAttachment => return self.ask_delete_attachment(),
            Action::Copy => {
                if let Some(m) = self.selected_message() {
                    let (what, text) = match m.attachments.first() {
                        Some(a) => ("link", a.file_url.clone()),
                        None => ("message", m.message.clone()),
                    };
                    self.notice(
                        Level::Info,
                        format!("Copied the {what} to the clipboard (OSC 52)"),
                    );
                    return vec![Command::Effect(Effect::Copy(text))];
                }
                self.notice(Level::Info, "Nothing to copy: select a message first (j/k)");
            }
            _ => {}
        }
        vec![]
    }

    pub(crate) fn quit_now(&mut self) -> Vec<Command> {
        self.quit = true;
        let mut c = self.stash_draft();
        c.push(self.save_drafts());
        c.push(Command::Effect(Effect::Quit));
        c
    }

    pub(crate) fn on_mouse(&mut self, m: MouseEvent) -> Vec<Command> {
        let areas = geometry::areas(self);
        let inside = |r: Option<ratatui::layout::Rect>| {
            r.is_some_and(|r| {
                m.column >= r.x
                    && m.column < r.x + r.width
                    && m.row >= r.y
                    && m.row < r.y + r.height
            })
        };
        match m.kind {
            MouseEventKind::ScrollUp if inside(areas.thread) => {
                self.with_thread(|t, h, hs| t.scroll_up(3, h, hs));
            }
            MouseEventKind::ScrollDown if inside(areas.thread) => {
                self.with_thread(|t, h, hs| t.scroll_down(3, h, hs));
            }
            MouseEventKind::ScrollUp if inside(areas.list) => self.select_relative(-1),
            MouseEventKind::ScrollDown if inside(areas.list) => self.select_relative(1),
            MouseEventKind::Down(_) if inside(areas.list) => {
                if let Some(list) = areas.list {
                    let row =
                        (m.row.saturating_sub(list.y + 1) / geometry::LIST_ROW_HEIGHT) as usize;
                    if let Some(id) = self.visible_order().get(self.list_offset + row).copied() {
                        return self.open_conversation(id, Focus::Composer);
                    }
                }
            }
            MouseEventKind::Down(_) if inside(areas.composer) => {
                if self.open.is_some() {
                    self.focus = Focus::Composer;
                }
            }
            MouseEventKind::Down(_) if inside(areas.thread) => self.focus = Focus::Thread,
            _ => self.dirty = false,
        }
        vec![]
    }

    pub(crate) fn confirmed(&mut self, then: Confirmed) -> Vec<Command> {
        match then {
            Confirmed::Quit => return self.quit_now(),
            Confirmed::Claim(id) => return vec![Command::Job(Job::Claim(id))],
            _ => {}
        }
        let Some(conversation) = self.open else {
            return vec![];
        };
        match then {
            Confirmed::Edit { message, text } => vec![Command::Job(Job::EditMessage {
                conversation,
                message,
                text,
            })],
            Confirmed::Delete { message, hard } => vec![Command::Job(Job::DeleteMessage {
                conversation,
                message,
                hard,
            })],
            Confirmed::DeleteAttachment {
                message,
                attachment,
            } => {
                vec![Command::Job(Job::DeleteAttachment {
                    conversation,
                    message,
                    attachment,
                })]
            }
            Confirmed::SendToEarlierStay => self.send_now(),
            Confirmed::Quit => self.quit_now(),
            Confirmed::Claim(id) => vec![Command::Job(Job::Claim(id))],
        }
    }

    pub(crate) fn ask_delete(&mut self, hard: bool) -> Vec<Command> {
        let Some(m) = self.selected_message().cloned() else {
            self.notice(Level::Info, "Select a message first (j/k)");
            return vec![];
        };
        let moderator = self.me.can(Capability::MessageModerate);
        if !self.is_mine(&m) && !moderator {
            self.notice(
                Level::Info,
                "Only your own messages can be deleted (moderators may delete any)",
            );
            return vec![];
        }
        if m.is_deleted && !hard {
            self.notice(Level::Info, "Already deleted");
            return vec![];
        }
        let question = if hard {
            "Delete this message for good? It cannot be recovered. y/n"
        } else {
            "Delete this message? The guest sees it as deleted. y/n"
        };
        self.ask(
            question,
            Confirmed::Delete {
                message: m.id,
                hard,
            },
        );
        vec![]
    }

    pub(crate) fn ask_delete_attachment(&mut self) -> Vec<Command> {
        let Some(m) = self.selected_message().cloned() else {
            self.notice(
                Level::Info,
                "Select a message with an attachment first (j/k)",
            );
            return vec![];
        };
        let Some(a) = m.attachments.first() else {
            self.notice(Level::Info, "The selected message has no attachment");
            return vec![];
        };
        if !self.is_mine(&m) && !self.me.can(Capability::MessageModerate) {
            self.notice(Level::Info, "Only your own attachments can be deleted");
            return vec![];
        }
        self.ask(
            format!(
                "Delete the attachment {}? y/n",
                crate::text::one_line(&a.file_name)
            ),
            Confirmed::DeleteAttachment {
                message: m.id,
                attachment: a.id,
            },
        );
        vec![]
    }
}
