//! Every desk flow against both demo profiles: `friendly` (the published contract) and
//! `deployment` (the running backend's quirks, contract section 4). A flow that passes only on
//! the kind server fails here.

mod common;

use std::time::Duration;

use common::{Harness, guest_says, signed_in};
use crossterm::event::KeyCode;
use frontdesk::app::thread::Fetch;
use frontdesk::app::{Connection, Focus, Level, Overlay, Stay};
use frontdesk::live::LiveConfig;
use frontdesk::model::{ConversationId, RoomNumber};
use frontdesk_demo::{DemoConfig, Profile, RunningDemo, ServedPaths};

const PROFILES: [Profile; 2] = [Profile::Friendly, Profile::Deployment];
/// The test's poll timers (the inbox's defaults are 5 s and 120 s; shorter keeps tests quick).
const THREAD_POLL: Duration = Duration::from_millis(500);
const LIST_POLL: Duration = Duration::from_secs(30);

async fn demo(profile: Profile) -> RunningDemo {
    let config = DemoConfig {
        profile,
        paths: match profile {
            Profile::Friendly => ServedPaths::Hotels,
            Profile::Deployment => ServedPaths::Hotel,
        },
        ..Default::default()
    };
    frontdesk_demo::start(config).await.unwrap()
}

async fn desk(d: &RunningDemo, user: &str) -> Harness {
    let live = LiveConfig::new(&d.ws_url, &d.hotel);
    let mut h = Harness::new(d, user, Some(live)).await;
    assert!(h.until(10, |a| a.list_loaded).await);
    h
}

/// The room's current conversation, opened; waits for its newest page.
async fn open_room(h: &mut Harness, room: i64) -> ConversationId {
    let id = h
        .app
        .current_conversation_of_room(RoomNumber(room))
        .expect("room has a conversation");
    h.open(id, Focus::Composer).await
}

