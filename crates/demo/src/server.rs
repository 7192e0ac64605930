//! The demo hotel server: the staff chat contract over HTTP (axum), the guest side, a Pusher
//! endpoint, simulated guests and switchable faults.

// Handlers short-circuit with a ready Response; its size does not matter off the hot path.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, Request, State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, delete, get, patch, post};
use chrono::Utc;
use serde_json::{Value, json};
use tokio::sync::{broadcast, oneshot};

use super::hotel::{Hotel, SeedOptions, Sender, StoredAttachment, ts, unread_by_room};
use super::profile::{Profile, Quirks};
use super::pusher::{ExternalPusher, Publisher, SocketSettings, channel_auth, serve_socket};
use super::wire::*;

pub const MAX_UPLOAD: u64 = 50 * 1024 * 1024;
pub const ALLOWED_EXTENSIONS: &[&str] = &[
    "jpg", "jpeg", "png", "gif", "webp", "bmp", "pdf", "doc", "docx", "xls", "xlsx", "txt", "csv",
];

/// Which published base path the server answers on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ServedPaths {
    /// `/api/staff/hotels/{slug}/chat/` (the published guide).
    #[default]
    Hotels,
    /// `/api/staff/hotel/{slug}/chat/` (the running deployment).
    Hotel,
}

#[derive(Clone, Debug, Default)]
pub struct Faults {
    pub send_500_after_save: bool,
    pub drop_sockets_every: Option<Duration>,
    pub slow: Option<Duration>,
    pub html_500_on: Vec<String>,
    pub truncate_previews: bool,
    /// Accept connections and never answer (HTTP and WebSocket alike).
    pub stall: bool,
    /// The server's clock is this many seconds ahead (negative: behind).
    pub clock_offset: Option<i64>,
    /// The file store fails: the upload answers 400 after its message was created, as the
    /// deployment does (contract 4.5), so the guest sees the text or "[File shared]".
    pub upload_storage_fails: bool,
}

impl Faults {
    /// `send-500-after-save,drop-sockets-every=5,slow=200,html-500-on=/messages/,truncate-previews`
    pub fn parse(list: &str) -> Result<Faults, String> {
        let mut f = Faults::default();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (name, value) = match item.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (item, None),
            };
            let number = |what: &str| -> Result<u64, String> {
                value
                    .and_then(|v| v.parse::<u64>().ok())
                    .ok_or_else(|| format!("fault {what} needs a whole number, as {what}=N"))
            };
            match name {
                "send-500-after-save" => f.send_500_after_save = true,
                "truncate-previews" => f.truncate_previews = true,
                "stall" => f.stall = true,
                "upload-storage-fails" => f.upload_storage_fails = true,
                "drop-sockets-every" => {
                    f.drop_sockets_every = Some(Duration::from_secs(number(name)?.max(1)))
                }
                "slow" => f.slow = Some(Duration::from_millis(number(name)?)),
                "clock-offset" => {
                    f.clock_offset = Some(
                        value
                            .and_then(|v| v.trim_start_matches('+').parse::<i64>().ok())
                            .ok_or("fault clock-offset needs seconds, as clock-offset=-600")?,
                    )
                }
                "html-500-on" => f.html_500_on.push(
                    value
                        .filter(|v| !v.is_empty())
                        .ok_or("fault html-500-on needs a path, as html-500-on=PATH")?
                        .to_string(),
                ),
                other => {
                    return Err(format!(
                        "unknown fault {other:?}; known: send-500-after-save, drop-sockets-every=SECS, slow=MS, html-500-on=PATH, truncate-previews, stall, clock-offset=SECS, upload-storage-fails"
                    ));
                }
            }
        }
        Ok(f)
    }
}

#[derive(Clone, Debug)]
pub struct DemoConfig {
    pub addr: SocketAddr,
    pub guest_every: f64,
    pub seed: SeedOptions,
    pub pusher_url: Option<String>,
    pub paths: ServedPaths,
    pub faults: Faults,
    pub activity_timeout: Duration,
    pub pong_wait: Duration,
    pub profile: Profile,
    /// In `frontdesk demo`, a colleague from housekeeping, maintenance or the kitchen answers
    /// a hand-off after this long (None: nobody answers by themselves).
    pub colleagues_answer_after: Option<Duration>,
    /// Browser origins allowed to call the API (CORS, contract 4.14), besides loopback ones
    /// (`http://127.0.0.1:PORT`, `http://localhost:PORT`), which are always allowed.
    pub allowed_origins: Vec<String>,
}

