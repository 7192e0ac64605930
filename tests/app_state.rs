//! State transitions of the inbox without a terminal or network: drafts, unread, sending.

use chrono::{FixedOffset, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use frontdesk::api::{ApiError, Conversation, ErrorKind, Message};
use frontdesk::app::{App, Clock, Command, Effect, Event, Focus, Job, Me, ReplyState};
use frontdesk::model::{ConversationId, MessageId, StaffId};
use frontdesk::popup::{Attach, CannedPicker, Confirm, Filter, Help, RoomPrompt, SignIn};
use serde_json::json;

fn app() -> App {
    let me = Me {
        staff_id: StaffId(1),
        name: "Fiona".into(),
        hotel_name: "Hotel Killarney".into(),
        capabilities: vec!["chat.message.send".into(), "chat.conversation.read".into()],
    };
    let clock = Clock {
        now: Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap(),
        offset: FixedOffset::east_opt(0).unwrap(),
    };
    let mut a = App::new(me, clock, (120, 40));
    let convs: Vec<Conversation> = (1..=3)
        .map(|i| serde_json::from_value(json!({"id": i, "room_number": 100 + i, "guest_name": format!("Guest {i}"),
            "last_message": "hi", "last_message_time": format!("2026-11-24T1{i}:00:00Z"), "unread_count": if i == 2 { 2 } else { 0 }})).unwrap())
        .collect();
    a.update(Event::ConversationsLoaded(Ok(convs)));
    a
}

fn msg(id: i64, conv: i64, sender: &str, text: &str) -> Message {
    serde_json::from_value(
        json!({"id": id, "conversation_id": conv, "sender_type": sender, "message": text,
        "staff": if sender == "staff" { json!(1) } else { json!(null) },
        "timestamp": "2026-11-24T11:59:00Z", "read_by_staff": sender != "guest"}),
    )
    .unwrap()
}

/// The app with conversation `conv` open in the thread pane, holding guest messages 1..=n.
fn app_with_thread(conv: i64, n: i64) -> App {
    let mut a = app();
    a.open_conversation(ConversationId(conv), Focus::Thread);
    a.update(Event::PageLoaded {
        conversation: ConversationId(conv),
        limit: 30,
        result: Ok((1..=n).map(|i| msg(i, conv, "guest", "x")).collect()),
    });
    a
}

fn typed(a: &mut App, s: &str) -> Vec<Command> {
    let mut out = Vec::new();
    for c in s.chars() {
        out.extend(a.update(Event::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        ))));
    }
    out
}

fn key(a: &mut App, k: KeyCode) -> Vec<Command> {
    a.update(Event::Key(KeyEvent::new(k, KeyModifiers::NONE)))
}

#[test]
fn list_is_sorted_by_activity_not_server_order() {
    let a = app();
    assert_eq!(a.order, [3, 2, 1].map(ConversationId));
    assert_eq!(a.total_unread(), 2);
}

#[test]
fn drafts_survive_switching_conversations() {
    let mut a = app();
    a.open_conversation(ConversationId(1), Focus::Composer);
    let cmds = typed(&mut a, "half a reply");
    assert!(cmds.iter().any(|c| matches!(c, Command::Effect(Effect::SaveDrafts(d)) if d.iter().any(|(id, d)| *id == ConversationId(1) && d.text == "half a reply"))));
    a.open_conversation(ConversationId(3), Focus::Composer);
    assert_eq!(a.composer.text(), "");
    a.open_conversation(ConversationId(1), Focus::Composer);
    assert_eq!(a.composer.text(), "half a reply");
}

#[test]
fn opening_with_newest_on_screen_marks_read_once() {
    let mut a = app();
    let cmds = a.open_conversation(ConversationId(2), Focus::Thread);
    assert!(cmds.contains(&Command::Job(Job::LoadPage {
        conversation: ConversationId(2),
        before: None,
        limit: 30
    })));
    let cmds = a.update(Event::PageLoaded {
        conversation: ConversationId(2),
        limit: 30,
        result: Ok(vec![msg(5, 2, "guest", "towels?")]),
    });
    assert_eq!(
        cmds.iter()
            .filter(|c| **c == Command::Job(Job::MarkRead(ConversationId(2))))
            .count(),
        1
    );
    // Not again while the first call is in flight.
    let again = a.update(Event::Resize(120, 40));
    assert!(!again.contains(&Command::Job(Job::MarkRead(ConversationId(2)))));
    a.update(Event::MarkedRead {
        conversation: ConversationId(2),
        result: Ok(
            serde_json::from_value(json!({"conversation_id": 2, "marked_as_read": 2})).unwrap(),
        ),
    });
    assert_eq!(a.total_unread(), 0);
}

#[test]
fn no_mark_read_while_the_terminal_is_unfocused() {
    let mut a = app();
    a.update(Event::FocusLost);
    a.open_conversation(ConversationId(2), Focus::Thread);
    let cmds = a.update(Event::PageLoaded {
        conversation: ConversationId(2),
        limit: 30,
        result: Ok(vec![msg(5, 2, "guest", "towels?")]),
    });
    assert!(!cmds.contains(&Command::Job(Job::MarkRead(ConversationId(2)))));
    let cmds = a.update(Event::FocusGained);
    assert!(cmds.contains(&Command::Job(Job::MarkRead(ConversationId(2)))));
}

#[test]
fn a_failed_send_keeps_the_text_and_retries_with_a_check() {
    let mut a = app();
    a.open_conversation(ConversationId(1), Focus::Composer);
    typed(&mut a, "On its way");
    let cmds = key(&mut a, KeyCode::Enter);
    let Some(Command::Job(Job::SendReply {
        local_id,
        check_first: false,
        ..
    })) = cmds
        .iter()
        .find(|c| matches!(c, Command::Job(Job::SendReply { .. })))
        .cloned()
    else {
        panic!("{cmds:?}")
    };
    assert_eq!(a.pending[0].state, ReplyState::Sending);
    a.update(Event::ReplySent {
        local_id,
        result: Err(ApiError::new("POST", "/x", ErrorKind::Server(500))),
    });
    assert!(matches!(
        a.pending[0].state,
        ReplyState::Failed { unknown: true, .. }
    ));
    assert_eq!(a.pending[0].text, "On its way");
    key(&mut a, KeyCode::Esc);
    let cmds = a.update(Event::Key(KeyEvent::new(
        KeyCode::Char('R'),
        KeyModifiers::SHIFT,
    )));
    assert!(
        matches!(
            cmds.first(),
            Some(Command::Job(Job::SendReply {
                check_first: true,
                ..
            }))
        ),
        "{cmds:?}"
    );
    a.update(Event::ReplySent {
        local_id,
        result: Ok(frontdesk::api::Delivery {
            message: msg(9, 1, "staff", "On its way"),
            read_back: false,
        }),
    });
    assert!(a.pending.is_empty());
    assert!(
        a.threads[&ConversationId(1)]
            .messages
            .contains_key(&MessageId(9))
    );
}

