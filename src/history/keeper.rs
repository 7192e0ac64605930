//! One thread owns the store: the inbox loop and the backfill hand it work and never wait on
//! the disk. Work is done in the order it was given, so a search sees what was kept before it.

use std::sync::{Arc, Mutex, mpsc};

use chrono::{DateTime, Utc};

use super::History;
use crate::api::{Conversation, ConversationId, Message, MessageId};

type Work = Box<dyn FnOnce(&mut dyn History) + Send>;

/// What the server told the desk that is worth keeping.
#[derive(Debug, Clone, PartialEq)]
pub enum Keep {
    List {
        conversations: Vec<Conversation>,
        at: DateTime<Utc>,
    },
    Messages {
        conversation: ConversationId,
        messages: Vec<Message>,
        reached_start: bool,
    },
    Removed(MessageId),
}

impl Keep {
    pub fn apply(self, h: &mut dyn History) -> super::Result<()> {
        match self {
            Keep::List { conversations, at } => h.keep_list(&conversations, at),
            Keep::Messages {
                conversation,
                messages,
                reached_start,
            } => h.keep_messages(conversation, &messages, reached_start),
            Keep::Removed(id) => h.remove_message(id),
        }
    }
}

/// The store's thread. Cloning gives another handle to the same thread; the thread ends
/// when the last handle is dropped, after the work already given.
#[derive(Clone)]
pub struct Keeper {
    tx: mpsc::Sender<Work>,
    trouble: Arc<Mutex<Option<String>>>,
    done: Arc<Mutex<Option<std::thread::JoinHandle<()>>>>,
}

impl Keeper {
    pub fn spawn(history: Box<dyn History>) -> Keeper {
        Keeper::spawn_opening(move || Ok((history, None)))
    }

    /// Opens the store on its own thread (making a new file costs more than a frame), then
    /// runs the work given. A store that cannot be opened is said once, and the work given
    /// is dropped; what it would have said moved aside is said too.
    pub fn spawn_opening(
        open: impl FnOnce() -> Result<(Box<dyn History>, Option<String>), String> + Send + 'static,
    ) -> Keeper {
        let (tx, rx) = mpsc::channel::<Work>();
        let trouble: Arc<Mutex<Option<String>>> = Arc::default();
        let said = trouble.clone();
        let join = std::thread::Builder::new()
            .name("history".into())
            .spawn(move || {
                let say = |why: String| note(&said, why);
                match open() {
                    Ok((mut history, moved)) => {
                        if let Some(m) = moved {
                            say(m);
                        }
                        for work in rx {
                            work(history.as_mut());
                        }
                    }
                    Err(why) => {
                        say(why);
                        // Nothing to do the work with: let it go as it comes.
                        for _ in rx {}
                    }
                }
            })
            .ok();
        Keeper {
            tx,
            trouble,
            done: Arc::new(Mutex::new(join)),
        }
    }

    /// Runs `work` on the store's thread.
    pub fn run(&self, work: impl FnOnce(&mut dyn History) + Send + 'static) {
        if self.tx.send(Box::new(work)).is_err() {
            self.say("the history store's thread has stopped".into());
        }
    }

    /// Keeps what the server sent; a failure is logged and said once.
    pub fn keep(&self, keep: Keep) {
        let trouble = self.trouble.clone();
        self.run(move |h| {
            if let Err(e) = keep.apply(h) {
                note(&trouble, e.0);
            }
        });
    }

    fn say(&self, why: String) {
        note(&self.trouble, why);
    }

    /// A failure not yet said on screen.
    pub fn take_trouble(&self) -> Option<String> {
        self.trouble.lock().ok().and_then(|mut t| t.take())
    }

    /// Waits (a bounded time) for the work already given, so what was kept reaches the disk
    /// before the process ends.
    pub fn finish(self, within: std::time::Duration) {
        let join = self.done.lock().ok().and_then(|mut j| j.take());
        drop(self.tx);
        if let Some(join) = join {
            let start = std::time::Instant::now();
            while !join.is_finished() && start.elapsed() < within {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            if join.is_finished() {
                let _ = join.join();
            } else {
                tracing::warn!("the history store was still writing at exit");
            }
        }
    }
}

/// Logs a failure, and keeps the first not yet said on screen.
fn note(trouble: &Mutex<Option<String>>, why: String) {
    tracing::error!("{why}");
    if let Ok(mut t) = trouble.lock() {
        t.get_or_insert(why);
    }
}
