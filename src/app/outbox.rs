//! Replies on their way: queued one at a time per conversation, each with the identity of its
//! stored copy, settled by the server's answer or by reading back (contract 4.1, 4.7).

use super::*;

impl PendingReply {
    /// The command that (re)sends it; after any attempt it looks in the thread first
    /// (contract 4.1), and `identity` says what its stored copy looks like.
    pub(crate) fn send_command(&mut self, staff_id: StaffId) -> Command {
        let check_first = self.attempted;
        self.attempted = true;
        self.state = ReplyState::Sending;
        Command::Job(Job::SendReply {
            local_id: self.local_id,
            conversation: self.conversation,
            reply_to: self.reply_to,
            identity: crate::api::ReplyIdentity {
                staff_id,
                text: self.text.clone(),
                after_id: self.after_id,
                first_attempt: self.first_attempt,
            },
            check_first,
        })
    }

    /// Unsettled: sending, or failed in a way the server may have stored it.
    pub(crate) fn blocks_queue(&self) -> bool {
        matches!(
            self.state,
            ReplyState::Sending | ReplyState::Failed { unknown: true, .. }
        )
    }
}

impl App {
    pub(crate) fn send(&mut self) -> Vec<Command> {
        let Some(conv) = self.open else {
            return vec![];
        };
        if self.composer.text().trim().is_empty() {
            self.notice(Level::Info, "Nothing to send");
            return vec![];
        }
        if let Stay::Earlier { .. } = self.stay(conv) {
            let room = self
                .conversations
                .get(&conv)
                .map(|c| c.room_number.to_string())
                .unwrap_or_default();
            self.ask(
                format!(
                    "This is an earlier stay in room {room}: that guest has checked out, and the reply reaches nobody in the room now. Send anyway? y/n"
                ),
                Confirmed::SendToEarlierStay,
            );
            return vec![];
        }
        self.send_now()
    }

    pub(crate) fn send_now(&mut self) -> Vec<Command> {
        let Some(conv) = self.open else {
            return vec![];
        };
        let draft = self.composer.take();
        let local_id = self.next_local;
        self.next_local += 1;
        self.pending.push(PendingReply {
            local_id,
            conversation: conv,
            text: draft.text,
            reply_to: draft.reply_to,
            first_attempt: self.clock.now,
            after_id: None,
            staff_id: Some(self.me.staff_id),
            attempted: false,
            state: ReplyState::Queued,
        });
        self.drafts.remove(&conv);
        if let Some(t) = self.threads.get_mut(&conv) {
            t.follow();
        }
        // The outbox is on disk, with the reply's identity, before the request leaves.
        let next = self.start_next_send(conv);
        let mut cmds = vec![self.save_outbox()];
        cmds.extend(next);
        cmds.push(self.save_drafts());
        cmds
    }

    /// Starts the oldest queued reply of a conversation, unless one there is unsettled.
    pub(crate) fn start_next_send(&mut self, conv: ConversationId) -> Vec<Command> {
        let mine = |p: &&mut PendingReply| p.conversation == conv;
        if self
            .pending
            .iter_mut()
            .filter(mine)
            .any(|p| p.blocks_queue())
        {
            return vec![];
        }
        let held = self.threads.get(&conv).and_then(|t| t.newest_id());
        let now = self.clock.now;
        let staff_id = self.me.staff_id;
        match self
            .pending
            .iter_mut()
            .find(|p| p.conversation == conv && p.state == ReplyState::Queued)
        {
            Some(p) => {
                if !p.attempted {
                    p.after_id = held;
                    p.first_attempt = now;
                }
                vec![p.send_command(staff_id)]
            }
            None => vec![],
        }
    }

    pub fn save_outbox(&self) -> Command {
        let mut all = self.pending.clone();
        all.extend(self.held_for_others.iter().cloned());
        Command::Effect(Effect::SaveOutbox(all))
    }

    /// Replies left in the outbox by an earlier run: shown as pending, and each delivered
    /// after checking the thread for it (it may have arrived before the app stopped).
    pub fn restore_outbox(&mut self, entries: Vec<PendingReply>) -> Vec<Command> {
        let mut convs = Vec::new();
        for mut p in entries {
            if p.staff_id.is_some_and(|id| id != self.me.staff_id) {
                // Someone else's words: never sent under this session, never lost either.
                self.held_for_others.push(p);
                continue;
            }
            self.next_local = self.next_local.max(p.local_id + 1);
            p.state = ReplyState::Queued;
            if !convs.contains(&p.conversation) {
                convs.push(p.conversation);
            }
            self.pending.push(p);
        }
        convs
            .into_iter()
            .flat_map(|c| self.start_next_send(c))
            .collect()
    }

    pub fn has_retryable(&self) -> bool {
        self.pending
            .iter()
            .any(|p| matches!(p.state, ReplyState::Failed { retry: true, .. }))
    }

