//! A server that lies, floods or redirects, one attack at a time, on 127.0.0.1: REST and a
//! Pusher-protocol WebSocket of our own. Each test is one class of attack; each can fail.

mod common;

use common::hostile::*;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use common::Harness;
use frontdesk::api::ErrorKind;
use frontdesk::app::{Command, Effect, Focus, ReplyState};
use frontdesk::live::LiveConfig;
use frontdesk::model::{ConversationId, MessageId};
use serde_json::json;

#[tokio::test]
async fn an_endless_body_is_abandoned_at_its_cap() {
    let server = endless_server().await;
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
    let server = storm_server(&counts).await;
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
    let server = made_up_stays_server(&counts, 5000).await;
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
    let cmds = h.app.open_conversation(ConversationId(1), Focus::Composer);
    h.run(cmds);
    assert!(
        h.until(5, |a| !a.threads[&ConversationId(1)].messages.is_empty())
            .await
    );
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
        !h.app.threads[&ConversationId(1)]
            .messages
            .contains_key(&MessageId(77)),
        "the lie is not shown as our reply"
    );
    // The outbox on disk still holds it.
    assert!(h.local.iter().rev().any(|c| matches!(c,
        Command::Effect(Effect::SaveOutbox(o)) if o.len() == 1)));
}

/// 2,000 guest messages in a second: a few bells, a few reads, not thousands.
#[tokio::test]
async fn a_flood_of_events_is_a_count_not_a_bell_each() {
    let counts = Counts::default();
    let server = flood_server(&counts, 2000, 0.0).await;
    let ws = format!("{}/app/key?protocol=7", server.replace("http", "ws"));
    let mut h = Harness::on(api(&server), me(), Some(LiveConfig::new(&ws, "h")));
    assert!(h.until(5, |a| a.list_loaded).await);
    let cmds = h.app.open_conversation(ConversationId(1), Focus::Thread);
    h.run(cmds);
    h.for_secs(4.0).await;
    assert_eq!(counts.get("sent"), 1, "the flood was sent");
    let bells = h
        .local
        .iter()
        .filter(|c| matches!(c, Command::Effect(Effect::Notify { .. })))
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
        h.app.threads[&ConversationId(1)].messages.len() >= 1000,
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