#[test]
fn live_duplicates_collapse_and_bump_the_list() {
    let mut a = app();
    a.open_conversation(ConversationId(3), Focus::Thread);
    a.update(Event::PageLoaded {
        conversation: ConversationId(3),
        limit: 30,
        result: Ok(vec![]),
    });
    let mut m = msg(40, 1, "guest", "Is the bar open?");
    m.timestamp = Utc.with_ymd_and_hms(2026, 11, 24, 14, 0, 0).unwrap();
    let first = a.update(Event::LiveMessage(Box::new(m.clone())));
    a.update(Event::LiveMessage(Box::new(m.clone())));
    a.update(Event::LiveMessage(Box::new(m)));
    assert_eq!(a.order[0], ConversationId(1), "newest activity first");
    assert_eq!(
        a.conversations[&ConversationId(1)].unread_count,
        1,
        "counted once"
    );
    assert!(
        first
            .iter()
            .any(|c| matches!(c, Command::Effect(Effect::Notify { .. }))),
        "not the open thread: notify"
    );
}

#[test]
fn filter_by_room_or_name() {
    let mut a = app();
    key(&mut a, KeyCode::Char('/'));
    typed(&mut a, "102");
    assert_eq!(a.visible_order(), [2].map(ConversationId));
    key(&mut a, KeyCode::Backspace);
    key(&mut a, KeyCode::Backspace);
    key(&mut a, KeyCode::Backspace);
    typed(&mut a, "guest 3");
    assert_eq!(a.visible_order(), [3].map(ConversationId));
    let cmds = key(&mut a, KeyCode::Enter);
    assert_eq!(a.open, Some(ConversationId(3)));
    assert!(!cmds.is_empty());
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('/'));
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.visible_order().len(), 3);
}

#[test]
fn a_long_gap_resyncs() {
    let mut a = app();
    let later = a.clock.now + chrono::Duration::minutes(30);
    let cmds = a.update(Event::Tick(later));
    assert!(cmds.contains(&Command::Job(Job::LoadConversations)));
}

#[test]
fn next_unread_starts_at_the_highlight_then_moves_on() {
    let mut a = app();
    // 2 and 1 are unread; highlight 2 without opening it.
    if let Some(c) = a.conversations.get_mut(&ConversationId(1)) {
        c.unread_count = 1;
    }
    key(&mut a, KeyCode::Down);
    assert_eq!(a.selected, Some(ConversationId(2)));
    key(&mut a, KeyCode::Char('n'));
    assert_eq!(
        a.open,
        Some(ConversationId(2)),
        "the highlighted unread first"
    );
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('n'));
    assert_eq!(a.open, Some(ConversationId(1)), "then the next one");
}

#[test]
fn a_401_asks_to_sign_in_and_keeps_what_was_typed() {
    use frontdesk::app::Overlay;
    let mut a = app();
    a.open_conversation(ConversationId(1), Focus::Composer);
    typed(&mut a, "Late checkout is fine");
    let cmds = key(&mut a, KeyCode::Enter);
    let Some(Command::Job(Job::SendReply { local_id, .. })) = cmds
        .iter()
        .find(|c| matches!(c, Command::Job(Job::SendReply { .. })))
        .cloned()
    else {
        panic!()
    };
    typed(&mut a, "and a draft");
    a.update(Event::ReplySent {
        local_id,
        result: Err(ApiError::new(
            "POST",
            "/x",
            ErrorKind::Unauthorised("Invalid token.".into()),
        )),
    });
    assert!(matches!(a.overlay, Overlay::SignIn(_)));
    let cmds = typed(&mut a, "demo");
    assert!(cmds.is_empty());
    let cmds = key(&mut a, KeyCode::Enter);
    assert_eq!(
        cmds,
        vec![Command::Effect(Effect::SignIn {
            password: "demo".into()
        })]
    );
    // A wrong password keeps the prompt open with the reason.
    a.update(Event::SignedIn(Err("Wrong password".into())));
    assert!(
        matches!(&a.overlay, Overlay::SignIn(p) if p.error.as_deref() == Some("Wrong password") && !p.busy)
    );
    typed(&mut a, "demo");
    key(&mut a, KeyCode::Enter);
    let cmds = a.update(Event::SignedIn(Ok(())));
    assert_eq!(a.overlay, Overlay::None);
    assert!(cmds.contains(&Command::Job(Job::LoadConversations)));
    assert!(cmds.iter().any(|c| matches!(c, Command::Job(Job::SendReply { identity, .. }) if identity.text == "Late checkout is fine")));
    assert_eq!(a.composer.text(), "and a draft");
}

#[test]
fn the_outbox_is_written_before_the_send_and_cleared_after() {
    let mut a = app();
    a.open_conversation(ConversationId(1), Focus::Composer);
    typed(&mut a, "Taxi booked");
    let cmds = key(&mut a, KeyCode::Enter);
    let save = cmds.iter().position(
        |c| matches!(c, Command::Effect(Effect::SaveOutbox(o)) if o.len() == 1 && o[0].text == "Taxi booked"),
    );
    let send = cmds
        .iter()
        .position(|c| matches!(c, Command::Job(Job::SendReply { .. })));
    assert!(save.unwrap() < send.unwrap(), "{cmds:?}");
    let Some(Command::Job(Job::SendReply { local_id, .. })) = send.map(|i| cmds[i].clone()) else {
        panic!()
    };
    // No connection: kept, marked for automatic retry, which checks first.
    a.update(Event::ReplySent {
        local_id,
        result: Err(ApiError::new(
            "POST",
            "/x",
            ErrorKind::NoConnection("refused".into()),
        )),
    });
    assert!(a.has_retryable());
    let cmds = a.update(Event::RetryOutbox);
    assert!(
        matches!(
            cmds.as_slice(),
            [Command::Job(Job::SendReply {
                check_first: true,
                ..
            })]
        ),
        "{cmds:?}"
    );
    assert!(!a.has_retryable(), "one attempt at a time");
    let cmds = a.update(Event::ReplySent {
        local_id,
        result: Ok(frontdesk::api::Delivery {
            message: msg(50, 1, "staff", "Taxi booked"),
            read_back: false,
        }),
    });
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Command::Effect(Effect::SaveOutbox(o)) if o.is_empty()))
    );
}

