//! The typed client against servers on 127.0.0.1: error mapping for each kind of failure the
//! contract shows, base-path discovery, and history paging.

use std::time::Duration;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use frontdesk::api::*;
use frontdesk::model::{ConversationId, MessageId, RoomNumber};

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

fn api(server: &str, paths: PathForm) -> StaffApi {
    let mut c = ApiConfig::new(server, "hotel-killarney", "secret-token-value");
    c.paths = paths;
    c.timeout = Duration::from_millis(800);
    c.connect_timeout = Duration::from_millis(500);
    StaffApi::new(c)
}

fn json(
    status: u16,
    body: &'static str,
) -> impl Fn() -> std::future::Ready<axum::response::Response> + Clone {
    move || {
        std::future::ready(
            (
                StatusCode::from_u16(status).unwrap(),
                [(header::CONTENT_TYPE, "application/json")],
                body,
            )
                .into_response(),
        )
    }
}

async fn one_error(status: u16, content_type: &'static str, body: &'static str) -> ApiError {
    let router = Router::new().fallback(get(move || async move {
        (
            StatusCode::from_u16(status).unwrap(),
            [(header::CONTENT_TYPE, content_type)],
            body,
        )
            .into_response()
    }));
    let server = serve(router).await;
    api(&server, PathForm::Hotel)
        .conversations()
        .await
        .unwrap_err()
}

#[tokio::test]
async fn errors_map_to_kinds_the_ui_can_act_on() {
    let e = one_error(401, "application/json", r#"{"detail":"Invalid token."}"#).await;
    assert_eq!(e.kind, ErrorKind::Unauthorised("Invalid token.".into()));
    assert!(e.is_unauthorised());

    let e = one_error(
        403,
        "application/json",
        r#"{"detail":"You do not have permission to view the chat module."}"#,
    )
    .await;
    assert_eq!(
        e.kind,
        ErrorKind::Forbidden("You do not have permission to view the chat module.".into())
    );

    let e = one_error(
        404,
        "application/json",
        r#"{"detail":"No Conversation matches the given query."}"#,
    )
    .await;
    assert_eq!(
        e.kind,
        ErrorKind::NotFound("No Conversation matches the given query.".into())
    );

    let e = one_error(
        400,
        "application/json",
        r#"{"error":"Message cannot be empty"}"#,
    )
    .await;
    assert_eq!(
        e.kind,
        ErrorKind::Rejected {
            status: 400,
            reason: "Message cannot be empty".into()
        }
    );

    let e = one_error(
        500,
        "text/html; charset=utf-8",
        "<!doctype html><h1>Server Error</h1>",
    )
    .await;
    assert_eq!(e.kind, ErrorKind::Server(500));
    let shown = e.to_string();
    assert_eq!(
        shown,
        "server error 500 (GET /api/staff/hotel/hotel-killarney/chat/conversations/)"
    );
    assert!(!shown.contains("secret-token-value"));
    assert!(e.outcome_unknown());

    // A 200 with HTML is not silently accepted.
    let e = one_error(200, "text/html", "<html>login page</html>").await;
    assert!(
        matches!(e.kind, ErrorKind::BadResponse(ref r) if r.contains("text/html")),
        "{e}"
    );
}

#[tokio::test]
async fn timeouts_and_refused_connections() {
    let router = Router::new().fallback(get(|| async {
        tokio::time::sleep(Duration::from_secs(5)).await;
        "late"
    }));
    let server = serve(router).await;
    let e = api(&server, PathForm::Hotel)
        .conversations()
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Timeout);

    // A port that was just free: nothing listens there.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let e = api(&format!("http://127.0.0.1:{port}"), PathForm::Hotel)
        .conversations()
        .await
        .unwrap_err();
    assert!(matches!(e.kind, ErrorKind::NoConnection(_)), "{e:?}");
    assert!(e.to_string().starts_with("no connection"));
}

