//! The rest of the staff API from the keyboard, against the demo server: attachments (limits,
//! several files, progress), edits, deletes (soft, hard, moderator, no rights), attachment
//! deletes, copying a link, claims, and the deployment's 500s shown without changing anything.

mod common;

use common::Harness;
use crossterm::event::KeyCode;
use frontdesk::app::{Focus, Level, Overlay};
use frontdesk::model::{ConversationId, MessageId};
use frontdesk_demo::{DemoConfig, Faults};

async fn demo(faults: &str) -> frontdesk_demo::RunningDemo {
    let config = DemoConfig {
        faults: Faults::parse(faults).unwrap(),
        ..Default::default()
    };
    frontdesk_demo::start(config).await.unwrap()
}

/// Opens a room's thread and waits for its newest page.
async fn open_room(h: &mut Harness, room: i64) -> ConversationId {
    assert!(h.until(10, |a| a.list_loaded).await);
    let id = h.room(room).expect("room has a conversation");
    h.open(id, Focus::Thread).await
}

/// Selects the newest message in the open thread whose text contains `needle`.
fn select(h: &mut Harness, conv: ConversationId, needle: &str) -> MessageId {
    let id = h.app.threads[&conv]
        .messages
        .values()
        .rev()
        .find(|m| m.message.contains(needle))
        .map(|m| m.id)
        .expect("message");
    h.app.threads.get_mut(&conv).unwrap().selected = Some(id);
    id
}

fn notice(h: &Harness) -> String {
    h.app
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn send_files_with_text_and_progress() {
    let d = demo("").await;
    let mut h = Harness::new(&d, "frontdesk", None).await;
    let conv = open_room(&mut h, 102).await;
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("folio-102.pdf");
    std::fs::write(&big, vec![b'x'; 3 * 1024 * 1024]).unwrap();
    let small = dir.path().join("map.png");
    std::fs::write(&small, b"\x89PNG....").unwrap();

    h.key(KeyCode::Char('i'));
    h.typed("Your folio and a map");
    h.ctrl('a');
    assert!(matches!(h.app.overlay, Overlay::Attach(_)));
    // Tab completes the path.
    h.typed(&format!("{}/fol", dir.path().display()));
    h.key(KeyCode::Tab);
    assert!(
        h.until(
            5,
            |a| matches!(&a.overlay, Overlay::Attach(p) if p.input.ends_with("folio-102.pdf"))
        )
        .await
    );
    h.key(KeyCode::Enter);
    h.typed(small.to_str().unwrap());
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    assert!(h.app.uploading.is_some());
    // Progress arrives as the body streams out; the last report covers every byte.
    let total = 3 * 1024 * 1024 + 8;
    let mut reports = Vec::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while h.app.uploading.is_some() {
        let ev = tokio::time::timeout_at(deadline, h.rx.recv())
            .await
            .expect("upload finishes")
            .expect("event");
        if let frontdesk::app::Event::UploadProgress { sent, total } = ev {
            reports.push((sent, total));
        }
        let c = h.app.update(ev);
        h.run(c);
    }
    assert!(reports.len() > 10, "{} progress reports", reports.len());
    assert!(
        reports.windows(2).all(|w| w[0].0 <= w[1].0),
        "progress only grows"
    );
    assert_eq!(reports.last().copied(), Some((total, total)));
    assert!(notice(&h).contains("Sent 2 files"), "{}", notice(&h));
    assert_eq!(h.app.composer.text(), "", "the text went with the files");
    let stored = h.api.messages(conv, 5, None).await.unwrap();
    let m = stored
        .iter()
        .rev()
        .find(|m| m.message == "Your folio and a map")
        .expect("stored");
    assert_eq!(m.attachments.len(), 2);
    assert_eq!(
        m.attachments.iter().map(|a| a.file_size).max(),
        Some(3 * 1024 * 1024)
    );
    d.stop().await;
}

#[tokio::test]
async fn limits_are_checked_before_upload_and_the_text_stays() {
    let d = demo("").await;
    let mut h = Harness::new(&d, "frontdesk", None).await;
    let conv = open_room(&mut h, 103).await;
    let before = h.api.messages(conv, 50, None).await.unwrap().len();
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("tool.exe");
    std::fs::write(&exe, b"MZ").unwrap();
    let huge = dir.path().join("scan.pdf");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(51 * 1024 * 1024)
        .unwrap();
    h.key(KeyCode::Char('i'));
    h.typed("keep me");
    for (file, says) in [
        (&exe, ".exe files are not accepted"),
        (&huge, "limit is 50 MB"),
    ] {
        h.ctrl('a');
        h.typed(file.to_str().unwrap());
        h.key(KeyCode::Enter);
        h.key(KeyCode::Enter);
        assert!(h.until(10, |a| a.uploading.is_none()).await);
        assert!(notice(&h).contains(says), "{}", notice(&h));
        assert_eq!(h.app.composer.text(), "keep me");
    }
    assert_eq!(
        h.api.messages(conv, 50, None).await.unwrap().len(),
        before,
        "nothing reached the server"
    );
    d.stop().await;
}

#[tokio::test]
async fn edit_and_delete_own_messages_with_confirmation() {
    let d = demo("").await;
    let mut h = Harness::new(&d, "frontdesk", None).await;
    let conv = open_room(&mut h, 103).await;
    let mine = select(&mut h, conv, "Maintenance is on the way");
    h.key(KeyCode::Char('i'));
    h.typed("a draft in progress");
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('e'));
    assert_eq!(
        h.app.composer.editing.as_ref().map(|(id, _)| *id),
        Some(mine)
    );
    for _ in 0..100 {
        h.key(KeyCode::Backspace);
    }
    h.typed("Maintenance fixed it at 14:10.");
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.overlay, Overlay::Confirm(_)));
    h.key(KeyCode::Char('y'));
    assert!(h.until(10, |a| a.composer.editing.is_none()).await);
    assert_eq!(
        h.app.composer.text(),
        "a draft in progress",
        "the draft came back"
    );
    let m = &h.app.threads[&conv].messages[&mine];
    assert!(m.is_edited && m.message == "Maintenance fixed it at 14:10.");
    let stored = h.api.messages(conv, 50, None).await.unwrap();
    assert!(
        stored
            .iter()
            .any(|m| m.id == mine && m.is_edited && m.message == "Maintenance fixed it at 14:10.")
    );

    // Back in the thread where the edit began: the next keys are commands, not reply text.
    assert_eq!(h.app.focus, Focus::Thread);
    // Delete: asked first; "n" keeps it.
    h.key(KeyCode::Char('d'));
    h.key(KeyCode::Char('n'));
    assert!(!h.app.threads[&conv].messages[&mine].is_deleted);
    h.key(KeyCode::Char('d'));
    h.key(KeyCode::Char('y'));
    assert!(
        h.until(10, |a| a.threads[&conv].messages[&mine].is_deleted)
            .await
    );

    // A guest's message is not ours to edit or delete, and hard delete is not even bound.
    let guest = select(&mut h, conv, "Thanks, it works now");
    h.key(KeyCode::Char('e'));
    assert!(h.app.composer.editing.is_none());
    h.key(KeyCode::Char('d'));
    assert_eq!(h.app.overlay, Overlay::None);
    h.key(KeyCode::Char('D'));
    assert_eq!(h.app.overlay, Overlay::None);
    assert!(h.app.threads[&conv].messages.contains_key(&guest));
    d.stop().await;
}

