//! The staff chat calls: sign-in, the list, pages, sends, read marks, claims, rooms.

use super::*;

/// Users who have an account and a password but no staff profile: the deployment answers
/// their sign-in 404 (its login view looks the profile up after checking the password).
const WITHOUT_STAFF_PROFILE: &[&str] = &["nostaff"];

pub(crate) async fn login(State(s): State<St>, body: Bytes) -> Response {
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
    if WITHOUT_STAFF_PROFILE.contains(&username.as_str()) && hotel.seed.password == password {
        return error(
            StatusCode::NOT_FOUND,
            "Staff profile not found. Please contact your hotel administrator.",
        );
    }
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
        allowed_navs: navs(&staff.seed.capabilities)
            .iter()
            .map(|n| n.slug.clone())
            .collect(),
        allowed_capabilities: staff.seed.capabilities.clone(),
        rbac: rbac(&staff.seed.capabilities),
        navigation_items: navs(&staff.seed.capabilities),
        tier: "regular_staff".into(),
        is_admin: false,
        profile_image_url: None,
        role: staff.seed.role.clone(),
        department: staff.seed.department.clone(),
        can_edit_self_profile: true,
    })
}

/// The login's `rbac` as the deployment writes it (sample 01): a module a capability names
/// is `visible` with `module.view`, `read` with any `.read`, and each capability is an
/// action (`chat.message.send` → `chat.actions.message_send`).
fn rbac(capabilities: &[String]) -> serde_json::Map<String, Value> {
    let mut out = serde_json::Map::new();
    for cap in capabilities {
        let Some((module, action)) = cap.split_once('.') else {
            continue;
        };
        let entry = out
            .entry(module.to_string())
            .or_insert_with(|| json!({"visible": false, "read": false, "actions": {}}));
        if action == "module.view" {
            entry["visible"] = json!(true);
            continue;
        }
        if action.ends_with(".read") {
            entry["read"] = json!(true);
        }
        entry["actions"][action.replace('.', "_")] = json!(true);
    }
    out
}

/// The navigation the user's rights open: home, and chat with guest chat.
fn navs(capabilities: &[String]) -> Vec<WireNavItem> {
    let mut items = vec![WireNavItem {
        id: 1,
        name: "Home".into(),
        slug: "home".into(),
        path: "/".into(),
        description: "Dashboard and overview".into(),
        display_order: 1,
        is_active: true,
    }];
    if capabilities.iter().any(|c| c == "chat.module.view") {
        items.push(WireNavItem {
            id: 2,
            name: "Chat".into(),
            slug: "chat".into(),
            path: "/chat".into(),
            description: "Staff communication".into(),
            display_order: 2,
            is_active: true,
        });
    }
    items
}

pub(crate) async fn list_conversations(
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

pub(crate) async fn unread_count(
    State(s): State<St>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (hotel, _) = tri!(s.desk(&headers, &slug, None));
    ok(json!({ "unread_counts": unread_by_room(&hotel, &slug) }))
}

pub(crate) fn non_negative(
    q: &HashMap<String, String>,
    key: &str,
) -> Result<Option<i64>, Response> {
    non_negative_int(q.get(key).map(String::as_str)).map_err(|()| {
        error(
            StatusCode::BAD_REQUEST,
            &format!("{key} must be a non-negative integer"),
        )
    })
}

/// A query value that must be a non-negative integer when present.
pub(crate) fn non_negative_int(v: Option<&str>) -> Result<Option<i64>, ()> {
    match v {
        None => Ok(None),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .map(Some)
            .ok_or(()),
    }
}

pub(crate) async fn messages(
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

pub(crate) fn publish_created(s: &Shared, hotel: &Hotel, msg_id: i64) {
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
            "scope": {"room_number": room.number, "conversation_id": m.conv, "sender_type": crate::hotel::sender_type(m.sender)},
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
pub(crate) fn join_if_new(s: &Shared, hotel: &mut Hotel, conv: i64, staff: &crate::hotel::Staff) {
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

pub(crate) async fn send(
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
pub(crate) fn written_after(conv: &crate::hotel::Conv, staff: i64) -> bool {
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
pub(crate) fn mark_guest_messages_read(
    s: &Shared,
    hotel: &mut Hotel,
    conv: i64,
    staff: &crate::hotel::Staff,
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

pub(crate) async fn mark_read(
    State(s): State<St>,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let (mut hotel, staff, id) = tri!(s.desk_conversation(&headers, &slug, &id, None));
    let ids = mark_guest_messages_read(&s, &mut hotel, id, &staff);
    ok(json!({"conversation_id": id, "marked_as_read": ids.len()}))
}

pub(crate) async fn assign_staff(
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

pub(crate) async fn from_room(
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