#[tokio::test]
async fn falls_back_to_the_deployed_base_path_and_remembers() {
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let h = hits.clone();
    let router = Router::new()
        .route(
            "/api/staff/hotel/hotel-killarney/chat/conversations/",
            get(move || {
                h.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                json(200, "[]")()
            }),
        )
        .fallback(json(404, r#"{"detail":"Not found."}"#));
    let server = serve(router).await;
    let client = api(&server, PathForm::Auto);
    assert_eq!(client.resolved_paths(), PathForm::Auto);
    assert!(client.conversations().await.unwrap().is_empty());
    assert_eq!(client.resolved_paths(), PathForm::Hotel);
    assert!(client.conversations().await.unwrap().is_empty());
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 2);

    // Pinned to the published form, there is no fallback.
    let pinned = api(&server, PathForm::Hotels);
    let e = pinned.conversations().await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound("Not found.".into()));
}

#[tokio::test]
async fn a_real_not_found_is_not_a_path_problem() {
    let router = Router::new().fallback(json(
        404,
        r#"{"detail":"No Conversation matches the given query."}"#,
    ));
    let server = serve(router).await;
    let client = api(&server, PathForm::Auto);
    let e = client
        .messages(ConversationId(9999), 10, None)
        .await
        .unwrap_err();
    assert!(e.path.starts_with("/api/staff/hotels/"), "{}", e.path);
    assert_eq!(client.resolved_paths(), PathForm::Hotels);
}

async fn demo() -> frontdesk_demo::RunningDemo {
    frontdesk_demo::start(frontdesk_demo::DemoConfig::default())
        .await
        .unwrap()
}

async fn signed_in(d: &frontdesk_demo::RunningDemo, user: &str) -> (StaffApi, Login) {
    let login = login(&d.base_url, user, "demo").await.unwrap();
    let api = StaffApi::new(ApiConfig::new(&d.base_url, &login.hotel_slug, &login.token));
    (api, login)
}

#[tokio::test]
async fn paging_walks_back_to_the_first_message() {
    let d = demo().await;
    let (api, _) = signed_in(&d, "frontdesk").await;
    let room101 = api
        .conversations()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.room_number == RoomNumber(101))
        .unwrap();
    let all = api.all_messages(room101.id, 37).await.unwrap();
    assert!(all.len() > 300, "{}", all.len());
    assert!(
        all.windows(2).all(|w| w[0].id < w[1].id),
        "oldest first, no duplicates"
    );
    assert_eq!(all[0].message, "Backlog message #1 from guest");
    // A page is the newest `limit` below before_id, oldest first.
    let page = api.messages(room101.id, 5, Some(all[10].id)).await.unwrap();
    let ids: Vec<MessageId> = page.iter().map(|m| m.id).collect();
    let expected: Vec<MessageId> = all[5..10].iter().map(|m| m.id).collect();
    assert_eq!(ids, expected);
    d.stop().await;
}

