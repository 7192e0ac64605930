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
                        "unknown fault {other:?}; known: send-500-after-save, drop-sockets-every=SECS, slow=MS, html-500-on=PATH, truncate-previews, stall, clock-offset=SECS"
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
        .route("/app/{key}", any(websocket))
        .fallback(|| async { detail(StatusCode::NOT_FOUND, "Not found.") })
        .layer(middleware::from_fn_with_state(shared.clone(), faults_layer))
        .with_state(shared)
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
    if !path.starts_with("/api/demo/") {
        let kind = endpoint_kind(req.method(), &path);
        let mut counts = s.requests.lock().unwrap_or_else(|p| p.into_inner());
        *counts.entry(kind).or_insert(0) += 1;
    }
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

/// The staff member behind the request, checked against the hotel in the path.
fn staff_for(
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
    if !staff.can("chat.conversation.read") {
        return Err(detail(
            StatusCode::FORBIDDEN,
            "You do not have permission to view the chat module.",
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

async fn login(State(s): State<St>, body: Bytes) -> Response {
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return detail(StatusCode::BAD_REQUEST, "JSON parse error.");
    };
    let field = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    let mut missing = serde_json::Map::new();
    for k in ["username", "password"] {
        if field(k).is_none() {
            missing.insert(k.into(), json!(["This field is required."]));
        }
    }
    if !missing.is_empty() {
        return (StatusCode::BAD_REQUEST, axum::Json(Value::Object(missing))).into_response();
    }
    let (username, password) = (
        field("username").unwrap_or_default(),
        field("password").unwrap_or_default(),
    );
    let hotel = s.hotel();
    let staff = hotel
        .staff
        .iter()
        .find(|st| st.seed.username == username && hotel.seed.password == password);
    let Some(staff) = staff else {
        return error(StatusCode::UNAUTHORIZED, "Invalid username or password");
    };
    let (hotel_id, hotel_name) = if staff.seed.hotel == hotel.seed.hotel.slug {
        (hotel.seed.hotel.id, hotel.seed.hotel.name.clone())
    } else {
        (
            hotel.seed.other_hotel.id,
            hotel.seed.other_hotel.name.clone(),
        )
    };
    ok(WireLogin {
        staff_id: staff.seed.id,
        username: staff.seed.username.clone(),
        token: staff.token.clone(),
        hotel_id,
        hotel_name: hotel_name.clone(),
        hotel: WireHotel {
            id: hotel_id,
            name: hotel_name,
            slug: staff.seed.hotel.clone(),
        },
        is_staff: true,
        is_superuser: false,
        hotel_slug: staff.seed.hotel.clone(),
        access_level: "regular_staff".into(),
        department_slug: staff.seed.department_slug.clone(),
        role_slug: staff.seed.role_slug.clone(),
        allowed_navs: vec!["home".into(), "chat".into()],
        allowed_capabilities: staff.seed.capabilities.clone(),
    })
}

async fn list_conversations(
    State(s): State<St>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (hotel, _) = tri!(s.desk(&headers, &slug, None));
    let preview = if s.faults.truncate_previews {
        Some(24)
    } else if s.quirks.from_room_like_deployment {
        Some(100)
    } else {
        None
    };
    // Like the running backend: ordered by creation, newest first, not by activity.
    let list: Vec<WireConversation> = hotel
        .convs
        .iter()
        .rev()
        .filter(|c| hotel.conv_hotel(c) == Some(slug.as_str()) && !c.messages.is_empty())
        .map(|c| hotel.conversation_wire(c, preview, s.quirks.has_unread_false))
        .collect();
    ok(list)
}

async fn unread_count(
    State(s): State<St>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (hotel, _) = tri!(s.desk(&headers, &slug, None));
    ok(json!({ "unread_counts": unread_by_room(&hotel, &slug) }))
}

fn non_negative(q: &HashMap<String, String>, key: &str) -> Result<Option<i64>, Response> {
    match q.get(key) {
        None => Ok(None),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .map(Some)
            .ok_or_else(|| {
                error(
                    StatusCode::BAD_REQUEST,
                    &format!("{key} must be a non-negative integer"),
                )
            }),
    }
}

async fn messages(
    State(s): State<St>,
    Path((slug, id)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let (hotel, _, id) = tri!(s.desk_conversation(&headers, &slug, &id, None));
    let limit = tri!(non_negative(&q, "limit")).unwrap_or(10) as usize;
    let before = tri!(non_negative(&q, "before_id"));
    let Some(conv) = hotel.conv(id) else {
        return detail(
            StatusCode::NOT_FOUND,
            "No Conversation matches the given query.",
        );
    };
    // The contract: the newest `limit` with id < before_id, oldest first.
    let end = match before {
        Some(b) => conv.messages.partition_point(|m| m.id < b),
        None => conv.messages.len(),
    };
    let start = end.saturating_sub(limit);
    let page: Vec<WireMessage> = conv.messages[start..end]
        .iter()
        .map(|m| hotel.message_wire(m))
        .collect();
    ok(page)
}

fn publish_created(s: &Shared, hotel: &Hotel, msg_id: i64) {
    let Some(m) = hotel.find_message(msg_id) else {
        return;
    };
    let Some(conv) = hotel.conv(m.conv) else {
        return;
    };
    let Some(room) = hotel.room(conv.room_pk) else {
        return;
    };
    let slug = room.hotel.clone();
    let envelope = |kind: &'static str| WireEnvelope {
        category: "guest_chat",
        kind,
        payload: hotel.event_payload(m),
        meta: json!({
            "hotel_slug": slug,
            "event_id": format!("demo-{}-{}", m.id, kind),
            "ts": ts(hotel.now()),
            "scope": {"room_number": room.number, "conversation_id": m.conv, "sender_type": super::hotel::sender_type(m.sender)},
        }),
    };
    if m.sender == Sender::Guest {
        let booking = room.booking.as_ref();
        let guest_name = booking
            .map(|b| b.guest_name())
            .unwrap_or_else(|| "Guest".into());
        let cut: String = if s.faults.truncate_previews {
            m.text.chars().take(24).collect()
        } else {
            m.text.chars().take(100).collect()
        };
        let note = WireGuestNotification {
            kind: "guest_message",
            message_id: m.id,
            conversation_id: m.conv,
            booking_id: booking.map(|b| b.code.clone()),
            room_number: room.number,
            guest_message: cut,
            sender_name: guest_name.clone(),
            guest_name,
            timestamp: ts(m.at),
        };
        for st in hotel
            .staff
            .iter()
            .filter(|st| st.seed.hotel == slug && st.can("chat.guest.respond"))
        {
            let channel = format!("{slug}.staff-{}-notifications", st.seed.id);
            s.publisher.publish(&channel, "new-guest-message", &note);
        }
        let channel = format!("{slug}-conversation-{}-chat", m.conv);
        s.publisher
            .publish(&channel, "realtime_event", &envelope("message_created"));
    }
    if let Some(channel) = hotel.booking_channel(room) {
        s.publisher.publish(
            &channel,
            "chat.message.created",
            &envelope("message_created"),
        );
    }
}

/// Adds "X has joined the conversation." the first time a staff member writes.
fn join_if_new(s: &Shared, hotel: &mut Hotel, conv: i64, staff: &super::hotel::Staff) {
    let joined = hotel
        .conv(conv)
        .is_some_and(|c| c.participants.contains(&staff.seed.id));
    if joined {
        return;
    }
    let text = format!("{} has joined the conversation.", staff.name());
    let at = hotel.now();
    let id = hotel.push_message(conv, Sender::System, &text, at, true);
    if let Some(c) = hotel.conv_mut(conv) {
        c.participants.push(staff.seed.id);
    }
    publish_created(s, hotel, id);
}

async fn send(
    State(s): State<St>,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (mut hotel, staff, id) =
        tri!(s.desk_conversation(&headers, &slug, &id, Some("chat.message.send")));
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let text = v.get("message").and_then(|m| m.as_str()).unwrap_or("");
    if text.trim().is_empty() {
        return error(StatusCode::BAD_REQUEST, "Message cannot be empty");
    }
    // An unknown reply_to is dropped, as the running backend does (sample 35).
    let reply_to = v
        .get("reply_to")
        .and_then(|r| r.as_i64())
        .filter(|r| hotel.find_message(*r).is_some_and(|m| m.conv == id));
    let handed_off = s.quirks.send_500_after_handoff
        && hotel
            .conv(id)
            .is_some_and(|c| written_after(c, staff.seed.id));
    if !s.quirks.join_line_after_send {
        join_if_new(&s, &mut hotel, id, &staff);
    }
    let at = hotel.now();
    let msg_id = hotel.push_message(id, Sender::Staff(staff.seed.id), text, at, false);
    if let Some(m) = hotel.find_message_mut(msg_id) {
        m.reply_to = reply_to;
    }
    publish_created(&s, &hotel, msg_id);
    if s.quirks.join_line_after_send {
        join_if_new(&s, &mut hotel, id, &staff);
    }
    // Stored and published, then the answer fails (contract 4.1, 4.7).
    if s.faults.send_500_after_save || handed_off {
        return html_500();
    }
    let Some(m) = hotel.find_message(msg_id) else {
        return html_500();
    };
    ok(json!({
        "conversation_id": id,
        "message": hotel.message_wire(m),
        "staff_info": staff.info(),
    }))
}

/// True when another staff member first wrote here after `staff` did: the deployment then
/// answers every send by `staff` with a 500, after saving it (contract 4.7).
fn written_after(conv: &super::hotel::Conv, staff: i64) -> bool {
    let mut first: Option<usize> = None;
    for (i, m) in conv.messages.iter().enumerate() {
        if let Sender::Staff(id) = m.sender {
            match first {
                None if id == staff => first = Some(i),
                Some(_) if id != staff => return true,
                _ => {}
            }
        }
    }
    false
}

/// Marks the guest's messages read; returns their ids.
fn mark_guest_messages_read(
    s: &Shared,
    hotel: &mut Hotel,
    conv: i64,
    staff: &super::hotel::Staff,
) -> Vec<i64> {
    let Some(c) = hotel.conv_mut(conv) else {
        return vec![];
    };
    let mut ids = Vec::new();
    for m in c.messages.iter_mut() {
        if m.sender == Sender::Guest && !m.read_by_staff {
            m.read_by_staff = true;
            ids.push(m.id);
        }
    }
    if !ids.is_empty()
        && let Some(slug) = hotel.conv(conv).and_then(|c| hotel.conv_hotel(c))
    {
        let channel = format!("{slug}-conversation-{conv}-chat");
        s.publisher.publish(
            &channel,
            "messages-read-by-staff",
            &json!({
                "message_ids": ids,
                "read_at": ts(hotel.now()),
                "staff_name": format!("{} - {} - {}", staff.name(), staff.seed.department, staff.seed.role),
                "conversation_id": conv,
            }),
        );
    }
    ids
}

async fn mark_read(
    State(s): State<St>,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let (mut hotel, staff, id) = tri!(s.desk_conversation(&headers, &slug, &id, None));
    let ids = mark_guest_messages_read(&s, &mut hotel, id, &staff);
    ok(json!({"conversation_id": id, "marked_as_read": ids.len()}))
}

async fn assign_staff(
    State(s): State<St>,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let (mut hotel, staff, id) =
        tri!(s.desk_conversation(&headers, &slug, &id, Some("chat.conversation.assign")));
    let mut created = false;
    if let Some(c) = hotel.conv_mut(id) {
        if !c.participants.contains(&staff.seed.id) {
            c.participants.push(staff.seed.id);
            created = true;
        }
        c.claimed_by = Some(staff.seed.id);
    }
    let room_number = hotel
        .conv(id)
        .and_then(|c| hotel.room(c.room_pk))
        .map(|r| r.number);
    let ids = mark_guest_messages_read(&s, &mut hotel, id, &staff);
    // Saved, then the push notification to a staff member with a saved token fails (4.8).
    if s.quirks.claim_500_for.as_deref() == Some(staff.seed.username.as_str()) {
        return html_500();
    }
    ok(json!({
        "conversation_id": id,
        "assigned_staff": {"name": staff.name(), "role": staff.seed.role, "profile_image": null},
        "participant_created": created,
        "room_number": room_number,
        "messages_marked_read": ids.len(),
    }))
}

async fn from_room(
    State(s): State<St>,
    Path((slug, room)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let (mut hotel, _) = tri!(s.desk(&headers, &slug, None));
    let number: i64 = tri!(parse_id(&room));
    let room_pk = hotel
        .rooms
        .iter()
        .find(|r| r.number == number && r.hotel == slug)
        .map(|r| r.pk);
    let Some(room_pk) = room_pk else {
        return detail(StatusCode::NOT_FOUND, "No Room matches the given query.");
    };
    if s.quirks.from_room_like_deployment
        && hotel.convs.iter().filter(|c| c.room_pk == room_pk).count() > 1
    {
        // The deployment cannot choose between two stays' conversations (contract 4.9).
        return html_500();
    }
    let (conv, created) = hotel.conversation_for_room(room_pk);
    // The deployment answers with the whole history (4.11); the friendly one with a page.
    let keep = if s.quirks.from_room_like_deployment {
        usize::MAX
    } else {
        50
    };
    let messages: Vec<WireMessage> = hotel
        .conv(conv)
        .map(|c| {
            let start = c.messages.len().saturating_sub(keep);
            c.messages[start..]
                .iter()
                .map(|m| hotel.message_wire(m))
                .collect()
        })
        .unwrap_or_default();
    ok(json!({"conversation_id": conv, "messages": messages, "conversation_created": created}))
}

/// Loads a message for edit/delete and checks the hotel.
fn message_in_hotel(hotel: &Hotel, id: i64, slug: &str) -> Result<(i64, Sender, bool), Response> {
    let Some(m) = hotel.find_message(id) else {
        return Err(detail(
            StatusCode::NOT_FOUND,
            "No RoomMessage matches the given query.",
        ));
    };
    let conv_hotel = hotel.conv(m.conv).and_then(|c| hotel.conv_hotel(c));
    if conv_hotel != Some(slug) {
        return Err(error(
            StatusCode::FORBIDDEN,
            "Message does not belong to this hotel",
        ));
    }
    Ok((m.conv, m.sender, m.deleted_at.is_some()))
}

fn publish_on_booking(s: &Shared, hotel: &Hotel, conv: i64, event: &str, data: Value) {
    if let Some(channel) = hotel
        .conv(conv)
        .and_then(|c| hotel.room(c.room_pk))
        .and_then(|r| hotel.booking_channel(r))
    {
        s.publisher.publish(&channel, event, &data);
    }
}

async fn update_message(
    State(s): State<St>,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (mut hotel, staff) = tri!(s.desk(&headers, &slug, None));
    let id = tri!(parse_id(&id));
    let (conv, sender, deleted) = tri!(message_in_hotel(&hotel, id, &slug));
    if sender != Sender::Staff(staff.seed.id) {
        return error(StatusCode::FORBIDDEN, "You can only edit your own messages");
    }
    if deleted {
        return error(StatusCode::BAD_REQUEST, "Cannot edit a deleted message");
    }
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let text = v.get("message").and_then(|m| m.as_str()).unwrap_or("");
    if text.trim().is_empty() {
        return error(StatusCode::BAD_REQUEST, "Message cannot be empty");
    }
    let now = hotel.now();
    if let Some(m) = hotel.find_message_mut(id) {
        m.text = text.to_string();
        m.edited_at = Some(now);
    }
    let Some(m) = hotel.find_message(id) else {
        return html_500();
    };
    let wire = hotel.message_wire(m);
    publish_on_booking(
        &s,
        &hotel,
        conv,
        "chat.message.edited",
        json!({"category": "guest_chat", "type": "message_edited", "payload": {"id": id, "conversation_id": conv, "message": text, "is_edited": true, "edited_at": ts(now)}}),
    );
    if s.quirks.edits_answer_500 {
        // Saved, then the answer fails (samples 43, 49b).
        return html_500();
    }
    ok(json!({"message": wire, "success": true}))
}

async fn delete_message(
    State(s): State<St>,
    Path((slug, id)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let (mut hotel, staff) = tri!(s.desk(&headers, &slug, None));
    let id = tri!(parse_id(&id));
    let (conv, sender, _) = tri!(message_in_hotel(&hotel, id, &slug));
    let hard = q.get("hard_delete").is_some_and(|v| v == "true");
    let own = sender == Sender::Staff(staff.seed.id);
    let moderator = staff.can("chat.message.moderate");
    if hard && !moderator {
        return error(
            StatusCode::FORBIDDEN,
            "Hard delete requires moderation permission",
        );
    }
    if !own && !moderator {
        return error(
            StatusCode::FORBIDDEN,
            "You can only delete your own messages",
        );
    }
    let now = hotel.now();
    if hard {
        if let Some(c) = hotel.conv_mut(conv) {
            c.messages.retain(|m| m.id != id);
        }
    } else if let Some(m) = hotel.find_message_mut(id) {
        m.deleted_at = Some(now);
    }
    publish_on_booking(
        &s,
        &hotel,
        conv,
        "chat.message.deleted",
        json!({"category": "guest_chat", "type": "message_deleted", "payload": {"id": id, "conversation_id": conv, "hard_delete": hard, "deleted_at": ts(now)}}),
    );
    if s.quirks.edits_answer_500 {
        return html_500();
    }
    ok(json!({"success": true, "hard_delete": hard, "message_id": id}))
}

fn extension_ok(name: &str) -> bool {
    name.rsplit_once('.')
        .map(|(_, ext)| ALLOWED_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()))
        .unwrap_or(false)
}

fn kind_for(name: &str) -> (&'static str, &'static str) {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "jpg" | "jpeg" => ("image", "image/jpeg"),
        "png" => ("image", "image/png"),
        "gif" => ("image", "image/gif"),
        "webp" => ("image", "image/webp"),
        "bmp" => ("image", "image/bmp"),
        "pdf" => ("pdf", "application/pdf"),
        "txt" => ("document", "text/plain"),
        "csv" => ("document", "text/csv"),
        "doc" | "docx" => ("document", "application/msword"),
        "xls" | "xlsx" => ("document", "application/vnd.ms-excel"),
        _ => ("other", "application/octet-stream"),
    }
}

async fn upload(
    State(s): State<St>,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    // Checked first; the lock is not held while the files stream in.
    let id = {
        let (_hotel, _, id) =
            tri!(s.desk_conversation(&headers, &slug, &id, Some("chat.attachment.upload")));
        id
    };
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut text: Option<String> = None;
    let mut reply_to: Option<i64> = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return error(StatusCode::BAD_REQUEST, &format!("Malformed upload: {e}")),
        };
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let Ok(data) = field.bytes().await else {
            return error(StatusCode::BAD_REQUEST, "Upload too large or interrupted");
        };
        match name.as_str() {
            "files" => files.push((file_name.unwrap_or_else(|| "upload".into()), data.to_vec())),
            "message" => text = Some(String::from_utf8_lossy(&data).to_string()),
            "reply_to" => reply_to = String::from_utf8_lossy(&data).trim().parse().ok(),
            _ => {}
        }
    }
    if files.is_empty() {
        return error(StatusCode::BAD_REQUEST, "No files provided");
    }
    let mut details = Vec::new();
    let valid: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .filter(|(name, data)| {
            if !extension_ok(name) {
                let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
                details.push(format!(
                    "{name}: File type '.{ext}' not allowed. Allowed: images, PDF, documents"
                ));
                false
            } else if data.len() as u64 > MAX_UPLOAD {
                details.push(format!("{name}: File too large (max 50MB)"));
                false
            } else {
                true
            }
        })
        .collect();
    if valid.is_empty() {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": "No valid files uploaded", "details": details})),
        )
            .into_response();
    }
    let (mut hotel, staff) = tri!(s.desk(&headers, &slug, None));
    join_if_new(&s, &mut hotel, id, &staff);
    let now = hotel.now();
    let body = text.unwrap_or_default();
    let msg_id = hotel.push_message(id, Sender::Staff(staff.seed.id), &body, now, false);
    let mut stored = Vec::new();
    for (name, data) in valid {
        let (kind, mime) = kind_for(&name);
        let a = StoredAttachment {
            id: hotel.next_attachment,
            name,
            kind: kind.into(),
            mime: mime.into(),
            size: data.len() as u64,
            uploaded_at: now,
            bytes: Some(Arc::new(data)),
        };
        hotel.next_attachment += 1;
        stored.push(a);
    }
    let reply_to = reply_to.filter(|r| hotel.find_message(*r).is_some_and(|m| m.conv == id));
    if let Some(m) = hotel.find_message_mut(msg_id) {
        m.attachments = stored;
        m.reply_to = reply_to;
    }
    publish_created(&s, &hotel, msg_id);
    let Some(m) = hotel.find_message(msg_id) else {
        return html_500();
    };
    let wire = hotel.message_wire(m);
    let attachments = wire.attachments.clone();
    ok(json!({"message": wire, "attachments": attachments, "success": true}))
}

