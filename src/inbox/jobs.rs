//! Commands that are jobs: each runs as an async task (HTTP, a timer) and reports back with
//! an `Event`. Commands that touch the terminal or the disk are effects, handed back to the
//! caller (the inbox loop, or a test harness) to run.

use std::time::Duration;

use tokio::sync::mpsc;

use crate::api::{ApiError, Message, StaffApi, UploadFile};
use crate::app::{Command, Effect, Event, Job, Me, REFRESH_LIMIT};
use crate::model::{ConversationId, MessageId, StaffId};

/// How a job reports back to the app.
type Report = std::sync::Arc<dyn Fn(Event) + Send + Sync>;

/// Signs in again with the same username; on success the API uses the new token everywhere
/// and the saved session is updated.
pub(super) async fn sign_in_again(
    api: StaffApi,
    username: String,
    password: String,
    save: Option<(crate::store::SessionStore, crate::store::Session)>,
) -> Result<(), String> {
    let server = api.config().server.clone();
    let login = crate::api::login(&server, &username, &password)
        .await
        .map_err(|e| match e.kind {
            crate::api::ErrorKind::Unauthorised(_) => "Wrong password".to_string(),
            _ => e.summary(),
        })?;
    if login.hotel_slug != api.config().hotel {
        return Err(format!("{username} now belongs to {}", login.hotel_slug));
    }
    api.set_token(&login.token);
    if let Some((store, mut session)) = save {
        session.token = login.token.clone();
        session.capabilities = login.allowed_capabilities.clone();
        tokio::task::spawn_blocking(move || store.save(&session))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("signed in, but the session was not saved: {e}"))?;
    }
    Ok(())
}

/// Runs one command as an async job; its result comes back on `tx`. `live` is the realtime
/// link, told what to follow.
pub fn execute(
    api: &StaffApi,
    me: &Me,
    cmd: Command,
    tx: &mpsc::UnboundedSender<Event>,
    live: Option<&crate::live::Control>,
) -> Option<Effect> {
    let api = api.clone();
    let tx = tx.clone();
    let my_name = me.name.clone();
    let staff_id = me.staff_id;
    let send: Report = std::sync::Arc::new(move |e: Event| {
        // The loop has ended: nobody to tell.
        let _ = tx.send(e);
    });
    let job = match cmd {
        // Terminal and disk: the caller's to run.
        Command::Effect(effect) => return Some(effect),
        Command::Job(job) => job,
    };
    match job {
        Job::LoadConversations
        | Job::LoadPage { .. }
        | Job::Refresh { .. }
        | Job::LoadUnreadCounts
        | Job::ReadBack { .. }
        | Job::RefreshSoon(..)
        | Job::FromRoom(..) => reads(api, job, send),
        Job::SendReply { .. } | Job::Upload { .. } => sends(api, staff_id, job, send),
        Job::LoadColleagues
        | Job::HandOff { .. }
        | Job::ReadTeamThread { .. }
        | Job::FindHandOffs
        | Job::LoadTeamThreads
        | Job::LoadTeamPage { .. }
        | Job::TeamReply { .. }
        | Job::MarkTeamRead(..)
        | Job::ReadDeskLog { .. }
        | Job::WriteDeskLog { .. }
        | Job::LoadTeamUnread => staff_chat(api, staff_id, job, send),
        Job::EditMessage { .. }
        | Job::DeleteMessage { .. }
        | Job::DeleteAttachment { .. }
        | Job::MarkRead(..)
        | Job::Claim(..) => changes(api, my_name, job, send),
        Job::CompletePath(..)
        | Job::MarkSoon(..)
        | Job::RetryListIn(..)
        | Job::WatchIn(..)
        | Job::CheckSoon { .. } => later(api, job, send),
        Job::Watch {
            conversations,
            bookings,
        } => {
            if let Some(live) = live {
                live.watch(conversations, bookings);
            }
        }
        Job::WatchTeam(threads) => {
            if let Some(live) = live {
                live.watch_team(threads);
            }
        }
    }
    None
}