#[tokio::test]
async fn every_endpoint_against_the_demo_server() {
    let d = demo().await;
    let (api, me) = signed_in(&d, "frontdesk").await;
    assert_eq!(me.hotel_slug, "hotel-killarney");

    let list = api.conversations().await.unwrap();
    assert!(list.len() >= 20);
    let conv = list
        .iter()
        .find(|c| c.room_number == RoomNumber(102))
        .unwrap();
    let unread = api.unread_counts().await.unwrap();
    assert!(unread.total() > 0);

    let newest = api.messages(conv.id, 10, None).await.unwrap();
    let quoted = newest.last().unwrap().id;
    let sent = api
        .send(conv.id, "Spa is open 9-21.", Some(quoted))
        .await
        .unwrap();
    assert_eq!(sent.reply_to, Some(quoted));
    assert_eq!(sent.staff, Some(me.staff_id));
    assert!(sent.reply_to_message.is_some());

    let e = api.send(conv.id, "   ", None).await.unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::Rejected {
            status: 400,
            reason: "Message cannot be empty".into()
        }
    );

    let read = api.mark_read(conv.id).await.unwrap();
    assert_eq!(read.conversation_id, conv.id);
    assert_eq!(api.mark_read(conv.id).await.unwrap().marked_as_read, 0);

    let claim = api.claim(conv.id).await.unwrap();
    assert_eq!(claim.room_number, Some(RoomNumber(102)));

    let room = api.from_room(RoomNumber(101)).await.unwrap();
    assert!(!room.conversation_created);
    let fresh = api.from_room(RoomNumber(210)).await.unwrap();
    assert!(fresh.conversation_created);
    let e = api.from_room(RoomNumber(999)).await.unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::NotFound("No Room matches the given query.".into())
    );

    let edited = api
        .update_message(sent.id, "Spa is open 9-21 today.")
        .await
        .unwrap();
    assert!(edited.success);
    let e = api.update_message(quoted, "hacked").await.unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Forbidden(_)), "{e}");

    let files = vec![
        UploadFile {
            name: "folio.txt".into(),
            bytes: b"Room 102 folio".to_vec(),
        },
        UploadFile {
            name: "map.png".into(),
            bytes: vec![0x89, b'P', b'N', b'G'],
        },
    ];
    let up = api
        .upload(conv.id, &files, Some("Here is your folio"), None)
        .await
        .unwrap();
    assert_eq!(up.attachments.len(), 2);
    assert_eq!(up.message.message, "Here is your folio");
    let e = api
        .upload(
            conv.id,
            &[UploadFile {
                name: "bad.exe".into(),
                bytes: vec![1],
            }],
            None,
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e.kind, ErrorKind::Rejected { ref reason, .. } if reason.contains("bad.exe")),
        "{e}"
    );
    let gone = api.delete_attachment(up.attachments[0].id).await.unwrap();
    assert_eq!(gone.message_id, Some(up.message.id));

    let del = api.delete_message(sent.id, false).await.unwrap();
    assert!(del.success && !del.hard_delete);
    let e = api.delete_message(quoted, true).await.unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Forbidden(_)));
    let after = api.messages(conv.id, 50, None).await.unwrap();
    assert!(after.iter().find(|m| m.id == sent.id).unwrap().is_deleted);

    // The moderator may hard-delete a guest's message.
    let (manager, _) = signed_in(&d, "manager").await;
    assert!(
        manager
            .delete_message(quoted, true)
            .await
            .unwrap()
            .hard_delete
    );
    assert!(
        !api.messages(conv.id, 50, None)
            .await
            .unwrap()
            .iter()
            .any(|m| m.id == quoted)
    );

    // Private channel signing works for own hotel's booking channels.
    let auth = api
        .pusher_auth(
            "1234.5678",
            "private-hotel-hotel-killarney-guest-chat-booking-BK-X",
        )
        .await
        .unwrap();
    assert!(auth.auth.starts_with(&format!("{}:", d.pusher_key)));
    d.stop().await;
}

#[tokio::test]
async fn scope_and_permission_errors_match_the_contract() {
    let d = demo().await;
    let (_, house) = signed_in(&d, "housekeeping").await;
    let hk = StaffApi::new(ApiConfig::new(&d.base_url, "hotel-killarney", &house.token));
    let e = hk.conversations().await.unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::Forbidden("You do not have permission to view the chat module.".into())
    );

    let (_, other) = signed_in(&d, "otherdesk").await;
    let od = StaffApi::new(ApiConfig::new(&d.base_url, "hotel-killarney", &other.token));
    let e = od.conversations().await.unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::Forbidden("You can only access resources from your hotel.".into())
    );

    let bad = StaffApi::new(ApiConfig::new(&d.base_url, "hotel-killarney", "nope"));
    assert_eq!(
        bad.conversations().await.unwrap_err().kind,
        ErrorKind::Unauthorised("Invalid token.".into())
    );

    let e = login(&d.base_url, "frontdesk", "wrong").await.unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::Unauthorised("Invalid username or password".into())
    );

    // The other hotel's conversation, through our own hotel's path.
    let (api, _) = signed_in(&d, "frontdesk").await;
    let foreign = api
        .messages(ConversationId(10_000), 10, None)
        .await
        .unwrap_err();
    assert!(matches!(foreign.kind, ErrorKind::NotFound(_)));
    d.stop().await;
}

