//! The desk's history at run time: opened before the first frame (the kept list is drawn at
//! once), fed with every answer from the server, asked by the app's effects, purged at start
//! and daily, and filled in the background by the backfill.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use crate::api::StaffApi;
use crate::app::{App, Effect, Event};
use crate::history::{History, Keep, Keeper, SqliteHistory};

/// How the backfill reads: pages of `page` messages, `pace` apart (the cheap call of the
/// polling budget, contract 4.13), and when it has nothing to do or the server cannot be
/// read, it looks again after `idle`.
#[derive(Debug, Clone, Copy)]
pub struct BackfillPace {
    pub page: u32,
    pub pace: Duration,
    pub idle: Duration,
}

impl Default for BackfillPace {
    fn default() -> Self {
        BackfillPace {
            page: 50,
            pace: Duration::from_secs(2),
            idle: Duration::from_secs(300),
        }
    }
}

pub(super) struct DeskHistory {
    keeper: Keeper,
    retention: chrono::Duration,
    backfill: Option<tokio::task::JoinHandle<()>>,
    /// Wakes an idle backfill: a new list may name conversations to read back.
    list_kept: std::sync::Arc<tokio::sync::Notify>,
}

impl DeskHistory {
    /// Opens the history in `data_dir` and shows what it keeps. None when no history is kept
    /// (`retention_days = 0`) or it cannot be opened (said in `warnings`).
    pub(super) fn open(
        data_dir: &Path,
        retention_days: u32,
        app: &mut App,
        tx: &mpsc::UnboundedSender<Event>,
        warnings: &mut Vec<String>,
    ) -> Option<DeskHistory> {
        if retention_days == 0 {
            return None;
        }
        let path = crate::history::path_in(data_dir);
        let retention = chrono::Duration::days(retention_days.into());
        let keeper = if path.exists() {
            // Something is kept: open it now, and draw it in the first frame.
            let (store, said) = match SqliteHistory::open(&path) {
                Ok(opened) => opened,
                Err(e) => {
                    warnings.push(format!(
                        "The desk's history cannot be kept ({e}); the inbox works without it"
                    ));
                    return None;
                }
            };
            warnings.extend(said);
            match store.list(crate::app::kept_since(app.clock.now, retention_days)) {
                Ok(kept) => app.show_kept(kept),
                Err(e) => warnings.push(e.0),
            }
            Keeper::spawn(Box::new(store))
        } else {
            // Nothing kept yet: the new file is made on the store's thread, after the first
            // frame.
            Keeper::spawn_opening(move || {
                SqliteHistory::open(&path)
                    .map(|(s, said)| (Box::new(s) as Box<dyn History>, said))
                    .map_err(|e| {
                        format!(
                            "The desk's history cannot be kept ({e}); the inbox works without it"
                        )
                    })
            })
        };
        app.kept.available = true;
        let desk = DeskHistory {
            keeper,
            retention,
            backfill: None,
            list_kept: Default::default(),
        };
        desk.purge(app.clock.now);
        let (report, now) = (tx.clone(), app.clock.now);
        desk.keeper.run(move |h| {
            if let Some(recent) = crate::app::recent_of(h, now) {
                let _ = report.send(recent);
            }
        });
        desk.say_counts(tx);
        Some(desk)
    }

    /// What an answer from the server gives to keep.
    pub(super) fn observe(&self, event: &Event, now: DateTime<Utc>) {
        if let Some(keep) = crate::app::keep_of(event, now) {
            let list = matches!(keep, Keep::List { .. });
            self.keeper.keep(keep);
            if list {
                self.list_kept.notify_one();
            }
        }
    }

    /// Removes what is older than the retention period.
    pub(super) fn purge(&self, now: DateTime<Utc>) {
        let cutoff = now - self.retention;
        self.keeper.run(move |h| match h.purge_before(cutoff) {
            Ok(r) if r.messages + r.conversations > 0 => tracing::info!(
                "history: removed {} messages and {} conversations older than {cutoff}",
                r.messages,
                r.conversations
            ),
            Ok(_) => {}
            Err(e) => tracing::error!("history purge: {e}"),
        });
    }