/// Staff chat: colleagues, hand-offs and their answers.
fn staff_chat(api: StaffApi, me: StaffId, job: Job, send: Report) {
    match job {
        Job::LoadColleagues => {
            tokio::spawn(async move { send(Event::ColleaguesLoaded(api.colleagues("").await)) });
        }
        Job::HandOff {
            guest_conversation,
            to,
            text,
        } => {
            tokio::spawn(async move {
                let result = async {
                    let thread = api.team_thread_with(me, &to.people, &to.label).await?;
                    let sent = api.team_send(thread.id, &text, None).await?;
                    Ok((thread.id, sent))
                }
                .await;
                send(Event::HandedOff {
                    guest_conversation,
                    to,
                    result,
                });
            });
        }
        Job::FindHandOffs => {
            tokio::spawn(async move {
                let result = api
                    .team_threads_with_messages(crate::app::ANSWER_PAGE)
                    .await;
                send(Event::HandOffsFound(result));
            });
        }
        Job::LoadTeamThreads => {
            tokio::spawn(async move {
                let result = async { Ok((api.team_threads().await?, api.team_unread().await?)) };
                send(Event::TeamThreadsLoaded(result.await));
            });
        }
        Job::LoadTeamPage { thread, before } => {
            tokio::spawn(async move {
                let result = api
                    .team_messages(thread, crate::app::TEAM_PAGE, before)
                    .await;
                send(Event::TeamPageLoaded { thread, result });
            });
        }
        Job::TeamReply {
            thread,
            text,
            reply_to,
        } => {
            tokio::spawn(async move {
                let result = api.team_send(thread, &text, reply_to).await;
                send(Event::TeamReplied { thread, result });
            });
        }
        Job::MarkTeamRead(thread) => {
            tokio::spawn(async move {
                if let Err(e) = api.team_mark_read(thread).await {
                    tracing::info!("marking staff conversation {thread} read: {e}");
                }
                send(Event::TeamUnreadLoaded(api.team_unread().await));
            });
        }
        Job::LoadTeamUnread => {
            tokio::spawn(async move { send(Event::TeamUnreadLoaded(api.team_unread().await)) });
        }
        Job::ReadDeskLog { known } => {
            tokio::spawn(async move {
                let result = api.desk_log_threads(&known, crate::app::LOG_PAGE).await;
                send(Event::DeskLogRead(result));
            });
        }
        Job::WriteDeskLog {
            thread,
            department,
            text,
        } => {
            tokio::spawn(async move {
                let result = api
                    .write_desk_log(me, thread, department.as_deref(), &text)
                    .await;
                send(Event::DeskLogWritten { text, result });
            });
        }
        Job::ReadTeamThread { thread } => {
            tokio::spawn(async move {
                let result = api
                    .team_messages(thread, crate::app::ANSWER_PAGE, None)
                    .await;
                send(Event::TeamPageLoaded { thread, result });
            });
        }
        _ => {}
    }
}

/// Reads of the server.
fn reads(api: StaffApi, job: Job, send: Report) {
    match job {
        Job::LoadConversations => {
            tokio::spawn(async move {
                let result = api.conversation_rows().await;
                send(Event::ConversationsLoaded(counted(
                    result,
                    "conversation",
                    &*send,
                )));
            });
        }
        Job::LoadPage {
            conversation,
            before,
            limit,
        } => {
            tokio::spawn(async move {
                let result = api.message_rows(conversation, limit, before).await;
                let result = counted(result, "message", &*send);
                send(Event::PageLoaded {
                    conversation,
                    limit,
                    result,
                });
            });
        }
        Job::Refresh {
            conversation,
            limit,
        } => {
            tokio::spawn(async move {
                let result = api.message_rows(conversation, limit, None).await;
                let result = counted(result, "message", &*send);
                send(Event::Refreshed {
                    conversation,
                    limit,
                    result,
                });
            });
        }
        Job::LoadUnreadCounts => {
            tokio::spawn(async move { send(Event::UnreadCounts(api.unread_counts().await)) });
        }
        Job::ReadBack {
            conversation,
            before,
            limit,
        } => {
            tokio::spawn(async move {
                let result = api.messages(conversation, limit, Some(before)).await;
                send(Event::ReadBack {
                    conversation,
                    limit,
                    result,
                });
            });
        }
        Job::RefreshSoon(conversation) => {
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let result = api.message_rows(conversation, REFRESH_LIMIT, None).await;
                let result = counted(result, "message", &*send);
                send(Event::Refreshed {
                    conversation,
                    limit: REFRESH_LIMIT,
                    result,
                });
            });
        }
        Job::FromRoom(room) => {
            tokio::spawn(async move {
                let result = api.from_room(room).await;
                send(Event::RoomOpened { room, result });
            });
        }
        _ => {}
    }
}

