//! The staff-to-staff chat calls (`contract/staff-chat`): one base path on every server,
//! `/api/staff/hotel/{slug}/staff_chat/`, trailing slash always (a 301 otherwise, quirk 6.14).
//! Only the calls the hand-off needs, each checked against the contract's samples.

use super::*;
use crate::api::staff_models::*;

/// How many colleagues one `staff-list/` page holds (the most the server gives, 02b).
const STAFF_PAGE: u32 = 200;

impl StaffApi {
    fn staff_chat_path(&self, rel: &str) -> String {
        format!(
            "/api/staff/hotel/{}/staff_chat/{rel}",
            self.inner.config.hotel.as_str()
        )
    }

    async fn staff_chat<T: DeserializeOwned>(
        &self,
        method: Method,
        rel: &str,
        cap: usize,
        build: impl FnOnce(RequestBuilder) -> RequestBuilder,
    ) -> Result<T, ApiError> {
        let name = method_name(&method);
        let path = self.staff_chat_path(rel);
        let raw = exchange(name, &path, build(self.authed(method, &path)), cap).await?;
        self.note_clock(&raw);
        decode(name, &path, raw)
    }

    /// 1. Colleagues whose name, department or role matches `search` (all when empty), the
    ///    caller left out by the server.
    pub async fn colleagues(&self, search: &str) -> Result<Vec<Colleague>, ApiError> {
        let page: Page<Colleague> = self
            .staff_chat(Method::GET, "staff-list/", caps::LIST, |r| {
                r.query(&[
                    ("search", search.to_string()),
                    ("page_size", STAFF_PAGE.to_string()),
                ])
            })
            .await?;
        Ok(page.results)
    }

    /// 2. My staff conversations, the 10 most recently written in (page 1; the server's page
    ///    size is fixed).
    pub async fn team_threads(&self) -> Result<Vec<TeamThread>, ApiError> {
        let page: Page<TeamThread> = self
            .staff_chat(Method::GET, "conversations/", caps::LIST, |r| r)
            .await?;
        Ok(page.results)
    }

    /// Each recent staff conversation with its newest `limit` messages: where hand-offs made
    /// at any desk are found again.
    pub async fn team_threads_with_messages(
        &self,
        limit: u32,
    ) -> Result<Vec<(TeamThread, Vec<TeamMessage>)>, ApiError> {
        let mut out = Vec::new();
        for t in self.team_threads().await? {
            let page = self.team_messages(t.id, limit, None).await?;
            out.push((t, page.messages));
        }
        Ok(out)
    }