fn notice(h: &Harness) -> String {
    h.app
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

async fn copies_on_server(h: &Harness, conv: ConversationId, text: &str) -> usize {
    h.api
        .messages(conv, 100, None)
        .await
        .unwrap()
        .iter()
        .filter(|m| m.message == text)
        .count()
}

async fn requests(d: &RunningDemo, kind: &str) -> u64 {
    common::request_count(&d.base_url, kind).await
}

#[tokio::test]
async fn the_header_says_live_only_when_colleagues_replies_can_arrive() {
    for profile in PROFILES {
        let d = demo(profile).await;
        let mut h = desk(&d, "frontdesk").await;
        match profile {
            // The list names conversations, one short page names a stay, it is signed: live.
            Profile::Friendly => {
                assert!(
                    h.until(10, |a| a.connection == Connection::Live).await,
                    "{:?}",
                    h.app.connection
                );
            }
            // Signing is refused: partial from the first second, and never live.
            Profile::Deployment => {
                assert!(
                    h.until(10, |a| a.connection == Connection::LivePartial)
                        .await
                );
                let became_live = h
                    .until_polling(2, THREAD_POLL, LIST_POLL, |a| {
                        a.connection == Connection::Live
                    })
                    .await;
                assert!(!became_live, "the deployment signs nothing: never live");
                let plan = h.app.poll_plan();
                assert!(plan.thread && plan.list, "partial means polling");
            }
        }
        d.stop().await;
    }
}

#[tokio::test]
async fn another_desks_reply_reaches_the_open_thread_without_a_guest_writing() {
    for profile in PROFILES {
        let d = demo(profile).await;
        let mut h = desk(&d, "frontdesk").await;
        let conv = open_room(&mut h, 105).await;
        let (colleague, _) = signed_in(&d, "manager").await;
        let text = format!("Ciarán here: I will bring the adapter ({profile:?})");
        // The deployment may answer 500 after saving; the message is stored either way.
        let _ = colleague.send(conv, &text, None).await;
        let arrived = h
            .until_polling(15, THREAD_POLL, LIST_POLL, |a| {
                a.threads[&conv]
                    .messages
                    .values()
                    .any(|m| m.message == text)
            })
            .await;
        assert!(arrived, "{profile:?}: the colleague's reply never showed");
        let shown = h.app.threads[&conv]
            .messages
            .values()
            .filter(|m| m.message == text)
            .count();
        assert_eq!(shown, 1);
        d.stop().await;
    }
}

#[tokio::test]
async fn replies_after_a_handoff_end_delivered_once_with_no_error_left() {
    for profile in PROFILES {
        let d = demo(profile).await;
        let mut h = desk(&d, "frontdesk").await;
        let conv = open_room(&mut h, 102).await;
        // A colleague writes after us: the deployment now answers 500 to our every send.
        let (colleague, _) = signed_in(&d, "manager").await;
        let _ = colleague
            .send(conv, "Manager: I spoke to them.", None)
            .await;
        let texts = [
            "Your room will be ready at 2pm.",
            "And breakfast is until 10:30.",
        ];
        h.typed(texts[0]);
        h.key(KeyCode::Enter);
        assert!(h.until(10, |a| a.pending.is_empty()).await, "{profile:?}");
        // A reply quoting the guest's message.
        h.key(KeyCode::Esc);
        let quoted = h.app.threads[&conv]
            .messages
            .values()
            .rev()
            .find(|m| m.sender_type == frontdesk::api::SenderType::Guest)
            .map(|m| m.id)
            .unwrap();
        h.app.threads.get_mut(&conv).unwrap().selected = Some(quoted);
        h.key(KeyCode::Char('r'));
        assert_eq!(h.app.composer.reply_to, Some(quoted));
        h.typed(texts[1]);
        h.key(KeyCode::Enter);
        assert!(h.until(10, |a| a.pending.is_empty()).await, "{profile:?}");
        let _ = h.until(1, |_| false).await;
        for t in texts {
            assert_eq!(copies_on_server(&h, conv, t).await, 1, "{profile:?} {t}");
            let shown = h.app.threads[&conv]
                .messages
                .values()
                .filter(|m| m.message == t)
                .count();
            assert_eq!(shown, 1, "{profile:?}: shown once");
        }
        assert!(
            h.app
                .notice
                .as_ref()
                .is_none_or(|n| n.level != Level::Error),
            "{profile:?}: no error left: {}",
            notice(&h)
        );
        d.stop().await;
    }
}

#[tokio::test]
async fn the_same_canned_reply_twice_reaches_the_guest_twice() {
    use crossterm::event::{KeyEvent, KeyModifiers};
    use frontdesk::app::{Command, Event, Job};
    for profile in PROFILES {
        let d = demo(profile).await;
        let mut h = desk(&d, "frontdesk").await;
        let conv = open_room(&mut h, 106).await;
        let line = "Housekeeping is on the way.";
        // Twice in a row: the second waits for the first, then leaves.
        h.typed(line);
        h.key(KeyCode::Enter);
        h.typed(line);
        h.key(KeyCode::Enter);
        assert_eq!(h.app.pending.len(), 2);
        assert!(h.until(10, |a| a.pending.is_empty()).await, "{profile:?}");
        assert_eq!(copies_on_server(&h, conv, line).await, 2, "{profile:?}");

        // A third time, and this attempt never reaches the server (the network drops it):
        // its retry looks first, and must not take the earlier copies for its own.
        h.typed(line);
        let cmds = h.app.update(Event::Key(KeyEvent::new(
            KeyCode::Enter,
            KeyModifiers::NONE,
        )));
        let Some(Command::Job(Job::SendReply { local_id, .. })) = cmds
            .iter()
            .find(|c| matches!(c, Command::Job(Job::SendReply { .. })))
            .cloned()
        else {
            panic!("{cmds:?}")
        };
        let lost =
            frontdesk::api::ApiError::new("POST", "send", frontdesk::api::ErrorKind::Timeout);
        let cmds = h.app.update(Event::ReplySent {
            local_id,
            result: Err(lost),
        });
        h.run(cmds);
        let cmds = h.app.update(Event::RetryOutbox);
        assert!(cmds.iter().any(|c| matches!(
            c,
            Command::Job(Job::SendReply {
                check_first: true,
                ..
            })
        )));
        h.run(cmds);
        assert!(h.until(10, |a| a.pending.is_empty()).await, "{profile:?}");
        assert_eq!(copies_on_server(&h, conv, line).await, 3, "{profile:?}");
        d.stop().await;
    }
}

#[tokio::test]
async fn claims_that_answer_500_after_saving_end_claimed() {
    for profile in PROFILES {
        let d = demo(profile).await;
        for user in ["frontdesk", "manager"] {
            let mut h = desk(&d, user).await;
            let conv = h.app.current_conversation_of_room(RoomNumber(104)).unwrap();
            h.app.selected = Some(conv);
            h.key(KeyCode::Char('c'));
            assert!(
                h.until(10, |a| a.claimed.contains_key(&conv)).await,
                "{profile:?} {user}: {}",
                notice(&h)
            );
            assert!(notice(&h).starts_with("Claimed by"), "{}", notice(&h));
        }
        d.stop().await;
    }
}

#[tokio::test]
async fn edits_and_deletes_say_what_the_server_kept() {
    for profile in PROFILES {
        let d = demo(profile).await;
        let mut h = desk(&d, "frontdesk").await;
        let conv = open_room(&mut h, 107).await;
        h.typed("Checkout is at 11.");
        h.key(KeyCode::Enter);
        assert!(h.until(10, |a| a.pending.is_empty()).await);
        h.key(KeyCode::Esc);
        let mine = h.app.threads[&conv]
            .messages
            .values()
            .rev()
            .find(|m| m.message == "Checkout is at 11.")
            .map(|m| m.id)
            .unwrap();
        h.app.threads.get_mut(&conv).unwrap().selected = Some(mine);
        h.key(KeyCode::Char('e'));
        for _ in 0..30 {
            h.key(KeyCode::Backspace);
        }
        h.typed("Checkout is at 12 for you.");
        h.key(KeyCode::Enter);
        h.key(KeyCode::Char('y'));
        assert!(
            h.until(10, |a| a.notice.is_some()).await,
            "{profile:?}: no answer to the edit"
        );
        // The friendly server saves the edit; the deployment answers 500 before saving
        // anything (contract 4.2, as checked on 2026-12-08): each is said as it is.
        let (edited, deleted) = match profile {
            Profile::Friendly => {
                assert_eq!(notice(&h), "Message edited", "{profile:?}");
                ("Checkout is at 12 for you.", true)
            }
            Profile::Deployment => {
                assert!(
                    notice(&h).starts_with("Edit not saved (nothing changed)"),
                    "{}",
                    notice(&h)
                );
                ("Checkout is at 11.", false)
            }
        };
        assert_eq!(h.app.threads[&conv].messages[&mine].message, edited);
        let on_server = copies_on_server(&h, conv, edited).await;
        assert_eq!(on_server, 1, "{profile:?}: the server has the text shown");
        if !deleted {
            // Nothing typed is lost: the edit stays open with its text, for another try.
            assert_eq!(h.app.focus, Focus::Composer);
            assert_eq!(h.app.composer.text(), "Checkout is at 12 for you.");
            h.key(KeyCode::Esc);
        }
        assert_eq!(h.app.focus, Focus::Thread, "back where the edit began");
        h.key(KeyCode::Char('d'));
        h.key(KeyCode::Char('y'));
        assert!(h.until(10, |a| a.notice.is_some()).await);
        if deleted {
            assert_eq!(notice(&h), "Message deleted", "{profile:?}");
        } else {
            assert!(
                notice(&h).starts_with("Delete failed (nothing changed)"),
                "{}",
                notice(&h)
            );
        }
        assert_eq!(h.app.threads[&conv].messages[&mine].is_deleted, deleted);

        // An attachment: the deployment keeps it and answers 500, and the screen says so.
        let conv = open_room(&mut h, 108).await;
        let with_file = h.app.threads[&conv]
            .messages
            .values()
            .rev()
            .find(|m| m.message.contains("Your invoice is attached"))
            .map(|m| m.id)
            .unwrap();
        h.app.threads.get_mut(&conv).unwrap().selected = Some(with_file);
        h.key(KeyCode::Esc);
        h.key(KeyCode::Char('x'));
        h.key(KeyCode::Char('y'));
        assert!(h.until(10, |a| a.notice.is_some()).await);
        let kept = !h.app.threads[&conv].messages[&with_file]
            .attachments
            .is_empty();
        match profile {
            Profile::Friendly => {
                assert_eq!(notice(&h), "Attachment deleted");
                assert!(!kept);
            }
            Profile::Deployment => {
                assert!(
                    notice(&h).starts_with("Attachment not deleted (nothing changed)"),
                    "{}",
                    notice(&h)
                );
                assert!(kept);
            }
        }
        d.stop().await;
    }
}

#[tokio::test]
async fn a_turned_over_room_shows_its_earlier_stay_apart() {
    let d = demo(Profile::Deployment).await;
    let mut h = desk(&d, "frontdesk").await;
    let mut rooms: Vec<ConversationId> = h
        .app
        .conversations
        .values()
        .filter(|c| c.room_number == RoomNumber(103))
        .map(|c| c.id)
        .collect();
    rooms.sort();
    let [old, new] = rooms[..] else {
        panic!("103 should have two conversations: {rooms:?}")
    };
    // The server names both after the new guest; the screen does not.
    assert_eq!(
        h.app.conversations[&old].guest_name.as_deref(),
        Some("Astrid Lindqvist")
    );
    assert!(matches!(h.app.stay(old), Stay::Earlier { .. }));
    assert_eq!(h.app.stay(new), Stay::Current);
    assert_eq!(h.app.conversation_name(new), "Astrid Lindqvist");
    assert!(h.app.conversation_name(old).starts_with("earlier stay"));

    // Opening the earlier stay: its guest is not given the new guest's name.
    let cmds = h.app.open_conversation(old, Focus::Composer);
    h.run(cmds);
    assert!(
        h.until(10, |a| a.threads[&old].fetch != Fetch::Loading)
            .await
    );
    assert!(
        h.app.conversation_name(old).contains("BK-2026-"),
        "{}",
        h.app.conversation_name(old)
    );
    let guest = h.app.threads[&old]
        .messages
        .values()
        .find(|m| m.sender_type == frontdesk::api::SenderType::Guest)
        .unwrap();
    let author = h.app.author(guest);
    assert!(author.starts_with("Guest of an earlier stay"), "{author}");
    assert!(!author.contains("Astrid"));

    // A reply there asks first, and "n" keeps what was typed.
    h.typed("Did you leave a charger?");
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.overlay, Overlay::Confirm(_)));
    h.key(KeyCode::Char('n'));
    assert!(h.app.pending.is_empty());
    assert_eq!(h.app.composer.text(), "Did you leave a charger?");

    // `o 103` opens the current stay from the list, without from-room.
    h.key(KeyCode::Esc);
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('o'));
    h.typed("103");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.open, Some(new));
    assert_eq!(requests(&d, "from-room").await, 0);

    // from-room for 103 fails on this server; the desk gets words, not a bare 500.
    let cmds = h.app.update(frontdesk::app::Event::RoomOpened {
        room: RoomNumber(103),
        result: h.api.from_room(RoomNumber(103)).await,
    });
    h.run(cmds);
    assert!(notice(&h).contains("more than one stay"), "{}", notice(&h));

    // A room with a guest and no conversation yet goes to from-room.
    h.key(KeyCode::Esc);
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('o'));
    h.typed("208");
    h.key(KeyCode::Enter);
    assert!(
        h.until(10, |a| a.open.is_some_and(|o| o != new)
            && a.notice.is_some())
            .await,
        "{}",
        notice(&h)
    );
    assert_eq!(notice(&h), "Started a conversation with room 208");
    assert_eq!(requests(&d, "from-room").await, 2);
    d.stop().await;
}