#[test]
fn a_rejected_reply_is_not_retried_on_its_own() {
    let mut a = app();
    a.open_conversation(ConversationId(1), Focus::Composer);
    typed(&mut a, "x");
    let cmds = key(&mut a, KeyCode::Enter);
    let Some(Command::Job(Job::SendReply { local_id, .. })) = cmds
        .iter()
        .find(|c| matches!(c, Command::Job(Job::SendReply { .. })))
        .cloned()
    else {
        panic!()
    };
    a.update(Event::ReplySent {
        local_id,
        result: Err(ApiError::new(
            "POST",
            "/x",
            ErrorKind::Rejected {
                status: 400,
                reason: "Message cannot be empty".into(),
            },
        )),
    });
    assert!(!a.has_retryable());
    assert!(a.update(Event::RetryOutbox).is_empty());
}

#[test]
fn an_outbox_from_an_earlier_run_is_checked_then_sent() {
    let mut a = app();
    let earlier = frontdesk::app::PendingReply {
        local_id: 7,
        conversation: ConversationId(2),
        text: "Spa is open".into(),
        reply_to: None,
        first_attempt: a.clock.now,
        after_id: None,
        staff_id: None,
        attempted: true,
        state: ReplyState::Sending,
    };
    let cmds = a.restore_outbox(vec![earlier]);
    assert!(matches!(
        cmds.as_slice(),
        [Command::Job(Job::SendReply {
            local_id: 7,
            check_first: true,
            ..
        })]
    ));
    assert_eq!(a.pending.len(), 1);
    // New replies do not reuse its local id.
    a.open_conversation(ConversationId(1), Focus::Composer);
    typed(&mut a, "y");
    let cmds = key(&mut a, KeyCode::Enter);
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Command::Job(Job::SendReply { local_id: 8, .. }))),
        "{cmds:?}"
    );
}

#[test]
fn a_burst_of_notifications_costs_one_check_not_a_fetch_each() {
    let mut a = app();
    a.open_conversation(ConversationId(1), Focus::Thread);
    a.update(Event::PageLoaded {
        conversation: ConversationId(1),
        limit: 30,
        result: Ok(vec![msg(5, 1, "guest", "hi")]),
    });
    let at = Some(a.clock.now);
    let mut checks = 0;
    let mut fetches = 0;
    for id in 100..200 {
        for c in a.update(Event::GuestWrote {
            booking: None,
            conversation: ConversationId(1),
            message_id: MessageId(id),
            preview: Some(format!("m{id}")),
            at,
        }) {
            match c {
                Command::Job(Job::CheckSoon { .. }) => checks += 1,
                Command::Job(Job::Refresh { .. }) | Command::Job(Job::LoadPage { .. }) => {
                    fetches += 1
                }
                _ => {}
            }
        }
    }
    assert_eq!((checks, fetches), (1, 0));
    // The full messages arrived on the conversation channel meanwhile: nothing to fetch.
    for id in 100..200 {
        a.update(Event::LiveMessage(Box::new(msg(
            id,
            1,
            "guest",
            &format!("m{id}"),
        ))));
    }
    assert!(
        !a.update(Event::CheckDue {
            conversation: ConversationId(1)
        })
        .contains(&Command::Job(Job::Refresh {
            conversation: ConversationId(1),
            limit: frontdesk::app::REFRESH_LIMIT,
        }))
    );
    // One that never arrived in full is fetched.
    a.update(Event::GuestWrote {
        booking: None,
        conversation: ConversationId(1),
        message_id: MessageId(300),
        preview: Some("x".into()),
        at,
    });
    assert!(
        a.update(Event::CheckDue {
            conversation: ConversationId(1)
        })
        .contains(&Command::Job(Job::Refresh {
            conversation: ConversationId(1),
            limit: frontdesk::app::REFRESH_LIMIT,
        }))
    );
}

#[test]
fn a_note_and_its_full_message_count_once_in_the_list() {
    let mut a = app();
    let when = Utc.with_ymd_and_hms(2026, 11, 24, 15, 0, 0).unwrap();
    let at = Some(when);
    let cmds = a.update(Event::GuestWrote {
        booking: None,
        conversation: ConversationId(1),
        message_id: MessageId(77),
        preview: Some("Is the spa".into()),
        at,
    });
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Command::Effect(Effect::Notify { .. })))
    );
    assert!(
        !cmds
            .iter()
            .any(|c| matches!(c, Command::Job(Job::Refresh { .. }))),
        "not open: no fetch"
    );
    assert_eq!(a.conversations[&ConversationId(1)].unread_count, 1);
    assert_eq!(a.order[0], ConversationId(1));
    let mut full = msg(77, 1, "guest", "Is the spa open late tonight?");
    full.timestamp = when;
    let cmds = a.update(Event::LiveMessage(Box::new(full)));
    assert!(
        !cmds
            .iter()
            .any(|c| matches!(c, Command::Effect(Effect::Notify { .. }))),
        "announced once"
    );
    assert_eq!(a.conversations[&ConversationId(1)].unread_count, 1);
    assert_eq!(
        a.conversations[&ConversationId(1)].last_message.as_deref(),
        Some("Is the spa open late tonight?")
    );
    // An unknown conversation: one list reload for many notes.
    let n = (0..5)
        .flat_map(|i| {
            a.update(Event::GuestWrote {
                booking: None,
                conversation: ConversationId(99),
                message_id: MessageId(500 + i),
                preview: None,
                at: None,
            })
        })
        .filter(|c| *c == Command::Job(Job::LoadConversations))
        .count();
    assert_eq!(n, 1);
}