#[tokio::test]
async fn a_moderator_may_delete_a_guest_message_for_good() {
    let d = demo("").await;
    let mut h = Harness::new(&d, "manager", None).await;
    let conv = open_room(&mut h, 103).await;
    let guest = select(&mut h, conv, "Thanks, it works now");
    h.key(KeyCode::Char('D'));
    assert!(matches!(&h.app.overlay, Overlay::Confirm(c) if c.question.contains("for good")));
    h.key(KeyCode::Char('y'));
    assert!(
        h.until(10, |a| !a.threads[&conv].messages.contains_key(&guest))
            .await
    );
    assert!(
        !h.api
            .messages(conv, 50, None)
            .await
            .unwrap()
            .iter()
            .any(|m| m.id == guest)
    );
    d.stop().await;
}

#[tokio::test]
async fn the_deployments_500s_change_nothing_and_say_so() {
    let d = demo("html-500-on=/update/,html-500-on=/delete/").await;
    let mut h = Harness::new(&d, "frontdesk", None).await;
    let conv = open_room(&mut h, 103).await;
    let mine = select(&mut h, conv, "Maintenance is on the way");
    let original = h.app.threads[&conv].messages[&mine].message.clone();
    h.key(KeyCode::Char('e'));
    h.typed(" (updated)");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('y'));
    assert!(
        h.until(10, |a| a
            .notice
            .as_ref()
            .is_some_and(|n| n.level == Level::Error))
            .await
    );
    assert!(
        notice(&h).contains("Edit not saved (nothing changed): server error 500"),
        "{}",
        notice(&h)
    );
    assert_eq!(h.app.threads[&conv].messages[&mine].message, original);
    assert!(
        h.app.composer.text().ends_with("(updated)"),
        "what was typed is still there"
    );
    // Esc gives up the edit and goes back to the thread.
    h.key(KeyCode::Esc);
    assert_eq!(h.app.focus, Focus::Thread);
    h.key(KeyCode::Char('d'));
    h.key(KeyCode::Char('y'));
    assert!(
        h.until(10, |a| a
            .notice
            .as_ref()
            .is_some_and(|n| n.text.contains("Delete failed")))
            .await
    );
    assert!(!h.app.threads[&conv].messages[&mine].is_deleted);
    d.stop().await;
}