#[tokio::test]
async fn list_open_page_back_and_live_guest_messages_on_both() {
    for profile in PROFILES {
        let d = demo(profile).await;
        let mut h = desk(&d, "frontdesk").await;
        let conv = open_room(&mut h, 101).await;
        // Page back to the first message.
        for _ in 0..200 {
            if h.app.threads[&conv].fetch == Fetch::Done {
                break;
            }
            h.key(KeyCode::Esc);
            h.key(KeyCode::PageUp);
            let _ = h
                .until(5, |a| a.threads[&conv].fetch != Fetch::Loading)
                .await;
        }
        assert_eq!(h.app.threads[&conv].fetch, Fetch::Done, "{profile:?}");
        let all = h.api.all_messages(conv, 100).await.unwrap();
        assert_eq!(h.app.threads[&conv].messages.len(), all.len());

        // A guest writes: it arrives live (guest messages are on public channels on both).
        let id = guest_says(&d.base_url, 101, "Could I have a late checkout?").await;
        assert!(
            h.until(10, |a| a.threads[&conv].messages.contains_key(&id))
                .await,
            "{profile:?}"
        );
        d.stop().await;
    }
}

/// Runs the real binary's `handover --json`, signed in once from the environment.
async fn handover_json(d: &RunningDemo) -> serde_json::Value {
    let (ok, report) = frontdesk_json(d, &["handover", "--json", "--since", "2h"]).await;
    assert!(ok, "{report}");
    report
}