/// Sends and uploads, each settled by reading back when the answer proves nothing.
fn sends(api: StaffApi, staff_id: StaffId, job: Job, send: Report) {
    match job {
        Job::SendReply {
            local_id,
            conversation,
            reply_to,
            identity,
            check_first,
        } => {
            tokio::spawn(async move {
                let result = api
                    .deliver(conversation, reply_to, &identity, check_first)
                    .await;
                send(Event::ReplySent { local_id, result });
            });
        }
        Job::Upload {
            conversation,
            files,
            text,
            reply_to,
            after_id,
        } => {
            tokio::spawn(async move {
                let paths = files.clone();
                let files = match load_all(files).await {
                    Ok(files) => files,
                    Err((kept, refused)) => {
                        send(Event::UploadRefused {
                            conversation,
                            kept,
                            refused,
                        });
                        return;
                    }
                };
                let progress_tx = send.clone();
                let progress =
                    move |sent, total| progress_tx(Event::UploadProgress { sent, total });
                let names: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
                let result = match api
                    .upload_with_progress(conversation, &files, Some(&text), reply_to, progress)
                    .await
                {
                    Ok(r) => Ok(r),
                    // A failed upload can still leave its message (contract 4.5).
                    Err(e) if e.outcome_unknown() => {
                        find_upload(&api, conversation, staff_id, after_id, &names)
                            .await
                            .ok_or_else(|| e.summary())
                    }
                    Err(e) => Err(e.summary()),
                };
                // A failed upload can still leave its message, without the files (4.5).
                let left = match &result {
                    Err(_) => find_left_behind(&api, conversation, staff_id, after_id, &text).await,
                    Ok(_) => None,
                };
                send(Event::Uploaded {
                    conversation,
                    result,
                });
                if let Some(message) = left {
                    send(Event::UploadLeftMessage {
                        conversation,
                        message: Box::new(message),
                        files: paths,
                    });
                }
            });
        }
        _ => {}
    }
}

/// Changes on the server (edits, deletes, read marks, claims), each settled by reading back.
fn changes(api: StaffApi, my_name: String, job: Job, send: Report) {
    match job {
        Job::EditMessage {
            conversation,
            message,
            text,
        } => {
            tokio::spawn(async move {
                let first = api.update_message(message, &text).await.map(|_| ());
                let result = read_back(&api, conversation, message, first, |m| {
                    m.is_some_and(|m| m.message.trim() == text.trim())
                })
                .await;
                send(Event::Edited {
                    message,
                    text,
                    result,
                });
            });
        }
        Job::DeleteMessage {
            conversation,
            message,
            hard,
        } => {
            tokio::spawn(async move {
                let first = api.delete_message(message, hard).await.map(|_| ());
                let result = read_back(&api, conversation, message, first, |m| match m {
                    None => true,
                    Some(m) => m.is_deleted && !hard,
                })
                .await;
                send(Event::Deleted {
                    message,
                    hard,
                    result,
                });
            });
        }
        Job::DeleteAttachment {
            conversation,
            message,
            attachment,
        } => {
            tokio::spawn(async move {
                let first = api.delete_attachment(attachment).await.map(|_| ());
                let result = read_back(&api, conversation, message, first, |m| {
                    m.is_some_and(|m| m.attachments.iter().all(|a| a.id != attachment))
                })
                .await;
                send(Event::AttachmentDeleted {
                    message,
                    attachment,
                    result,
                });
            });
        }
        Job::MarkRead(conversation) => {
            tokio::spawn(async move {
                let result = api.mark_read(conversation).await;
                send(Event::MarkedRead {
                    conversation,
                    result,
                });
            });
        }
        Job::Claim(conversation) => {
            tokio::spawn(async move {
                let result = api.claim_settled(conversation, &my_name).await;
                send(Event::Claimed {
                    conversation,
                    result,
                });
            });
        }
        _ => {}
    }
}

