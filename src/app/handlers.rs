//! What each event does, one handler each (called from `update`).

use super::*;

impl App {
    /// Changes a message wherever a thread holds it.
    fn change_message(&mut self, id: MessageId, mut change: impl FnMut(&mut Message)) {
        for t in self.threads.values_mut() {
            if let Some(m) = t.messages.get_mut(&id) {
                change(m);
            }
        }
    }

    pub(crate) fn on_tick(&mut self, now: DateTime<Utc>) -> Vec<Command> {
        // A countdown tick, between minute ticks, only moves the clock.
        if now - self.last_tick < chrono::Duration::seconds(50) {
            self.clock.now = now;
            return vec![];
        }
        let gap = now - self.last_tick;
        self.last_tick = now;
        self.clock.now = now;
        let mut c = self.announce_urgent();
        c.extend(self.announce_due());
        // After a long gap (laptop sleep, a stopped process) resync what was missed.
        if gap > chrono::Duration::seconds(150) {
            c.extend(self.resync(true));
        }
        c
    }

    pub(crate) fn on_poll(&mut self, kind: PollKind) -> Vec<Command> {
        self.dirty = false;
        let plan = self.poll_plan();
        match kind {
            PollKind::Thread if plan.thread => match self.open {
                Some(open) => self.refresh(open, POLL_LIMIT),
                None => vec![],
            },
            PollKind::Unread if plan.unread => vec![Command::Job(Job::LoadUnreadCounts)],
            PollKind::List if plan.list => self.load_list(),
            PollKind::HandOffs => self.poll_hand_offs(),
            PollKind::TeamUnread => vec![Command::Job(Job::LoadTeamUnread)],

            _ => vec![],
        }
    }

    pub(crate) fn on_check_due(&mut self, conversation: ConversationId) -> Vec<Command> {
        self.dirty = false;
        match self.awaiting.remove(&conversation) {
            Some(id)
                if self
                    .threads
                    .get(&conversation)
                    .is_some_and(|t| !t.messages.contains_key(&id)) =>
            {
                self.refresh(conversation, REFRESH_LIMIT)
            }
            _ => vec![],
        }
    }

    pub(crate) fn on_guest_wrote_event(
        &mut self,
        conversation: ConversationId,
        message_id: MessageId,
        preview: Option<String>,
        at: Option<DateTime<Utc>>,
        booking: Option<String>,
    ) -> Vec<Command> {
        let mut c = self.on_guest_wrote(conversation, message_id, preview, at);
        // A page of the conversation is being read: it names the stay, and an event cannot
        // be trusted to (a made-up booking id would cost a signing request).
        if !self.service.reading(conversation) {
            c.extend(self.learn_booking(conversation, booking.as_deref(), None, false));
        }
        c
    }

    pub(crate) fn on_unread_counts(&mut self, counts: crate::api::UnreadCounts) -> Vec<Command> {
        self.dirty = false;
        self.unread_loading = false;
        // A count that fell: someone opened that room's conversation (read it now, and
        // often for a while). One that rose: a guest wrote, which the socket says when there
        // is one. Without one, or first after a list (against the list's own total, the keys
        // differ), only a change makes the expensive list worth reading.
        let (mut cmds, rose) = match self.unread_seen.take() {
            Some(seen) => self.unread_fell(&seen, &counts.unread_counts),
            None => (
                vec![],
                self.list_loaded && counts.total() != self.total_unread(),
            ),
        };
        self.unread_seen = Some(counts.unread_counts);
        let socket = matches!(self.connection, Connection::Live | Connection::LivePartial);
        if !cmds.is_empty() {
            self.dirty = true;
        }
        if rose && !socket {
            cmds.extend(self.load_list());
        }
        cmds
    }

    pub(crate) fn on_list_loaded(&mut self, list: Vec<Conversation>) -> Vec<Command> {
        self.server_unreachable_since = None;
        self.unread_seen = None;
        self.list_error = None;
        self.list_retry_at = None;
        self.list_attempts = 0;
        self.list_loaded = true;
        self.kept.as_of = None;
        self.list_loading = false;
        self.list_updated = Some(self.clock.now);
        self.conversations = list.into_iter().map(|c| (c.id, c)).collect();
        self.resort();
        if self
            .selected
            .is_none_or(|s| !self.conversations.contains_key(&s))
        {
            self.selected = self.order.first().copied();
        }
        self.ensure_list_visible();
        let mut c = self.after_list_loaded();
        if std::mem::take(&mut self.list_again) {
            c.extend(self.load_list());
        }
        c
    }

