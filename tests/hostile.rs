//! A server that lies, floods or redirects, one attack at a time, on 127.0.0.1: REST and a
//! Pusher-protocol WebSocket of our own. Each test is one class of attack; each can fail.

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ws::{Message as WsMessage, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use common::Harness;
use frontdesk::api::{ApiConfig, ErrorKind, PathForm, StaffApi};
use frontdesk::app::{Command, Focus, Me, ReplyState};
use frontdesk::live::LiveConfig;
use serde_json::json;

const BASE: &str = "/api/staff/hotel/h/chat";

/// Requests answered, by name.
#[derive(Clone, Default)]
struct Counts(Arc<Mutex<HashMap<&'static str, usize>>>);

impl Counts {
    fn hit(&self, what: &'static str) {
        *self
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(what)
            .or_insert(0) += 1;
    }
    fn get(&self, what: &str) -> usize {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(what)
            .copied()
            .unwrap_or(0)
    }
}

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

fn api(server: &str) -> StaffApi {
    let mut c = ApiConfig::new(server, "h", "secret-token-value");
    c.paths = PathForm::Hotel;
    c.timeout = Duration::from_secs(10);
    StaffApi::new(c)
}

fn me() -> Me {
    Me {
        staff_id: 1,
        name: "Fiona".into(),
        hotel_name: "Hotel".into(),
        capabilities: vec!["chat.conversation.read".into(), "chat.message.send".into()],
    }
}

fn ok_json(v: serde_json::Value) -> Response {
    (StatusCode::OK, axum::Json(v)).into_response()
}

fn conversation(id: i64) -> serde_json::Value {
    json!({"id": id, "room_number": 100 + id, "guest_id": id, "guest_name": format!("Guest {id}"),
        "last_message": "hello", "last_message_time": "2026-11-24T10:00:00Z", "unread_count": 0})
}

fn message(id: i64, conv: i64, sender: &str, text: &str) -> serde_json::Value {
    json!({"id": id, "conversation_id": conv, "sender_type": sender, "message": text,
        "staff": if sender == "staff" { json!(1) } else { json!(null) },
        "booking": conv, "booking_id": format!("BK-{conv}"),
        "timestamp": "2026-11-24T10:00:00Z"})
}

/// An answer that never ends: the same chunk, forever.
fn endless(start: &'static str) -> Response {
    let chunk = bytes::Bytes::from(vec![b' '; 64 * 1024]);
    let head = futures_util::stream::once(async move {
        Ok::<_, std::io::Error>(bytes::Bytes::from_static(start.as_bytes()))
    });
    let tail = futures_util::stream::repeat_with(move || Ok(chunk.clone()));
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(futures_util::StreamExt::chain(head, tail)),
    )
        .into_response()
}

#[tokio::test]
async fn an_endless_body_is_abandoned_at_its_cap() {
    let server = serve(
        Router::new()
            .route(
                &format!("{BASE}/conversations/"),
                get(|| async { endless("[") }),
            )
            .route(
                "/api/notifications/pusher/auth/",
                post(|| async { endless("{\"auth\": \"") }),
            ),
    )
    .await;
    let api = api(&server);
    let e = api.conversations().await.unwrap_err();
    assert!(
        matches!(&e.kind, ErrorKind::BadResponse(why) if why.contains("larger than 32 MB")),
        "{e}"
    );
    let e = api.pusher_auth("1.2", "private-x").await.unwrap_err();
    assert!(
        matches!(&e.kind, ErrorKind::BadResponse(why) if why.contains("larger than 16 KB")),
        "{e}"
    );
}

#[tokio::test]
async fn redirects_to_another_server_are_not_followed() {
    let elsewhere = Counts::default();
    let seen = elsewhere.clone();
    let other = serve(Router::new().fallback(move || {
        seen.hit("any");
        async { ok_json(json!([conversation(666)])) }
    }))
    .await;
    let to = other.clone();
    let to2 = other.clone();
    let server = serve(
        Router::new()
            .route(
                "/api/staff/login/",
                post(move || {
                    let to = to.clone();
                    async move {
                        (
                            StatusCode::TEMPORARY_REDIRECT,
                            [(header::LOCATION, format!("{to}/api/staff/login/"))],
                        )
                            .into_response()
                    }
                }),
            )
            .route(
                &format!("{BASE}/conversations/"),
                get(move || {
                    let to = to2.clone();
                    async move {
                        (
                            StatusCode::FOUND,
                            [(header::LOCATION, format!("{to}/list"))],
                        )
                            .into_response()
                    }
                }),
            )
            // Within the same server a redirect is fine.
            .route(
                &format!("{BASE}/conversations/unread-count/"),
                get(|| async {
                    (StatusCode::FOUND, [(header::LOCATION, "/counts")]).into_response()
                }),
            )
            .route(
                "/counts",
                get(|| async { ok_json(json!({"unread_counts": {"1": 2}})) }),
            ),
    )
    .await;
    // The password never leaves for the other server, and the user is told where it pointed.
    let e = frontdesk::api::login(&server, "frontdesk", "s3cret")
        .await
        .unwrap_err();
    assert!(
        matches!(&e.kind, ErrorKind::Redirected(to) if to.starts_with(&other)),
        "{e}"
    );
    let said = frontdesk::cli::login_message(&server, "frontdesk", &e);
    assert!(said.contains(&format!("--server {other}")), "{said}");
    // Another server's list is not taken for the hotel's, and the token does not go there.
    let api = api(&server);
    let e = api.conversations().await.unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Redirected(_)), "{e}");
    assert_eq!(elsewhere.get("any"), 0, "nothing reached the other server");
    assert_eq!(api.unread_counts().await.unwrap().total(), 2);
}