#[test]
fn what_is_polled_follows_the_realtime_link() {
    use frontdesk::app::{Connection, POLL_LIMIT, PollKind};
    let mut a = app();
    a.open_conversation(ConversationId(1), Focus::Thread);
    a.update(Event::Connection(Connection::Live));
    let plan = a.poll_plan();
    assert!(!plan.thread && plan.list && !plan.unread, "{plan:?}");
    assert!(a.update(Event::Poll(PollKind::Thread)).is_empty());
    assert_eq!(
        a.update(Event::Poll(PollKind::List)),
        vec![Command::Job(Job::LoadConversations)]
    );
    a.update(Event::ConversationsLoaded(Ok(vec![])));
    a.update(Event::Connection(Connection::LivePartial));
    let plan = a.poll_plan();
    assert!(plan.thread && plan.list && !plan.unread, "{plan:?}");
    assert_eq!(
        a.update(Event::Poll(PollKind::Thread)),
        vec![Command::Job(Job::Refresh {
            conversation: ConversationId(1),
            limit: POLL_LIMIT
        })]
    );
    a.update(Event::Connection(Connection::Polling));
    assert!(a.poll_plan().unread);
    assert_eq!(
        a.update(Event::Poll(PollKind::Unread)),
        vec![Command::Job(Job::LoadUnreadCounts)]
    );
}

#[test]
fn one_list_fetch_at_a_time() {
    let mut a = app();
    assert_eq!(a.load_list(), vec![Command::Job(Job::LoadConversations)]);
    assert!(a.load_list().is_empty(), "joins the fetch under way");
    // A note from an unknown conversation joins it too.
    let c = a.update(Event::GuestWrote {
        booking: None,
        conversation: ConversationId(99),
        message_id: MessageId(5),
        preview: None,
        at: None,
    });
    assert!(!c.contains(&Command::Job(Job::LoadConversations)));
    // When it lands, one more runs for the reasons that came meanwhile.
    let c = a.update(Event::ConversationsLoaded(Ok(vec![])));
    assert_eq!(
        c.iter()
            .filter(|c| **c == Command::Job(Job::LoadConversations))
            .count(),
        1
    );
    let c = a.update(Event::ConversationsLoaded(Ok(vec![])));
    assert!(!c.contains(&Command::Job(Job::LoadConversations)));
}

#[test]
fn a_changed_unread_count_reloads_the_list() {
    let counts = |n: u32| {
        Ok(frontdesk::api::UnreadCounts {
            unread_counts: [("7".to_string(), n)].into_iter().collect(),
        })
    };
    let mut a = app();
    // The list says 2 unread: a first answer of 2 is no news, of 3 is.
    assert!(a.update(Event::UnreadCounts(counts(2))).is_empty());
    assert!(a.update(Event::UnreadCounts(counts(2))).is_empty());
    let mut b = app();
    assert_eq!(
        b.update(Event::UnreadCounts(counts(3))),
        vec![Command::Job(Job::LoadConversations)]
    );
    assert!(a.update(Event::UnreadCounts(counts(1))).len() == 1);
    assert!(a.update(Event::UnreadCounts(counts(1))).is_empty());
    // Changed again while that list read runs: it joins it.
    assert!(a.update(Event::UnreadCounts(counts(2))).is_empty());
}

#[test]
fn a_reply_found_stored_takes_its_error_away() {
    let mut a = app();
    a.open_conversation(ConversationId(1), Focus::Composer);
    a.update(Event::PageLoaded {
        conversation: ConversationId(1),
        limit: 30,
        result: Ok(vec![msg(10, 1, "guest", "towels?")]),
    });
    typed(&mut a, "On its way");
    let cmds = key(&mut a, KeyCode::Enter);
    let Some(Command::Job(Job::SendReply {
        local_id, identity, ..
    })) = cmds
        .iter()
        .find(|c| matches!(c, Command::Job(Job::SendReply { .. })))
        .cloned()
    else {
        panic!("{cmds:?}")
    };
    assert_eq!(identity.after_id, Some(MessageId(10)), "the newest id held");
    a.update(Event::ReplySent {
        local_id,
        result: Err(ApiError::new("POST", "/x", ErrorKind::Server(500))),
    });
    assert!(
        a.notice
            .as_ref()
            .is_some_and(|n| n.text.starts_with("Reply not confirmed"))
    );
    // The copy arrives (a poll, or the live feed): delivered, and the notice is no longer true.
    let mut copy = msg(12, 1, "staff", "On its way");
    copy.timestamp = a.clock.now;
    a.update(Event::Refreshed {
        conversation: ConversationId(1),
        limit: 10,
        result: Ok(vec![copy]),
    });
    assert!(a.pending.is_empty());
    assert!(a.notice.is_none(), "{:?}", a.notice);
    // An older copy of the same words is not taken for a new reply.
    typed(&mut a, "On its way");
    key(&mut a, KeyCode::Enter);
    let mut old = msg(11, 1, "staff", "On its way");
    old.timestamp = a.clock.now;
    a.update(Event::LiveMessage(Box::new(old)));
    assert_eq!(a.pending.len(), 1);
}

#[test]
fn a_short_poll_with_a_gap_reads_more() {
    use frontdesk::app::{POLL_LIMIT, REFRESH_LIMIT};
    let mut a = app_with_thread(1, 5);
    let page: Vec<Message> = (20..30).map(|i| msg(i, 1, "guest", "y")).collect();
    let c = a.update(Event::Refreshed {
        conversation: ConversationId(1),
        limit: POLL_LIMIT,
        result: Ok(page),
    });
    assert!(c.contains(&Command::Job(Job::Refresh {
        conversation: ConversationId(1),
        limit: REFRESH_LIMIT
    })));
    // Overlapping what is held: no more reads.
    let page: Vec<Message> = (21..31).map(|i| msg(i, 1, "guest", "y")).collect();
    let c = a.update(Event::Refreshed {
        conversation: ConversationId(1),
        limit: POLL_LIMIT,
        result: Ok(page),
    });
    assert!(
        !c.iter()
            .any(|c| matches!(c, Command::Job(Job::Refresh { .. })))
    );
}

/// After a socket was away for a busy while, the resync's page can start above what is held:
/// the desk reads a wider page, and stops at a bound.
#[test]
fn a_full_resync_page_above_what_is_held_reads_further_back() {
    use frontdesk::app::REFRESH_LIMIT;
    let mut a = app_with_thread(1, 5);
    // A page of `n` messages read with `limit`, ending below `top`; the limits asked next.
    let mut read = |limit: u32, n: i64, top: i64| -> Vec<u32> {
        let page = (top - n..top).map(|i| msg(i, 1, "guest", "y")).collect();
        let c = a.update(Event::Refreshed {
            conversation: ConversationId(1),
            limit,
            result: Ok(page),
        });
        c.iter()
            .filter_map(|c| match c {
                Command::Job(Job::Refresh { limit, .. }) => Some(*limit),
                _ => None,
            })
            .collect()
    };
    assert_eq!(read(REFRESH_LIMIT, 30, 1000), vec![60]);
    assert_eq!(read(120, 120, 3000), vec![240]);
    // At the bound it reads no further; older holes are left to scrolling back.
    assert!(read(240, 240, 6000).is_empty());
    // A page that starts on a held message has no gap.
    assert!(read(REFRESH_LIMIT, 30, 1000).is_empty());
}

