//! Servers that attack the desk, one class at a time, on 127.0.0.1: shared by the hostile
//! tests and the hostile benchmark.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ws::{Message as WsMessage, WebSocketUpgrade};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use frontdesk::api::{ApiConfig, PathForm, StaffApi};
use frontdesk::app::Me;
use frontdesk::model::StaffId;
use serde_json::json;

pub const BASE: &str = "/api/staff/hotel/h/chat";

/// Requests answered, by name.
#[derive(Clone, Default)]
pub struct Counts(Arc<Mutex<HashMap<&'static str, usize>>>);

impl Counts {
    pub fn hit(&self, what: &'static str) {
        *self
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(what)
            .or_insert(0) += 1;
    }
    pub fn get(&self, what: &str) -> usize {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(what)
            .copied()
            .unwrap_or(0)
    }
}

pub async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

pub fn api(server: &str) -> StaffApi {
    let mut c = ApiConfig::new(server, "h", "secret-token-value");
    c.paths = PathForm::Hotel;
    c.timeout = Duration::from_secs(10);
    StaffApi::new(c)
}

pub fn me() -> Me {
    Me {
        staff_id: StaffId(1),
        name: "Fiona".into(),
        hotel_name: "Hotel".into(),
        capabilities: vec!["chat.conversation.read".into(), "chat.message.send".into()],
    }
}

pub fn ok_json(v: serde_json::Value) -> Response {
    (StatusCode::OK, axum::Json(v)).into_response()
}

pub fn conversation(id: i64) -> serde_json::Value {
    json!({"id": id, "room_number": 100 + id, "guest_id": id, "guest_name": format!("Guest {id}"),
        "last_message": "hello", "last_message_time": "2026-11-24T10:00:00Z", "unread_count": 0})
}

pub fn message(id: i64, conv: i64, sender: &str, text: &str) -> serde_json::Value {
    json!({"id": id, "conversation_id": conv, "sender_type": sender, "message": text,
        "staff": if sender == "staff" { json!(1) } else { json!(null) },
        "booking": conv, "booking_id": format!("BK-{conv}"),
        "timestamp": "2026-11-24T10:00:00Z"})
}

/// An answer that never ends: the same chunk, forever.
pub fn endless(start: &'static str) -> Response {
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

/// Pusher's first frame, with a socket id.
pub fn established() -> WsMessage {
    let hello = json!({"event": "pusher:connection_established",
        "data": json!({"socket_id": "1.2", "activity_timeout": 120}).to_string()});
    WsMessage::Text(hello.to_string().into())
}

/// A list and a signer whose answers never end.
pub async fn endless_server() -> String {
    serve(
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
    .await
}

/// Answers every socket with `pusher:error` 4200 ("reconnect at once"), counting "connect".
pub async fn storm_server(counts: &Counts) -> String {
    let c = counts.clone();
    serve(Router::new().route(
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
    .await
}

/// Two conversations; one socket that sends `n` notes naming made-up stays. Counts "sign",
/// "connect" and "sent" (the flood is out).
pub async fn made_up_stays_server(counts: &Counts, n: usize) -> String {
    let (c1, c2, c3) = (counts.clone(), counts.clone(), counts.clone());
    serve(
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
                            let _ = socket.send(established()).await;
                            tokio::time::sleep(Duration::from_millis(300)).await;
                            for i in 0..n {
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
    .await
}

/// Two conversations; one socket that sends `n` guest messages (and as many edit events),
/// spread over `seconds` (0: as fast as it can). Counts "messages", "mark-read", "list" and
/// "sent".
pub async fn flood_server(counts: &Counts, n: usize, seconds: f64) -> String {
    let c4 = counts.clone();
    // Batches every 100 ms spread the flood evenly.
    let batch = if seconds > 0.0 {
        ((n as f64) / (seconds * 10.0)).ceil().max(1.0) as usize
    } else {
        n.max(1)
    };
    let (c1, c2, c3) = (counts.clone(), counts.clone(), counts.clone());
    serve(
        Router::new()
            .route(
                &format!("{BASE}/conversations/"),
                get(move || {
                    c4.hit("list");
                    async { ok_json(json!([conversation(1), conversation(2)])) }
                }),
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
                            let _ = socket.send(established()).await;
                            tokio::time::sleep(Duration::from_millis(500)).await;
                            for i in 0..n {
                                if i > 0 && i % batch == 0 {
                                    tokio::time::sleep(Duration::from_millis(100)).await;
                                }
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
    .await
}