#[tokio::test]
async fn attachments_can_be_deleted_and_links_copied() {
    let d = demo("").await;
    let mut h = Harness::new(&d, "frontdesk", None).await;
    let conv = open_room(&mut h, 108).await;
    let with_file = select(&mut h, conv, "Your invoice is attached");
    h.key(KeyCode::Char('y'));
    assert!(h.local.iter().any(
        |c| matches!(c, frontdesk::app::Command::Effect(frontdesk::app::Effect::Copy(url)) if url.contains("invoice-108.pdf"))
    ));
    h.key(KeyCode::Char('x'));
    assert!(
        matches!(&h.app.overlay, Overlay::Confirm(c) if c.question.contains("invoice-108.pdf"))
    );
    h.key(KeyCode::Char('y'));
    assert!(
        h.until(10, |a| a.threads[&conv].messages[&with_file]
            .attachments
            .is_empty())
            .await
    );
    let stored = h.api.messages(conv, 50, None).await.unwrap();
    assert!(
        stored
            .iter()
            .find(|m| m.id == with_file)
            .unwrap()
            .attachments
            .is_empty()
    );
    d.stop().await;
}

#[tokio::test]
async fn claiming_is_deliberate_and_shown() {
    let d = demo("").await;
    let mut h = Harness::new(&d, "frontdesk", None).await;
    let conv = open_room(&mut h, 104).await;
    assert!(!h.app.claimed.contains_key(&conv), "opening does not claim");
    h.key(KeyCode::Char('c'));
    assert!(h.until(10, |a| a.claimed.contains_key(&conv)).await);
    assert_eq!(h.app.claimed[&conv], "Fiona Desk");
    d.stop().await;
}

#[tokio::test]
async fn without_rights_the_actions_are_not_offered() {
    let d = demo("").await;
    let (_, login) = common::signed_in(&d, "frontdesk").await;
    let me = frontdesk::app::Me {
        staff_id: login.staff_id,
        name: "x".into(),
        hotel_name: "h".into(),
        capabilities: vec!["chat.conversation.read".into()],
    };
    let allowed = |c: frontdesk::model::Capability| me.can(c);
    let keymap = frontdesk::app::keymap::Keymap::default();
    let offered: Vec<_> = keymap.visible(&allowed).map(|r| r.base.action).collect();
    use frontdesk::app::keymap::Action;
    for a in [
        Action::Attach,
        Action::Edit,
        Action::Delete,
        Action::HardDelete,
        Action::DeleteAttachment,
        Action::Claim,
        Action::Send,
    ] {
        assert!(
            !offered.contains(&a),
            "{a:?} offered without the capability"
        );
    }
    assert!(offered.contains(&Action::Copy));
    d.stop().await;
}

#[tokio::test]
async fn a_refused_file_keeps_the_rest_of_the_batch() {
    let d = demo("").await;
    let mut h = Harness::new(&d, "frontdesk", None).await;
    let conv = open_room(&mut h, 104).await;
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("map.txt");
    std::fs::write(&good, b"Lakeview restaurant: ground floor").unwrap();
    let bad = dir.path().join("tool.exe");
    std::fs::write(&bad, b"MZ").unwrap();
    h.key(KeyCode::Char('a'));
    for f in [&good, &bad] {
        h.typed(f.to_str().unwrap());
        h.key(KeyCode::Enter);
    }
    h.key(KeyCode::Enter);
    assert!(h.until(10, |a| a.uploading.is_none()).await);
    // Nothing left; the good file is still chosen, and the refusal names the other.
    assert!(
        matches!(&h.app.overlay, Overlay::Attach(p)
            if p.files == vec![good.to_str().unwrap().to_string()] && p.hint.as_deref().is_some_and(|h| h.contains("tool.exe"))),
        "{:?}",
        h.app.overlay
    );
    assert!(notice(&h).contains("tool.exe"), "{}", notice(&h));
    h.key(KeyCode::Enter);
    assert!(
        h.until(10, |a| a
            .notice
            .as_ref()
            .is_some_and(|n| n.text == "Sent 1 file"))
            .await,
        "{}",
        notice(&h)
    );
    let stored = h.api.messages(conv, 5, None).await.unwrap();
    assert!(
        stored
            .iter()
            .any(|m| m.attachments.iter().any(|a| a.file_name == "map.txt"))
    );
    d.stop().await;
}
