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

/// Follows a redirect only within the origin it started from (scheme, host and port), or from
/// plain http to https on the same host: the token never goes to another server, and another
/// server's answer is never taken for the hotel's.
fn same_origin(attempt: reqwest::redirect::Attempt) -> reqwest::redirect::Action {
    let Some(first) = attempt.previous().first() else {
        return attempt.stop();
    };
    let next = attempt.url();
    let same = first.scheme() == next.scheme()
        && first.host_str() == next.host_str()
        && first.port_or_known_default() == next.port_or_known_default();
    let upgrade =
        first.scheme() == "http" && next.scheme() == "https" && first.host_str() == next.host_str();
    if attempt.previous().len() > 5 {
        attempt.error("too many redirects")
    } else if same || upgrade {
        attempt.follow()
    } else {
        tracing::warn!("a redirect from {first} to another server ({next}) was not followed");
        attempt.stop()
    }
}

pub fn http_client(connect_timeout: Duration, timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(connect_timeout)
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::custom(same_origin))
        .user_agent(concat!("frontdesk/", env!("CARGO_PKG_VERSION")))
        .build()
        // Building only fails when the TLS backend cannot start; a default client is the
        // same configuration without the timeouts, better than no client.
        .unwrap_or_default()
}

fn transport_error(method: &'static str, path: &str, err: reqwest::Error) -> ApiError {
    let kind = if err.is_timeout() {
        ErrorKind::Timeout
    } else if err.is_connect() {
        ErrorKind::NoConnection(root_cause(&err))
    } else if err.is_decode() || err.is_body() {
        ErrorKind::BadResponse(root_cause(&err))
    } else {
        ErrorKind::NoConnection(root_cause(&err))
    };
    ApiError::new(method, path, kind)
}

fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = err;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

fn method_name(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::PUT => "PUT",
        _ => "HTTP",
    }
}

/// What one HTTP exchange gave back, before decoding.
struct Raw {
    status: StatusCode,
    content_type: String,
    /// Where a redirect that was not followed pointed.
    location: Option<String>,
    /// The server's clock minus ours, from its `Date` header (to the second).
    clock_offset: Option<chrono::Duration>,
    body: Vec<u8>,
}

/// What one answer may weigh, by what it is. Past the cap the rest is not read and the call
/// fails in words: a server that never ends a body costs at most the cap, not the machine.
pub mod caps {
    /// The conversation list: 2,000 conversations are about 1.5 MB.
    pub const LIST: usize = 32 << 20;
    /// A page of messages (the desk asks for at most a few hundred).
    pub const PAGE: usize = 16 << 20;
    /// `from-room`, which answers with a room's whole history (contract 4.11).
    pub const ROOM_HISTORY: usize = 32 << 20;
    /// One message, a claim, the unread counts, a sign-in, an upload's answer.
    pub const SMALL: usize = 1 << 20;
    /// A channel signature.
    pub const SIGNING: usize = 16 << 10;
}

fn size_words(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        format!("{} MB", bytes >> 20)
    } else {
        format!("{} KB", bytes >> 10)
    }
}

