//! The typed staff chat client: one method per endpoint of the contract's table, plus login and
//! the Pusher signer. Cheap to clone; safe to share between tasks.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;

use super::error::{ApiError, ErrorKind, kind_for_answer};
use super::models::*;

mod transport;
use transport::*;
pub use transport::{Rows, connection_problem, http_client, login};

mod identity;
mod staff_chat;
pub use identity::{Delivery, ReplyIdentity};

/// Which base path the chat lives under (contract section 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PathForm {
    /// Try the published `hotels` form, fall back to `hotel` on 404 `Not found.`.
    #[default]
    Auto,
    /// `/api/staff/hotels/{slug}/chat/` (published guide).
    Hotels,
    /// `/api/staff/hotel/{slug}/chat/` (running deployment).
    Hotel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthScheme {
    #[default]
    Token,
    Bearer,
}

#[derive(Debug, Clone)]
pub struct ApiConfig {
    pub server: String,
    pub hotel: String,
    pub token: String,
    pub scheme: AuthScheme,
    pub paths: PathForm,
    pub connect_timeout: Duration,
    pub timeout: Duration,
    /// Where private Pusher channels are signed.
    pub pusher_auth_path: String,
}

impl ApiConfig {
    pub fn new(server: &str, hotel: &str, token: &str) -> Self {
        Self {
            server: server.trim_end_matches('/').to_string(),
            hotel: hotel.to_string(),
            token: token.to_string(),
            scheme: AuthScheme::Token,
            paths: PathForm::Auto,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(15),
            pusher_auth_path: "/api/notifications/pusher/auth/".into(),
        }
    }
}

const UNRESOLVED: u8 = 0;
const HOTELS: u8 = 1;
const HOTEL: u8 = 2;

/// One file to upload.
#[derive(Debug, Clone)]
pub struct UploadFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

#[derive(Clone)]
pub struct StaffApi {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    config: ApiConfig,
    /// Replaced when the staff member signs in again during a session.
    token: std::sync::RwLock<String>,
    /// The base path that answered, once known.
    form: AtomicU8,
    /// Recent estimates of the server's clock minus ours, in milliseconds.
    clock: std::sync::Mutex<std::collections::VecDeque<i64>>,
}

impl std::fmt::Debug for StaffApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token is deliberately left out.
        f.debug_struct("StaffApi")
            .field("server", &self.inner.config.server)
            .field("hotel", &self.inner.config.hotel)
            .finish()
    }
}

impl StaffApi {
    pub fn new(config: ApiConfig) -> Self {
        let http = http_client(config.connect_timeout, config.timeout);
        Self::with_http(config, http)
    }

    pub fn with_http(config: ApiConfig, http: reqwest::Client) -> Self {
        let form = match config.paths {
            PathForm::Auto => UNRESOLVED,
            PathForm::Hotels => HOTELS,
            PathForm::Hotel => HOTEL,
        };
        Self {
            inner: Arc::new(Inner {
                http,
                token: std::sync::RwLock::new(config.token.clone()),
                config,
                form: AtomicU8::new(form),
                clock: std::sync::Mutex::new(std::collections::VecDeque::new()),
            }),
        }
    }

    /// Uses a new token from now on, in every clone.
    pub fn set_token(&self, token: &str) {
        match self.inner.token.write() {
            Ok(mut t) => *t = token.to_string(),
            Err(p) => *p.into_inner() = token.to_string(),
        }
    }

    pub fn config(&self) -> &ApiConfig {
        &self.inner.config
    }

    fn note_clock(&self, raw: &Raw) {
        let Some(offset) = raw.clock_offset else {
            return;
        };
        let mut samples = self.inner.clock.lock().unwrap_or_else(|p| p.into_inner());
        samples.push_back(offset.num_milliseconds());
        if samples.len() > 9 {
            samples.pop_front();
        }
    }

