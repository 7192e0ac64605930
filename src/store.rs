//! What frontdesk keeps on disk: drafts (and, later, the outbox). Written atomically
//! (temp file, fsync, rename), so a crash or `kill -9` leaves the old or the new file, never half.
//! A file that cannot be read is moved aside and reported, never silently emptied.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::api::ConversationId;
use crate::app::Draft;

pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("state"),
        std::process::id()
    ));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    // The rename itself is durable only once the directory is synced.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[derive(Debug)]
pub struct Loaded<T> {
    pub value: T,
    /// Set when the file was unreadable and moved aside: say so on screen.
    pub warning: Option<String>,
}

/// Moves an unreadable file aside as `NAME.corrupt-UNIXTIME` and says where.
fn quarantine(path: &Path, why: &str) -> String {
    let stamp = chrono::Utc::now().timestamp();
    let aside = path.with_extension(format!("corrupt-{stamp}"));
    match std::fs::rename(path, &aside) {
        Ok(()) => format!(
            "{} could not be read ({why}); moved aside to {}",
            path.display(),
            aside.display()
        ),
        Err(e) => format!(
            "{} could not be read ({why}) nor moved aside ({e})",
            path.display()
        ),
    }
}

pub struct DraftStore {
    path: PathBuf,
}

impl DraftStore {
    pub fn new(data_dir: &Path) -> Self {
        Self {
            path: data_dir.join("drafts.json"),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn load(&self) -> Loaded<HashMap<ConversationId, Draft>> {
        let bytes = match std::fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Loaded {
                    value: HashMap::new(),
                    warning: None,
                };
            }
            Err(e) => {
                return Loaded {
                    value: HashMap::new(),
                    warning: Some(format!("{}: {e}", self.path.display())),
                };
            }
        };
        match serde_json::from_slice::<Vec<(ConversationId, Draft)>>(&bytes) {
            Ok(list) => Loaded {
                value: list.into_iter().collect(),
                warning: None,
            },
            Err(e) => Loaded {
                value: HashMap::new(),
                warning: Some(quarantine(&self.path, &e.to_string())),
            },
        }
    }

    pub fn save(&self, drafts: &[(ConversationId, Draft)]) -> std::io::Result<()> {
        let bytes = serde_json::to_vec_pretty(drafts).map_err(std::io::Error::other)?;
        write_atomic(&self.path, &bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let store = DraftStore::new(dir.path());
        assert!(store.load().value.is_empty());
        let d = Draft {
            text: "Towels on the way ☘️".into(),
            reply_to: Some(7),
        };
        store.save(&[(3, d.clone())]).unwrap();
        let loaded = store.load();
        assert_eq!(loaded.value.get(&3), Some(&d));
        assert!(loaded.warning.is_none());
    }

    #[test]
    fn corrupt_file_is_moved_aside_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        let store = DraftStore::new(dir.path());
        std::fs::write(store.path(), b"[[1, {\"text\": \"half").unwrap();
        let loaded = store.load();
        assert!(loaded.value.is_empty());
        let warning = loaded.warning.unwrap();
        assert!(warning.contains("moved aside"), "{warning}");
        assert!(!store.path().exists());
        let kept: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(kept.len(), 1, "the corrupt copy is kept for the admin");
    }
}