/// A Pusher endpoint that answers every connection with `pusher:error` 4200 ("reconnect at
/// once"), counting connections.
#[tokio::test]
async fn a_server_that_always_says_reconnect_now_gets_a_backoff() {
    let counts = Counts::default();
    let c = counts.clone();
    let server = serve(Router::new().route(
        "/app/{key}",
        any(move |ws: WebSocketUpgrade| {
            c.hit("connect");
            async move {
                ws.on_upgrade(|mut socket| async move {
                    let frame = json!({"event": "pusher:error", "data": {"code": 4200, "message": "go away"}});
                    let _ = socket.send(WsMessage::Text(frame.to_string().into())).await;
                })
            }
        }),
    ))
    .await;
    let ws = format!("{}/app/key?protocol=7", server.replace("http", "ws"));
    let mut h = Harness::on(api(&server), me(), Some(LiveConfig::new(&ws, "h")));
    h.for_secs(5.0).await;
    let n = counts.get("connect");
    // At once, then 1 s, 2 s, 4 s (each ±25 %): a handful, not thousands.
    assert!((2..=6).contains(&n), "{n} connections in 5 s");
    assert!(
        matches!(h.app.connection, frontdesk::app::Connection::Reconnecting { attempt, .. } if attempt >= 2),
        "{:?}",
        h.app.connection
    );
}

/// Events naming 5,000 made-up stays must not become 5,000 signing requests.
#[tokio::test]
async fn made_up_booking_ids_are_not_signed() {
    let counts = Counts::default();
    let (c1, c2, c3) = (counts.clone(), counts.clone(), counts.clone());
    let server = serve(
        Router::new()
            .route(
                &format!("{BASE}/conversations/"),
                get(|| async { ok_json(json!([conversation(1), conversation(2)])) }),
            )
            .route(
                &format!("{BASE}/conversations/{{id}}/messages/"),
                get(
                    |axum::extract::Path(id): axum::extract::Path<i64>| async move {
                        ok_json(json!([message(10 + id, id, "guest", "hi")]))
                    },
                ),
            )
            .route(
                "/api/notifications/pusher/auth/",
                post(move || {
                    c1.hit("sign");
                    async { ok_json(json!({"auth": "key:0000"})) }
                }),
            )
            .route(
                "/app/{key}",
                any(move |ws: WebSocketUpgrade| {
                    c2.hit("connect");
                    let c3 = c3.clone();
                    async move {
                        ws.on_upgrade(move |mut socket| async move {
                            let hello = json!({"event": "pusher:connection_established",
                                "data": json!({"socket_id": "1.2", "activity_timeout": 120}).to_string()});
                            let _ = socket.send(WsMessage::Text(hello.to_string().into())).await;
                            tokio::time::sleep(Duration::from_millis(300)).await;
                            for i in 0..5000 {
                                let data = json!({"type": "guest_message", "message_id": 100_000 + i,
                                    "conversation_id": 1 + i % 3, "booking_id": format!("BK-FAKE-{i}"),
                                    "room_number": 101, "guest_message": "x",
                                    "timestamp": "2026-11-24T10:00:00Z"});
                                let frame = json!({"event": "new-guest-message", "channel": "h.staff-1-notifications",
                                    "data": data.to_string()});
                                if socket.send(WsMessage::Text(frame.to_string().into())).await.is_err() {
                                    return;
                                }
                            }
                            c3.hit("sent");
                            // Keep the socket open, reading the client's frames.
                            while let Some(Ok(_)) = socket.recv().await {}
                        })
                    }
                }),
            ),
    )
    .await;
    let ws = format!("{}/app/key?protocol=7", server.replace("http", "ws"));
    let mut h = Harness::on(api(&server), me(), Some(LiveConfig::new(&ws, "h")));
    assert!(h.until(10, |_| counts.get("sent") == 1).await || counts.get("sent") == 1);
    h.for_secs(2.0).await;
    let signed = counts.get("sign");
    // Two listed conversations: at most their two current stays, once each.
    assert!(signed <= 2, "{signed} signing requests");
    assert_eq!(counts.get("connect"), 1);
}