impl Default for DemoConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            guest_every: 0.0,
            seed: SeedOptions::default(),
            pusher_url: None,
            paths: ServedPaths::Hotels,
            faults: Faults::default(),
            activity_timeout: Duration::from_secs(120),
            pong_wait: Duration::from_secs(30),
            profile: Profile::Friendly,
            colleagues_answer_after: None,
            allowed_origins: Vec::new(),
        }
    }
}

struct Shared {
    hotel: Mutex<Hotel>,
    publisher: Publisher,
    local: broadcast::Sender<Arc<super::pusher::Published>>,
    sockets: SocketSettings,
    faults: Faults,
    quirks: Quirks,
    /// Requests answered, by endpoint, for the polling-budget measurements.
    requests: Mutex<HashMap<&'static str, u64>>,
    /// Every staff-chat call as it came (method, path, query, JSON body): what a test checks
    /// against the contract's samples, call for call.
    staff_calls: Mutex<Vec<Value>>,
    colleagues_answer_after: Option<Duration>,
    /// Where desks follow this demo live (`GET /api/demo/realtime`).
    realtime_url: String,
    allowed_origins: Vec<String>,
}

type St = Arc<Shared>;

impl Shared {
    fn hotel(&self) -> MutexGuard<'_, Hotel> {
        // A panic while holding the lock would be a demo bug; keep serving what is there.
        self.hotel.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How every staff call starts: the hotel, and the staff member behind the token (of this
    /// hotel, allowed chat, and allowed `need` when given).
    fn desk(
        &self,
        headers: &HeaderMap,
        slug: &str,
        need: Option<&str>,
    ) -> Result<(MutexGuard<'_, Hotel>, super::hotel::Staff), Response> {
        let hotel = self.hotel();
        let staff = staff_for(&hotel, headers, slug)?;
        if let Some(cap) = need {
            require(&staff, cap)?;
        }
        Ok((hotel, staff))
    }

    /// As [`Shared::desk`], for a conversation's path: its id, checked to be this hotel's.
    fn desk_conversation(
        &self,
        headers: &HeaderMap,
        slug: &str,
        raw_id: &str,
        need: Option<&str>,
    ) -> Result<(MutexGuard<'_, Hotel>, super::hotel::Staff, i64), Response> {
        let (hotel, staff) = self.desk(headers, slug, need)?;
        let id = parse_id(raw_id)?;
        conversation_in(&hotel, id, slug)?;
        Ok((hotel, staff, id))
    }
}

/// A running demo server. Dropping it does not stop it: call [`RunningDemo::stop`].
pub struct RunningDemo {
    pub addr: SocketAddr,
    pub base_url: String,
    pub ws_url: String,
    pub hotel: String,
    pub pusher_key: String,
    pub pusher_secret: String,
    shutdown: Option<oneshot::Sender<()>>,
    join: tokio::task::JoinHandle<()>,
}

impl RunningDemo {
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.join).await;
    }

    /// The lines `serve-demo` prints for scripts.
    pub fn env_lines(&self) -> String {
        format!(
            "FRONTDESK_SERVER={}\nFRONTDESK_HOTEL={}\nFRONTDESK_USERNAME=frontdesk\nFRONTDESK_PASSWORD=demo\nFRONTDESK_PUSHER_URL={}\nFRONTDESK_PUSHER_KEY={}\n",
            self.base_url, self.hotel, self.ws_url, self.pusher_key
        )
    }
}