#[test]
fn guest_messages_of_another_booking_are_an_earlier_stay() {
    use frontdesk::app::Stay;
    let mut a = app();
    let convs: Vec<Conversation> = vec![
        serde_json::from_value(json!({"id": 3, "room_number": 103, "guest_id": 27,
            "guest_name": "Astrid Lindqvist", "last_message_time": "2026-11-24T10:00:00Z"}))
        .unwrap(),
    ];
    a.update(Event::ConversationsLoaded(Ok(convs)));
    assert_eq!(a.conversation_name(ConversationId(3)), "Astrid Lindqvist");
    a.open_conversation(ConversationId(3), Focus::Thread);
    let mut old: Message = msg(40, 3, "guest", "Is anyone there?");
    old.booking = Some(3);
    old.booking_id = Some("BK-2026-0003".into());
    old.guest_name = Some("Astrid Lindqvist".into());
    let cmds = a.update(Event::PageLoaded {
        conversation: ConversationId(3),
        limit: 30,
        result: Ok(vec![old.clone()]),
    });
    assert_eq!(
        a.stay(ConversationId(3)),
        Stay::Earlier {
            booking: Some("BK-2026-0003".into())
        }
    );
    assert_eq!(
        a.conversation_name(ConversationId(3)),
        "earlier stay, BK-2026-0003"
    );
    assert_eq!(a.author(&old), "Guest of an earlier stay (BK-2026-0003)");
    assert!(
        !cmds
            .iter()
            .any(|c| matches!(c, Command::Job(Job::Watch { .. }))),
        "an earlier stay's channel is not followed"
    );
}

#[test]
fn only_listed_conversations_get_their_stay_followed() {
    let mut a = app();
    let note = |conversation, booking: &str| Event::GuestWrote {
        booking: Some(booking.into()),
        conversation,
        message_id: MessageId(500),
        preview: None,
        at: None,
    };
    let c = a.update(note(ConversationId(99), "BK-MADE-UP"));
    assert!(
        !c.iter()
            .any(|c| matches!(c, Command::Job(Job::Watch { .. })))
    );
    // A listed conversation whose page is being read: the page names the stay, not the event.
    let c = a.update(note(ConversationId(2), "BK-MADE-UP-2"));
    assert!(
        !c.iter()
            .any(|c| matches!(c, Command::Job(Job::Watch { .. }))),
        "{c:?}"
    );
    let mut page = msg(20, 2, "guest", "hi");
    page.booking_id = Some("BK-2026-0002".into());
    let c = a.update(Event::Refreshed {
        conversation: ConversationId(2),
        limit: frontdesk::app::LEARN_LIMIT,
        result: Ok(vec![page]),
    });
    assert!(c.contains(&Command::Job(Job::Watch {
        conversations: vec![],
        bookings: vec!["BK-2026-0002".into()]
    })));
    // Once read, an event cannot rename the stay.
    let c = a.update(note(ConversationId(2), "BK-2026-0002"));
    assert!(
        !c.iter()
            .any(|c| matches!(c, Command::Job(Job::Watch { .. })))
    );
    let c = a.update(note(ConversationId(2), "BK-MADE-UP-3"));
    assert!(
        !c.iter()
            .any(|c| matches!(c, Command::Job(Job::Watch { .. })))
    );
}

fn ctrl(a: &mut App, c: char) -> Vec<Command> {
    a.update(Event::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )))
}

#[test]
fn a_pasted_block_keeps_its_lines_whatever_the_line_endings() {
    let mut a = app();
    a.open_conversation(ConversationId(1), Focus::Composer);
    a.update(Event::Paste("Dear guest,\r\rtowels: 2\r\nrobes: 1".into()));
    assert_eq!(a.composer.text(), "Dear guest,\n\ntowels: 2\nrobes: 1");
    assert_eq!(
        a.drafts[&ConversationId(1)].text,
        a.composer.text(),
        "the draft is kept"
    );
}

#[test]
fn pastes_reach_the_filter_the_room_prompt_and_the_attach_prompt() {
    use frontdesk::app::Overlay;
    let mut a = app();
    key(&mut a, KeyCode::Char('/'));
    a.update(Event::Paste("Guest 2\r\n".into()));
    assert_eq!(a.filter, "Guest 2");
    assert_eq!(a.visible_order(), [2].map(ConversationId));
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('o'));
    a.update(Event::Paste("room 10 3".into()));
    assert!(matches!(&a.overlay, Overlay::RoomPrompt(p) if p.text == "103"));
    key(&mut a, KeyCode::Esc);
    a.open_conversation(ConversationId(1), Focus::Thread);
    a.overlay = Overlay::Attach(Attach::default());
    a.update(Event::Paste("/tmp/folio 101.pdf\n".into()));
    assert!(matches!(&a.overlay, Overlay::Attach(p) if p.input == "/tmp/folio 101.pdf"));
}

#[test]
fn enter_in_a_yes_no_question_decides_nothing() {
    use frontdesk::app::{Confirmed, Overlay};
    let mut a = app();
    a.overlay = Overlay::Confirm(Confirm::new(
        "Delete? y/n",
        Confirmed::Delete {
            message: MessageId(1),
            hard: false,
        },
    ));
    let c = key(&mut a, KeyCode::Enter);
    assert!(c.is_empty());
    assert!(matches!(a.overlay, Overlay::Confirm(_)), "still asking");
    assert!(
        a.notice
            .as_ref()
            .unwrap()
            .text
            .contains("y (yes) or n (no)")
    );
    key(&mut a, KeyCode::Char('n'));
    assert_eq!(a.overlay, Overlay::None);
}

