//! `update`: every event, routed to the room it concerns: the terminal, timers, the realtime
//! feed, the server's answers, and the results of the desk's own actions.

use super::*;

impl App {
    pub fn update(&mut self, event: Event) -> Vec<Command> {
        self.dirty = true;
        let mut cmds = match event {
            e @ (Event::Key(_)
            | Event::Mouse(_)
            | Event::Paste(_)
            | Event::Resize(..)
            | Event::FocusGained
            | Event::FocusLost) => self.on_terminal(e),
            e @ (Event::Tick(_)
            | Event::Resync
            | Event::MarkDue(_)
            | Event::RetryList
            | Event::Poll(_)
            | Event::Watch(_)
            | Event::RetryOutbox
            | Event::CheckDue { .. }) => self.on_timer(e),
            e @ (Event::LiveMessage(_)
            | Event::GuestWrote { .. }
            | Event::Changed { .. }
            | Event::LiveRead { .. }
            | Event::Connection(_)) => self.on_live(e),
            e @ (Event::EditorDone(_)
            | Event::PathCompleted { .. }
            | Event::UploadProgress { .. }
            | Event::Uploaded { .. }
            | Event::UploadLeftMessage { .. }
            | Event::UploadRefused { .. }
            | Event::Edited { .. }
            | Event::Deleted { .. }
            | Event::AttachmentDeleted { .. }) => self.on_desk_result(e),
            e => self.on_answer(e),
        };
        cmds.extend(self.after_view_change());
        cmds
    }

    /// Keys, mouse, pastes, size and focus.
    pub(crate) fn on_terminal(&mut self, event: Event) -> Vec<Command> {
        match event {
            Event::Key(key) => self.on_key(key),
            Event::Mouse(m) => self.on_mouse(m),
            Event::Paste(text) => self.on_paste(&text),
            Event::Resize(w, h) => {
                self.size = (w, h);
                self.ensure_list_visible();
                vec![]
            }
            Event::FocusGained => {
                self.terminal_focused = true;
                vec![]
            }
            Event::FocusLost => {
                self.terminal_focused = false;
                self.dirty = false;
                vec![]
            }
            _ => vec![],
        }
    }

    /// Timers: the minute, polls, retries, deferred checks.
    pub(crate) fn on_timer(&mut self, event: Event) -> Vec<Command> {
        match event {
            Event::Tick(now) => self.on_tick(now),
            Event::Resync => self.resync(false),
            Event::MarkDue(conversation) => {
                self.mark_scheduled.remove(&conversation);
                self.mark_due.insert(conversation);
                self.dirty = false;
                vec![]
            }
            Event::RetryList => {
                self.list_retry_at = None;
                self.load_list()
            }
            Event::Poll(kind) => self.on_poll(kind),
            Event::Watch(now) => {
                // Between minute ticks the clock moves without a redraw.
                self.clock.now = self.clock.now.max(now);
                self.on_watch_tick()
            }
            Event::RetryOutbox => {
                self.dirty = false;
                self.retry_passing_failures()
            }
            Event::CheckDue { conversation } => self.on_check_due(conversation),
            _ => vec![],
        }
    }

    /// The realtime feed.
    pub(crate) fn on_live(&mut self, event: Event) -> Vec<Command> {
        match event {
            Event::LiveMessage(m) => {
                let conversation = m.conversation_id;
                let cmds = self.absorb_message(*m, true, true);
                if let Some(c) = conversation {
                    self.reposition(c);
                }
                cmds
            }
            Event::GuestWrote {
                conversation,
                message_id,
                preview,
                at,
                booking,
            } => self.on_guest_wrote_event(conversation, message_id, preview, at, booking),
            Event::Changed { conversation } => {
                // A storm of edit events costs one read at a time per thread.
                if self.threads.contains_key(&conversation) {
                    self.refresh(conversation, REFRESH_LIMIT)
                } else {
                    vec![]
                }
            }
            Event::LiveRead { conversation } => {
                if let Some(c) = self.conversations.get_mut(&conversation) {
                    c.unread_count = 0;
                }
                // Someone opened a waiting guest's conversation: a reply may follow.
                if self.service.wait(conversation).is_some() {
                    self.colleague_opened(conversation)
                } else {
                    vec![]
                }
            }
            Event::Connection(c) => {
                self.connection = c;
                vec![]
            }
            _ => vec![],
        }
    }