    /// The server's clock minus this computer's: the median of the recent answers' `Date`
    /// headers. Ages and waits are counted on the server's clock, since the message times are
    /// its (an unmanaged desk PC drifts by minutes).
    pub fn clock_offset(&self) -> Option<chrono::Duration> {
        let samples = self.inner.clock.lock().unwrap_or_else(|p| p.into_inner());
        let mut v: Vec<i64> = samples.iter().copied().collect();
        if v.is_empty() {
            return None;
        }
        v.sort_unstable();
        Some(chrono::Duration::milliseconds(v[v.len() / 2]))
    }

    /// The base path form that answered, once one has.
    pub fn resolved_paths(&self) -> PathForm {
        match self.inner.form.load(Ordering::Relaxed) {
            HOTELS => PathForm::Hotels,
            HOTEL => PathForm::Hotel,
            _ => PathForm::Auto,
        }
    }

    fn chat_path(&self, form: u8, rel: &str) -> String {
        let kind = if form == HOTEL { "hotel" } else { "hotels" };
        format!(
            "/api/staff/{kind}/{}/chat/{rel}",
            self.inner.config.hotel.as_str()
        )
    }

    fn authed(&self, method: Method, path: &str) -> RequestBuilder {
        let c = &self.inner.config;
        let scheme = match c.scheme {
            AuthScheme::Token => "Token",
            AuthScheme::Bearer => "Bearer",
        };
        let token = self
            .inner
            .token
            .read()
            .map(|t| t.clone())
            .unwrap_or_else(|p| p.into_inner().clone());
        self.inner
            .http
            .request(method, format!("{}{}", c.server, path))
            .header(reqwest::header::AUTHORIZATION, format!("{scheme} {token}"))
    }

    /// One chat call. `build` adds the body; it may be called twice when the base path is
    /// still being discovered.
    async fn chat<T: DeserializeOwned>(
        &self,
        method: Method,
        rel: &str,
        cap: usize,
        build: impl Fn(RequestBuilder) -> RequestBuilder,
    ) -> Result<T, ApiError> {
        let name = method_name(&method);
        let (path, raw) = self.chat_raw(method, rel, cap, build).await?;
        decode(name, &path, raw)
    }

    /// A chat call whose answer is a JSON array, read one row at a time.
    async fn chat_rows<T: DeserializeOwned>(
        &self,
        rel: &str,
        cap: usize,
    ) -> Result<Rows<T>, ApiError> {
        let (path, raw) = self.chat_raw(Method::GET, rel, cap, |r| r).await?;
        decode_rows("GET", &path, raw)
    }

    async fn chat_raw(
        &self,
        method: Method,
        rel: &str,
        cap: usize,
        build: impl Fn(RequestBuilder) -> RequestBuilder,
    ) -> Result<(String, Raw), ApiError> {
        let name = method_name(&method);
        let form = self.inner.form.load(Ordering::Relaxed);
        let first = if form == UNRESOLVED { HOTELS } else { form };
        let path = self.chat_path(first, rel);
        let raw = exchange(name, &path, build(self.authed(method.clone(), &path)), cap).await?;
        self.note_clock(&raw);
        if form == UNRESOLVED {
            let plain_not_found = raw.status == StatusCode::NOT_FOUND
                && super::error::reason_from_body(&raw.content_type, &raw.body).as_deref()
                    == Some("Not found.");
            if plain_not_found {
                let path = self.chat_path(HOTEL, rel);
                let raw = exchange(name, &path, build(self.authed(method, &path)), cap).await?;
                if raw.status != StatusCode::NOT_FOUND {
                    self.inner.form.store(HOTEL, Ordering::Relaxed);
                    tracing::info!("chat base path: /api/staff/hotel/ (deployed form)");
                }
                return Ok((path, raw));
            }
            self.inner.form.store(HOTELS, Ordering::Relaxed);
        }
        Ok((path, raw))
    }

    /// 1. All conversations of the hotel (unsorted: sort by activity yourself).
    pub async fn conversations(&self) -> Result<Vec<Conversation>, ApiError> {
        Ok(self.conversation_rows().await?.items)
    }