    pub(crate) fn on_list_failed(&mut self, e: ApiError) -> Vec<Command> {
        self.list_loading = false;
        if e.unreachable() {
            self.server_unreachable_since.get_or_insert(self.clock.now);
        }
        self.api_error("Loading conversations", &e);
        // Nothing on screen yet, or only what was kept: try again, backing off, and say when.
        if (!self.list_loaded || self.kept.as_of.is_some()) && !e.is_unauthorised() {
            let wait = 2u64.saturating_pow(self.list_attempts.min(5) + 1).min(60);
            self.list_attempts += 1;
            self.list_error = Some(e.summary());
            self.list_retry_at = Some(self.clock.now + chrono::Duration::seconds(wait as i64));
            self.list_again = false;
            return vec![Command::Job(Job::RetryListIn(wait))];
        }
        if std::mem::take(&mut self.list_again) {
            self.load_list()
        } else {
            vec![]
        }
    }

    pub(crate) fn on_page_loaded(
        &mut self,
        conversation: ConversationId,
        limit: u32,
        result: Result<Vec<Message>, ApiError>,
    ) -> Vec<Command> {
        match result {
            Ok(page) => {
                let newest_guest = page
                    .iter()
                    .rev()
                    .find(|m| m.sender_type == SenderType::Guest)
                    .map(|m| (m.booking_id.clone(), m.booking));
                for m in &page {
                    self.observe_message(conversation, m);
                }
                if page.len() < limit as usize {
                    self.service.reached_start(conversation);
                }
                if let Some(t) = self.threads.get_mut(&conversation) {
                    t.apply_page(page, limit);
                }
                let mut c = self.after_page_for_seek(conversation, false);
                if let Some((booking, key)) = newest_guest {
                    c.extend(self.learn_booking(conversation, booking.as_deref(), key, true));
                }
                c
            }
            Err(e) => {
                if let Some(t) = self.threads.get_mut(&conversation) {
                    // Let a later scroll try again.
                    t.fetch = if t.messages.is_empty() {
                        Fetch::NotStarted
                    } else {
                        Fetch::More
                    };
                }
                self.api_error("Loading messages", &e);
                self.after_page_for_seek(conversation, true)
            }
        }
    }

    pub(crate) fn on_refreshed_event(
        &mut self,
        conversation: ConversationId,
        limit: u32,
        result: Result<Vec<Message>, ApiError>,
    ) -> Vec<Command> {
        self.refreshing.remove(&conversation);
        // Asked again meanwhile: once more, a moment later, for all of them.
        let mut again = if self.refresh_again.remove(&conversation) {
            self.refreshing.insert(conversation);
            vec![Command::Job(Job::RefreshSoon(conversation))]
        } else {
            vec![]
        };
        again.extend(self.on_refreshed(conversation, limit, result));
        again
    }

    pub(crate) fn on_marked_read(
        &mut self,
        conversation: ConversationId,
        result: Result<MarkReadResult, ApiError>,
    ) -> Vec<Command> {
        self.marking.retain(|c| *c != conversation);
        match result {
            Ok(_) => {
                if let Some(c) = self.conversations.get_mut(&conversation) {
                    c.unread_count = 0;
                }
                if let Some(t) = self.threads.get_mut(&conversation) {
                    for m in t.messages.values_mut() {
                        m.read_by_staff = true;
                    }
                }
            }
            Err(e) => self.api_error("Marking read", &e),
        }
        vec![]
    }

