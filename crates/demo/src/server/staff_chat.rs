//! The staff-to-staff chat (`/api/staff/hotel/{slug}/staff_chat/`), as the contract's
//! `staff-chat/README.md` observed it: get-or-create by member set, pages of messages,
//! per-person unread, public channels. The deployment profile adds section 6's quirks.

use super::*;
use crate::hotel::{Staff, StaffMsg, event_ts};
use crate::staff_wire::*;

/// The departments whose staff answer a hand-off in `frontdesk demo`, and how.
const ANSWERS: &[(&str, &str)] = &[
    ("housekeeping", "On my way with towels, 10 minutes."),
    ("maintenance", "On my way to look at it now."),
    ("kitchen", "Will do, it goes up in 15 minutes."),
];

impl Shared {
    /// Any staff member of the hotel may use staff chat (every tier has `staff_chat.*`).
    fn colleague(
        &self,
        headers: &HeaderMap,
        slug: &str,
    ) -> Result<(MutexGuard<'_, Hotel>, Staff), Response> {
        let hotel = self.hotel();
        let staff = hotel_member(&hotel, headers, slug)?;
        Ok((hotel, staff))
    }

    /// As [`Shared::colleague`], for a conversation the caller takes part in.
    fn member_of(
        &self,
        headers: &HeaderMap,
        slug: &str,
        raw_id: &str,
    ) -> Result<(MutexGuard<'_, Hotel>, Staff, i64), Response> {
        let (hotel, staff) = self.colleague(headers, slug)?;
        let id = parse_id(raw_id)?;
        match hotel.staff_chat.conv(id) {
            None => Err(detail(StatusCode::NOT_FOUND, "Not found.")),
            Some(c) if !c.members.contains(&staff.seed.id) => Err(error(
                StatusCode::FORBIDDEN,
                "You are not a participant in this conversation",
            )),
            Some(_) => Ok((hotel, staff, id)),
        }
    }
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct StaffListQuery {
    search: Option<String>,
    page: Option<String>,
    page_size: Option<String>,
}

/// 1. `staff-list/`: colleagues of the hotel, not the caller; `search` matches names,
///    department and role (samples 02, 80).
pub(crate) async fn staff_list(
    State(s): State<St>,
    Path(slug): Path<String>,
    Query(q): Query<StaffListQuery>,
    headers: HeaderMap,
) -> Response {
    let (hotel, me) = tri!(s.colleague(&headers, &slug));
    let needle = q.search.unwrap_or_default().to_lowercase();
    let size = q
        .page_size
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(50)
        .clamp(1, 200);
    let page = q
        .page
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let mut matching: Vec<&Staff> = hotel
        .staff
        .iter()
        .filter(|st| st.seed.hotel == slug && st.seed.id != me.seed.id)
        .filter(|st| {
            needle.is_empty()
                || [
                    &st.seed.first_name,
                    &st.seed.last_name,
                    &st.seed.department,
                    &st.seed.role,
                ]
                .iter()
                .any(|f| f.to_lowercase().contains(&needle))
        })
        .collect();
    matching.sort_by_key(|st| (st.seed.last_name.clone(), st.seed.first_name.clone()));
    let count = matching.len();
    let results = matching
        .into_iter()
        .skip((page - 1) * size)
        .take(size)
        .map(|st| hotel.staff_list_item(st))
        .collect();
    ok(WirePage {
        count,
        next: (page * size < count).then(|| format!("{}?page={}", hotel.base_url, page + 1)),
        previous: (page > 1).then(|| format!("{}?page={}", hotel.base_url, page - 1)),
        results,
    })
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct PageQuery {
    page: Option<String>,
    search: Option<String>,
}

/// 2. `conversations/`: mine, 10 a page, last send first; `search` matches the title or a
///    participant's first name (staff-chat contract §2).
pub(crate) async fn list(
    State(s): State<St>,
    Path(slug): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let (hotel, me) = tri!(s.colleague(&headers, &slug));
    let page = q
        .page
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let needle = q.search.unwrap_or_default().to_lowercase();
    let mut mine: Vec<_> = hotel
        .staff_chat
        .convs
        .iter()
        .filter(|c| c.members.contains(&me.seed.id))
        .filter(|c| {
            needle.is_empty()
                || c.title.to_lowercase().contains(&needle)
                || c.members.iter().any(|m| {
                    hotel
                        .staff_by_id(*m)
                        .is_some_and(|st| st.seed.first_name.to_lowercase().contains(&needle))
                })
        })
        .collect();
    mine.sort_by_key(|c| std::cmp::Reverse(c.updated_at));
    let count = mine.len();
    let results = mine
        .into_iter()
        .skip((page - 1) * 10)
        .take(10)
        .map(|c| hotel.staff_conversation_wire(c, me.seed.id, s.quirks.staff_chat_quirks))
        .collect();
    ok(WirePage {
        count,
        next: (page * 10 < count).then(|| format!("{}?page={}", hotel.base_url, page + 1)),
        previous: (page > 1).then(|| format!("{}?page={}", hotel.base_url, page - 1)),
        results,
    })
}

/// 3. `POST conversations/`: get-or-create by the exact member set (the caller added):
///    201 new, 200 existing with its old title (samples 04-05h).
pub(crate) async fn create(
    State(s): State<St>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (mut hotel, me) = tri!(s.colleague(&headers, &slug));
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return detail(StatusCode::BAD_REQUEST, "JSON parse error.");
    };
    let ids: Vec<i64> = v
        .get("participant_ids")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();
    if ids.is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            "At least one participant is required",
        );
    }
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    let valid = unique.len() == ids.len()
        && ids.iter().all(|id| {
            hotel
                .staff_by_id(*id)
                .is_some_and(|st| st.seed.hotel == slug)
        });
    if !valid {
        return error(
            StatusCode::BAD_REQUEST,
            "Some participants are invalid or inactive",
        );
    }
    let title = v.get("title").and_then(Value::as_str).unwrap_or("");
    let mut members = unique;
    if !members.contains(&me.seed.id) {
        members.push(me.seed.id);
    }
    let now = hotel.now();
    let (id, created) = hotel.staff_chat.get_or_create(members, title, now);
    let Some(c) = hotel.staff_chat.conv(id) else {
        return html_500();
    };
    let wire = hotel.staff_conversation_wire(c, me.seed.id, s.quirks.staff_chat_quirks);
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    (status, axum::Json(wire)).into_response()
}