/// Runs the real binary with `args`, signed in once from the environment; its exit status
/// and its JSON.
async fn frontdesk_json(d: &RunningDemo, args: &[&str]) -> (bool, serde_json::Value) {
    common::frontdesk_json_at(&d.base_url, &d.hotel, &d.ws_url, args).await
}

#[tokio::test]
async fn doctor_checks_what_the_desk_needs_on_both_profiles() {
    for profile in PROFILES {
        let d = demo(profile).await;
        let (ok, report) = frontdesk_json(&d, &["doctor", "--json"]).await;
        assert!(ok, "{profile:?}: doctor failed: {report:#}");
        assert_eq!(report["ok"], true);
        let verdict = |name: &str| {
            report["checks"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["check"] == name)
                .map(|c| c["verdict"].as_str().unwrap_or_default().to_string())
                .unwrap_or_else(|| panic!("{profile:?}: no {name} check in {report:#}"))
        };
        for needed in [
            "config",
            "server",
            "path form",
            "token",
            "rights",
            "realtime",
            "data directory",
        ] {
            assert_eq!(verdict(needed), "ok", "{profile:?}: {needed} in {report:#}");
        }
        // The deployment refuses to sign staff (contract 4.12): said, and not fatal.
        let signing = match profile {
            Profile::Friendly => "ok",
            Profile::Deployment => "warn",
        };
        assert_eq!(
            verdict("private channels"),
            signing,
            "{profile:?}: {report:#}"
        );
        let path = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == "path form")
            .unwrap()["says"]
            .to_string();
        let form = match profile {
            Profile::Friendly => "/hotels/",
            Profile::Deployment => "/hotel/",
        };
        assert!(path.contains(form), "{profile:?}: {path}");
        let (base, hotel, ws) = (d.base_url.clone(), d.hotel.clone(), d.ws_url.clone());
        d.stop().await;
        // The same once the server is gone: exit 1, and the server check says why.
        let (ok, report) =
            common::frontdesk_json_at(&base, &hotel, &ws, &["doctor", "--json"]).await;
        assert!(!ok);
        assert_eq!(report["ok"], false, "{report:#}");
        let server = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == "server")
            .cloned()
            .unwrap_or_default();
        assert_eq!(server["verdict"], "fail", "{report:#}");
        assert!(
            server["says"].to_string().contains("connection refused"),
            "{server}"
        );
    }
}