async fn delete_attachment(
    State(s): State<St>,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let (mut hotel, staff) = tri!(s.desk(&headers, &slug, Some("chat.attachment.delete")));
    let id = tri!(parse_id(&id));
    let owner = hotel.convs.iter().find_map(|c| {
        c.messages
            .iter()
            .find(|m| m.attachments.iter().any(|a| a.id == id))
            .map(|m| (m.id, m.sender))
    });
    let Some((message_id, sender)) = owner else {
        return detail(
            StatusCode::NOT_FOUND,
            "No MessageAttachment matches the given query.",
        );
    };
    tri!(message_in_hotel(&hotel, message_id, &slug));
    if sender != Sender::Staff(staff.seed.id) && !staff.can("chat.message.moderate") {
        return error(
            StatusCode::FORBIDDEN,
            "You can only delete your own attachments",
        );
    }
    if s.quirks.edits_answer_500 {
        // Nothing changes and the answer fails, every time (samples 74, 79).
        return html_500();
    }
    if let Some(m) = hotel.find_message_mut(message_id) {
        m.attachments.retain(|a| a.id != id);
    }
    ok(json!({"success": true, "attachment_id": id, "message_id": message_id}))
}

async fn pusher_auth(State(s): State<St>, headers: HeaderMap, body: Bytes) -> Response {
    let fields: HashMap<String, String> = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(map)) => map
            .into_iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_string())))
            .collect(),
        _ => serde_urlencoded_pairs(&body),
    };
    let hotel = s.hotel();
    let staff = token_of(&headers).and_then(|t| hotel.staff_by_token(&t).cloned());
    let Some(staff) = staff else {
        return error(StatusCode::UNAUTHORIZED, "Staff authentication required");
    };
    if s.quirks.signing_refused {
        // The deployment refuses every staff token here (samples 80-84).
        return error(StatusCode::UNAUTHORIZED, "Staff authentication required");
    }
    let (Some(socket_id), Some(channel)) = (fields.get("socket_id"), fields.get("channel_name"))
    else {
        return error(StatusCode::BAD_REQUEST, "Missing socket_id or channel_name");
    };
    let prefix = format!("private-hotel-{}-guest-chat-booking-", staff.seed.hotel);
    if !channel.starts_with(&prefix) {
        return error(
            StatusCode::FORBIDDEN,
            "Not allowed to subscribe to this channel",
        );
    }
    ok(json!({"auth": channel_auth(&s.sockets.key, &s.sockets.secret, socket_id, channel)}))
}