/// Timers and the file system.
/// A change the server may have saved before failing (contract 4.2): when the outcome is
/// unknown, the message read back decides. A failed read keeps the first error.
async fn read_back(
    api: &StaffApi,
    conversation: ConversationId,
    message: MessageId,
    first: Result<(), ApiError>,
    done: impl Fn(Option<&Message>) -> bool,
) -> Result<(), ApiError> {
    match first {
        Err(e) if e.outcome_unknown() => match api.message_by_id(conversation, message).await {
            Ok(found) if done(found.as_ref()) => Ok(()),
            _ => Err(e),
        },
        other => other,
    }
}

/// The files that passed, and each refused file with its reason.
type Refused = (Vec<String>, Vec<(String, String)>);

/// Reads every file against the limits before any leaves: one refused file stops the batch,
/// and the good ones go back to the prompt (the `Err`'s first list) with the others' reasons.
async fn load_all(files: Vec<String>) -> Result<Vec<UploadFile>, Refused> {
    let checked = tokio::task::spawn_blocking(move || {
        files
            .into_iter()
            .map(|f| {
                let r = crate::files::load(&f);
                (f, r)
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap_or_default();
    let mut loaded = Vec::new();
    let mut kept = Vec::new();
    let mut refused = Vec::new();
    for (name, result) in checked {
        match result {
            Ok(file) => {
                kept.push(name);
                loaded.push(file);
            }
            Err(why) => refused.push((name, why)),
        }
    }
    if refused.is_empty() {
        Ok(loaded)
    } else {
        Err((kept, refused))
    }
}

fn later(api: StaffApi, job: Job, send: Report) {
    match job {
        Job::WatchIn(ms) => {
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                send(Event::Watch(super::server_now(&api)));
            });
        }
        Job::CompletePath(input) => {
            tokio::spawn(async move {
                let probe = input.clone();
                if let Ok((completed, choices)) =
                    tokio::task::spawn_blocking(move || crate::files::complete(&probe)).await
                {
                    send(Event::PathCompleted {
                        input,
                        completed,
                        choices,
                    });
                }
            });
        }
        Job::MarkSoon(conversation) => {
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs(3)).await;
                send(Event::MarkDue(conversation));
            });
        }
        Job::RetryListIn(secs) => {
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs(secs)).await;
                send(Event::RetryList);
            });
        }
        Job::CheckSoon { conversation } => {
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(400)).await;
                send(Event::CheckDue { conversation });
            });
        }
        _ => {}
    }
}

/// The rows that could be read; the others are counted to the app, which says so.
pub(super) fn counted<T>(
    result: Result<crate::api::client::Rows<T>, crate::api::ApiError>,
    what: &'static str,
    send: &dyn Fn(Event),
) -> Result<Vec<T>, crate::api::ApiError> {
    result.map(|rows| {
        if rows.skipped > 0 {
            send(Event::Unreadable {
                what,
                count: rows.skipped,
            });
        }
        rows.items
    })
}

/// An upload whose answer proved nothing, looked for in the thread: our newest message
/// after `after_id` carrying every file, by name.
/// After a failed upload: my message newer than `after_id` holding the typed text (or the
/// deployment's "[File shared]") and no files, if the server kept one.
async fn find_left_behind(
    api: &StaffApi,
    conversation: crate::api::ConversationId,
    staff_id: StaffId,
    after_id: Option<crate::api::MessageId>,
    text: &str,
) -> Option<Message> {
    let typed = text.trim();
    let recent = api.messages(conversation, 10, None).await.ok()?;
    recent.into_iter().rev().find(|m| {
        m.staff == Some(staff_id)
            && after_id.is_none_or(|a| m.id > a)
            && m.attachments.is_empty()
            && (m.message.trim() == typed
                || (typed.is_empty() && m.message.trim() == "[File shared]"))
    })
}

pub(super) async fn find_upload(
    api: &StaffApi,
    conversation: crate::api::ConversationId,
    staff_id: StaffId,
    after_id: Option<crate::api::MessageId>,
    names: &[String],
) -> Option<crate::api::UploadResult> {
    let recent = api.messages(conversation, 30, None).await.ok()?;
    let m = recent.into_iter().rev().find(|m| {
        m.staff == Some(staff_id)
            && after_id.is_none_or(|a| m.id > a)
            && names
                .iter()
                .all(|n| m.attachments.iter().any(|a| &a.file_name == n))
    })?;
    tracing::info!(
        "upload to {conversation}: the answer failed, but message {} holds the files",
        m.id
    );
    Some(crate::api::UploadResult {
        attachments: m.attachments.clone(),
        message: m,
        success: true,
    })
}