    /// The server's answers to reads, sends, claims and sign-in.
    pub(crate) fn on_answer(&mut self, event: Event) -> Vec<Command> {
        match event {
            Event::UnreadCounts(Ok(counts)) => self.on_unread_counts(counts),
            Event::Unreadable { what, count } => {
                let s = if count == 1 { "" } else { "s" };
                self.notice(
                    Level::Error,
                    format!(
                        "{count} {what}{s} could not be read and {} left out (details in the log)",
                        if count == 1 { "is" } else { "are" }
                    ),
                );
                vec![]
            }
            Event::UnreadCounts(Err(e)) => {
                self.unread_loading = false;
                tracing::info!("unread-count: {e}");
                vec![]
            }
            Event::ConversationsLoaded(Ok(list)) => self.on_list_loaded(list),
            Event::ConversationsLoaded(Err(e)) => self.on_list_failed(e),
            Event::PageLoaded {
                conversation,
                limit,
                result,
            } => self.on_page_loaded(conversation, limit, result),
            Event::Refreshed {
                conversation,
                limit,
                result,
            } => self.on_refreshed_event(conversation, limit, result),
            Event::ReplySent { local_id, result } => self.on_reply_sent(local_id, result),
            Event::MarkedRead {
                conversation,
                result,
            } => self.on_marked_read(conversation, result),
            Event::Claimed {
                conversation,
                result,
            } => self.on_claimed(conversation, result),
            Event::RoomOpened { room, result } => self.on_room_opened(room, result),
            Event::SignedIn(Ok(())) => self.on_signed_in(),
            Event::ColleaguesLoaded(result) => {
                self.on_colleagues(result);
                vec![]
            }
            Event::HandedOff {
                guest_conversation,
                to,
                result,
            } => self.on_handed_off(guest_conversation, to, result),
            Event::TeamPageLoaded { thread, result } => self.on_team_page_loaded(thread, result),
            Event::TeamMessage(m) if self.is_desk_log(m.conversation) => {
                self.on_live_log_message(*m)
            }
            Event::TeamMessage(m) => self.on_live_team_message(*m),
            Event::ReadBack {
                conversation,
                limit,
                result,
            } => self.on_read_back(conversation, limit, result),
            Event::DeskLogRead(result) => self.on_desk_log_read(result),
            Event::DeskLogWritten { text, result } => self.on_desk_log_written(text, result),
            Event::TeamThreadsLoaded(result) => self.on_team_threads(result),
            Event::TeamUnreadLoaded(result) => self.on_team_unread(result),
            Event::TeamReplied { thread, result } => self.on_team_replied(thread, result),
            Event::HandOffsFound(result) => self.on_hand_offs_found(result),
            Event::KeptRecent(recent) => self.on_kept_recent(recent),
            Event::KeptThread {
                conversation,
                messages,
            } => self.on_kept_thread(conversation, messages),
            Event::Found { query, hits } => self.on_found(query, hits),
            Event::KeptCovers(words) => {
                if let Overlay::Search(s) = &mut self.overlay {
                    s.covers = words.clone();
                }
                self.kept.covers = words;
                vec![]
            }
            Event::Backfill(progress) => {
                self.kept.backfill = progress;
                vec![]
            }
            Event::SignedIn(Err(e)) => {
                if let Overlay::SignIn(prompt) = &mut self.overlay {
                    prompt.refused(e);
                }
                vec![]
            }
            _ => vec![],
        }
    }

    /// Results of the desk's own actions: the editor, paths, uploads, edits, deletes.
    pub(crate) fn on_desk_result(&mut self, event: Event) -> Vec<Command> {
        match event {
            Event::EditorDone(result) => self.on_editor_done(result),
            Event::PathCompleted {
                input,
                completed,
                choices,
            } => self.on_path_completed(input, completed, choices),
            Event::UploadProgress { sent, total } => {
                if self.uploading.is_some() {
                    self.uploading = Some(Uploading { sent, total });
                }
                vec![]
            }
            Event::UploadRefused {
                conversation,
                kept,
                refused,
            } => self.on_upload_refused(conversation, kept, refused),
            Event::Uploaded {
                conversation,
                result,
            } => self.on_uploaded(conversation, result),
            Event::UploadLeftMessage {
                conversation,
                message,
                files,
            } => self.on_upload_left_message(conversation, *message, files),
            Event::Edited {
                message,
                text,
                result,
            } => self.on_edited(message, text, result),
            Event::Deleted {
                message,
                hard,
                result,
            } => self.on_deleted(message, hard, result),
            Event::AttachmentDeleted {
                message,
                attachment,
                result,
            } => self.on_attachment_deleted(message, attachment, result),
            _ => vec![],
        }
    }
}