#[tokio::test]
async fn the_desk_learns_who_waits_and_handover_reports_what_was_sent() {
    for profile in PROFILES {
        let d = demo(profile).await;
        // Room 110's guest had an answer and writes again; room 203's guest writes and a
        // colleague answers.
        guest_says(&d.base_url, 110, "Could I have an iron, please?").await;
        guest_says(&d.base_url, 203, "Is the spa open today?").await;
        let (colleague, login) = signed_in(&d, "manager").await;
        let spa = colleague
            .conversations()
            .await
            .unwrap()
            .into_iter()
            .filter(|c| c.room_number == RoomNumber(203))
            .map(|c| c.id)
            .max()
            .unwrap();
        let _ = colleague.send(spa, "Yes, until 21:00.", None).await;

        // The inbox learns it in the background, a few conversations at a time.
        let mut h = desk(&d, "frontdesk").await;
        assert!(
            h.until(20, |a| a.service.learning_progress() == 0).await,
            "{profile:?}: background reads never finished"
        );
        let iron = h.app.current_conversation_of_room(RoomNumber(110)).unwrap();
        assert!(
            h.app.service.wait(iron).is_some(),
            "{profile:?}: room 110 waits"
        );
        assert_eq!(
            h.app.service.wait(spa),
            None,
            "{profile:?}: room 203 was answered"
        );
        assert!(
            matches!(
                h.app.service.holder(spa),
                Some(frontdesk::app::Holder::Colleague(_))
            ),
            "{profile:?}: {:?}",
            h.app.service.holder(spa)
        );
        let waiting: Vec<_> = h.app.waiting().into_iter().map(|(id, _)| id).collect();
        assert!(waiting.contains(&iron));
        assert!(!waiting.contains(&spa));

        let report = handover_json(&d).await;
        let rows = report["waiting"].as_array().unwrap();
        let row = rows
            .iter()
            .find(|w| w["room"] == 110)
            .unwrap_or_else(|| panic!("{profile:?}: room 110 not waiting in {report:#}"));
        assert_eq!(row["last_guest_message"], "Could I have an iron, please?");
        assert_eq!(row["at_least"], false);
        assert!(row["waiting_minutes"].as_i64().unwrap() <= 1, "{row}");
        assert!(
            !rows.iter().any(|w| w["room"] == 203),
            "{profile:?}: 203 was answered"
        );
        assert_eq!(
            rows.len(),
            h.app.waiting().len(),
            "{profile:?}: the inbox and the report agree"
        );
        let sample = report["response_times"]["samples"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["room"] == 203)
            .unwrap_or_else(|| panic!("{profile:?}: no response time for 203 in {report:#}"));
        assert!(
            (0..60).contains(&sample["seconds"].as_i64().unwrap()),
            "{sample}"
        );
        let held = report["held_by"].as_array().unwrap();
        let manager = held
            .iter()
            .find(|h| {
                h["conversations"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| c["room"] == 203)
            })
            .unwrap();
        assert_ne!(manager["staff"], "frontdesk", "{profile:?}: {manager}");
        assert!(!login.username.is_empty());
        d.stop().await;
    }
}

