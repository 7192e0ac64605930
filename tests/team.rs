//! The Team view on both profiles: a colleague writes, the header counts it (from
//! `unread-count/`), `T` lists the conversation with its unread, Enter reads it (marking it
//! read), PgUp pages back, `r` replies to the selected message, what is typed survives
//! closing the view, and every call is one the contract's samples show.

mod common;

use common::Harness;
use crossterm::event::KeyCode;
use frontdesk::app::{Event, Overlay, PollKind};
use frontdesk_demo::Profile;

const PROFILES: [Profile; 2] = [Profile::Friendly, Profile::Deployment];

fn pane_len(app: &frontdesk::app::App) -> usize {
    match &app.overlay {
        Overlay::Team(s) => s
            .open
            .and_then(|o| s.panes.get(&o))
            .map_or(0, |p| p.messages.len()),
        _ => 0,
    }
}

/// Orla (housekeeping) signed in, and her conversation with the front desk.
async fn orla_and_the_desk(
    d: &frontdesk_demo::RunningDemo,
) -> (
    frontdesk::api::StaffApi,
    frontdesk::api::Login,
    frontdesk::api::staff_models::TeamThread,
) {
    let (orla, login) = common::signed_in(d, "hksuper").await;
    let thread = orla
        .team_thread_with(login.staff_id, &[frontdesk::model::StaffId(1)], "")
        .await
        .unwrap();
    (orla, login, thread)
}

#[tokio::test]
async fn colleagues_conversations_are_read_paged_and_answered_in_the_team_view() {
    for profile in PROFILES {
        let d = common::demo_for(profile, None).await;
        // Orla writes 35 messages to the front desk.
        let (orla, _, thread) = orla_and_the_desk(&d).await;
        let mut last = None;
        for i in 0..35 {
            last = Some(
                orla.team_send(thread.id, &format!("Minibar check {i}"), None)
                    .await
                    .unwrap(),
            );
        }
        let last = last.unwrap();

        let mut h = Harness::new(&d, "frontdesk", None).await;
        assert!(h.until(10, |a| a.list_loaded).await);
        h.handle(Event::Poll(PollKind::TeamUnread));
        assert!(
            h.until(5, |a| a.team.unread == Some(35)).await,
            "{profile:?}: {:?}",
            h.app.team.unread
        );

        h.key(KeyCode::Char('T'));
        assert!(
            h.until(
                5,
                |a| matches!(&a.overlay, Overlay::Team(s) if s.threads.is_some())
            )
            .await
        );
        if let Overlay::Team(s) = &h.app.overlay {
            assert_eq!(s.unread.get(&thread.id), Some(&35), "{profile:?}");
        }
        h.key(KeyCode::Enter);
        assert!(
            h.until(5, |a| pane_len(a) == 30).await,
            "{profile:?}: a page"
        );
        assert!(
            h.until(5, |a| a.team.unread == Some(0)).await,
            "{profile:?}: opened is read"
        );
        h.key(KeyCode::PageUp);
        assert!(
            h.until(5, |a| pane_len(a) == 35).await,
            "{profile:?}: paged back"
        );

        // Reply to the newest, the one selected by the first k.
        h.key(KeyCode::Char('k'));
        h.key(KeyCode::Char('r'));
        assert_eq!(h.app.team_reply_to(), Some(last.id));
        h.typed("Done, all restocked");
        h.key(KeyCode::Enter);
        assert!(
            h.until(5, |a| a.team_draft(thread.id).is_none()
                && pane_len(a) == 36)
                .await,
            "{profile:?}: sent"
        );
        let page = orla.team_messages(thread.id, 5, None).await.unwrap();
        let answer = page.messages.last().unwrap();
        assert_eq!(answer.message, "Done, all restocked");
        assert_eq!(answer.reply_to, Some(last.id), "{profile:?}");

        // Typed, then the view closed: kept for the next time.
        h.key(KeyCode::Char('i'));
        h.typed("half a thought");
        h.key(KeyCode::Esc);
        h.key(KeyCode::Esc);
        h.key(KeyCode::Esc);
        assert!(matches!(h.app.overlay, Overlay::None));
        assert_eq!(h.app.team_draft(thread.id), Some("half a thought"));
        // And on disk, as every change was: the last save holds it.
        let saved = h.local.iter().rev().find_map(|c| match c {
            frontdesk::app::Command::Effect(frontdesk::app::Effect::SaveTeamDrafts(d)) => {
                Some(d.clone())
            }
            _ => None,
        });
        assert_eq!(saved, Some(vec![(thread.id, "half a thought".to_string())]));
        h.key(KeyCode::Char('T'));
        assert_eq!(h.app.team_draft(thread.id), Some("half a thought"));

        let samples = common::contract::samples();
        for call in common::contract::staff_calls(&d.base_url).await {
            assert!(
                common::contract::in_samples(&call, &samples),
                "{profile:?}: a call no sample shows: {call}"
            );
        }
        d.stop().await;
    }
}

/// Live, in the Team view: the legacy `send_message/` publishes nothing (quirk 6.7, in both
/// profiles, as the backend does), `send-message/` arrives at once, and a colleague's hostile
/// text is inert on screen.
#[tokio::test]
async fn the_legacy_send_is_silent_and_a_colleagues_escape_codes_are_inert() {
    for profile in PROFILES {
        let d = common::demo_for(profile, None).await;
        let (orla, orla_login, thread) = orla_and_the_desk(&d).await;
        orla.team_send(thread.id, "First", None).await.unwrap();
        let live = frontdesk::live::LiveConfig::new(&d.ws_url, &d.hotel);
        let mut h = Harness::new(&d, "frontdesk", Some(live)).await;
        assert!(h.until(10, |a| a.list_loaded).await);
        h.key(KeyCode::Char('T'));
        assert!(
            h.until(
                5,
                |a| matches!(&a.overlay, Overlay::Team(s) if s.threads.is_some())
            )
            .await
        );
        h.key(KeyCode::Enter);
        assert!(h.until(5, |a| pane_len(a) == 1).await);
        // Let the subscription land.
        h.until(1, |_| false).await;
        let legacy = reqwest::Client::new()
            .post(format!(
                "{}/api/staff/hotel/hotel-killarney/staff_chat/conversations/{}/send_message/",
                d.base_url, thread.id
            ))
            .header("Authorization", format!("Token {}", orla_login.token))
            .json(&serde_json::json!({"message": "legacy"}))
            .send()
            .await
            .unwrap();
        assert_eq!(legacy.status(), 201);
        assert!(
            !h.until(1, |a| pane_len(a) == 2).await,
            "{profile:?}: the legacy send published something"
        );
        let hostile = "\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2JOn my way\u{9b}31m now";
        orla.team_send(thread.id, hostile, None).await.unwrap();
        assert!(
            h.until(5, |a| pane_len(a) == 2).await,
            "{profile:?}: send-message arrives live"
        );
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
        let theme = frontdesk::ui::Theme::plain();
        t.draw(|f| {
            frontdesk::ui::render(f, &h.app, &theme);
        })
        .unwrap();
        let screen: String = t
            .backend()
            .buffer()
            .content()
            .iter()
            .map(|c| c.symbol())
            .collect();
        assert!(screen.contains("On my way"), "{screen}");
        assert!(
            !screen
                .chars()
                .any(|c| c.is_control() || ('\u{80}'..='\u{9f}').contains(&c)),
            "{profile:?}: a control character reached the screen"
        );
        d.stop().await;
    }
}