pub async fn start(config: DemoConfig) -> Result<RunningDemo, String> {
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("no local address: {e}"))?;
    let base_url = format!("http://{addr}");
    let quirks = config.profile.quirks();
    let mut seed = config.seed.clone();
    seed.short_booking_ids |= quirks.short_booking_ids;
    seed.turn_over |= quirks.turned_over_room;
    if let Some(secs) = config.faults.clock_offset {
        seed.clock_offset_secs = secs;
    }
    let hotel = Hotel::new(&seed, &base_url);
    let (local, _) = broadcast::channel(65_536);
    let external = match &config.pusher_url {
        Some(url) => Some(ExternalPusher::parse(url)?),
        None => None,
    };
    let (key, secret, ws_url, publisher) = match external {
        Some(ext) => (
            ext.key.clone(),
            ext.secret.clone(),
            ext.ws_url(),
            Publisher::External(ext),
        ),
        None => {
            let key = hotel.seed.pusher.key.clone();
            (
                key.clone(),
                hotel.seed.pusher.secret.clone(),
                format!("ws://{addr}/app/{key}?protocol=7"),
                Publisher::Local(local.clone()),
            )
        }
    };
    let slug = hotel.seed.hotel.slug.clone();
    let shared = Arc::new(Shared {
        hotel: Mutex::new(hotel),
        publisher,
        local,
        sockets: SocketSettings {
            key: key.clone(),
            secret: secret.clone(),
            activity_timeout: config.activity_timeout,
            pong_wait: config.pong_wait,
            drop_every: config.faults.drop_sockets_every,
        },
        faults: config.faults.clone(),
        quirks,
        requests: Mutex::new(HashMap::new()),
        staff_calls: Mutex::new(Vec::new()),
        colleagues_answer_after: config.colleagues_answer_after,
        realtime_url: ws_url.clone(),
        allowed_origins: config.allowed_origins.clone(),
    });
    let app = router(shared.clone(), config.paths);
    let (tx, rx) = oneshot::channel::<()>();
    let guests = (config.guest_every > 0.0).then(|| {
        let shared = shared.clone();
        let every = Duration::from_secs_f64(config.guest_every);
        tokio::spawn(simulate_guests(shared, every))
    });
    let join = tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
            let _ = rx.await;
        });
        if let Err(e) = serve.await {
            tracing::error!("demo server: {e}");
        }
        if let Some(g) = guests {
            g.abort();
        }
    });
    Ok(RunningDemo {
        addr,
        base_url,
        ws_url,
        hotel: slug,
        pusher_key: key,
        pusher_secret: secret,
        shutdown: Some(tx),
        join,
    })
}

fn router(shared: St, paths: ServedPaths) -> Router {
    let form = match paths {
        ServedPaths::Hotels => "hotels",
        ServedPaths::Hotel => "hotel",
    };
    let base = format!("/api/staff/{form}/{{slug}}/chat");
    let r = |p: &str| format!("{base}/{p}");
    Router::new()
        .route("/api/staff/login/", post(login))
        .route(&r("conversations/"), get(list_conversations))
        .route(&r("conversations/unread-count/"), get(unread_count))
        .route(&r("conversations/{id}/messages/"), get(messages))
        .route(&r("conversations/{id}/messages/send/"), post(send))
        .route(&r("conversations/{id}/mark-read/"), post(mark_read))
        .route(&r("conversations/{id}/assign-staff/"), post(assign_staff))
        .route(&r("conversations/from-room/{room}/"), post(from_room))
        .route(&r("messages/{id}/update/"), patch(update_message))
        .route(&r("messages/{id}/delete/"), delete(delete_message))
        .route(
            &r("conversations/{id}/upload-attachment/"),
            post(upload).layer(DefaultBodyLimit::max(MAX_UPLOAD as usize + 8 * 1024 * 1024)),
        )
        .route(&r("attachments/{id}/delete/"), delete(delete_attachment))
        .merge(staff_chat_routes())
        .route("/api/notifications/pusher/auth/", post(pusher_auth))
        .route("/api/guest/hotel/{slug}/chat/context", get(guest_context))
        .route("/api/guest/hotel/{slug}/chat/messages", post(guest_send))
        .route(
            "/api/guest/hotel/{slug}/chat/conversations/{id}/mark_read/",
            post(guest_mark_read),
        )
        .route("/media/attachments/{id}/{name}", get(media))
        .route("/api/demo/burst", post(burst))
        .route("/api/demo/requests", get(request_counts))
        .route("/api/demo/staff-calls", get(staff_calls))
        .route("/api/demo/realtime", get(realtime))
        .route("/app/{key}", any(websocket))
        .fallback(|| async { detail(StatusCode::NOT_FOUND, "Not found.") })
        .layer(middleware::from_fn_with_state(shared.clone(), faults_layer))
        .layer(middleware::from_fn_with_state(shared.clone(), cors_layer))
        .with_state(shared)
}