/// A send answered 200 with someone else's message must not empty the outbox.
#[tokio::test]
async fn a_reply_is_not_delivered_on_a_lie() {
    let server = serve(
        Router::new()
            .route(
                &format!("{BASE}/conversations/"),
                get(|| async { ok_json(json!([conversation(1)])) }),
            )
            .route(
                &format!("{BASE}/conversations/{{id}}/messages/"),
                get(|| async { ok_json(json!([message(10, 1, "guest", "towels?")])) }),
            )
            .route(
                &format!("{BASE}/conversations/{{id}}/messages/send/"),
                post(|| async {
                    ok_json(json!({"conversation_id": 9,
                        "message": message(77, 9, "staff", "something else entirely")}))
                }),
            ),
    )
    .await;
    let mut h = Harness::on(api(&server), me(), None);
    assert!(h.until(5, |a| a.list_loaded).await);
    let cmds = h.app.open_conversation(1, Focus::Composer);
    h.run(cmds);
    assert!(h.until(5, |a| !a.threads[&1].messages.is_empty()).await);
    h.typed("Towels are on their way");
    h.key(crossterm::event::KeyCode::Enter);
    assert!(
        h.until(5, |a| matches!(
            a.pending.first().map(|p| &p.state),
            Some(ReplyState::Failed { unknown: true, .. })
        ))
        .await,
        "{:?}",
        h.app.pending
    );
    assert_eq!(h.app.pending[0].text, "Towels are on their way");
    assert!(
        !h.app.threads[&1].messages.contains_key(&77),
        "the lie is not shown as our reply"
    );
    // The outbox on disk still holds it.
    assert!(h.local.iter().rev().any(|c| matches!(c,
        Command::SaveOutbox(o) if o.len() == 1)));
}