    pub(crate) fn on_claimed(
        &mut self,
        conversation: ConversationId,
        result: Result<ClaimResult, ApiError>,
    ) -> Vec<Command> {
        match result {
            Ok(r) => {
                self.claimed
                    .insert(conversation, r.assigned_staff.name.clone());
                self.service
                    .joined(conversation, self.clock.now, Holder::Me);
                if let Some(c) = self.conversations.get_mut(&conversation) {
                    c.unread_count = 0;
                }
                self.me_named(&r.assigned_staff.name);
                self.notice(
                    Level::Info,
                    format!(
                        "Claimed by {}",
                        crate::text::one_line(&r.assigned_staff.name)
                    ),
                );
                // The server keeps the claim but shows it to nobody: the log tells the desks.
                let mut c = self.log_claim(conversation);
                c.push(Command::Job(Job::Refresh {
                    conversation,
                    limit: REFRESH_LIMIT,
                }));
                return c;
            }
            Err(e) => self.api_error("Claiming", &e),
        }
        vec![Command::Job(Job::Refresh {
            conversation,
            limit: REFRESH_LIMIT,
        })]
    }

    pub(crate) fn on_room_opened(
        &mut self,
        room: RoomNumber,
        result: Result<FromRoomResult, ApiError>,
    ) -> Vec<Command> {
        match result {
            Ok(r) => {
                let id = r.conversation_id;
                let mut cmds = Vec::new();
                if !self.conversations.contains_key(&id) {
                    cmds.extend(self.load_list());
                }
                let t = self.threads.entry(id).or_insert_with(|| Thread::new(id));
                let n = r.messages.len();
                t.merge(r.messages);
                if t.fetch == Fetch::NotStarted {
                    t.fetch = if n == 0 { Fetch::Done } else { Fetch::More };
                }
                if r.conversation_created {
                    self.notice(
                        Level::Info,
                        format!("Started a conversation with room {room}"),
                    );
                }
                cmds.extend(self.open_conversation(id, Focus::Composer));
                cmds
            }
            Err(e) => {
                match &e.kind {
                    crate::api::ErrorKind::Server(_) => {
                        tracing::warn!("opening room {room}: {e}");
                        self.notice(
                                Level::Error,
                                format!(
                                    "Room {room} could not be opened: the hotel's server failed ({}). It does this for a room that has had more than one stay. Find the room in the list with / {room}.",
                                    e.summary()
                                ),
                            );
                    }
                    crate::api::ErrorKind::NotFound(_) => self.notice(
                        Level::Error,
                        format!("There is no room {room} in this hotel"),
                    ),
                    _ => self.api_error(&format!("Opening room {room}"), &e),
                }
                vec![]
            }
        }
    }

    pub(crate) fn on_signed_in(&mut self) -> Vec<Command> {
        self.overlay = Overlay::None;
        self.notice(Level::Info, "Signed in again");
        let mut c = self.resync(true);
        // Replies refused for the old token were never stored: send them now.
        let staff_id = self.me.staff_id;
        c.extend(
            self.pending
                .iter_mut()
                .filter(|p| matches!(p.state, ReplyState::Failed { unknown: false, .. }))
                .map(|p| p.send_command(staff_id)),
        );
        c
    }

    pub(crate) fn on_editor_done(&mut self, result: Result<String, String>) -> Vec<Command> {
        match result {
            Ok(text) => {
                self.composer.set_text(text.trim_end_matches('\n'));
                self.focus = Focus::Composer;
            }
            Err(e) => self.notice(Level::Error, format!("Editor: {e}")),
        }
        self.stash_draft()
    }

    pub(crate) fn on_path_completed(
        &mut self,
        input: String,
        completed: String,
        choices: Vec<String>,
    ) -> Vec<Command> {
        if let Overlay::Attach(attach) = &mut self.overlay {
            attach.completed(&input, completed, &choices);
        }
        vec![]
    }

    pub(crate) fn on_upload_refused(
        &mut self,
        conversation: ConversationId,
        kept: Vec<String>,
        refused: Vec<(String, String)>,
    ) -> Vec<Command> {
        self.uploading = None;
        // Each reason names its file.
        let names: Vec<String> = refused.iter().map(|(_, why)| why.clone()).collect();
        let text = format!("Not sent: {}", names.join(", "));
        if self.open == Some(conversation) && !kept.is_empty() {
            self.overlay = Overlay::Attach(crate::popup::Attach {
                files: kept,
                hint: Some(format!("{text}. Enter sends the rest.")),
                ..crate::popup::Attach::new(self.composer.text())
            });
        }
        self.notice(Level::Error, text);
        vec![]
    }