    /// Retries every reply whose failure was passing, checking the thread first.
    pub(crate) fn retry_passing_failures(&mut self) -> Vec<Command> {
        let staff_id = self.me.staff_id;
        self.pending
            .iter_mut()
            .filter(|p| matches!(p.state, ReplyState::Failed { retry: true, .. }))
            .map(|p| p.send_command(staff_id))
            .collect()
    }

    pub(crate) fn retry(&mut self) -> Vec<Command> {
        let Some(conv) = self.open else {
            return vec![];
        };
        let staff_id = self.me.staff_id;
        let Some(p) = self
            .pending
            .iter_mut()
            .find(|p| p.conversation == conv && matches!(p.state, ReplyState::Failed { .. }))
        else {
            self.notice(Level::Info, "No failed reply to retry here");
            return vec![];
        };
        // Always look first: the failed attempt may have been stored (contract 4.1).
        vec![p.send_command(staff_id)]
    }

    /// A reply of ours has been stored (its copy is already in the thread): any notice about
    /// it goes, and the next queued reply in its conversation may leave, identified as newer
    /// than this one.
    pub(crate) fn reply_delivered(&mut self, p: PendingReply) -> Vec<Command> {
        if self
            .notice
            .as_ref()
            .is_some_and(|n| n.reply == Some(p.local_id))
        {
            self.notice = None;
        }
        let next = self.start_next_send(p.conversation);
        let mut cmds = vec![self.save_outbox()];
        cmds.extend(next);
        cmds
    }

    /// A message of ours that arrived by any route settles the unsettled reply it is the
    /// copy of (at most one per conversation is unsettled, so there is no ambiguity).
    pub(crate) fn settle_by_copy(&mut self, m: &Message) -> Vec<Command> {
        if !self.is_mine(m) {
            return vec![];
        }
        let staff_id = self.me.staff_id;
        let pos = self.pending.iter().position(|p| {
            p.attempted
                && p.blocks_queue()
                && m.conversation_id == Some(p.conversation)
                && crate::api::ReplyIdentity {
                    staff_id,
                    text: p.text.clone(),
                    after_id: p.after_id,
                    first_attempt: p.first_attempt,
                }
                .matches(p.conversation, m)
        });
        match pos {
            Some(pos) => {
                let p = self.pending.remove(pos);
                self.reply_delivered(p)
            }
            None => vec![],
        }
    }

    pub(crate) fn on_reply_sent(
        &mut self,
        local_id: u64,
        result: Result<crate::api::Delivery, ApiError>,
    ) -> Vec<Command> {
        let Some(pos) = self.pending.iter().position(|p| p.local_id == local_id) else {
            // Already settled by its copy arriving first.
            return vec![];
        };
        match result {
            Ok(delivery) => {
                let m = delivery.message;
                if delivery.read_back {
                    tracing::info!(
                        "reply {local_id} delivered as message {} (found by reading back)",
                        m.id
                    );
                }
                let conversation = m.conversation_id;
                let p = self.pending.remove(pos);
                let mut cmds = self.absorb_message(m, false, true);
                cmds.extend(self.reply_delivered(p));
                if let Some(c) = conversation {
                    self.reposition(c);
                    // A first reply also adds "X has joined": read the thread's newest.
                    cmds.push(Command::Job(Job::Refresh {
                        conversation: c,
                        limit: REFRESH_LIMIT,
                    }));
                }
                cmds
            }
            Err(e) => {
                tracing::warn!("sending a reply: {e}");
                if e.is_unauthorised() {
                    self.ask_sign_in(e.summary());
                }
                let unknown = e.outcome_unknown();
                let retry = unknown || matches!(e.kind, crate::api::ErrorKind::NoConnection(_));
                let reason = if unknown {
                    format!(
                        "{}, and it is not in the thread yet — kept, checked and retried on its own (R now)",
                        e.summary()
                    )
                } else if retry {
                    format!("{} — kept, retried on its own (R now)", e.summary())
                } else {
                    e.summary()
                };
                let conversation = self.pending.get(pos).map(|p| p.conversation);
                if let Some(p) = self.pending.get_mut(pos) {
                    p.state = ReplyState::Failed {
                        reason: reason.clone(),
                        unknown,
                        retry,
                    };
                }
                let head = if unknown {
                    "Reply not confirmed"
                } else {
                    "Reply not sent"
                };
                self.notice = Some(Notice {
                    text: format!("{head}: {reason}"),
                    level: Level::Error,
                    reply: Some(local_id),
                });
                tracing::warn!("reply {local_id}: {reason}");
                // A reply the server surely refused does not hold back the ones after it.
                match conversation {
                    Some(c) if !unknown => self.start_next_send(c),
                    _ => vec![],
                }
            }
        }
    }
}