/// `a=b&c=d` form bodies, percent-decoded.
fn serde_urlencoded_pairs(body: &[u8]) -> HashMap<String, String> {
    let text = String::from_utf8_lossy(body);
    text.split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (percent_decode(k), percent_decode(v)))
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn guest_session(room_pk: i64) -> String {
    format!("demo-guest-session-{room_pk}")
}

async fn guest_context(
    State(s): State<St>,
    Path(slug): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mut hotel = s.hotel();
    let room = q
        .get("token")
        .and_then(|t| hotel.guest_room(t))
        .filter(|r| r.hotel == slug && r.booking.is_some())
        .cloned();
    let Some(room) = room else {
        return error(StatusCode::NOT_FOUND, "Invalid or expired guest token");
    };
    let (conv, _) = hotel.conversation_for_room(room.pk);
    ok(json!({
        "conversation_id": conv,
        "chat_session": guest_session(room.pk),
        "channel_name": hotel.booking_channel(&room),
        "events": {"message_created": "chat.message.created", "message_read": "chat.message.read",
                   "message_deleted": "chat.message.deleted", "message_edited": "chat.message.edited",
                   "unread_updated": "chat.unread.updated"},
        "pusher": {"key": s.sockets.key, "cluster": "local", "auth_endpoint": format!("/api/guest/hotel/{slug}/chat/pusher/auth")},
        "permissions": {"can_send": true, "can_read": true},
    }))
}