/// 2,000 guest messages in a second: a few bells, a few reads, not thousands.
#[tokio::test]
async fn a_flood_of_events_is_a_count_not_a_bell_each() {
    let counts = Counts::default();
    let (c1, c2, c3) = (counts.clone(), counts.clone(), counts.clone());
    let server = serve(
        Router::new()
            .route(
                &format!("{BASE}/conversations/"),
                get(|| async { ok_json(json!([conversation(1), conversation(2)])) }),
            )
            .route(
                &format!("{BASE}/conversations/{{id}}/messages/"),
                get(move || {
                    c1.hit("messages");
                    async { ok_json(json!([message(10, 1, "guest", "hi")])) }
                }),
            )
            .route(
                &format!("{BASE}/conversations/{{id}}/mark-read/"),
                post(move || {
                    c2.hit("mark-read");
                    async { ok_json(json!({"conversation_id": 1, "marked_as_read": 1})) }
                }),
            )
            .route(
                "/api/notifications/pusher/auth/",
                post(|| async { ok_json(json!({"auth": "key:0000"})) }),
            )
            .route(
                "/app/{key}",
                any(move |ws: WebSocketUpgrade| {
                    let c3 = c3.clone();
                    async move {
                        ws.on_upgrade(move |mut socket| async move {
                            let hello = json!({"event": "pusher:connection_established",
                                "data": json!({"socket_id": "1.2", "activity_timeout": 120}).to_string()});
                            let _ = socket.send(WsMessage::Text(hello.to_string().into())).await;
                            tokio::time::sleep(Duration::from_millis(500)).await;
                            for i in 0..2000 {
                                let conv = 1 + i % 2;
                                let payload = json!({"id": 1000 + i, "conversation_id": conv, "sender_type": "guest",
                                    "message": format!("flood {i}"), "timestamp": "2026-11-24T10:00:00Z",
                                    "booking_id": format!("BK-{conv}")});
                                let data = json!({"category": "guest_chat", "type": "message_created", "payload": payload});
                                let frame = json!({"event": "realtime_event", "channel": format!("h-conversation-{conv}-chat"),
                                    "data": data.to_string()});
                                if socket.send(WsMessage::Text(frame.to_string().into())).await.is_err() {
                                    return;
                                }
                                let edit = json!({"event": "chat.message.edited", "channel": "private-x",
                                    "data": json!({"payload": {"conversation_id": 1}}).to_string()});
                                let _ = socket.send(WsMessage::Text(edit.to_string().into())).await;
                            }
                            c3.hit("sent");
                            while let Some(Ok(_)) = socket.recv().await {}
                        })
                    }
                }),
            ),
    )
    .await;
    let ws = format!("{}/app/key?protocol=7", server.replace("http", "ws"));
    let mut h = Harness::on(api(&server), me(), Some(LiveConfig::new(&ws, "h")));
    assert!(h.until(5, |a| a.list_loaded).await);
    let cmds = h.app.open_conversation(1, Focus::Thread);
    h.run(cmds);
    h.for_secs(4.0).await;
    assert_eq!(counts.get("sent"), 1, "the flood was sent");
    let bells = h
        .local
        .iter()
        .filter(|c| matches!(c, Command::Notify { .. }))
        .count();
    // The harness's clock does not move: one alert, then a count.
    assert!(bells <= 2, "{bells} bells");
    assert!(
        counts.get("mark-read") <= 3,
        "{} mark-reads",
        counts.get("mark-read")
    );
    assert!(
        counts.get("messages") <= 10,
        "{} page reads",
        counts.get("messages")
    );
    assert!(
        h.app.threads[&1].messages.len() >= 1000,
        "the messages themselves arrived"
    );
}

/// One row that does not match the contract: the rest of the list shows, and the desk is told.
#[tokio::test]
async fn one_bad_row_does_not_hide_the_list() {
    let server = serve(Router::new().route(
        &format!("{BASE}/conversations/"),
        get(|| async {
            ok_json(json!([conversation(1), {"id": "not a number", "room_number": []}, conversation(3)]))
        }),
    ))
    .await;
    let mut h = Harness::on(api(&server), me(), None);
    assert!(h.until(5, |a| a.list_loaded).await);
    h.for_secs(0.3).await;
    assert_eq!(h.app.conversations.len(), 2);
    let n = h
        .app
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert!(n.starts_with("1 conversation could not be read"), "{n}");
}

/// The first list load fails while the socket is fine: it is tried again, and the screen
/// says when.
#[tokio::test]
async fn a_failed_first_load_is_tried_again() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let server = serve(Router::new().route(
        &format!("{BASE}/conversations/"),
        get(move |_: HeaderMap| {
            let n = c.fetch_add(1, Ordering::SeqCst);
            async move {
                if n == 0 {
                    (StatusCode::BAD_GATEWAY, "<html>proxy</html>").into_response()
                } else {
                    ok_json(json!([conversation(1)]))
                }
            }
        }),
    ))
    .await;
    let mut h = Harness::on(api(&server), me(), None);
    h.app.update(frontdesk::app::Event::Connection(
        frontdesk::app::Connection::Live,
    ));
    assert!(h.until(5, |a| a.list_retry_at.is_some()).await);
    assert!(
        h.app
            .list_error
            .as_deref()
            .is_some_and(|e| e.contains("502"))
    );
    assert!(h.until(6, |a| a.list_loaded).await, "never tried again");
    assert_eq!(h.app.conversations.len(), 1);
    assert!(h.app.list_error.is_none());
}
