//! Realtime over real sockets: the demo's Pusher endpoint spoken to directly, the frontdesk
//! client against it (with sockets dropped mid-burst), and against an independent Pusher server.

mod common;
use common::{Harness, guest_says};

use std::time::Duration;

use frontdesk::api::{ApiConfig, StaffApi, login};
use frontdesk::app::{App, Connection, Focus};
use frontdesk::live::decode_frame;
use frontdesk::model::{ConversationId, MessageId, RoomNumber};
use frontdesk_demo::{DemoConfig, Faults, RunningDemo};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message as Ws;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn next_frame(ws: &mut Socket) -> frontdesk::live::Frame {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("a frame within 5 s")
            .expect("socket open")
            .expect("no socket error");
        if let Ws::Text(t) = msg {
            return decode_frame(&t).expect("a Pusher frame");
        }
    }
}

async fn staff(d: &RunningDemo) -> (StaffApi, frontdesk::api::Login) {
    let l = login(&d.base_url, "frontdesk", "demo").await.unwrap();
    (
        StaffApi::new(ApiConfig::new(&d.base_url, &l.hotel_slug, &l.token)),
        l,
    )
}

#[tokio::test]
async fn the_demo_speaks_pusher_protocol_7() {
    let d = frontdesk_demo::start(DemoConfig::default()).await.unwrap();
    let (api, me) = staff(&d).await;
    let (mut ws, _) = tokio_tungstenite::connect_async(&d.ws_url).await.unwrap();
    let hello = next_frame(&mut ws).await;
    assert_eq!(hello.event, "pusher:connection_established");
    let socket_id = hello.data["socket_id"].as_str().unwrap().to_string();
    assert!(hello.data["activity_timeout"].as_u64().unwrap() > 0);

    let notes = format!("hotel-killarney.staff-{}-notifications", me.staff_id);
    ws.send(Ws::Text(
        json!({"event":"pusher:subscribe","data":{"channel": notes}})
            .to_string()
            .into(),
    ))
    .await
    .unwrap();
    let ok = next_frame(&mut ws).await;
    assert_eq!(ok.event, "pusher_internal:subscription_succeeded");
    assert_eq!(ok.channel.as_deref(), Some(notes.as_str()));

    // A private channel with the signer's auth is accepted; a forged one is refused.
    let private = "private-hotel-hotel-killarney-guest-chat-booking-BK-HOTELKIL-2026-0001";
    let auth = api.pusher_auth(&socket_id, private).await.unwrap().auth;
    ws.send(Ws::Text(
        json!({"event":"pusher:subscribe","data":{"channel": private, "auth": auth}})
            .to_string()
            .into(),
    ))
    .await
    .unwrap();
    assert_eq!(
        next_frame(&mut ws).await.event,
        "pusher_internal:subscription_succeeded"
    );
    let forged = format!("{}:{}", d.pusher_key, "0".repeat(64));
    ws.send(Ws::Text(json!({"event":"pusher:subscribe","data":{"channel": "private-hotel-hotel-killarney-guest-chat-booking-BK-X", "auth": forged}}).to_string().into())).await.unwrap();
    let refused = next_frame(&mut ws).await;
    assert_eq!(refused.event, "pusher:error");
    assert_eq!(refused.data["code"], 4009);

    ws.send(Ws::Text(r#"{"event":"pusher:ping","data":{}}"#.into()))
        .await
        .unwrap();
    assert_eq!(next_frame(&mut ws).await.event, "pusher:pong");

    let id = guest_says(&d.base_url, 101, "Could I get a late checkout?").await;
    let mut seen = Vec::new();
    for _ in 0..2 {
        let f = next_frame(&mut ws).await;
        seen.push(f.event.clone());
        match f.event.as_str() {
            "new-guest-message" => {
                assert_eq!(f.data["message_id"], id.0);
                assert_eq!(f.data["room_number"], 101);
            }
            "chat.message.created" => assert_eq!(f.data["payload"]["id"], id.0),
            other => panic!("unexpected {other}"),
        }
    }
    seen.sort();
    assert_eq!(seen, vec!["chat.message.created", "new-guest-message"]);
    d.stop().await;
}

fn room_conversation(app: &App, room: i64) -> Option<ConversationId> {
    app.conversations
        .values()
        .find(|c| c.room_number == RoomNumber(room))
        .map(|c| c.id)
}

#[tokio::test]
async fn a_hundred_messages_through_dropped_sockets_arrive_once_and_in_order() {
    let config = DemoConfig {
        faults: Faults::parse("drop-sockets-every=1").unwrap(),
        ..Default::default()
    };
    let d = frontdesk_demo::start(config).await.unwrap();
    let ws = d.ws_url.clone();
    let mut h = Harness::with_live(&d, &ws, |c| c.backoff_cap = Duration::from_millis(800)).await;
    assert!(
        h.until(10, |a| a.list_loaded
            && matches!(a.connection, Connection::Live))
            .await,
        "went live"
    );
    let conv = room_conversation(&h.app, 103).unwrap();
    let cmds = h.app.open_conversation(conv, Focus::Thread);
    h.run(cmds);
    assert!(
        h.until(5, |a| a
            .threads
            .get(&conv)
            .is_some_and(|t| !t.messages.is_empty()))
            .await
    );

    let base = d.base_url.clone();
    let sender = tokio::spawn(async move {
        let mut ids = Vec::new();
        for i in 0..100 {
            ids.push(guest_says(&base, 103, &format!("burst {i:03}")).await);
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
        ids
    });
    let ids_done = h.until(40, |a| {
        a.threads.get(&conv).is_some_and(|t| {
            t.messages
                .values()
                .filter(|m| m.message.starts_with("burst "))
                .count()
                >= 100
        })
    });
    let all_arrived = ids_done.await;
    let sent_ids = sender.await.unwrap();
    let thread = &h.app.threads[&conv];
    let got: Vec<(MessageId, String)> = thread
        .messages
        .values()
        .filter(|m| m.message.starts_with("burst "))
        .map(|m| (m.id, m.message.clone()))
        .collect();
    assert!(all_arrived, "only {} of 100 arrived", got.len());
    assert_eq!(got.len(), 100, "each exactly once");
    assert_eq!(
        got.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        sent_ids,
        "in order"
    );
    let texts: Vec<String> = (0..100).map(|i| format!("burst {i:03}")).collect();
    assert_eq!(got.into_iter().map(|(_, t)| t).collect::<Vec<_>>(), texts);
    d.stop().await;
}

#[tokio::test]
async fn a_silent_server_is_detected_and_left() {
    // A TCP server that completes the WebSocket handshake, says hello, then never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepts = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let a = accepts.clone();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            a.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::spawn(async move {
                let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
                    return;
                };
                let hello = json!({"event":"pusher:connection_established","data": json!({"socket_id":"1.1","activity_timeout":1}).to_string()});
                let _ = ws.send(Ws::Text(hello.to_string().into())).await;
                // Read and ignore everything, never pong.
                while let Some(Ok(_)) = ws.next().await {}
            });
        }
    });
    let d = frontdesk_demo::start(DemoConfig::default()).await.unwrap();
    let url = format!("ws://{addr}/app/x?protocol=7");
    let mut h = Harness::with_live(&d, &url, |c| {
        c.activity_timeout = Duration::from_secs(1);
        c.pong_wait = Duration::from_secs(1);
        c.backoff_cap = Duration::from_millis(600);
    })
    .await;
    let started = std::time::Instant::now();
    assert!(
        h.until(10, |a| matches!(
            a.connection,
            Connection::Reconnecting { .. }
        ))
        .await,
        "dead link noticed"
    );
    // activity_timeout (1 s) + pong wait (1 s), with slack for a loaded machine.
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
    assert!(
        h.until(10, |_| accepts.load(std::sync::atomic::Ordering::SeqCst)
            >= 2)
            .await,
        "reconnected"
    );
    d.stop().await;
}