fn guest_room_from_session(hotel: &Hotel, headers: &HeaderMap, slug: &str) -> Option<i64> {
    let session = headers.get("x-guest-chat-session")?.to_str().ok()?;
    let pk: i64 = session.strip_prefix("demo-guest-session-")?.parse().ok()?;
    hotel
        .room(pk)
        .filter(|r| r.hotel == slug && r.booking.is_some())
        .map(|r| r.pk)
}

/// Stores a guest message and publishes it; shared by the endpoint and the simulator.
fn guest_writes(
    s: &Shared,
    hotel: &mut Hotel,
    room_pk: i64,
    text: &str,
    reply_to: Option<i64>,
) -> (i64, i64) {
    let (conv, _) = hotel.conversation_for_room(room_pk);
    let at = hotel.now();
    let id = hotel.push_message(conv, Sender::Guest, text, at, false);
    let reply_to = reply_to.filter(|r| hotel.find_message(*r).is_some_and(|m| m.conv == conv));
    if let Some(m) = hotel.find_message_mut(id) {
        m.reply_to = reply_to;
    }
    publish_created(s, hotel, id);
    (conv, id)
}

async fn guest_send(
    State(s): State<St>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut hotel = s.hotel();
    let Some(room_pk) = guest_room_from_session(&hotel, &headers, &slug) else {
        return error(StatusCode::FORBIDDEN, "Invalid guest chat session");
    };
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let text = v.get("message").and_then(|m| m.as_str()).unwrap_or("");
    if text.trim().is_empty() {
        return error(StatusCode::BAD_REQUEST, "Message cannot be empty");
    }
    let reply_to = v.get("reply_to").and_then(|r| r.as_i64());
    let (conv, id) = guest_writes(&s, &mut hotel, room_pk, text, reply_to);
    (
        StatusCode::CREATED,
        axum::Json(
            json!({"message_id": id, "sent_at": hotel.now().to_rfc3339(), "conversation_id": conv}),
        ),
    )
        .into_response()
}

