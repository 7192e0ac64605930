//! The desk's history against the demo hotel on loopback, in both profiles: a second start
//! draws what was kept before the server answers and merges by id; conversations that have
//! not moved are not read again; with the server gone the kept inbox opens and says so; the
//! backfill reads history back; a search result opens its conversation at the message.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{Harness, guest_says};
use crossterm::event::KeyCode;
use frontdesk::app::{Event, Focus, kept_since, recent_of};
use frontdesk::history::{History, Keeper, SqliteHistory};
use frontdesk::model::{ConversationId, RoomNumber};
use frontdesk_demo::{Profile, RunningDemo};

const PROFILES: [Profile; 2] = [Profile::Friendly, Profile::Deployment];

async fn demo(profile: Profile) -> RunningDemo {
    common::demo_for(profile, None).await
}

fn store(dir: &Path) -> SqliteHistory {
    let (h, said) = SqliteHistory::open(&dir.join(frontdesk::history::FILE_NAME)).unwrap();
    assert_eq!(said, None);
    h
}

/// A desk that keeps its history in `dir`, started as the inbox starts one: the kept list
/// shown before the first answer, the kept recent messages handed to the app.
async fn desk_keeping(d: &RunningDemo, dir: &Path) -> Harness {
    let mut h = Harness::new(d, "frontdesk", None).await;
    attach(&mut h, dir);
    h
}

fn attach(h: &mut Harness, dir: &Path) {
    let kept = store(dir);
    let now = h.app.clock.now;
    h.app.show_kept(kept.list(kept_since(now, 30)).unwrap());
    if let Some(recent) = recent_of(&kept, now) {
        h.tx.send(recent).unwrap();
    }
    h.history = Some(Box::new(kept));
}

fn kept_messages(dir: &Path) -> usize {
    store(dir).counts().unwrap().messages
}

#[tokio::test]
async fn a_second_start_shows_the_kept_inbox_at_once_and_reads_only_what_moved() {
    for profile in PROFILES {
        let d = demo(profile).await;
        let dir = tempfile::tempdir().unwrap();
        // First start: nothing kept; the list and the background reads fill the store.
        let mut first = desk_keeping(&d, dir.path()).await;
        assert!(
            first.app.kept.as_of.is_none(),
            "{profile:?}: nothing kept yet"
        );
        assert!(
            first
                .until(20, |a| a.list_loaded && a.service.learning_progress() == 0)
                .await
        );
        let listed = first.app.conversations.len();
        let waiting_first = first.app.waiting().len();
        drop(first);
        assert!(kept_messages(dir.path()) > 0, "{profile:?}");
        let reads_before = common::request_count(&d.base_url, "messages").await;
        assert!(reads_before >= 5, "{profile:?}: the first start read pages");

        // Second start: the kept list is on screen before any answer is handled.
        let mut second = desk_keeping(&d, dir.path()).await;
        assert_eq!(second.app.conversations.len(), listed, "{profile:?}");
        assert!(second.app.list_loaded && second.app.kept.as_of.is_some());
        // Then the server's list replaces it, by id: nothing doubled.
        assert!(second.until(20, |a| a.kept.as_of.is_none()).await);
        assert!(
            second
                .until(20, |a| a.service.learning_progress() == 0)
                .await
        );
        assert_eq!(second.app.conversations.len(), listed, "{profile:?}");
        assert_eq!(second.app.order.len(), listed, "{profile:?}");
        assert_eq!(
            second.app.waiting().len(),
            waiting_first,
            "{profile:?}: who waits is known from what was kept"
        );
        let reads_again = common::request_count(&d.base_url, "messages").await - reads_before;
        assert!(
            reads_again <= 1,
            "{profile:?}: nothing moved, so at most the one stay peek is read, not {reads_again}"
        );

        // A guest writes: that conversation moved, and it alone is read again.
        let room: u32 = 102;
        guest_says(&d.base_url, room, "Could I have a late checkout?").await;
        let before = common::request_count(&d.base_url, "messages").await;
        let cmds = second.app.load_list();
        second.run(cmds);
        let conv = second.room(room.into()).unwrap();
        assert!(
            second
                .until(20, |a| a.conversations[&conv]
                    .last_message
                    .as_deref()
                    .is_some_and(|m| m.contains("late checkout"))
                    && a.service.learning_progress() == 0)
                .await,
            "{profile:?}"
        );
        let moved_reads = common::request_count(&d.base_url, "messages").await - before;
        assert!(
            (1..=2).contains(&moved_reads),
            "{profile:?}: {moved_reads} reads"
        );
        d.stop().await;
    }
}

