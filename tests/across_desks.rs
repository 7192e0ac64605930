//! Two desks on one inbox: what a colleague did (an answer, a claim, "no answer needed",
//! "later") is true on the other desk within seconds, on both demo profiles. One desk acts
//! (the manager, through the API as the web staff UI would, or a second App), the other
//! watches. On the deployment profile a colleague's reply is published only on a private
//! channel nobody can sign, so the watching desk must learn it by reading.

mod common;

use std::time::{Duration, Instant};

use common::{Harness, guest_says, signed_in};
use crossterm::event::KeyCode;
use frontdesk::app::{Focus, Holder, Standing};
use frontdesk::desk_log::Mark;
use frontdesk::live::LiveConfig;
use frontdesk::model::{ConversationId, RoomNumber};
use frontdesk_demo::{Profile, RunningDemo};

const PROFILES: [Profile; 2] = [Profile::Friendly, Profile::Deployment];

async fn demo(profile: Profile) -> RunningDemo {
    common::demo_for(profile, None).await
}

async fn desk(d: &RunningDemo, user: &str) -> Harness {
    let live = LiveConfig::new(&d.ws_url, &d.hotel);
    let mut h = Harness::new(d, user, Some(live)).await;
    assert!(h.until(10, |a| a.list_loaded).await);
    // The background reads that learn who waits, and the front desk log.
    h.for_secs(1.5).await;
    h
}

fn room(h: &Harness, n: i64) -> ConversationId {
    h.app
        .current_conversation_of_room(RoomNumber(n))
        .expect("room has a conversation")
}

/// The list row of a room, as drawn (both lines).
fn row_of(h: &Harness, n: i64) -> String {
    let screen = common::screen_of(&h.app);
    let lines: Vec<&str> = screen.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains(&format!("│ {n} ")) || l.contains(&format!(" {n} ")))
        .unwrap_or_else(|| panic!("room {n} is on screen:\n{screen}"));
    format!("{}\n{}", lines[at], lines.get(at + 1).unwrap_or(&""))
}

#[tokio::test]
async fn a_colleagues_answer_in_a_conversation_not_open_here_ends_the_wait_within_seconds() {
    for profile in PROFILES {
        let d = demo(profile).await;
        let mut here = desk(&d, "frontdesk").await;
        let (colleague, _) = signed_in(&d, "manager").await;
        // Room 109's guest waits, unread: the colleague opens it (marks read), then answers,
        // as the web staff UI and frontdesk both do.
        let conv = room(&here, 109);
        assert!(
            here.until(10, |a| waits_in(a, conv)).await,
            "{profile:?}: 109 waits"
        );
        colleague.mark_read(conv).await.unwrap();
        let text = format!("The wifi password is on the card by the TV ({profile:?})");
        let sent = Instant::now();
        let _ = colleague.send(conv, &text, None).await;
        assert!(
            here.until(15, |a| !waits_in(a, conv)).await,
            "{profile:?}: still waiting 15 s after a colleague answered"
        );
        let took = sent.elapsed();
        assert!(took < Duration::from_secs(15), "{profile:?}: {took:?}");
        // The row says what was said and by whom, not the join line written after it.
        here.for_secs(0.3).await;
        let row = row_of(&here, 109);
        assert!(
            row.contains("Frank Manager: The wifi"),
            "{profile:?}: {row}"
        );
        assert!(!row.contains("has joined"), "{profile:?}: {row}");

        // Room 106's guest was read at this desk (opened, left) and is still waiting: no
        // unread count can fall. A colleague answers without opening; short pages in turn find it.
        let conv = room(&here, 106);
        here.open(conv, Focus::Thread).await;
        here.for_secs(0.5).await;
        here.key(KeyCode::Esc);
        here.app.open = None;
        assert!(waits_in(&here.app, conv), "{profile:?}: 106 waits");
        let _ = colleague
            .send(conv, "An iron is on its way to 106", None)
            .await;
        assert!(
            here.until(20, |a| !waits_in(a, conv)).await,
            "{profile:?}: a read-but-unanswered guest answered elsewhere still waits"
        );
        d.stop().await;
    }
}

fn waits_in(a: &frontdesk::app::App, id: ConversationId) -> bool {
    a.waiting().iter().any(|(c, _)| *c == id)
}