async fn guest_mark_read(
    State(s): State<St>,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let mut hotel = s.hotel();
    let Some(room_pk) = guest_room_from_session(&hotel, &headers, &slug) else {
        return error(StatusCode::FORBIDDEN, "Invalid guest chat session");
    };
    let conv = tri!(parse_id(&id));
    if hotel.conv(conv).map(|c| c.room_pk) != Some(room_pk) {
        return error(StatusCode::FORBIDDEN, "Not your conversation");
    }
    let mut n = 0;
    if let Some(c) = hotel.conv_mut(conv) {
        for m in c
            .messages
            .iter_mut()
            .filter(|m| m.sender != Sender::Guest && !m.read_by_guest)
        {
            m.read_by_guest = true;
            n += 1;
        }
    }
    publish_on_booking(
        &s,
        &hotel,
        conv,
        "chat.message.read",
        json!({"conversation_id": conv, "room_conversation_id": conv, "marked_read": n, "read_at": ts(hotel.now()), "read_by": "guest"}),
    );
    ok(json!({"marked_read": n}))
}

/// Demo only (benchmarks): `count` guest messages in one room at once, published together.
async fn burst(State(s): State<St>, Query(q): Query<HashMap<String, String>>) -> Response {
    let room: i64 = q.get("room").and_then(|r| r.parse().ok()).unwrap_or(101);
    let count: usize = q
        .get("count")
        .and_then(|c| c.parse().ok())
        .unwrap_or(1000)
        .min(100_000);
    let mut hotel = s.hotel();
    let slug = hotel.seed.hotel.slug.clone();
    let Some(pk) = hotel
        .rooms
        .iter()
        .find(|r| r.number == room && r.hotel == slug && r.booking.is_some())
        .map(|r| r.pk)
    else {
        return error(StatusCode::NOT_FOUND, "No checked-in room with that number");
    };
    let mut ids = Vec::with_capacity(count);
    for i in 0..count {
        let (_, id) = guest_writes(&s, &mut hotel, pk, &format!("Burst message {i}"), None);
        ids.push(id);
    }
    ok(json!({"first_id": ids.first(), "last_id": ids.last(), "count": ids.len()}))
}