#[tokio::test]
async fn with_the_server_gone_the_kept_inbox_opens_says_so_and_keeps_replies() {
    for profile in PROFILES {
        let d = demo(profile).await;
        let dir = tempfile::tempdir().unwrap();
        let mut first = desk_keeping(&d, dir.path()).await;
        assert!(first.until(20, |a| a.list_loaded).await);
        let conv = first.room(101).unwrap();
        first.open(conv, Focus::Thread).await;
        let seen: Vec<_> = first.app.threads[&conv].messages.keys().copied().collect();
        drop(first);
        let api = common::signed_in(&d, "frontdesk").await.0;
        let me = frontdesk::app::Me {
            staff_id: frontdesk::model::StaffId(1),
            name: "frontdesk".into(),
            hotel_name: "Hotel Killarney".into(),
            capabilities: vec!["chat.message.send".into(), "chat.conversation.read".into()],
        };
        d.stop().await;

        let mut offline = Harness::on(api, me, None);
        attach(&mut offline, dir.path());
        assert!(
            offline
                .until(20, |a| a.server_unreachable_since.is_some())
                .await,
            "{profile:?}"
        );
        assert!(offline.app.kept.as_of.is_some(), "still the kept list");
        let cmds = offline.app.open_conversation(conv, Focus::Thread);
        offline.run(cmds);
        assert!(
            offline
                .until(10, |a| a.threads.get(&conv).is_some_and(|t| t
                    .messages
                    .keys()
                    .copied()
                    .collect::<Vec<_>>()
                    == seen))
                .await,
            "{profile:?}: the thread as it was seen"
        );
        let screen = common::screen_of(&offline.app);
        assert!(screen.contains("showing kept history"), "{screen}");
        assert!(screen.contains("kept, as of"), "{screen}");
        assert!(
            screen.contains("kept copy"),
            "the thread says so too: {screen}"
        );
        // A reply typed now waits in the outbox.
        offline.key(KeyCode::Char('i'));
        offline.typed("We'll bring it up shortly");
        offline.key(KeyCode::Enter);
        assert_eq!(offline.app.pending.len(), 1, "{profile:?}");
        assert_eq!(offline.app.pending[0].text, "We'll bring it up shortly");
    }
}

