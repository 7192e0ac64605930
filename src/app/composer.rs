//! The reply box: its text and cursor, drafts (saved on every edit), editing a sent message.

use super::*;

#[derive(Debug, Clone, Default)]
pub struct Composer {
    /// Private, with the cursor: every change goes through methods that keep the cursor on a
    /// char boundary.
    text: String,
    /// Byte index into `text`, always on a char boundary.
    cursor: usize,
    pub reply_to: Option<MessageId>,
    /// Writing a hand-off to colleagues instead of a reply to the guest.
    pub hand_off: Option<crate::model::HandOffTo>,
    /// Editing one of our messages; the draft it replaced comes back afterwards.
    pub editing: Option<(MessageId, Draft)>,
    /// A colleague's answer to a hand-off, shown above the reply for the clerk to put in
    /// the desk's words: never sent as it is (it was written to the desk, not the guest).
    pub answer: Option<String>,
}

impl Composer {
    pub fn text(&self) -> &str {
        &self.text
    }
    /// The text before the cursor.
    pub fn before_cursor(&self) -> &str {
        &self.text[..self.cursor]
    }
    /// Replaces the whole text; the cursor goes to its end.
    pub(crate) fn set_text(&mut self, text: &str) {
        self.text = text.to_string();
        self.cursor = self.text.len();
    }
    pub(crate) fn insert(&mut self, s: &str) {
        self.text.insert_str(self.cursor, s);
        self.cursor += s.len();
    }
    pub(crate) fn backspace(&mut self) {
        if let Some((i, _)) = self.text[..self.cursor].char_indices().next_back() {
            self.text.replace_range(i..self.cursor, "");
            self.cursor = i;
        }
    }
    pub(crate) fn delete(&mut self) {
        if let Some(c) = self.text[self.cursor..].chars().next() {
            self.text
                .replace_range(self.cursor..self.cursor + c.len_utf8(), "");
        }
    }
    pub(crate) fn left(&mut self) {
        if let Some((i, _)) = self.text[..self.cursor].char_indices().next_back() {
            self.cursor = i;
        }
    }
    pub(crate) fn right(&mut self) {
        if let Some(c) = self.text[self.cursor..].chars().next() {
            self.cursor += c.len_utf8();
        }
    }
    pub(crate) fn delete_word(&mut self) {
        let before = &self.text[..self.cursor];
        let trimmed = before.trim_end();
        let start = trimmed
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_whitespace())
            .map(|(i, c)| i + c.len_utf8())
            .unwrap_or(0);
        self.text.replace_range(start..self.cursor, "");
        self.cursor = start;
    }
    pub(crate) fn delete_to_line_start(&mut self) {
        let start = self.text[..self.cursor].rfind('\n').map_or(0, |i| i + 1);
        self.text.replace_range(start..self.cursor, "");
        self.cursor = start;
    }
    pub(crate) fn set(&mut self, draft: Draft) {
        self.cursor = draft.text.len();
        self.text = draft.text;
        self.reply_to = draft.reply_to;
        self.hand_off = draft.hand_off;
        self.answer = None;
    }
    pub(crate) fn take(&mut self) -> Draft {
        self.cursor = 0;
        self.editing = None;
        // Another guest's reply box, or one just sent: the colleague's words go with it.
        self.answer = None;
        Draft {
            text: std::mem::take(&mut self.text),
            reply_to: self.reply_to.take(),
            hand_off: self.hand_off.take(),
        }
    }
    pub(crate) fn draft(&self) -> Draft {
        Draft {
            text: self.text.clone(),
            reply_to: self.reply_to,
            hand_off: self.hand_off.clone(),
        }
    }
}

impl App {
    /// Stores the composer as the open conversation's draft.
    pub(crate) fn stash_draft(&mut self) -> Vec<Command> {
        let Some(open) = self.open else {
            return vec![];
        };
        if self.composer.editing.is_some() {
            // An edit in progress is not a draft; the draft waits in `editing`.
            return vec![];
        }
        let draft = self.composer.draft();
        let changed = self.drafts.get(&open) != Some(&draft)
            && !(draft.text.is_empty()
                && draft.reply_to.is_none()
                && draft.hand_off.is_none()
                && !self.drafts.contains_key(&open));
        if draft.text.is_empty() && draft.reply_to.is_none() && draft.hand_off.is_none() {
            self.drafts.remove(&open);
        } else {
            self.drafts.insert(open, draft);
        }
        if changed {
            vec![self.save_drafts()]
        } else {
            vec![]
        }
    }

    /// Every draft, the composer's included, for a final save at exit.
    pub fn drafts_snapshot(&mut self) -> Vec<(ConversationId, Draft)> {
        self.stash_draft();
        let mut all: Vec<(ConversationId, Draft)> =
            self.drafts.iter().map(|(k, v)| (*k, v.clone())).collect();
        all.sort_by_key(|(k, _)| *k);
        all
    }

    pub fn save_drafts(&self) -> Command {
        let mut all: Vec<(ConversationId, Draft)> =
            self.drafts.iter().map(|(k, v)| (*k, v.clone())).collect();
        all.sort_by_key(|(k, _)| *k);
        Command::Effect(Effect::SaveDrafts(all))
    }

    pub(crate) fn on_composer_key(&mut self, key: KeyEvent) -> Vec<Command> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('w') if ctrl => self.composer.delete_word(),
            // Readline: to the start of the line, not the whole reply.
            KeyCode::Char('u') if ctrl => self.composer.delete_to_line_start(),
            KeyCode::Char(c) if !ctrl => self.composer.insert(c.encode_utf8(&mut [0; 4])),
            KeyCode::Backspace => self.composer.backspace(),
            KeyCode::Delete => self.composer.delete(),
            KeyCode::Left => self.composer.left(),
            KeyCode::Right => self.composer.right(),
            KeyCode::Home => self.composer.cursor = 0,
            KeyCode::End => self.composer.cursor = self.composer.text.len(),
            _ => return vec![],
        }
        self.stash_draft()
    }

    /// A paste goes where typing would: the composer (CR and CRLF become new lines, as tmux
    /// and some terminals paste them), the filter, the room prompt or the attach prompt.
    pub(crate) fn on_paste(&mut self, text: &str) -> Vec<Command> {
        if self.overlay.is_open() {
            return self.on_popup_paste(text);
        }
        if self.focus != Focus::Composer {
            self.dirty = false;
            return vec![];
        }
        let lines = text.replace("\r\n", "\n").replace('\r', "\n");
        self.composer.insert(&lines);
        self.stash_draft()
    }

    pub(crate) fn start_edit(&mut self) -> Vec<Command> {
        let Some(m) = self.selected_message().cloned() else {
            self.notice(Level::Info, "Select one of your messages first (j/k)");
            return vec![];
        };
        if !self.is_mine(&m) || m.is_deleted {
            self.notice(Level::Info, "Only your own messages can be edited");
            return vec![];
        }
        let mut cmds = self.stash_draft();
        let draft = self.composer.take();
        self.composer.text = m.message.clone();
        self.composer.cursor = self.composer.text.len();
        self.composer.editing = Some((m.id, draft));
        self.focus = Focus::Composer;
        cmds.push(self.save_drafts());
        cmds
    }
}