/// 5. `conversations/unread-count/`: per person, only conversations with unread.
pub(crate) async fn unread_count(
    State(s): State<St>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (hotel, me) = tri!(s.colleague(&headers, &slug));
    let chat = &hotel.staff_chat;
    let mut breakdown: Vec<WireBreakdown> = chat
        .convs
        .iter()
        .filter(|c| c.members.contains(&me.seed.id))
        .filter_map(|c| {
            let n = chat.unread_for(c, me.seed.id);
            let title = if c.is_group {
                c.title.clone()
            } else {
                c.members
                    .iter()
                    .find(|p| **p != me.seed.id)
                    .and_then(|p| hotel.staff_by_id(*p))
                    .map(Staff::name)
                    .unwrap_or_default()
            };
            (n > 0).then_some(WireBreakdown {
                conversation_id: c.id,
                unread_count: n,
                title,
                is_group: c.is_group,
            })
        })
        .collect();
    breakdown.sort_by_key(|b| std::cmp::Reverse(b.unread_count));
    ok(WireStaffUnread {
        total_unread: breakdown.iter().map(|b| b.unread_count).sum(),
        conversations_with_unread: breakdown.len(),
        breakdown,
    })
}

/// 6. `conversations/conversations-with-unread-count/`: a 500 every time on the deployment
///    (sample 31); the friendly server answers the list of those with unread.
pub(crate) async fn with_unread(
    State(s): State<St>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (hotel, me) = tri!(s.colleague(&headers, &slug));
    if s.quirks.staff_chat_quirks {
        return html_500();
    }
    let chat = &hotel.staff_chat;
    let results: Vec<_> = chat
        .convs
        .iter()
        .filter(|c| c.members.contains(&me.seed.id) && chat.unread_for(c, me.seed.id) > 0)
        .map(|c| hotel.staff_conversation_wire(c, me.seed.id, false))
        .collect();
    ok(WirePage {
        count: results.len(),
        next: None,
        previous: None,
        results,
    })
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct MessagesQuery {
    limit: Option<String>,
    before_id: Option<String>,
}

/// 12. `conversations/{id}/messages/`: the newest `limit` (default 50) before `before_id`,
///     oldest first, with `has_more`. A non-integer or negative `limit` or `before_id` is a
///     500 on the deployment (22d, 22g, 22h); `limit=0` is `[]` with `has_more: true` (22c).
pub(crate) async fn messages(
    State(s): State<St>,
    Path((slug, id)): Path<(String, String)>,
    Query(q): Query<MessagesQuery>,
    headers: HeaderMap,
) -> Response {
    let (hotel, me, id) = tri!(s.member_of(&headers, &slug, &id));
    let number = |v: &Option<String>| super::chat::non_negative_int(v.as_deref());
    let (Ok(limit), Ok(before)) = (number(&q.limit), number(&q.before_id)) else {
        if s.quirks.staff_chat_quirks {
            return html_500();
        }
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"limit": ["A valid integer is required."]})),
        )
            .into_response();
    };
    let limit = limit.unwrap_or(50) as usize;
    let Some(c) = hotel.staff_chat.conv(id) else {
        return detail(StatusCode::NOT_FOUND, "Not found.");
    };
    let older: Vec<&StaffMsg> = c
        .messages
        .iter()
        .filter(|m| before.is_none_or(|b| m.id < b))
        .collect();
    let skip = older.len().saturating_sub(limit);
    let page: Vec<_> = older[skip..]
        .iter()
        .map(|m| hotel.staff_message_wire(m, Some(me.seed.id)))
        .collect();
    ok(WireStaffMessages {
        count: page.len(),
        has_more: skip > 0 || limit == 0,
        messages: page,
    })
}