    /// The list, with the rows that could not be read counted instead of failing it all.
    pub async fn conversation_rows(&self) -> Result<Rows<Conversation>, ApiError> {
        self.chat_rows("conversations/", caps::LIST).await
    }

    /// 2. A page of messages, oldest first: the newest `limit` with `id < before_id`.
    pub async fn messages(
        &self,
        conversation: ConversationId,
        limit: u32,
        before_id: Option<MessageId>,
    ) -> Result<Vec<Message>, ApiError> {
        Ok(self
            .message_rows(conversation, limit, before_id)
            .await?
            .items)
    }

    /// A page, with the messages that could not be read counted instead of failing it all.
    pub async fn message_rows(
        &self,
        conversation: ConversationId,
        limit: u32,
        before_id: Option<MessageId>,
    ) -> Result<Rows<Message>, ApiError> {
        // Never send values the server turns into a 500 (contract 2, errors).
        let limit = limit.max(1);
        let rel = match before_id {
            Some(before) => format!(
                "conversations/{conversation}/messages/?limit={limit}&before_id={}",
                before.0.max(0)
            ),
            None => format!("conversations/{conversation}/messages/?limit={limit}"),
        };
        self.chat_rows(&rel, caps::PAGE).await
    }

    /// Walks back from the newest message until a short page: the whole thread, oldest first.
    pub async fn all_messages(
        &self,
        conversation: ConversationId,
        page: u32,
    ) -> Result<Vec<Message>, ApiError> {
        let page = page.max(1);
        let mut pages: Vec<Vec<Message>> = Vec::new();
        let mut before = None;
        loop {
            let batch = self.messages(conversation, page, before).await?;
            let short = (batch.len() as u32) < page;
            before = batch.first().map(|m| m.id);
            pages.push(batch);
            if short || before.is_none() {
                break;
            }
        }
        Ok(pages.into_iter().rev().flatten().collect())
    }

    /// Sends a reply (endpoint 3). Not idempotent: after an error whose outcome is unknown,
    /// look for the message with [`StaffApi::find_own_reply`] before sending again.
    pub async fn send(
        &self,
        conversation: ConversationId,
        text: &str,
        reply_to: Option<MessageId>,
    ) -> Result<Message, ApiError> {
        let mut body = serde_json::json!({ "message": text });
        if let Some(id) = reply_to {
            body["reply_to"] = id.0.into();
        }
        let rel = format!("conversations/{conversation}/messages/send/");
        let result: SendResult = self
            .chat(Method::POST, &rel, caps::SMALL, |r| r.json(&body))
            .await?;
        Ok(result.message)
    }

    /// Looks in the newest messages for the stored copy of a reply (see [`ReplyIdentity`]).
    pub async fn find_copy(
        &self,
        conversation: ConversationId,
        identity: &ReplyIdentity,
    ) -> Result<Option<Message>, ApiError> {
        let recent = self.messages(conversation, 30, None).await?;
        Ok(recent
            .into_iter()
            .rev()
            .find(|m| identity.matches(conversation, m)))
    }