/// Staff chat has one base path on every server: singular `hotel`, underscore `staff_chat`
/// (staff-chat 1).
fn staff_chat_routes() -> Router<St> {
    let r = |p: &str| format!("/api/staff/hotel/{{slug}}/staff_chat/{p}");
    Router::new()
        .route(&r("staff-list/"), get(staff_chat::staff_list))
        .route(
            &r("conversations/"),
            get(staff_chat::list).post(staff_chat::create),
        )
        .route(
            &r("conversations/unread-count/"),
            get(staff_chat::unread_count),
        )
        .route(
            &r("conversations/conversations-with-unread-count/"),
            get(staff_chat::with_unread),
        )
        .route(
            &r("conversations/{id}/messages/"),
            get(staff_chat::messages),
        )
        .route(
            &r("conversations/{id}/send-message/"),
            post(staff_chat::send),
        )
        .route(
            &r("conversations/{id}/send_message/"),
            post(staff_chat::send_legacy),
        )
        .route(
            &r("conversations/{id}/mark_as_read/"),
            post(staff_chat::mark_read),
        )
}

/// The headers a browser may send, as the deployment lists them (django-cors-headers'
/// defaults and the hotel's own).
const CORS_HEADERS: &str = "accept, accept-encoding, authorization, content-type, dnt, origin, user-agent, x-csrftoken, x-requested-with, idempotency-key, x-hotel-id, x-hotel-slug, x-hotel-identifier, x-guest-chat-session";

impl Shared {
    /// Loopback origins on any port, as the deployment allows them in development, and
    /// those the demo was started with.
    fn origin_allowed(&self, origin: &str) -> bool {
        let loopback = ["http://127.0.0.1:", "http://localhost:", "http://[::1]:"]
            .iter()
            .any(|p| {
                origin.strip_prefix(p).is_some_and(|port| {
                    !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())
                })
            });
        loopback || self.allowed_origins.iter().any(|o| o == origin)
    }
}

/// Browser clients (the hotel's web staff UI): preflights answered and responses marked for
/// allowed origins, as the deployment does (contract 4.14). Other origins get no CORS
/// headers, so the browser keeps the answer from the page.
async fn cors_layer(State(s): State<St>, req: Request, next: Next) -> Response {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| s.origin_allowed(o))
        .and_then(|o| axum::http::HeaderValue::from_str(o).ok());
    let preflight = req.method() == axum::http::Method::OPTIONS;
    let mut resp = if preflight {
        StatusCode::OK.into_response()
    } else {
        next.run(req).await
    };
    if let Some(origin) = origin {
        let h = resp.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            axum::http::HeaderValue::from_static("true"),
        );
        h.insert(header::VARY, axum::http::HeaderValue::from_static("origin"));
        if preflight {
            h.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                axum::http::HeaderValue::from_static("DELETE, GET, OPTIONS, PATCH, POST, PUT"),
            );
            h.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                axum::http::HeaderValue::from_static(CORS_HEADERS),
            );
            h.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                axum::http::HeaderValue::from_static("86400"),
            );
        }
    }
    resp
}