#[tokio::test]
async fn done_and_later_travel_between_desks_survive_a_restart_and_a_new_message_reopens() {
    for profile in PROFILES {
        let d = demo(profile).await;
        let mut here = desk(&d, "frontdesk").await;
        let mut there = desk(&d, "manager").await;
        let conv = room(&here, 205);
        assert!(here.until(10, |a| waits_in(a, conv)).await);
        assert!(there.until(10, |a| waits_in(a, conv)).await);

        // Done at this desk: gone from both waiting lists, with who and when in the log.
        here.app.selected = Some(conv);
        here.key(KeyCode::Char('m'));
        assert!(here.until(5, |a| !waits_in(a, conv)).await, "{profile:?}");
        assert!(row_of(&here, 205).contains("✓ done"), "{profile:?}");
        assert!(
            there.until(15, |a| !waits_in(a, conv)).await,
            "{profile:?}: the other desk still shows 205 waiting"
        );
        let aside = there.app.aside(conv).expect("marked");
        assert_eq!(aside.by, "Fiona Desk");

        // A restart reads the log back.
        let mut again = desk(&d, "frontdesk").await;
        assert!(
            again.until(10, |a| a.aside(conv).is_some()).await,
            "{profile:?}"
        );
        assert!(!waits_in(&again.app, conv));

        // The guest writes again: the request is open once more, on every desk.
        guest_says(&d.base_url, 205, "Still cold, sorry!").await;
        assert!(
            there.until(15, |a| waits_in(a, conv)).await,
            "{profile:?}: reopened"
        );

        // Later, at the other desk, until a time past: it comes back due, and urgent.
        there.app.selected = Some(conv);
        there.key(KeyCode::Char('z'));
        there.typed("30m");
        there.key(KeyCode::Enter);
        assert!(there.until(5, |a| !waits_in(a, conv)).await, "{profile:?}");
        assert!(
            here.until(15, |a| matches!(
                a.aside(conv).map(|x| x.mark),
                Some(Mark::Later { .. })
            ))
            .await,
            "{profile:?}"
        );
        assert!(!waits_in(&here.app, conv));
        assert!(
            row_of(&here, 205).contains("later "),
            "{}",
            row_of(&here, 205)
        );
        // Half an hour on: the clerk's clock moves, the request is due on both desks.
        let later = here.app.clock.now + chrono::Duration::minutes(31);
        here.local.clear();
        let cmds = here.app.update(frontdesk::app::Event::Watch(later));
        here.run(cmds);
        assert!(waits_in(&here.app, conv), "{profile:?}: due again");
        assert!(
            row_of(&here, 205).contains("⚠ due"),
            "{}",
            row_of(&here, 205)
        );
        assert!(
            here.local.iter().any(|c| matches!(c,
                frontdesk::app::Command::Effect(frontdesk::app::Effect::Notify { title, .. })
                    if title.contains("later")
            )),
            "{profile:?}: announced"
        );

        // Undo: waiting again at once, everywhere.
        there.key(KeyCode::Char('u'));
        assert!(there.until(5, |a| waits_in(a, conv)).await, "{profile:?}");
        again.for_secs(0.1).await;
        assert!(
            again.until(15, |a| a.aside(conv).is_none()).await,
            "{profile:?}"
        );
        d.stop().await;
    }
}

#[tokio::test]
async fn a_claim_shows_on_the_other_desk_and_after_a_restart() {
    for profile in PROFILES {
        let d = demo(profile).await;
        let mut here = desk(&d, "frontdesk").await;
        let mut there = desk(&d, "manager").await;
        // 109 has never been answered: nobody holds it.
        let conv = room(&here, 109);
        assert_eq!(there.app.service.holder(conv), None);
        here.app.selected = Some(conv);
        here.key(KeyCode::Char('c'));
        assert!(
            here.until(10, |a| a.desk_log.ledger.claims.contains_key(&conv))
                .await,
            "{profile:?}: the claim was not written to the log"
        );
        assert!(
            there
                .until(15, |a| matches!(a.service.holder(conv), Some(Holder::Colleague(n)) if &**n == "Fiona Desk"))
                .await,
            "{profile:?}: {:?}",
            there.app.service.holder(conv)
        );
        let mut again = desk(&d, "frontdesk").await;
        assert!(
            again
                .until(10, |a| a.service.holder(conv) == Some(&Holder::Me))
                .await,
            "{profile:?}: a restart forgot the claim"
        );
        d.stop().await;
    }
}

#[tokio::test]
async fn thanks_after_an_answer_is_not_waiting_but_a_question_with_it_is() {
    for profile in PROFILES {
        let d = demo(profile).await;
        let mut here = desk(&d, "frontdesk").await;
        let (colleague, _) = signed_in(&d, "manager").await;
        // 205's guest is answered at another desk, and thanks.
        let conv = room(&here, 205);
        assert!(here.until(10, |a| waits_in(a, conv)).await);
        let _ = colleague
            .send(conv, "Maintenance is on the way.", None)
            .await;
        guest_says(&d.base_url, 205, "Thanks, it works now 👍").await;
        assert!(
            here.until(15, |a| a.service.standing(conv) == Standing::Thanked)
                .await,
            "{profile:?}: {:?}",
            here.app.service.standing(conv)
        );
        assert!(!waits_in(&here.app, conv));
        assert!(
            row_of(&here, 205).contains("✓ thanked"),
            "{}",
            row_of(&here, 205)
        );
        // A question in the same breath waits.
        guest_says(&d.base_url, 205, "thanks! and the spa?").await;
        assert!(here.until(10, |a| waits_in(a, conv)).await, "{profile:?}");
        d.stop().await;
    }
}