    /// Sends a reply and settles the answer: a 5xx, a timeout or a 200 carrying some other
    /// message proves nothing, so the thread is read back and the reply counts as delivered
    /// only when its stored copy is found (contract 4.1, 4.7). With `check_first` (a retry
    /// after an unknown outcome) it looks before sending, so a stored reply is not sent twice.
    pub async fn deliver(
        &self,
        conversation: ConversationId,
        reply_to: Option<MessageId>,
        identity: &ReplyIdentity,
        check_first: bool,
    ) -> Result<Delivery, ApiError> {
        if check_first && let Some(message) = self.find_copy(conversation, identity).await? {
            return Ok(Delivery {
                message,
                read_back: true,
            });
        }
        let failure = match self.send(conversation, &identity.text, reply_to).await {
            Ok(message) if identity.matches(conversation, &message) => {
                return Ok(Delivery {
                    message,
                    read_back: false,
                });
            }
            Ok(other) => {
                tracing::warn!(
                    "send to conversation {conversation} answered with message {} of conversation {:?}: not the reply sent",
                    other.id,
                    other.conversation_id
                );
                ApiError::new(
                    "POST",
                    format!("conversations/{conversation}/messages/send/"),
                    ErrorKind::BadResponse("the server answered with another message".into()),
                )
            }
            Err(e) if e.outcome_unknown() => e,
            Err(e) => return Err(e),
        };
        tracing::info!("send to conversation {conversation}: {failure}; reading the thread back");
        match self.find_copy(conversation, identity).await {
            Ok(Some(message)) => Ok(Delivery {
                message,
                read_back: true,
            }),
            Ok(None) => Err(failure),
            Err(e) => {
                tracing::info!("reading back conversation {conversation}: {e}");
                Err(failure)
            }
        }
    }

    /// 4. Marks the guest's messages read.
    pub async fn mark_read(
        &self,
        conversation: ConversationId,
    ) -> Result<MarkReadResult, ApiError> {
        let rel = format!("conversations/{conversation}/mark-read/");
        self.chat(Method::POST, &rel, caps::SMALL, |r| r).await
    }

    /// 5. Claims the conversation for the signed-in staff member (also marks read).
    pub async fn claim(&self, conversation: ConversationId) -> Result<ClaimResult, ApiError> {
        let rel = format!("conversations/{conversation}/assign-staff/");
        self.chat(Method::POST, &rel, caps::SMALL, |r| r).await
    }

    /// Claims, and settles an answer that proves nothing (a 5xx or a timeout, contract 4.8):
    /// a claim also marks the guest's messages read, so when the thread read back has no
    /// unread guest message, the claim was saved.
    pub async fn claim_settled(
        &self,
        conversation: ConversationId,
        my_name: &str,
    ) -> Result<ClaimResult, ApiError> {
        let failure = match self.claim(conversation).await {
            Err(e) if e.outcome_unknown() => e,
            other => return other,
        };
        let recent = match self.messages(conversation, 30, None).await {
            Ok(m) => m,
            Err(_) => return Err(failure),
        };
        let saved = recent
            .iter()
            .all(|m| m.sender_type != SenderType::Guest || m.read_by_staff);
        if !saved {
            return Err(failure);
        }
        tracing::info!("claim of {conversation}: {failure}, but the thread shows it was saved");
        Ok(ClaimResult {
            conversation_id: conversation,
            assigned_staff: AssignedStaff {
                name: my_name.to_string(),
                role: None,
            },
            participant_created: false,
            room_number: recent.first().and_then(|m| m.room_number),
            messages_marked_read: 0,
        })
    }

    /// One message read back by id (the page of one that ends at it), to settle an edit or
    /// delete whose answer proved nothing. None when it is gone.
    pub async fn message_by_id(
        &self,
        conversation: ConversationId,
        message: MessageId,
    ) -> Result<Option<Message>, ApiError> {
        let page = self
            .messages(
                conversation,
                1,
                Some(MessageId(message.0.saturating_add(1))),
            )
            .await?;
        Ok(page.into_iter().find(|m| m.id == message))
    }

    /// 6. Unread counts keyed by room primary key.
    pub async fn unread_counts(&self) -> Result<UnreadCounts, ApiError> {
        self.chat(
            Method::GET,
            "conversations/unread-count/",
            caps::SMALL,
            |r| r,
        )
        .await
    }

    /// 7. Opens (or starts) the thread of a room by its number.
    pub async fn from_room(
        &self,
        room_number: crate::model::RoomNumber,
    ) -> Result<FromRoomResult, ApiError> {
        let rel = format!("conversations/from-room/{room_number}/");
        self.chat(Method::POST, &rel, caps::ROOM_HISTORY, |r| r)
            .await
    }