#[test]
fn quitting_with_unsent_replies_asks_first() {
    use frontdesk::app::Overlay;
    let mut a = app();
    a.open_conversation(ConversationId(1), Focus::Composer);
    typed(&mut a, "Taxi at 6");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.focus, Focus::List);
    key(&mut a, KeyCode::Char('q'));
    assert!(!a.quit);
    assert!(
        matches!(&a.overlay, Overlay::Confirm(c) if c.question.contains("1 reply is not confirmed"))
    );
    let c = key(&mut a, KeyCode::Char('y'));
    assert!(a.quit && c.contains(&Command::Effect(Effect::Quit)));
}

#[test]
fn q_in_a_thread_goes_back_to_the_list() {
    let mut a = app();
    a.open_conversation(ConversationId(1), Focus::Thread);
    key(&mut a, KeyCode::Char('q'));
    assert!(!a.quit);
    assert_eq!(a.focus, Focus::List);
}

#[test]
fn list_keys_of_mutt_and_aerc() {
    let mut a = app();
    assert_eq!(a.selected, Some(ConversationId(3)));
    key(&mut a, KeyCode::Char('G'));
    assert_eq!(a.selected, Some(ConversationId(1)));
    key(&mut a, KeyCode::Char('g'));
    assert_eq!(a.selected, Some(ConversationId(3)));
    key(&mut a, KeyCode::End);
    assert_eq!(a.selected, Some(ConversationId(1)));
    key(&mut a, KeyCode::Home);
    assert_eq!(a.selected, Some(ConversationId(3)));
    ctrl(&mut a, 'd');
    assert_eq!(
        a.selected,
        Some(ConversationId(1)),
        "half a page down (the list is short)"
    );
    ctrl(&mut a, 'u');
    assert_eq!(a.selected, Some(ConversationId(3)));
}

#[test]
fn the_first_k_selects_the_newest_and_copy_needs_a_selection() {
    let mut a = app_with_thread(1, 5);
    key(&mut a, KeyCode::Char('y'));
    assert!(
        a.notice
            .as_ref()
            .unwrap()
            .text
            .starts_with("Nothing to copy")
    );
    key(&mut a, KeyCode::Char('k'));
    assert_eq!(a.threads[&ConversationId(1)].selected, Some(MessageId(5)));
    key(&mut a, KeyCode::Char('k'));
    assert_eq!(a.threads[&ConversationId(1)].selected, Some(MessageId(4)));
    key(&mut a, KeyCode::End);
    assert_eq!(a.threads[&ConversationId(1)].selected, Some(MessageId(5)));
}

#[test]
fn esc_clears_the_filter_slash_starts_anew_and_accents_do_not_matter() {
    let mut a = app();
    let convs: Vec<Conversation> = ["Seán Ó Briain", "Ana Fernández", "Ελένη Παπαδοπούλου"]
        .iter()
        .enumerate()
        .map(|(i, n)| {
            serde_json::from_value(json!({"id": i + 1, "room_number": 101 + i, "guest_name": n,
                "last_message_time": format!("2026-11-24T1{i}:00:00Z")}))
            .unwrap()
        })
        .collect();
    a.update(Event::ConversationsLoaded(Ok(convs)));
    key(&mut a, KeyCode::Char('/'));
    typed(&mut a, "sean o");
    assert_eq!(a.visible_order(), [1].map(ConversationId));
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.focus, Focus::List);
    key(&mut a, KeyCode::Char('/'));
    assert!(a.filter.is_empty(), "a new filter each time");
    typed(&mut a, "FERNANDEZ");
    assert_eq!(a.visible_order(), [2].map(ConversationId));
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);
    typed(&mut a, "/ελενη");
    assert_eq!(a.visible_order(), [3].map(ConversationId));
    a.update(Event::Key(KeyEvent::new(
        KeyCode::Enter,
        KeyModifiers::NONE,
    )));
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.focus, Focus::List);
    assert!(!a.filter.is_empty());
    key(&mut a, KeyCode::Esc);
    assert!(a.filter.is_empty(), "Esc in the list clears the filter");
    assert_eq!(a.visible_order().len(), 3);
}

#[test]
fn ctrl_u_deletes_to_the_start_of_the_line() {
    let mut a = app();
    a.open_conversation(ConversationId(1), Focus::Composer);
    a.update(Event::Paste("Dear guest,\nthe spa opens at 9".into()));
    ctrl(&mut a, 'u');
    assert_eq!(a.composer.text(), "Dear guest,\n");
}

#[test]
fn a_failed_poll_says_since_when() {
    use frontdesk::app::{Connection, POLL_LIMIT};
    let mut a = app();
    a.update(Event::Connection(Connection::Polling));
    a.open_conversation(ConversationId(1), Focus::Thread);
    let down = ApiError::new("GET", "/x", ErrorKind::NoConnection("refused".into()));
    a.update(Event::Refreshed {
        conversation: ConversationId(1),
        limit: POLL_LIMIT,
        result: Err(down),
    });
    assert_eq!(a.server_unreachable_since, Some(a.clock.now));
    a.update(Event::Refreshed {
        conversation: ConversationId(1),
        limit: POLL_LIMIT,
        result: Ok(vec![]),
    });
    assert_eq!(a.server_unreachable_since, None);
}

#[test]
fn another_staff_members_reply_is_kept_but_never_sent() {
    let mut a = app();
    let theirs = frontdesk::app::PendingReply {
        local_id: 3,
        conversation: ConversationId(2),
        text: "Written by the day desk".into(),
        reply_to: None,
        first_attempt: a.clock.now,
        after_id: None,
        staff_id: Some(StaffId(99)),
        attempted: true,
        state: ReplyState::Sending,
    };
    let cmds = a.restore_outbox(vec![theirs]);
    assert!(cmds.is_empty(), "{cmds:?}");
    assert!(a.pending.is_empty());
    // Still on disk with the next save.
    let Command::Effect(Effect::SaveOutbox(all)) = a.save_outbox() else {
        panic!()
    };
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].text, "Written by the day desk");
}