#[tokio::test]
async fn an_impatient_guests_wait_is_never_shortened_by_their_own_messages() {
    let d = demo(Profile::Deployment).await;
    let mut here = desk(&d, "frontdesk").await;
    // 104's guest has waited hours.
    let conv = room(&here, 104);
    assert!(here.until(10, |a| waits_in(a, conv)).await);
    let before = here.app.service.wait(conv).unwrap();
    assert!(!before.at_least);
    for i in 0..15 {
        guest_says(&d.base_url, 104, &format!("hello? anyone? ({i})")).await;
    }
    here.for_secs(2.0).await;
    let after = here.app.service.wait(conv).unwrap();
    assert_eq!(after.since, before.since, "the wait was shortened");
    assert!(!after.at_least);
    assert!(
        here.app.clock.now - after.since > chrono::Duration::hours(6),
        "{after:?}"
    );

    // A desk that starts now, with only the newest messages in reach, reads back.
    let mut fresh = desk(&d, "manager").await;
    assert!(
        fresh
            .until(10, |a| a.service.wait(conv).is_some_and(|w| !w.at_least))
            .await
    );
    assert_eq!(fresh.app.service.wait(conv).unwrap().since, before.since);
    d.stop().await;
}

#[tokio::test]
async fn staff_is_the_signed_in_persons_first_name() {
    let d = demo(Profile::Deployment).await;
    let mut here = desk(&d, "frontdesk").await;
    assert!(
        here.until(10, |a| a.my_first_name() == "Fiona").await,
        "{:?}",
        here.app.my_full_name
    );
    let conv = room(&here, 101);
    let filled = here
        .app
        .fill_placeholders("this is {staff} at the front desk", conv);
    assert_eq!(filled, "this is Fiona at the front desk");
    d.stop().await;
}

async fn binary(d: &RunningDemo, args: &[&str]) -> (bool, serde_json::Value) {
    common::frontdesk_json_at(&d.base_url, &d.hotel, &d.ws_url, args).await
}

#[tokio::test]
async fn done_and_later_from_a_shell_reach_the_inbox_and_the_handover() {
    for profile in PROFILES {
        let d = demo(profile).await;
        let mut watching = desk(&d, "manager").await;
        let c205 = room(&watching, 205);
        let c109 = room(&watching, 109);
        assert!(
            watching
                .until(10, |a| waits_in(a, c205) && waits_in(a, c109))
                .await
        );

        let (ok, done) = binary(&d, &["done", "205", "--json"]).await;
        assert!(ok, "{done}");
        assert_eq!(done["mark"], "done");
        assert_eq!(done["conversation_id"], c205.0);
        assert_eq!(done["by"], "Fiona Desk");
        let (ok, later) = binary(&d, &["later", "109", "2h", "--json"]).await;
        assert!(ok, "{later}");
        assert_eq!(later["mark"], "later");
        assert!(later["until"].is_string(), "{later}");

        // The desk that watches sees both, within the 15 s the issue asks.
        assert!(
            watching
                .until(15, |a| !waits_in(a, c205) && !waits_in(a, c109))
                .await,
            "{profile:?}: a mark from the shell did not reach the inbox"
        );

        // The handover says who marked what, and the guests are not waiting in it.
        let (ok, report) = binary(&d, &["handover", "--json", "--since", "2h"]).await;
        assert!(ok, "{report}");
        let rooms = |key: &str| -> Vec<i64> {
            report[key]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|r| r["room"].as_i64())
                .collect()
        };
        assert_eq!(rooms("done"), vec![205], "{report:#}");
        assert_eq!(report["done"][0]["by"], "Fiona Desk");
        assert_eq!(rooms("later"), vec![109], "{report:#}");
        assert!(!rooms("waiting").contains(&205) && !rooms("waiting").contains(&109));
        assert_eq!(report["staff"], "Fiona Desk", "the report names people");
        assert_eq!(
            rooms("waiting").len(),
            watching.app.waiting().len(),
            "{profile:?}: the inbox and the report agree"
        );

        // Reopen from the shell; a room without a conversation is said plainly.
        let (ok, again) = binary(&d, &["reopen", "205", "--json"]).await;
        assert!(ok, "{again}");
        assert!(
            watching.until(15, |a| waits_in(a, c205)).await,
            "{profile:?}"
        );
        let (ok, err) = binary(&d, &["done", "999", "--json"]).await;
        assert!(!ok);
        assert!(
            err["error"]
                .as_str()
                .unwrap()
                .starts_with("room 999: no guest conversation"),
            "{err}"
        );
        let (ok, err) = binary(&d, &["later", "205", "soon", "--json"]).await;
        assert!(!ok);
        assert!(
            err["error"].as_str().unwrap().contains("not a time"),
            "{err}"
        );
        d.stop().await;
    }
}