    /// 8. Edits one of our own messages.
    pub async fn update_message(
        &self,
        message: MessageId,
        text: &str,
    ) -> Result<UpdateResult, ApiError> {
        let rel = format!("messages/{message}/update/");
        let body = serde_json::json!({ "message": text });
        self.chat(Method::PATCH, &rel, caps::SMALL, |r| r.json(&body))
            .await
    }

    /// 9. Deletes a message: soft by default, hard with `chat.message.moderate`.
    pub async fn delete_message(
        &self,
        message: MessageId,
        hard: bool,
    ) -> Result<DeleteResult, ApiError> {
        let rel = if hard {
            format!("messages/{message}/delete/?hard_delete=true")
        } else {
            format!("messages/{message}/delete/")
        };
        self.chat(Method::DELETE, &rel, caps::SMALL, |r| r).await
    }

    /// 10. Uploads files (and an optional message) as one staff message.
    pub async fn upload(
        &self,
        conversation: ConversationId,
        files: &[UploadFile],
        message: Option<&str>,
        reply_to: Option<MessageId>,
    ) -> Result<UploadResult, ApiError> {
        self.upload_with_progress(conversation, files, message, reply_to, |_, _| {})
            .await
    }

    /// Uploads like [`StaffApi::upload`], reporting bytes sent as the body streams out.
    pub async fn upload_with_progress(
        &self,
        conversation: ConversationId,
        files: &[UploadFile],
        message: Option<&str>,
        reply_to: Option<MessageId>,
        progress: impl Fn(u64, u64) + Send + Sync + Clone + 'static,
    ) -> Result<UploadResult, ApiError> {
        let rel = format!("conversations/{conversation}/upload-attachment/");
        let total: u64 = files.iter().map(|f| f.bytes.len() as u64).sum();
        let shared: Vec<(String, std::sync::Arc<Vec<u8>>)> = files
            .iter()
            .map(|f| (f.name.clone(), std::sync::Arc::new(f.bytes.clone())))
            .collect();
        self.chat(Method::POST, &rel, caps::SMALL, |r| {
            let sent = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
            let mut form = reqwest::multipart::Form::new();
            for (name, bytes) in &shared {
                let len = bytes.len() as u64;
                let chunks: Vec<bytes::Bytes> = bytes
                    .chunks(64 * 1024)
                    .map(bytes::Bytes::copy_from_slice)
                    .collect();
                let (sent, progress) = (sent.clone(), progress.clone());
                let stream = futures_util::stream::iter(chunks.into_iter().map(move |c| {
                    let now = sent.fetch_add(c.len() as u64, Ordering::Relaxed) + c.len() as u64;
                    progress(now, total);
                    Ok::<_, std::io::Error>(c)
                }));
                let part = reqwest::multipart::Part::stream_with_length(
                    reqwest::Body::wrap_stream(stream),
                    len,
                )
                .file_name(name.clone());
                form = form.part("files", part);
            }
            if let Some(text) = message.filter(|t| !t.trim().is_empty()) {
                form = form.text("message", text.to_string());
            }
            if let Some(id) = reply_to {
                form = form.text("reply_to", id.to_string());
            }
            r.multipart(form)
        })
        .await
    }

    /// 11. Deletes an attachment.
    pub async fn delete_attachment(
        &self,
        attachment: AttachmentId,
    ) -> Result<DeleteAttachmentResult, ApiError> {
        let rel = format!("attachments/{attachment}/delete/");
        self.chat(Method::DELETE, &rel, caps::SMALL, |r| r).await
    }

    /// Signs a private channel: `POST /api/notifications/pusher/auth/`.
    pub async fn pusher_auth(
        &self,
        socket_id: &str,
        channel: &str,
    ) -> Result<PusherAuth, ApiError> {
        let path = self.inner.config.pusher_auth_path.as_str();
        let req = self
            .authed(Method::POST, path)
            .json(&serde_json::json!({"socket_id": socket_id, "channel_name": channel}));
        let raw = exchange("POST", path, req, caps::SIGNING).await?;
        decode("POST", path, raw)
    }
}