async fn faults_layer(State(s): State<St>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if s.faults.stall {
        // Say nothing, ever: the client's timeouts must cope.
        std::future::pending::<()>().await;
    }
    if path.starts_with("/app/") {
        return next.run(req).await;
    }
    // Staff chat without its trailing slash: 301 on the deployment, POST too (quirk 6.14).
    if s.quirks.staff_chat_quirks && path.contains("/staff_chat/") && !path.ends_with('/') {
        let query = req
            .uri()
            .query()
            .map(|q| format!("?{q}"))
            .unwrap_or_default();
        return (
            StatusCode::MOVED_PERMANENTLY,
            [(header::LOCATION, format!("{path}/{query}"))],
        )
            .into_response();
    }
    if !path.starts_with("/api/demo/") {
        let kind = endpoint_kind(req.method(), &path);
        let mut counts = s.requests.lock().unwrap_or_else(|p| p.into_inner());
        *counts.entry(kind).or_insert(0) += 1;
    }
    let req = if path.contains("/staff_chat/") {
        record_staff_call(&s, req).await
    } else {
        req
    };
    if let Some(d) = s.faults.slow {
        tokio::time::sleep(d).await;
    }
    if s.faults
        .html_500_on
        .iter()
        .any(|p| path.contains(p.as_str()))
    {
        return html_500();
    }
    let mut resp = next.run(req).await;
    if let Some(secs) = s.faults.clock_offset {
        // The server's own clock in the Date header (hyper would write the machine's).
        let at = Utc::now() + chrono::Duration::seconds(secs);
        if let Ok(v) =
            axum::http::HeaderValue::from_str(&at.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
        {
            resp.headers_mut().insert(header::DATE, v);
        }
    }
    resp
}

/// The contract's name for the endpoint a request went to (for the request counts).
fn endpoint_kind(method: &axum::http::Method, path: &str) -> &'static str {
    let get = method == axum::http::Method::GET;
    if path.contains("/staff_chat/") {
        return staff_chat_kind(get, path);
    }
    if path.ends_with("/conversations/") && get {
        "list"
    } else if path.ends_with("/unread-count/") {
        "unread-count"
    } else if path.ends_with("/messages/") && get {
        "messages"
    } else if path.ends_with("/send/") {
        "send"
    } else if path.ends_with("/mark-read/") {
        "mark-read"
    } else if path.ends_with("/assign-staff/") {
        "claim"
    } else if path.contains("/from-room/") {
        "from-room"
    } else if path.contains("/pusher/auth/") {
        "pusher-auth"
    } else if path.starts_with("/api/staff/login/") {
        "login"
    } else if path.starts_with("/api/guest/") {
        "guest"
    } else {
        "other"
    }
}

/// `GET /api/demo/requests`: requests answered so far, by endpoint (not counted itself).
/// Staff chat's endpoints by their contract names.
fn staff_chat_kind(get: bool, path: &str) -> &'static str {
    if path.ends_with("/staff-list/") {
        "staff-list"
    } else if path.ends_with("/unread-count/") {
        "staff-unread-count"
    } else if path.ends_with("/conversations/") {
        if get {
            "staff-conversations"
        } else {
            "staff-create"
        }
    } else if path.ends_with("/messages/") {
        "staff-messages"
    } else if path.ends_with("/send-message/") {
        "staff-send"
    } else if path.ends_with("/mark_as_read/") {
        "staff-mark-read"
    } else {
        "staff-other"
    }
}

/// Notes a staff-chat call (its body read and put back).
async fn record_staff_call(s: &Shared, req: Request) -> Request {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let call = json!({
        "method": parts.method.as_str(),
        "path": parts.uri.path(),
        "query": parts.uri.query(),
        "body": serde_json::from_slice::<Value>(&bytes).ok(),
    });
    s.staff_calls
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(call);
    Request::from_parts(parts, axum::body::Body::from(bytes))
}

async fn staff_calls(State(s): State<St>) -> Response {
    let calls = s
        .staff_calls
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    ok(calls)
}

/// `GET /api/demo/realtime`: the demo's realtime URL, so that `frontdesk login` against a
/// demo ends live with no config to write. The deployment has no such call (it answers 404).
async fn realtime(State(s): State<St>) -> Response {
    ok(json!({ "url": s.realtime_url }))
}

async fn request_counts(State(s): State<St>) -> Response {
    let counts = s.requests.lock().unwrap_or_else(|p| p.into_inner()).clone();
    ok(counts)
}

fn detail(status: StatusCode, text: &str) -> Response {
    (status, axum::Json(json!({ "detail": text }))).into_response()
}

fn error(status: StatusCode, text: &str) -> Response {
    (status, axum::Json(json!({ "error": text }))).into_response()
}