#[test]
fn ctrl_c_quits_from_every_popup() {
    use frontdesk::app::Overlay;
    let popups = [
        Overlay::Help(Help::default()),
        Overlay::Filter(Filter::default()),
        Overlay::RoomPrompt(RoomPrompt { text: "10".into() }),
        Overlay::Canned(CannedPicker::new(vec!["x".into()])),
        Overlay::Attach(Attach::default()),
        Overlay::SignIn(SignIn::new("Fiona", None)),
        Overlay::Confirm(Confirm::new(
            "Delete? y/n",
            frontdesk::app::Confirmed::Delete {
                message: MessageId(1),
                hard: false,
            },
        )),
    ];
    for popup in popups {
        let mut a = app();
        a.canned = vec!["x".into()];
        a.overlay = popup.clone();
        let cmds = ctrl(&mut a, 'c');
        assert!(a.quit, "Ctrl-C in {popup:?}");
        assert!(cmds.contains(&Command::Effect(Effect::Quit)));
    }
    // With unsent replies it asks; a second Ctrl-C is yes.
    let mut a = app();
    a.open_conversation(ConversationId(1), Focus::Composer);
    typed(&mut a, "Taxi at 6");
    key(&mut a, KeyCode::Enter);
    a.overlay = Overlay::Help(Help::default());
    ctrl(&mut a, 'c');
    assert!(!a.quit && matches!(a.overlay, Overlay::Confirm(_)));
    ctrl(&mut a, 'c');
    assert!(a.quit);
}

#[test]
fn canned_replies_fill_in_the_guest_room_and_staff_and_a_digit_inserts_one() {
    let mut a = app();
    a.canned = vec![
        "Good morning {first_name}!".into(),
        "Dear {guest}, room {room} is ready. {staff}, front desk".into(),
    ];
    a.open_conversation(ConversationId(2), Focus::Composer);
    ctrl(&mut a, 't');
    key(&mut a, KeyCode::Char('2'));
    assert!(!a.overlay.is_open());
    assert_eq!(
        a.composer.text(),
        "Dear Guest 2, room 102 is ready. Fiona, front desk"
    );
    // Type to narrow, then Enter.
    ctrl(&mut a, 't');
    typed(&mut a, "morn");
    key(&mut a, KeyCode::Enter);
    assert!(
        a.composer.text().ends_with("Good morning Guest!"),
        "{}",
        a.composer.text()
    );
}

/// A message at `minute` past 11:00 on the test day. `staff`: the author's staff id.
fn said(id: i64, conv: i64, sender: &str, staff: Option<i64>, name: &str, minute: u32) -> Message {
    serde_json::from_value(json!({
        "id": id, "conversation_id": conv, "sender_type": sender, "message": format!("m{id}"),
        "staff": staff, "staff_name": if staff.is_some() { json!(name) } else { json!(null) },
        "timestamp": format!("2026-11-24T11:{minute:02}:00Z"), "read_by_staff": true}))
    .unwrap()
}

fn live(a: &mut App, m: Message) -> Vec<Command> {
    a.update(Event::LiveMessage(Box::new(m)))
}

#[test]
fn unanswered_is_its_own_state_apart_from_unread() {
    use frontdesk::app::{Holder, Writer};
    let mut a = app();
    let c = ConversationId(1);
    // A guest writes twice: the wait starts at the first.
    live(&mut a, said(10, 1, "guest", None, "", 30));
    live(&mut a, said(11, 1, "guest", None, "", 40));
    let w = a.service.wait(c).expect("waiting");
    assert_eq!(
        w.since,
        Utc.with_ymd_and_hms(2026, 11, 24, 11, 30, 0).unwrap()
    );
    // Read is not answered: the guest still waits after the unread count is gone.
    a.conversations.get_mut(&c).unwrap().unread_count = 0;
    assert!(a.service.wait(c).is_some());
    // A system line changes nothing.
    live(&mut a, said(12, 1, "system", None, "", 41));
    assert!(a.service.wait(c).is_some());
    // A colleague answers: nobody waits, and the colleague holds it.
    live(&mut a, said(13, 1, "staff", Some(7), "Orla Quinn", 45));
    assert_eq!(a.service.wait(c), None);
    assert_eq!(
        a.service.last_writer(c),
        Some(&Writer::Colleague("Orla Quinn".into()))
    );
    assert_eq!(
        a.service.holder(c),
        Some(&Holder::Colleague("Orla Quinn".into()))
    );
    // The guest again: a new wait, from this message.
    live(&mut a, said(14, 1, "guest", None, "", 50));
    assert_eq!(
        a.service.wait(c).map(|w| w.since),
        Some(Utc.with_ymd_and_hms(2026, 11, 24, 11, 50, 0).unwrap())
    );
    // My reply from another device (the same staff id, seen live): answered, and mine.
    live(&mut a, said(15, 1, "staff", Some(1), "Fiona", 55));
    assert_eq!(a.service.wait(c), None);
    assert_eq!(a.service.holder(c), Some(&Holder::Me));
    assert_eq!(a.service.last_writer(c), Some(&Writer::Me));
}

#[test]
fn a_system_join_line_names_who_holds_the_conversation() {
    use frontdesk::app::Holder;
    let mut a = app();
    let mut m = said(20, 2, "system", None, "", 10);
    m.message = "Frank Manager has joined the conversation.".into();
    live(&mut a, m);
    assert_eq!(
        a.service.holder(ConversationId(2)),
        Some(&Holder::Colleague("Frank Manager".into()))
    );
    // Claiming it asks first, and only a yes claims.
    a.selected = Some(ConversationId(2));
    a.focus = Focus::List;
    a.me.capabilities.push("chat.conversation.assign".into());
    let cmds = key(&mut a, KeyCode::Char('c'));
    assert!(cmds.is_empty(), "{cmds:?}");
    assert!(
        matches!(&a.overlay, frontdesk::app::Overlay::Confirm(q) if q.question.contains("Frank Manager"))
    );
    let cmds = key(&mut a, KeyCode::Char('y'));
    assert_eq!(cmds, vec![Command::Job(Job::Claim(ConversationId(2)))]);
}

#[test]
fn n_serves_the_longest_waiting_guest_first_and_visits_each_once() {
    let mut a = app();
    // Room 103 has waited since 11:05, room 101 since 11:20, room 102 was answered.
    live(&mut a, said(30, 3, "guest", None, "", 5));
    live(&mut a, said(31, 1, "guest", None, "", 20));
    live(&mut a, said(32, 2, "guest", None, "", 1));
    live(&mut a, said(33, 2, "staff", Some(1), "Fiona", 2));
    let waiting: Vec<_> = a.waiting().into_iter().map(|(id, _)| id).collect();
    assert_eq!(waiting, [3, 1].map(ConversationId));
    key(&mut a, KeyCode::Char('n'));
    assert_eq!(a.open, Some(ConversationId(3)));
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('n'));
    assert_eq!(a.open, Some(ConversationId(1)));
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('n'));
    assert_eq!(
        a.open,
        Some(ConversationId(3)),
        "round again, in order of the waits"
    );
    // Waiting-first order puts them on top; activity order is back with the same key.
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.visible_order(), [3, 2, 1].map(ConversationId));
    key(&mut a, KeyCode::Char('w'));
    assert_eq!(a.visible_order(), [3, 1, 2].map(ConversationId));
    assert!(
        a.notice
            .as_ref()
            .unwrap()
            .text
            .contains("waiting guests first")
    );
    key(&mut a, KeyCode::Char('w'));
    assert_eq!(a.visible_order(), [3, 2, 1].map(ConversationId));
}