    pub(crate) fn on_uploaded(
        &mut self,
        conversation: ConversationId,
        result: Result<crate::api::UploadResult, String>,
    ) -> Vec<Command> {
        self.uploading = None;
        match result {
            Ok(r) => {
                // The text went with the files: the composer is done with it.
                if self.open == Some(conversation) {
                    self.composer.take();
                    self.drafts.remove(&conversation);
                }
                let n = r.attachments.len();
                self.notice(
                    Level::Info,
                    format!("Sent {n} file{}", if n == 1 { "" } else { "s" }),
                );
                let mut c = self.absorb_message(r.message, false, true);
                self.reposition(conversation);
                c.push(self.save_drafts());
                c.push(Command::Job(Job::Refresh {
                    conversation,
                    limit: REFRESH_LIMIT,
                }));
                c
            }
            Err(e) => {
                self.notice(
                    Level::Error,
                    format!("Files not sent: {e} (your text is kept)"),
                );
                // A failed upload can still leave a message behind (contract 4.5).
                vec![Command::Job(Job::Refresh {
                    conversation,
                    limit: REFRESH_LIMIT,
                })]
            }
        }
    }

    /// The upload failed but left a message: the guest sees it without the files. Said
    /// plainly, and the files are kept for the next `a`.
    pub(crate) fn on_upload_left_message(
        &mut self,
        conversation: ConversationId,
        message: Message,
        files: Vec<String>,
    ) -> Vec<Command> {
        let shown = crate::text::line_preview(&message.message, 60);
        let n = files.len();
        self.notice(
            Level::Error,
            format!(
                "Files not sent, but the server kept a message: the guest sees “{shown}” without the {}. Your text and files are kept: a sends them again",
                if n == 1 { "file" } else { "files" }
            ),
        );
        self.upload_retry = Some((conversation, files));
        let mut c = self.absorb_message(message, false, true);
        self.reposition(conversation);
        c.push(Command::Job(Job::Refresh {
            conversation,
            limit: REFRESH_LIMIT,
        }));
        c
    }

    pub(crate) fn on_edited(
        &mut self,
        message: MessageId,
        text: String,
        result: Result<(), ApiError>,
    ) -> Vec<Command> {
        match result {
            Ok(()) => {
                self.change_message(message, |m| {
                    m.message = text.clone();
                    m.is_edited = true;
                });
                if self
                    .composer
                    .editing
                    .as_ref()
                    .is_some_and(|(id, _)| *id == message)
                    && let Some((_, draft)) = self.composer.editing.take()
                {
                    self.composer.set(draft);
                    // Back where the edit began, so the next keys are not reply text.
                    self.focus = Focus::Thread;
                }
                self.notice(Level::Info, "Message edited");
                vec![]
            }
            Err(e) => {
                self.api_error("Edit not saved (nothing changed)", &e);
                vec![]
            }
        }
    }

    pub(crate) fn on_deleted(
        &mut self,
        message: MessageId,
        hard: bool,
        result: Result<(), ApiError>,
    ) -> Vec<Command> {
        match result {
            Ok(()) => {
                // A deleted answer answers nobody: the guest may wait again.
                let held_in: Vec<ConversationId> = self
                    .threads
                    .iter()
                    .filter(|(_, t)| t.messages.contains_key(&message))
                    .map(|(id, _)| *id)
                    .collect();
                for conv in held_in {
                    self.service.forget(conv, message);
                }
                if hard {
                    for t in self.threads.values_mut() {
                        t.messages.remove(&message);
                    }
                } else {
                    self.change_message(message, |m| m.is_deleted = true);
                }
                self.notice(
                    Level::Info,
                    if hard {
                        "Message deleted for good"
                    } else {
                        "Message deleted"
                    },
                );
                vec![]
            }
            Err(e) => {
                self.api_error("Delete failed (nothing changed)", &e);
                vec![]
            }
        }
    }

    pub(crate) fn on_attachment_deleted(
        &mut self,
        message: MessageId,
        attachment: AttachmentId,
        result: Result<(), ApiError>,
    ) -> Vec<Command> {
        match result {
            Ok(()) => {
                self.change_message(message, |m| m.attachments.retain(|a| a.id != attachment));
                self.notice(Level::Info, "Attachment deleted");
                vec![]
            }
            Err(e) => {
                self.api_error("Attachment not deleted (nothing changed)", &e);
                vec![]
            }
        }
    }
}