/// Learning who waits reads every active conversation at start, but follows none of their
/// private channels for it: each would cost a signing request at once and at every reconnect.
#[tokio::test]
async fn learning_who_waits_signs_nothing_more() {
    let d = demo(Profile::Friendly).await;
    let h = desk(&d, "frontdesk").await;
    let mut h = h;
    assert!(h.until(20, |a| a.service.learning_progress() == 0).await);
    let known = h
        .app
        .order
        .iter()
        .filter(|id| h.app.service.knows(**id))
        .count();
    assert!(known >= 10, "only {known} conversations learned");
    let signed = requests(&d, "pusher-auth").await;
    assert!(
        signed <= 2,
        "{signed} signing requests for {known} conversations learned"
    );
    d.stop().await;
}

#[tokio::test]
async fn an_upload_that_fails_after_leaving_a_message_says_what_the_guest_sees() {
    for profile in PROFILES {
        let d = frontdesk_demo::start(DemoConfig {
            profile,
            paths: match profile {
                Profile::Friendly => ServedPaths::Hotels,
                Profile::Deployment => ServedPaths::Hotel,
            },
            faults: frontdesk_demo::Faults {
                upload_storage_fails: true,
                ..Default::default()
            },
            ..Default::default()
        })
        .await
        .unwrap();
        let mut h = desk(&d, "frontdesk").await;
        let conv = open_room(&mut h, 101).await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("folio.pdf");
        std::fs::write(&file, b"%PDF-1.4 folio").unwrap();
        h.typed("Here is your folio");
        h.ctrl('a');
        h.typed(file.to_str().unwrap());
        h.key(KeyCode::Enter);
        h.key(KeyCode::Enter);
        assert!(
            h.until(10, |a| a.upload_retry.is_some()).await,
            "{profile:?}: {}",
            notice(&h)
        );
        let said = notice(&h);
        assert!(
            said.contains("the guest sees “Here is your folio” without the file"),
            "{profile:?}: {said}"
        );
        // The message the guest sees is in the thread; the text and the file are kept.
        assert!(
            h.app.threads[&conv]
                .messages
                .values()
                .any(|m| m.message == "Here is your folio")
        );
        assert_eq!(h.app.composer.text(), "Here is your folio");
        h.key(KeyCode::Esc);
        h.app.focus = Focus::Thread;
        h.key(KeyCode::Char('a'));
        match &h.app.overlay {
            Overlay::Attach(a) => assert_eq!(a.files, vec![file.to_str().unwrap().to_string()]),
            other => panic!("{profile:?}: {other:?}"),
        }
        d.stop().await;
    }
}