#[test]
fn crossing_the_urgent_threshold_notifies_once() {
    let mut a = app();
    live(&mut a, said(40, 1, "guest", None, "", 50));
    let notify = |cmds: &[Command]| {
        cmds.iter()
            .filter(|c| matches!(c, Command::Effect(Effect::Notify { title, .. }) if title.contains("has waited")))
            .count()
    };
    // 12:00: ten minutes, attention but not urgent.
    let at = |h: u32, m: u32| Utc.with_ymd_and_hms(2026, 11, 24, h, m, 0).unwrap();
    assert_eq!(notify(&a.update(Event::Tick(at(12, 1)))), 0);
    let w = a.service.wait(ConversationId(1)).unwrap();
    assert_eq!(
        a.service.pressure(&w, at(12, 1)),
        frontdesk::app::Pressure::Attention
    );
    // 12:06: sixteen minutes, urgent, said once.
    assert_eq!(notify(&a.update(Event::Tick(at(12, 6)))), 1);
    assert_eq!(notify(&a.update(Event::Tick(at(12, 10)))), 0);
    assert_eq!(notify(&a.update(Event::Tick(at(12, 20)))), 0);
}

#[test]
fn ctrl_n_sends_and_goes_on_to_the_next_waiting_guest() {
    let mut a = app();
    live(&mut a, said(50, 3, "guest", None, "", 5));
    live(&mut a, said(51, 1, "guest", None, "", 20));
    a.open_conversation(ConversationId(3), Focus::Composer);
    typed(&mut a, "On its way");
    let cmds = ctrl(&mut a, 'n');
    assert!(cmds.iter().any(|c| matches!(c, Command::Job(Job::SendReply { identity, .. }) if identity.text == "On its way")));
    assert_eq!(a.open, Some(ConversationId(1)));
    // Nothing typed: nothing sent, and the desk stays put.
    let cmds = ctrl(&mut a, 'n');
    assert!(
        !cmds
            .iter()
            .any(|c| matches!(c, Command::Job(Job::SendReply { .. })))
    );
    assert_eq!(a.open, Some(ConversationId(1)));
}

#[test]
fn the_waiting_list_kept_for_frames_follows_every_change() {
    let mut a = app();
    live(&mut a, said(60, 1, "guest", None, "", 30));
    a.remember_waiting();
    assert_eq!(a.waiting_summary().0, 1);
    // Kept, then a reply and another guest: the kept list is not what is shown.
    live(&mut a, said(61, 1, "staff", Some(7), "Orla Quinn", 31));
    live(&mut a, said(62, 2, "guest", None, "", 32));
    let ids: Vec<_> = a.waiting().into_iter().map(|(id, _)| id).collect();
    assert_eq!(ids, [ConversationId(2)]);
    a.remember_waiting();
    assert_eq!(a.waiting_summary().0, 1);
    assert_eq!(
        a.waiting_summary().1.map(|w| w.since),
        Some(Utc.with_ymd_and_hms(2026, 11, 24, 11, 32, 0).unwrap())
    );
}

#[test]
fn a_thread_opened_again_starts_with_nothing_selected() {
    let mut a = app_with_thread(1, 5);
    a.focus = Focus::Thread;
    key(&mut a, KeyCode::Char('k'));
    key(&mut a, KeyCode::Char('k'));
    assert_eq!(a.threads[&ConversationId(1)].selected, Some(MessageId(4)));
    a.open_conversation(ConversationId(2), Focus::Thread);
    a.open_conversation(ConversationId(1), Focus::Thread);
    assert_eq!(a.threads[&ConversationId(1)].selected, None);
    // The first k selects the newest, as the README says.
    a.focus = Focus::Thread;
    key(&mut a, KeyCode::Char('k'));
    assert_eq!(a.threads[&ConversationId(1)].selected, Some(MessageId(5)));
}

#[test]
fn rows_that_move_above_the_window_are_pointed_to_and_a_taller_window_shows_them() {
    let me = Me {
        staff_id: StaffId(1),
        name: "Fiona".into(),
        hotel_name: "Hotel Killarney".into(),
        capabilities: vec!["chat.conversation.read".into()],
    };
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap();
    let clock = Clock {
        now,
        offset: FixedOffset::east_opt(0).unwrap(),
    };
    let mut a = App::new(me, clock, (100, 20));
    let convs: Vec<Conversation> = (1..=30)
        .map(|i| {
            serde_json::from_value(json!({"id": i, "room_number": 100 + i,
            "last_message": "hi", "last_message_time": now - chrono::Duration::minutes(i)}))
            .unwrap()
        })
        .collect();
    a.update(Event::ConversationsLoaded(Ok(convs)));
    key(&mut a, KeyCode::Char('G'));
    let (above, below) = a.rows_out_of_sight();
    assert!(above > 0 && below == 0, "{above} {below}");
    // A guest writes in a conversation near the bottom: it moves to the top, out of sight.
    a.update(Event::GuestWrote {
        conversation: ConversationId(29),
        message_id: MessageId(900),
        preview: Some("hello?".into()),
        at: Some(now),
        booking: None,
    });
    assert_eq!(a.order[0], ConversationId(29));
    let screen = {
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 20)).unwrap();
        t.draw(|f| {
            frontdesk::ui::render(f, &a, &frontdesk::ui::Theme::plain());
        })
        .unwrap();
        format!("{:?}", t.backend().buffer())
    };
    assert!(
        screen.contains(&format!("↑ {} above", a.rows_out_of_sight().0)),
        "{screen}"
    );
    // The selection stayed in sight.
    let pos = a.order.iter().position(|c| Some(*c) == a.selected).unwrap();
    assert!(pos >= a.list_offset);
    // A taller window shows the rows above rather than blank rows below.
    a.update(Event::Resize(100, 80));
    assert_eq!(a.rows_out_of_sight(), (0, 0));
    assert_eq!(a.list_offset, 0);
}
