//! Opening popups and acting on what they report. The popups themselves (their keys and
//! drawing) are in `crate::popup`.

use super::*;
use crate::popup::{Attach, CannedPicker, Confirm, Filter, Help, HelpSection, Outcome, Reaction};

impl App {
    /// A key for the open popup, after the keymap's global keys.
    pub(crate) fn on_popup_key(&mut self, key: KeyEvent) -> Vec<Command> {
        let team_before = self.team_drafts();
        let reaction = match self.overlay.popup_mut() {
            Some(p) => p.on_key(key),
            None => Reaction::Ignored,
        };
        let mut c = self.react(reaction);
        c.extend(self.save_team_drafts_if_changed(team_before));
        c
    }

    /// Team drafts go to disk on every change, as guest drafts do.
    pub(crate) fn save_team_drafts_if_changed(
        &self,
        before: crate::store::TeamDrafts,
    ) -> Option<Command> {
        let now = self.team_drafts();
        (now != before).then_some(Command::Effect(Effect::SaveTeamDrafts(now)))
    }

    pub(crate) fn on_popup_paste(&mut self, text: &str) -> Vec<Command> {
        let team_before = self.team_drafts();
        let reaction = match self.overlay.popup_mut() {
            Some(p) => p.on_paste(text),
            None => Reaction::Ignored,
        };
        let mut c = self.react(reaction);
        c.extend(self.save_team_drafts_if_changed(team_before));
        c
    }

    fn react(&mut self, reaction: Reaction) -> Vec<Command> {
        match reaction {
            Reaction::Ignored => {
                self.dirty = false;
                vec![]
            }
            Reaction::Redraw => vec![],
            Reaction::Tell(outcome) => self.on_outcome(outcome),
            Reaction::Close(outcome) => {
                self.overlay = Overlay::None;
                self.on_outcome(outcome)
            }
        }
    }

    fn on_outcome(&mut self, outcome: Outcome) -> Vec<Command> {
        match outcome {
            Outcome::Nothing => {}
            Outcome::FilterTyped(text) => {
                self.filter = text;
                self.after_filter_change();
            }
            Outcome::MoveSelection(by) => self.select_relative(by),
            Outcome::OpenSelected => {
                if let Some(id) = self.selected.filter(|s| self.visible_order().contains(s)) {
                    return self.open_conversation(id, Focus::Composer);
                }
            }
            Outcome::RoomTyped(text) => return self.open_room(&text),
            Outcome::InsertCanned(text) => {
                self.composer.insert(&text);
                self.focus = Focus::Composer;
                return self.stash_draft();
            }
            Outcome::SignIn { password } => {
                return vec![Command::Effect(Effect::SignIn { password })];
            }
            Outcome::SignInLater => self.notice(
                Level::Error,
                "Not signed in: nothing reaches the server until you sign in (q quits; drafts are kept)",
            ),
            Outcome::CompletePath(input) => return vec![Command::Job(Job::CompletePath(input))],
            Outcome::Upload(files) => return self.upload(files),
            Outcome::Confirmed(then) => return self.confirmed(then),
            Outcome::Cancelled => self.notice(Level::Info, "Cancelled; nothing changed"),
            Outcome::Say(text) => self.notice(Level::Info, text),
            Outcome::HandOffTo(to) => return self.write_hand_off(to),
            Outcome::LaterUntil(until) => return self.mark_later(until),
            o @ (Outcome::OpenTeamThread(_)
            | Outcome::OlderTeamPage { .. }
            | Outcome::SendTeam { .. }
            | Outcome::TeamClosed(_)) => return self.on_team_outcome(o),
            Outcome::SearchTyped(query) => return vec![Command::Effect(Effect::Search(query))],
            Outcome::OpenFound {
                conversation,
                message,
            } => return self.open_found(conversation, message),
        }
        vec![]
    }

    fn upload(&mut self, files: Vec<String>) -> Vec<Command> {
        let Some(conversation) = self.open else {
            return vec![];
        };
        self.uploading = Some(Uploading { sent: 0, total: 0 });
        vec![Command::Job(Job::Upload {
            conversation,
            files,
            text: self.composer.text().to_string(),
            reply_to: self.composer.reply_to,
            after_id: self.threads.get(&conversation).and_then(|t| t.newest_id()),
        })]
    }

    pub(crate) fn ask(&mut self, question: impl Into<String>, then: Confirmed) {
        self.overlay = Overlay::Confirm(Confirm::new(question, then));
    }

    /// The help, from the keymap as it stands (remapped keys, the staff member's rights).
    pub(crate) fn open_help(&mut self) {
        let allowed = |cap: Capability| self.me.can(cap);
        let section = |scope: Scope, title: &'static str| HelpSection {
            title,
            rows: self
                .keymap
                .visible(&allowed)
                .filter(|r| r.applies_in(scope))
                .map(|r| (r.label.to_string(), r.base.help.to_string()))
                .collect(),
        };
        let left = vec![
            section(Scope::List, "Conversation list"),
            section(Scope::Thread, "Thread"),
        ];
        let right = vec![
            section(Scope::Composer, "Composer"),
            section(Scope::Everywhere, "Everywhere"),
        ];
        self.overlay = Overlay::Help(Help::new(left, right));
    }

    pub(crate) fn open_filter(&mut self) {
        // A new filter each time; Esc in the list clears the last one.
        self.filter.clear();
        self.after_filter_change();
        self.overlay = Overlay::Filter(Filter::default());
    }

    pub(crate) fn open_attach(&mut self) {
        if self.open.is_none() {
            return;
        }
        if self.uploading.is_some() {
            self.notice(Level::Info, "An upload is still on its way");
        } else {
            let mut attach = Attach::new(self.composer.text());
            if let Some((conv, files)) = self.upload_retry.take() {
                if Some(conv) == self.open {
                    attach.files = files;
                    attach.hint =
                        Some("the files that did not go: Enter on an empty line sends them".into());
                } else {
                    self.upload_retry = Some((conv, files));
                }
            }
            self.overlay = Overlay::Attach(attach);
        }
    }

    /// The canned replies, their placeholders filled in for the open conversation.
    pub(crate) fn open_canned(&mut self) {
        if self.canned.is_empty() {
            self.notice(
                Level::Info,
                "No canned replies configured (config: canned_replies)",
            );
            return;
        }
        let Some(open) = self.open else {
            return;
        };
        let filled = self
            .canned
            .iter()
            .map(|c| self.fill_placeholders(c, open))
            .collect();
        self.overlay = Overlay::Canned(CannedPicker::new(filled));
    }

    /// `{guest}`, `{first_name}`, `{room}` and `{staff}`. A value the desk does not know
    /// becomes a neutral word rather than a stray brace in front of a guest.
    pub fn fill_placeholders(&self, template: &str, conversation: ConversationId) -> String {
        let c = self.conversations.get(&conversation);
        let guest = c
            .and_then(|c| c.guest_name.as_deref())
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or("Guest");
        let first = crate::names::greeting_name(
            guest,
            c.and_then(|c| c.guest_first_name.as_deref()),
            self.service.thresholds.full_name_for_family_first,
        );
        let room = c.map(|c| c.room_number.to_string()).unwrap_or_default();
        let staff = self.my_first_name();
        template
            .replace("{guest}", &crate::text::one_line(guest))
            .replace("{first_name}", &crate::text::one_line(&first))
            .replace("{room}", &room)
            .replace("{staff}", &crate::text::one_line(staff))
    }
}