/// 11. `conversations/{id}/send-message/` (and 22, the legacy `send_message/`, which publishes
///     no `message_created`: quirk 6.7).
pub(crate) async fn send(
    State(s): State<St>,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    deliver(s, slug, id, headers, body, true).await
}

pub(crate) async fn send_legacy(
    State(s): State<St>,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    deliver(s, slug, id, headers, body, false).await
}

async fn deliver(
    s: St,
    slug: String,
    id: String,
    headers: HeaderMap,
    body: Bytes,
    publish: bool,
) -> Response {
    let (mut hotel, me, id) = tri!(s.member_of(&headers, &slug, &id));
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return detail(StatusCode::BAD_REQUEST, "JSON parse error.");
    };
    let text = match v.get("message") {
        Some(Value::String(t)) if !t.trim().is_empty() => t.clone(),
        // 13h: a number as the message is a 500, and nothing is stored.
        Some(x) if !x.is_string() && !x.is_null() => return html_500(),
        _ => {
            return (
                StatusCode::BAD_REQUEST,
                axum::Json(json!({"message": ["This field may not be blank."]})),
            )
                .into_response();
        }
    };
    let reply_to = v.get("reply_to").and_then(Value::as_i64);
    if let Some(r) = reply_to {
        let same = hotel
            .staff_chat
            .conv(id)
            .is_some_and(|c| c.messages.iter().any(|m| m.id == r));
        if !same {
            return (
                StatusCode::BAD_REQUEST,
                axum::Json(
                    json!({"reply_to": ["Reply must be to a message in the same conversation"]}),
                ),
            )
                .into_response();
        }
    }
    let now = hotel.now();
    let Some(m) = hotel.staff_chat.push(id, me.seed.id, &text, reply_to, now) else {
        return detail(StatusCode::NOT_FOUND, "Not found.");
    };
    if publish {
        announce(&s, &hotel, &slug, &m);
    }
    let wire = hotel.staff_message_wire(&m, None);
    let answer = publish
        .then(|| colleague_answers(&hotel, &me, &m))
        .flatten();
    drop(hotel);
    if let (Some((by, text)), Some(after)) = (answer, s.colleagues_answer_after) {
        let (s, slug) = (s.clone(), slug.clone());
        tokio::spawn(async move {
            tokio::time::sleep(after).await;
            let mut hotel = s.hotel();
            let now = hotel.now();
            if let Some(reply) = hotel.staff_chat.push(m.conv, by, &text, Some(m.id), now) {
                announce(&s, &hotel, &slug, &reply);
            }
        });
    }
    (StatusCode::CREATED, axum::Json(wire)).into_response()
}