#[tokio::test]
async fn a_send_that_failed_after_saving_is_found_not_repeated() {
    let config = frontdesk_demo::DemoConfig {
        faults: frontdesk_demo::Faults::parse("send-500-after-save").unwrap(),
        ..Default::default()
    };
    let d = frontdesk_demo::start(config).await.unwrap();
    let (api, me) = signed_in(&d, "frontdesk").await;
    let conv = api.conversations().await.unwrap()[0].id;
    let held = api.messages(conv, 1, None).await.unwrap()[0].id;
    let e = api
        .send(conv, "Your taxi is booked for 06:00.", None)
        .await
        .unwrap_err();
    assert!(e.outcome_unknown());
    let identity = ReplyIdentity {
        staff_id: me.staff_id,
        text: "Your taxi is booked for 06:00.".into(),
        after_id: Some(held),
        first_attempt: chrono::Utc::now(),
    };
    let found = api.deliver(conv, None, &identity, true).await.unwrap();
    let copies = api
        .messages(conv, 50, None)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.message == "Your taxi is booked for 06:00.")
        .count();
    assert_eq!(copies, 1, "checked retry must not send twice");
    assert!(found.read_back);
    assert_eq!(found.message.staff, Some(me.staff_id));

    // Every send answers 500 here: a plain delivery settles by reading back, once each.
    let later = ReplyIdentity {
        after_id: Some(found.message.id),
        ..identity.clone()
    };
    let second = api.deliver(conv, None, &later, false).await.unwrap();
    assert!(second.read_back && second.message.id > found.message.id);
    d.stop().await;
}

/// The same canned reply twice, the second failing at first (nothing stored): its retry must
/// not take the first reply for its own copy, so both reach the server.
#[tokio::test]
async fn a_canned_reply_sent_twice_is_stored_twice() {
    let d = frontdesk_demo::start(Default::default()).await.unwrap();
    let (api, me) = signed_in(&d, "frontdesk").await;
    let conv = api.conversations().await.unwrap()[0].id;
    let line = "Housekeeping is on the way.";
    let held = api.messages(conv, 1, None).await.unwrap()[0].id;
    let first = ReplyIdentity {
        staff_id: me.staff_id,
        text: line.into(),
        after_id: Some(held),
        first_attempt: chrono::Utc::now(),
    };
    let one = api.deliver(conv, None, &first, false).await.unwrap();
    assert!(!one.read_back);
    // The second attempt "failed" before reaching the server; its retry checks first.
    let second = ReplyIdentity {
        after_id: Some(one.message.id),
        ..first.clone()
    };
    let two = api.deliver(conv, None, &second, true).await.unwrap();
    assert_ne!(two.message.id, one.message.id);
    let copies = api
        .messages(conv, 50, None)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.message == line)
        .count();
    assert_eq!(copies, 2, "both replies must reach the server");
    // The old rule (same text by us within five minutes) would have swallowed the second.
    let legacy = ReplyIdentity {
        after_id: None,
        ..first
    };
    assert!(legacy.matches(conv, &one.message));
    d.stop().await;
}

#[tokio::test]
async fn one_message_with_invalid_escapes_does_not_hide_the_page() {
    let body = r#"[{"id": 1, "conversation_id": 1, "sender_type": "guest", "message": "fine", "timestamp": "2026-11-24T10:00:00Z"},
                  {"id": 2, "conversation_id": 1, "sender_type": "guest", "message": "bad \ud800 \q escape", "timestamp": "2026-11-24T10:01:00Z"}]"#;
    let router = Router::new().fallback(get(move || async move {
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response()
    }));
    let server = serve(router).await;
    let page = api(&server, PathForm::Hotel)
        .messages(ConversationId(1), 10, None)
        .await
        .unwrap();
    assert_eq!(page.len(), 2);
    assert_eq!(page[1].message, "bad \u{fffd} \\q escape");
}

/// The desk's clock is 10 minutes off: the server's `Date` headers tell by how much.
#[tokio::test]
async fn the_servers_clock_is_learned_from_its_answers() {
    for offset in [600i64, -600] {
        let config = frontdesk_demo::DemoConfig {
            faults: frontdesk_demo::Faults::parse(&format!("clock-offset={offset}")).unwrap(),
            ..Default::default()
        };
        let d = frontdesk_demo::start(config).await.unwrap();
        let (api, _) = signed_in(&d, "frontdesk").await;
        assert!(api.clock_offset().is_none(), "nothing learned yet");
        api.conversations().await.unwrap();
        let learned = api.clock_offset().unwrap().num_seconds();
        assert!((learned - offset).abs() <= 2, "{learned} for {offset}");
        let words = frontdesk::inbox::clock_words(api.clock_offset().unwrap()).unwrap();
        let expected = if offset > 0 {
            "10 min slow"
        } else {
            "10 min fast"
        };
        assert!(words.contains(expected), "{words}");
        d.stop().await;
    }
    assert!(frontdesk::inbox::clock_words(chrono::Duration::seconds(20)).is_none());
}