#[tokio::test]
async fn the_backfill_reads_history_back_and_search_opens_a_result_at_its_message() {
    for profile in PROFILES {
        let d = demo(profile).await;
        let room: u32 = 104;
        let old = guest_says(&d.base_url, room, "Is there a shuttle to Zanzibar Point?").await;
        for i in 0..24 {
            guest_says(
                &d.base_url,
                room,
                &format!("and one more thing, number {i}"),
            )
            .await;
        }
        let dir = tempfile::tempdir().unwrap();
        // The backfill alone (no inbox): pages of 10, unpaced, until it says it is done.
        let api = common::signed_in(&d, "frontdesk").await.0;
        // The inbox keeps the list it reads; the backfill reads back what it names.
        let mut kept = store(dir.path());
        kept.keep_list(&api.conversations().await.unwrap(), chrono::Utc::now())
            .unwrap();
        let keeper = Keeper::spawn(Box::new(kept));
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let task = tokio::spawn(frontdesk::inbox::backfill(
            api,
            keeper.clone(),
            tx,
            chrono::Utc::now() - chrono::Duration::days(30),
            frontdesk::inbox::BackfillPace {
                page: 10,
                pace: Duration::ZERO,
                idle: Duration::from_secs(60),
            },
            Default::default(),
        ));
        let mut progress = Vec::new();
        let done = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(Event::Backfill(p)) = rx.recv().await {
                match p {
                    Some(p) => progress.push(p),
                    None => break,
                }
            }
        })
        .await;
        task.abort();
        keeper.finish(Duration::from_secs(5));
        assert!(done.is_ok(), "{profile:?}: the backfill finished");
        assert!(
            progress.len() > 2,
            "{profile:?}: progress was said: {progress:?}"
        );
        let (open_at_first, active) = progress[0];
        assert!(open_at_first > 0 && open_at_first <= active, "{progress:?}");
        assert_eq!(
            progress.last(),
            Some(&(0, active)),
            "{profile:?}: all read back"
        );
        let counts = store(dir.path()).counts().unwrap();
        assert_eq!(counts.complete, counts.conversations, "{profile:?}");
        assert_eq!(
            store(dir.path()).search("zanzib", 10).unwrap()[0].message,
            old,
            "{profile:?}"
        );

        // Search from the inbox: the result's conversation opens at that message, with
        // history paged in from the server (pages of 5 here).
        let mut h = searching(&d, dir.path(), "zanzib").await;
        assert_eq!(first_found(&h), Some(old), "{profile:?}");
        h.key(KeyCode::Enter);
        let conv: ConversationId = h
            .app
            .current_conversation_of_room(RoomNumber(room.into()))
            .unwrap();
        assert!(
            h.until(20, |a| a.open == Some(conv)
                && a.threads
                    .get(&conv)
                    .is_some_and(|t| t.selected == Some(old)))
                .await,
            "{profile:?}: opened at the message"
        );
        // What was kept joins what the server said with no hole: the thread from the
        // result on is the server's.
        let server: Vec<_> = h
            .api
            .all_messages(conv, 50)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.id)
            .filter(|id| *id >= old)
            .collect();
        let shown: Vec<_> = h.app.threads[&conv]
            .messages
            .keys()
            .copied()
            .filter(|id| *id >= old)
            .collect();
        assert_eq!(shown, server, "{profile:?}");
        let screen = common::screen_of(&h.app);
        assert!(screen.contains("Zanzibar Point"), "{screen}");
        drop(h);

        // A desk that kept only the old message: the server's newest page does not reach
        // it, so the kept copy is not shown with a hole above the page; history is paged in
        // from the server until the message is there.
        let sparse = tempfile::tempdir().unwrap();
        {
            let full = store(dir.path());
            let mut only = store(sparse.path());
            only.keep_list(
                &full
                    .list(kept_since(chrono::Utc::now(), 30))
                    .unwrap()
                    .conversations,
                chrono::Utc::now(),
            )
            .unwrap();
            let one = full.thread(conv, Some(old), 1).unwrap();
            only.keep_messages(conv, &one, false).unwrap();
        }
        let mut h = searching(&d, sparse.path(), "zanzib").await;
        assert_eq!(first_found(&h), Some(old), "{profile:?}");
        let pages_before = common::request_count(&d.base_url, "messages").await;
        h.key(KeyCode::Enter);
        assert!(
            h.until(20, |a| a
                .threads
                .get(&conv)
                .is_some_and(|t| t.selected == Some(old)))
                .await,
            "{profile:?}: opened at the message"
        );
        let pages = common::request_count(&d.base_url, "messages").await - pages_before;
        // 24 newer messages in pages of 5: the newest page, then older ones until it.
        assert!(pages >= 4, "{profile:?}: {pages} pages read");
        let shown: Vec<_> = h.app.threads[&conv]
            .messages
            .keys()
            .copied()
            .filter(|id| *id >= old)
            .collect();
        assert_eq!(shown, server, "{profile:?}: no hole");
        d.stop().await;
    }
}

/// A desk keeping its history in `dir`, pages of 5, the server's list in, and `s` typed
/// with `query` (the results in).
async fn searching(d: &RunningDemo, dir: &Path, query: &str) -> Harness {
    let mut h = desk_keeping(d, dir).await;
    h.app.page_size = 5;
    assert!(h.until(20, |a| a.kept.as_of.is_none()).await);
    h.key(KeyCode::Char('s'));
    h.typed(query);
    let answered = |a: &frontdesk::app::App| matches!(&a.overlay, frontdesk::app::Overlay::Search(s) if !s.found().is_empty());
    assert!(h.until(5, answered).await, "{query:?} found nothing");
    h
}

fn first_found(h: &Harness) -> Option<frontdesk::model::MessageId> {
    match &h.app.overlay {
        frontdesk::app::Overlay::Search(s) => s.found().first().map(|f| f.message),
        _ => None,
    }
}