fn html_500() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        "<!doctype html><html><head><title>Server Error (500)</title></head><body><h1>Server Error (500)</h1></body></html>",
    )
        .into_response()
}

fn ok(v: impl serde::Serialize) -> Response {
    (StatusCode::OK, axum::Json(v)).into_response()
}

fn token_of(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    // The running service accepts only the Token scheme (sample 61).
    value.strip_prefix("Token ").map(|t| t.trim().to_string())
}

/// The staff member behind the request, checked against the hotel in the path and allowed
/// guest chat.
fn staff_for(
    hotel: &Hotel,
    headers: &HeaderMap,
    slug: &str,
) -> Result<super::hotel::Staff, Response> {
    let staff = hotel_member(hotel, headers, slug)?;
    if !staff.can("chat.conversation.read") {
        return Err(detail(
            StatusCode::FORBIDDEN,
            "You do not have permission to view the chat module.",
        ));
    }
    Ok(staff)
}

/// The staff member behind the token, of the hotel in the path (401 without a known token,
/// 403 for another hotel's, whatever the slug).
fn hotel_member(
    hotel: &Hotel,
    headers: &HeaderMap,
    slug: &str,
) -> Result<super::hotel::Staff, Response> {
    let Some(token) = token_of(headers) else {
        return Err(detail(
            StatusCode::UNAUTHORIZED,
            "Authentication credentials were not provided.",
        ));
    };
    let Some(staff) = hotel.staff_by_token(&token).cloned() else {
        return Err(detail(StatusCode::UNAUTHORIZED, "Invalid token."));
    };
    if staff.seed.hotel != slug {
        return Err(detail(
            StatusCode::FORBIDDEN,
            "You can only access resources from your hotel.",
        ));
    }
    Ok(staff)
}

fn require(staff: &super::hotel::Staff, cap: &str) -> Result<(), Response> {
    if staff.can(cap) {
        Ok(())
    } else {
        Err(detail(
            StatusCode::FORBIDDEN,
            "You do not have permission to perform this action.",
        ))
    }
}

fn parse_id(raw: &str) -> Result<i64, Response> {
    raw.parse::<i64>()
        .map_err(|_| detail(StatusCode::NOT_FOUND, "Not found."))
}

/// The conversation, checked to belong to the staff member's hotel.
fn conversation_in(hotel: &Hotel, id: i64, slug: &str) -> Result<(), Response> {
    let Some(conv) = hotel.conv(id) else {
        return Err(detail(
            StatusCode::NOT_FOUND,
            "No Conversation matches the given query.",
        ));
    };
    if hotel.conv_hotel(conv) != Some(slug) {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "Conversation does not belong to this hotel",
        ));
    }
    Ok(())
}

macro_rules! tri {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(resp) => return resp,
        }
    };
}

// After `tri!`, so the rooms below can use it.
mod chat;
use chat::*;
mod edits;
use edits::*;
mod guest;
use guest::*;
mod staff_chat;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_parse() {
        let f = Faults::parse(
            "send-500-after-save,slow=200,html-500-on=/messages/,drop-sockets-every=3",
        )
        .unwrap();
        assert!(f.send_500_after_save);
        assert_eq!(f.slow, Some(Duration::from_millis(200)));
        assert_eq!(f.html_500_on, vec!["/messages/".to_string()]);
        assert_eq!(f.drop_sockets_every, Some(Duration::from_secs(3)));
        assert!(Faults::parse("slow=fast").is_err());
        assert!(Faults::parse("explode").is_err());
    }

    #[test]
    fn form_bodies_decode() {
        let m = serde_urlencoded_pairs(b"socket_id=1234.5678&channel_name=private-hotel-x%2Dy");
        assert_eq!(m.get("socket_id").map(String::as_str), Some("1234.5678"));
        assert_eq!(
            m.get("channel_name").map(String::as_str),
            Some("private-hotel-x-y")
        );
    }

    #[test]
    fn extensions() {
        assert!(extension_ok("folio.PDF"));
        assert!(!extension_ok("bad.exe"));
        assert!(!extension_ok("noext"));
    }
}