/// Who answers a hand-off in `frontdesk demo`: the first other member from housekeeping,
/// maintenance or the kitchen, when a desk member wrote.
fn colleague_answers(hotel: &Hotel, me: &Staff, m: &StaffMsg) -> Option<(i64, String)> {
    let c = hotel.staff_chat.conv(m.conv)?;
    c.members.iter().find_map(|p| {
        let st = hotel.staff_by_id(*p)?;
        let (_, text) = ANSWERS
            .iter()
            .find(|(dept, _)| st.seed.department_slug == *dept && *p != me.seed.id)?;
        Some((*p, (*text).to_string()))
    })
}

/// The events a send publishes (section 5): `message_created` on the conversation's channel,
/// and each other member's unread count on their notifications channel.
fn announce(s: &Shared, hotel: &Hotel, slug: &str, m: &StaffMsg) {
    let Some(c) = hotel.staff_chat.conv(m.conv) else {
        return;
    };
    let meta = |scope: Value| {
        json!({
            "hotel_slug": slug,
            "event_id": format!("demo-{}-{}", m.conv, m.id),
            "ts": event_ts(hotel.now()),
            "scope": scope,
        })
    };
    s.publisher.publish(
        &format!("{slug}-conversation-{}-chat", m.conv),
        "realtime_staff_chat_message_created",
        &WireEnvelope {
            category: "staff_chat",
            kind: "realtime_staff_chat_message_created",
            payload: hotel.staff_created_payload(m),
            meta: meta(json!({"conversation_id": m.conv, "sender_id": m.sender})),
        },
    );
    for p in c.members.iter().filter(|p| **p != m.sender) {
        s.publisher.publish(
            &format!("{slug}-staff-{p}-notifications"),
            "realtime_staff_chat_unread_updated",
            &WireEnvelope {
                category: "staff_chat",
                kind: "realtime_staff_chat_unread_updated",
                payload: WireUnreadUpdated {
                    staff_id: *p,
                    conversation_id: Some(m.conv),
                    unread_count: hotel.staff_chat.unread_for(c, *p),
                    updated_at: event_ts(hotel.now()),
                },
                meta: meta(json!({"staff_id": p})),
            },
        );
    }
}

/// 23. `conversations/{id}/mark_as_read/` (legacy, the whole conversation).
pub(crate) async fn mark_read(
    State(s): State<St>,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let (mut hotel, me, id) = tri!(s.member_of(&headers, &slug, &id));
    let mut marked = Vec::new();
    if let Some(c) = hotel.staff_chat.convs.iter_mut().find(|c| c.id == id) {
        for m in c.messages.iter_mut() {
            if m.sender != me.seed.id && !m.read_by.contains(&me.seed.id) {
                m.read_by.push(me.seed.id);
                marked.push(m.id);
            }
        }
    }
    ok(json!({"success": true, "marked_count": marked.len(), "message_ids": marked}))
}
