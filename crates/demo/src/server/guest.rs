//! The guest side, the channel signer, media, the WebSocket endpoint and simulated guests.

use super::*;

pub(crate) async fn pusher_auth(State(s): State<St>, headers: HeaderMap, body: Bytes) -> Response {
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
pub(crate) fn serde_urlencoded_pairs(body: &[u8]) -> HashMap<String, String> {
    let text = String::from_utf8_lossy(body);
    text.split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (percent_decode(k), percent_decode(v)))
        .collect()
}

pub(crate) fn percent_decode(s: &str) -> String {
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

pub(crate) fn guest_session(room_pk: i64) -> String {
    format!("demo-guest-session-{room_pk}")
}

pub(crate) async fn guest_context(
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

pub(crate) fn guest_room_from_session(
    hotel: &Hotel,
    headers: &HeaderMap,
    slug: &str,
) -> Option<i64> {
    let session = headers.get("x-guest-chat-session")?.to_str().ok()?;
    let pk: i64 = session.strip_prefix("demo-guest-session-")?.parse().ok()?;
    hotel
        .room(pk)
        .filter(|r| r.hotel == slug && r.booking.is_some())
        .map(|r| r.pk)
}

/// Stores a guest message and publishes it; shared by the endpoint and the simulator.
pub(crate) fn guest_writes(
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

pub(crate) async fn guest_send(
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

pub(crate) async fn guest_mark_read(
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
pub(crate) async fn burst(
    State(s): State<St>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
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

pub(crate) async fn media(
    State(s): State<St>,
    Path((id, _name)): Path<(String, String)>,
) -> Response {
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

pub(crate) async fn websocket(
    State(s): State<St>,
    Path(key): Path<String>,
    ws: WebSocketUpgrade,
) -> Response {
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

pub(crate) async fn simulate_guests(s: St, every: Duration) {
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
