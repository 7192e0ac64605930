//! A clerk's shift: what is typed fast goes to the guest the clerk meant, a deleted answer
//! leaves the guest waiting again, and guests are greeted by a name that fits them.

mod common;

use common::Harness;
use crossterm::event::KeyCode;
use frontdesk::app::Focus;
use frontdesk::live::LiveConfig;
use frontdesk::model::{ConversationId, RoomNumber};
use frontdesk_demo::{Profile, RunningDemo};

async fn demo(profile: Profile) -> RunningDemo {
    common::demo_for(profile, None).await
}

async fn desk(d: &RunningDemo) -> Harness {
    let live = LiveConfig::new(&d.ws_url, &d.hotel);
    let mut h = Harness::new(d, "frontdesk", Some(live)).await;
    assert!(h.until(10, |a| a.list_loaded).await);
    h.for_secs(1.0).await;
    h
}

fn room(h: &Harness, n: i64) -> ConversationId {
    h.app.current_conversation_of_room(RoomNumber(n)).unwrap()
}

async fn stored_in(h: &Harness, conv: ConversationId, text: &str) -> usize {
    h.api
        .messages(conv, 30, None)
        .await
        .unwrap()
        .iter()
        .filter(|m| m.message == text)
        .count()
}

#[tokio::test]
async fn a_room_typed_from_a_thread_is_where_the_reply_goes() {
    for profile in [Profile::Friendly, Profile::Deployment] {
        let d = demo(profile).await;
        let mut h = desk(&d).await;
        let from = room(&h, 305);
        h.open(from, Focus::Thread).await;
        // In 305's thread, as fast as a clerk types: o 109 Enter, the text, Enter.
        h.key(KeyCode::Char('o'));
        h.typed("109");
        h.key(KeyCode::Enter);
        let to = room(&h, 109);
        assert!(
            h.until(10, |a| a.open == Some(to)).await,
            "{profile:?}: 109 not open"
        );
        assert_eq!(h.app.focus, Focus::Composer);
        let s = common::screen_of(&h.app);
        assert!(s.contains("Reply to Room 109"), "{profile:?}: {s}");
        let text = format!("The wifi password is KILLARNEY2026 ({profile:?})");
        h.typed(&text);
        h.key(KeyCode::Enter);
        h.for_secs(1.5).await;
        assert_eq!(stored_in(&h, to, &text).await, 1, "{profile:?}");
        assert_eq!(
            stored_in(&h, from, &text).await,
            0,
            "{profile:?}: went to 305"
        );
        // A digit in a thread says what it needs instead of doing nothing silently.
        h.key(KeyCode::Esc);
        h.app.focus = Focus::Thread;
        h.key(KeyCode::Char('7'));
        let said = h
            .app
            .notice
            .as_ref()
            .map(|n| n.text.clone())
            .unwrap_or_default();
        assert!(said.contains("o, then the room number"), "{said}");
        d.stop().await;
    }
}

#[tokio::test]
async fn deleting_the_only_answer_leaves_the_guest_waiting_again() {
    // The friendly profile deletes (the deployment answers 500 and keeps the message).
    let d = demo(Profile::Friendly).await;
    let mut h = desk(&d).await;
    let conv = room(&h, 205);
    h.open(conv, Focus::Composer).await;
    h.typed("Maintenance is on the way.");
    h.key(KeyCode::Enter);
    assert!(
        h.until(10, |a| a.service.wait(conv).is_none()).await,
        "answered"
    );
    // k selects the newest (the answer), d asks, y deletes.
    h.key(KeyCode::Esc);
    h.app.focus = Focus::Thread;
    h.key(KeyCode::Char('k'));
    h.key(KeyCode::Char('d'));
    h.key(KeyCode::Char('y'));
    assert!(
        h.until(10, |a| a.service.wait(conv).is_some()).await,
        "the guest has no answer and must wait again"
    );
    let first_unanswered = h.app.service.wait(conv).unwrap().since;
    assert!(h.app.clock.now - first_unanswered > chrono::Duration::minutes(10));
    let (ok, report) =
        common::frontdesk_json_at(&d.base_url, &d.hotel, &d.ws_url, &["handover", "--json"]).await;
    assert!(ok, "{report}");
    assert!(
        report["waiting"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["room"] == 205),
        "handover: {report:#}"
    );
    d.stop().await;
}

#[tokio::test]
async fn a_canned_reply_greets_a_guest_by_a_name_that_fits() {
    let d = demo(Profile::Deployment).await;
    let h = desk(&d).await;
    let greet = |n: i64| {
        h.app
            .fill_placeholders("Good morning {first_name}", room(&h, n))
    };
    assert_eq!(greet(104), "Good morning 陈 伟");
    assert_eq!(greet(102), "Good morning Seán");
    d.stop().await;
}

#[tokio::test]
async fn a_file_only_message_is_previewed_by_its_file() {
    let d = demo(Profile::Friendly).await;
    let mut h = desk(&d).await;
    let conv = room(&h, 101);
    h.open(conv, Focus::Thread).await;
    let file = frontdesk::api::UploadFile {
        name: "bill.pdf".into(),
        bytes: b"%PDF-1.4 bill".to_vec(),
    };
    h.api.upload(conv, &[file], None, None).await.unwrap();
    let cmds = h
        .app
        .update(frontdesk::app::Event::Changed { conversation: conv });
    h.run(cmds);
    assert!(
        h.until(10, |a| a
            .service
            .said(conv)
            .is_some_and(|(_, s)| s.contains("📎 bill.pdf")))
            .await,
        "{:?}",
        h.app.service.said(conv)
    );
    d.stop().await;
}