async fn exchange(
    method: &'static str,
    path: &str,
    req: RequestBuilder,
    cap: usize,
) -> Result<Raw, ApiError> {
    let mut resp = req
        .send()
        .await
        .map_err(|e| transport_error(method, path, e))?;
    let too_large = || {
        ApiError::new(
            method,
            path,
            ErrorKind::BadResponse(format!(
                "the answer was larger than {}, so it was not read",
                size_words(cap)
            )),
        )
    };
    let status = resp.status();
    let content_type = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let location = resp
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    // `Date` is whole seconds: the server's time is half a second past it on average.
    let clock_offset = resp
        .headers()
        .get(reqwest::header::DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(|d| DateTime::parse_from_rfc2822(d).ok())
        .map(|d| d.with_timezone(&Utc) + chrono::Duration::milliseconds(500) - Utc::now());
    if resp.content_length().is_some_and(|n| n > cap as u64) {
        return Err(too_large());
    }
    // Read as a stream, and stop at the cap.
    let mut body = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| transport_error(method, path, e))?
    {
        if body.len() + chunk.len() > cap {
            tracing::warn!("{method} {path}: answer over {} abandoned", size_words(cap));
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Raw {
        status,
        content_type,
        location,
        clock_offset,
        body,
    })
}

/// A non-2xx answer as the error it is.
fn failed_status(method: &'static str, path: &str, raw: &Raw) -> Result<(), ApiError> {
    if raw.status.is_success() {
        return Ok(());
    }
    let kind = kind_for_answer(
        raw.status.as_u16(),
        &raw.content_type,
        &raw.body,
        raw.location.as_deref(),
    );
    Err(ApiError::new(method, path, kind))
}

/// Words for a body that is not what the contract says.
fn unexpected(method: &'static str, path: &str, raw: &Raw, e: serde_json::Error) -> ApiError {
    let what = if raw.content_type.contains("json") {
        format!("body does not match the contract ({e})")
    } else {
        format!("expected JSON, got {}", short_type(&raw.content_type))
    };
    ApiError::new(method, path, ErrorKind::BadResponse(what))
}

fn decode<T: DeserializeOwned>(method: &'static str, path: &str, raw: Raw) -> Result<T, ApiError> {
    failed_status(method, path, &raw)?;
    super::json::from_slice(&raw.body).map_err(|e| unexpected(method, path, &raw, e))
}

/// A JSON array read row by row: the rows that do not match the contract are skipped and
/// counted (the first one's problem is logged), so one bad row cannot hide the rest.
#[derive(Debug, Clone, PartialEq)]
pub struct Rows<T> {
    pub items: Vec<T>,
    pub skipped: usize,
}

fn decode_rows<T: DeserializeOwned>(
    method: &'static str,
    path: &str,
    raw: Raw,
) -> Result<Rows<T>, ApiError> {
    use serde_json::value::RawValue;
    failed_status(method, path, &raw)?;
    let bad = |e: serde_json::Error| unexpected(method, path, &raw, e);
    // Each row stays a slice of the body (no copy) until it is decoded on its own; only a
    // body with broken escapes is copied once, repaired.
    let repaired: Vec<u8>;
    let rows: Vec<&RawValue> = match serde_json::from_slice(&raw.body) {
        Ok(rows) => rows,
        Err(e) if super::json::is_escape_error(&e) => {
            repaired = super::json::repair(&raw.body).ok_or_else(|| bad(e))?;
            serde_json::from_slice(&repaired).map_err(bad)?
        }
        Err(e) => return Err(bad(e)),
    };
    let mut items = Vec::with_capacity(rows.len());
    let mut skipped = 0;
    for (i, row) in rows.iter().enumerate() {
        match super::json::from_slice::<T>(row.get().as_bytes()) {
            Ok(item) => items.push(item),
            Err(e) => {
                if skipped == 0 {
                    tracing::warn!("{method} {path}: row {i} skipped: {e}");
                }
                skipped += 1;
            }
        }
    }
    if skipped > 0 {
        tracing::warn!(
            "{method} {path}: {skipped} of {} rows could not be read",
            rows.len()
        );
    }
    Ok(Rows { items, skipped })
}

fn short_type(content_type: &str) -> String {
    let t = content_type.split(';').next().unwrap_or("").trim();
    if t.is_empty() {
        "no content type".into()
    } else {
        t.chars().take(60).collect()
    }
}

/// Logs in (no token needed). `POST /api/staff/login/`.
///
/// It follows no redirect: the password goes to the server named and nowhere else. A redirect
/// is an error that says where the server pointed, so the user can sign in there instead.
pub async fn login(server: &str, username: &str, password: &str) -> Result<Login, ApiError> {
    let path = "/api/staff/login/";
    let url = format!("{}{}", server.trim_end_matches('/'), path);
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(15))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("frontdesk/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| transport_error("POST", path, e))?;
    let req = http
        .post(url)
        .json(&serde_json::json!({"username": username, "password": password}));
    let raw = exchange("POST", path, req, caps::SMALL).await?;
    decode("POST", path, raw)
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
                before.max(0)
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
            body["reply_to"] = id.into();
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
            .messages(conversation, 1, Some(message.saturating_add(1)))
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
        attachment: i64,
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

/// What makes a stored message the copy of one reply: our staff id, the same conversation,
/// the same text, and newer than the newest message the desk held when the reply was first
/// attempted. The id rule keeps an identical earlier reply (a canned line sent twice) from
/// being taken for this one; replies without it (outboxes from older versions) fall back to
/// the time of the attempt, with slack for clock skew.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplyIdentity {
    pub staff_id: i64,
    pub text: String,
    pub after_id: Option<MessageId>,
    pub first_attempt: DateTime<Utc>,
}

impl ReplyIdentity {
    pub fn matches(&self, conversation: ConversationId, m: &Message) -> bool {
        let newer = match self.after_id {
            Some(after) => m.id > after,
            None => m.timestamp + chrono::Duration::minutes(5) >= self.first_attempt,
        };
        m.sender_type == SenderType::Staff
            && m.staff == Some(self.staff_id)
            && m.conversation_id.is_none_or(|c| c == conversation)
            && m.message.trim() == self.text.trim()
            && newer
    }
}

/// A reply the server has stored, and whether it took reading back to know it.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub message: Message,
    pub read_back: bool,
}