async fn media(State(s): State<St>, Path((id, _name)): Path<(String, String)>) -> Response {
    let id = tri!(parse_id(&id));
    let hotel = s.hotel();
    let found = hotel.convs.iter().find_map(|c| {
        c.messages
            .iter()
            .find_map(|m| m.attachments.iter().find(|a| a.id == id))
    });
    match found {
        Some(a) => {
            let body = a
                .bytes
                .as_ref()
                .map(|b| b.as_ref().clone())
                .unwrap_or_else(|| format!("demo placeholder for {}\n", a.name).into_bytes());
            ([(header::CONTENT_TYPE, a.mime.clone())], body).into_response()
        }
        None => detail(StatusCode::NOT_FOUND, "Not found."),
    }
}

async fn websocket(State(s): State<St>, Path(key): Path<String>, ws: WebSocketUpgrade) -> Response {
    let settings = s.sockets.clone();
    let events = s.local.subscribe();
    ws.on_upgrade(move |mut socket| async move {
        if key != settings.key {
            use axum::extract::ws::{CloseFrame, Message as WsMessage};
            let _ = socket
                .send(WsMessage::Text(
                    json!({"event": "pusher:error", "data": {"code": 4001, "message": format!("App key {key} not in use")}}).to_string().into(),
                ))
                .await;
            let _ = socket
                .send(WsMessage::Close(Some(CloseFrame { code: 4001, reason: "App key not in use".into() })))
                .await;
            return;
        }
        serve_socket(socket, settings, events).await;
    })
}

async fn simulate_guests(s: St, every: Duration) {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::from_os_rng();
    let mut tick = tokio::time::interval(every);
    tick.tick().await;
    loop {
        tick.tick().await;
        let mut hotel = s.hotel();
        let Some(number) = hotel.random_guest_room(&mut rng) else {
            continue;
        };
        let Some(pk) = hotel
            .rooms
            .iter()
            .find(|r| r.number == number && r.hotel == hotel.seed.hotel.slug)
            .map(|r| r.pk)
        else {
            continue;
        };
        let lines = &hotel.seed.guest_lines;
        let text = lines
            .get(rng.random_range(0..lines.len().max(1)))
            .cloned()
            .unwrap_or_else(|| "Hello?".into());
        guest_writes(&s, &mut hotel, pk, &text, None);
    }
}

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