    /// The app's questions to the store; the answers come back as events.
    pub(super) fn ask(&self, effect: Effect, tx: &mpsc::UnboundedSender<Event>) {
        let tx = tx.clone();
        let days = self.retention.num_days();
        self.keeper.run(move |h| {
            if let Some(answer) = crate::app::answer(effect, h, days) {
                let _ = tx.send(answer);
            }
        });
    }

    fn say_counts(&self, tx: &mpsc::UnboundedSender<Event>) {
        self.ask(Effect::CountKept, tx);
    }

    /// Starts reading back the history of active conversations, paced.
    pub(super) fn start_backfill(
        &mut self,
        api: StaffApi,
        tx: mpsc::UnboundedSender<Event>,
        now: DateTime<Utc>,
    ) {
        if self.backfill.is_none() {
            let since = now - self.retention;
            self.backfill = Some(tokio::spawn(backfill(
                api,
                self.keeper.clone(),
                tx,
                since,
                BackfillPace::default(),
                self.list_kept.clone(),
            )));
        }
    }

    pub(super) fn take_trouble(&self) -> Option<String> {
        self.keeper.take_trouble()
    }

    /// Stops the backfill and lets what is being kept reach the disk.
    pub(super) fn close(mut self) {
        if let Some(b) = self.backfill.take() {
            b.abort();
        }
        self.keeper.finish(Duration::from_secs(3));
    }
}

/// Asks the store a question on its thread and waits for the answer.
async fn ask<T: Send + 'static>(
    keeper: &Keeper,
    question: impl FnOnce(&mut dyn History) -> T + Send + 'static,
) -> Option<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    keeper.run(move |h| {
        let _ = tx.send(question(h));
    });
    rx.await.ok()
}

/// Pages back through the active conversations, newest activity first, until each is kept
/// back to its first message or to the retention limit. One page at a time, paced; when the
/// server cannot be read it waits, and it reports its progress.
pub async fn backfill(
    api: StaffApi,
    keeper: Keeper,
    tx: mpsc::UnboundedSender<Event>,
    since: DateTime<Utc>,
    pace: BackfillPace,
    list_kept: std::sync::Arc<tokio::sync::Notify>,
) {
    let idle = || async {
        tokio::select! {
            _ = tokio::time::sleep(pace.idle) => {}
            _ = list_kept.notified() => {}
        }
    };
    loop {
        let Some(Ok((gap, open, active))) = ask(&keeper, move |h| h.next_gap(since)).await else {
            return;
        };
        let _ = tx.send(Event::Backfill(Some((open, active))));
        let Some(gap) = gap else {
            let _ = tx.send(Event::Backfill(None));
            idle().await;
            continue;
        };
        match api.messages(gap.conversation, pace.page, gap.before).await {
            Ok(page) => {
                // Past the retention limit is as far as the history goes.
                let beyond = page.first().is_some_and(|m| m.timestamp < since);
                let short = (page.len() as u32) < pace.page;
                let messages: Vec<_> = page.into_iter().filter(|m| m.timestamp >= since).collect();
                keeper.keep(Keep::Messages {
                    conversation: gap.conversation,
                    messages,
                    reached_start: short || beyond,
                });
                tokio::time::sleep(pace.pace).await;
            }
            Err(e) if e.unreachable() => {
                tracing::info!("history backfill paused: {e}");
                idle().await;
            }
            // The server answered with an error for this conversation: go on to the next
            // rather than ask again and again.
            Err(e) => {
                tracing::warn!(
                    "history backfill of {}: {e}; left as it is",
                    gap.conversation
                );
                keeper.keep(Keep::Messages {
                    conversation: gap.conversation,
                    messages: vec![],
                    reached_start: true,
                });
                tokio::time::sleep(pace.pace).await;
            }
        }
    }
}