    /// 3. The conversation with exactly these colleagues (get-or-create: 201 new, 200 the
    ///    existing one, which keeps its old title). My own id is never sent (quirk 6.4).
    pub async fn team_thread_with(
        &self,
        me: StaffId,
        colleagues: &[StaffId],
        title: &str,
    ) -> Result<TeamThread, ApiError> {
        let mut ids: Vec<i64> = colleagues
            .iter()
            .filter(|id| **id != me)
            .map(|id| id.0)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Err(ApiError::new(
                "POST",
                self.staff_chat_path("conversations/"),
                ErrorKind::BadResponse("a hand-off needs a colleague other than yourself".into()),
            ));
        }
        let body = serde_json::json!({ "participant_ids": ids, "title": title });
        self.staff_chat(Method::POST, "conversations/", caps::SMALL, |r| {
            r.json(&body)
        })
        .await
    }

    /// 11. Sends in a staff conversation (`send-message/`, never the legacy `send_message/`,
    ///     which publishes nothing: quirk 6.7). The answer must be the message sent.
    pub async fn team_send(
        &self,
        thread: TeamThreadId,
        text: &str,
        reply_to: Option<TeamMessageId>,
    ) -> Result<TeamMessage, ApiError> {
        let rel = format!("conversations/{thread}/send-message/");
        let mut body = serde_json::json!({ "message": text });
        if let Some(r) = reply_to {
            body["reply_to"] = serde_json::json!(r.0);
        }
        let sent: TeamMessage = self
            .staff_chat(Method::POST, &rel, caps::SMALL, |r| r.json(&body))
            .await?;
        if sent.conversation != thread || sent.message != text {
            return Err(ApiError::new(
                "POST",
                self.staff_chat_path(&rel),
                ErrorKind::BadResponse(
                    "the server answered with another message than the one sent".into(),
                ),
            ));
        }
        Ok(sent)
    }

    /// 12. A page of a staff conversation, oldest first: the newest `limit` before
    ///     `before`. `limit` is at least 1: 0 answers `[]` with `has_more` for ever (6.6).
    pub async fn team_messages(
        &self,
        thread: TeamThreadId,
        limit: u32,
        before: Option<TeamMessageId>,
    ) -> Result<TeamPage, ApiError> {
        let limit = limit.max(1);
        let rel = match before {
            Some(b) => format!(
                "conversations/{thread}/messages/?limit={limit}&before_id={}",
                b.0.max(0)
            ),
            None => format!("conversations/{thread}/messages/?limit={limit}"),
        };
        self.staff_chat(Method::GET, &rel, caps::PAGE, |r| r).await
    }

    /// The front desk's log (`crate::desk_log`): my conversations titled as the log (found
    /// by the list's `search`), and `known` ones, each with its newest `limit` lines.
    pub async fn desk_log_threads(
        &self,
        known: &[TeamThreadId],
        limit: u32,
    ) -> Result<Vec<(TeamThread, Vec<TeamMessage>)>, ApiError> {
        let page: Page<TeamThread> = self
            .staff_chat(Method::GET, "conversations/", caps::LIST, |r| {
                // Newest first: the conversation a new line goes to.
                r.query(&[
                    ("search", crate::desk_log::TITLE),
                    ("ordering", "-updated_at"),
                ])
            })
            .await?;
        let mut threads: Vec<TeamThread> = page
            .results
            .into_iter()
            .filter(|t| t.title.trim() == crate::desk_log::TITLE)
            .collect();
        for k in known {
            if !threads.iter().any(|t| t.id == *k) {
                threads.push(TeamThread {
                    id: *k,
                    participants: vec![],
                    title: crate::desk_log::TITLE.into(),
                    is_group: true,
                });
            }
        }
        let mut out = Vec::new();
        for t in threads {
            let page = self.team_messages(t.id, limit, None).await?;
            out.push((t, page.messages));
        }
        Ok(out)
    }

    /// Writes a line to the log: in `thread`, or in the conversation of my department's
    /// people (get-or-create, so every desk of the same members finds the same one).
    pub async fn write_desk_log(
        &self,
        me: StaffId,
        thread: Option<TeamThreadId>,
        department: Option<&str>,
        text: &str,
    ) -> Result<(TeamThread, TeamMessage), ApiError> {
        let thread = match thread {
            Some(id) => TeamThread {
                id,
                participants: vec![],
                title: crate::desk_log::TITLE.into(),
                is_group: true,
            },
            None => {
                // Sessions saved before the department was kept: the backend's front office.
                let department = department.unwrap_or("front_office");
                let members: Vec<StaffId> = self
                    .colleagues("")
                    .await?
                    .into_iter()
                    .filter(|c| c.department.as_ref().is_some_and(|d| d.slug == department))
                    .map(|c| c.id)
                    .collect();
                if members.is_empty() {
                    return Err(ApiError::new(
                        "POST",
                        self.staff_chat_path("conversations/"),
                        ErrorKind::BadResponse(format!(
                            "nobody else is in your department ({department}) to share the front desk log with"
                        )),
                    ));
                }
                self.team_thread_with(me, &members, crate::desk_log::TITLE)
                    .await?
            }
        };
        let sent = self.team_send(thread.id, text, None).await?;
        Ok((thread, sent))
    }

    /// 5. Unread per staff conversation, for me: the count to trust (6.1, 6.2).
    pub async fn team_unread(&self) -> Result<TeamUnread, ApiError> {
        self.staff_chat(
            Method::GET,
            "conversations/unread-count/",
            caps::SMALL,
            |r| r,
        )
        .await
    }

    /// 23. Marks a whole staff conversation read.
    pub async fn team_mark_read(&self, thread: TeamThreadId) -> Result<(), ApiError> {
        let rel = format!("conversations/{thread}/mark_as_read/");
        let _: serde_json::Value = self
            .staff_chat(Method::POST, &rel, caps::SMALL, |r| r)
            .await?;
        Ok(())
    }
}