#[tokio::test]
async fn close_4001_stops_and_says_why() {
    let d = frontdesk_demo::start(DemoConfig::default()).await.unwrap();
    let url = d.ws_url.replace(&d.pusher_key, "wrong-key");
    let mut h = Harness::with_live(&d, &url, |_| {}).await;
    assert!(
        h.until(10, |a| matches!(a.connection, Connection::Stopped(_)))
            .await
    );
    let Connection::Stopped(reason) = &h.app.connection else {
        unreachable!()
    };
    assert!(reason.contains("4001"), "{reason}");
    d.stop().await;
}

/// `../shared/tools/pusher-server`, when it is there.
fn pusher_tool() -> Option<std::path::PathBuf> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/pusher-server");
    p.exists().then_some(p)
}

#[tokio::test]
async fn events_arrive_through_an_independent_pusher_server() {
    let Some(tool) = pusher_tool() else {
        eprintln!("SKIPPED: ../shared/tools/pusher-server is absent");
        return;
    };
    let port = "6123";
    let out = std::process::Command::new("bash")
        .arg(&tool)
        .args(["start", port])
        .output()
        .unwrap();
    if !out.status.success() {
        panic!(
            "pusher-server did not start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let env = String::from_utf8_lossy(&out.stdout).to_string();
    let get = |k: &str| {
        env.lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .unwrap()
            .to_string()
    };
    let (key, secret, app_id, ws_url) = (
        get("PUSHER_KEY"),
        get("PUSHER_SECRET"),
        get("PUSHER_APP_ID"),
        get("PUSHER_WS_URL"),
    );
    let config = DemoConfig {
        pusher_url: Some(format!(
            "http://{key}:{secret}@127.0.0.1:{port}/apps/{app_id}"
        )),
        ..Default::default()
    };
    let d = frontdesk_demo::start(config).await.unwrap();
    assert_eq!(d.ws_url, ws_url);
    let result = async {
        let mut h = Harness::with_live(&d, &ws_url, |_| {}).await;
        assert!(
            h.until(15, |a| a.list_loaded
                && matches!(a.connection, Connection::Live))
                .await,
            "went live on soketi: {:?}",
            h.app.connection
        );
        let conv = room_conversation(&h.app, 105).unwrap();
        let cmds = h.app.open_conversation(conv, Focus::Thread);
        h.run(cmds);
        let id = guest_says(&d.base_url, 105, "Hello through soketi").await;
        let arrived = h
            .until(10, |a| {
                a.threads
                    .get(&conv)
                    .is_some_and(|t| t.messages.contains_key(&id))
            })
            .await;
        assert!(
            arrived,
            "the guest's message came through the external server"
        );
    };
    let outcome = tokio::time::timeout(Duration::from_secs(60), result).await;
    let _ = std::process::Command::new("bash")
        .arg(&tool)
        .args(["stop", port])
        .status();
    d.stop().await;
    outcome.expect("finished in time");
}

/// The socket server is down for a while, then comes back: the link follows within seconds,
/// not at the end of the backoff its countdown shows.
#[tokio::test]
async fn a_socket_server_that_comes_back_is_followed_within_seconds() {
    let d = frontdesk_demo::start(DemoConfig::default()).await.unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("ws://127.0.0.1:{port}/app/{}?protocol=7", d.pusher_key);
    let mut h = Harness::with_live(&d, &url, |c| c.backoff_cap = Duration::from_secs(60)).await;
    // Refused a few times: the waits grow.
    assert!(
        h.until(
            40,
            |a| matches!(a.connection, Connection::Reconnecting { attempt, .. } if attempt >= 4)
        )
        .await,
        "{:?}",
        h.app.connection
    );
    let Connection::Reconnecting { at, .. } = h.app.connection.clone() else {
        unreachable!()
    };
    let back = frontdesk_demo::start(DemoConfig {
        addr: format!("127.0.0.1:{port}").parse().unwrap(),
        ..Default::default()
    })
    .await
    .unwrap();
    let started = std::time::Instant::now();
    assert!(
        h.until(10, |a| matches!(
            a.connection,
            Connection::Live | Connection::LivePartial
        ))
        .await,
        "{:?}",
        h.app.connection
    );
    let took = started.elapsed();
    let countdown = (at - chrono::Utc::now()).num_milliseconds();
    assert!(took < Duration::from_secs(4), "took {took:?}");
    assert!(
        countdown > 1000,
        "the backoff had {countdown} ms left: the test shows nothing"
    );
    back.stop().await;
    d.stop().await;
}
