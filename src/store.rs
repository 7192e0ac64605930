//! What frontdesk keeps on disk: drafts, the outbox of unconfirmed replies, the session. Written atomically
//! (temp file, fsync, rename), so a crash or `kill -9` leaves the old or the new file, never half.
//! A file that cannot be read is moved aside and reported, never silently emptied.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::model::{ConversationId, Draft, PendingReply, StaffId};

/// Writes a state file: owner-only (it holds guest and staff text, or a token), through a
/// temp file of its own (a unique name, so two writers never share one), fsync, rename. A
/// failed write removes its temp file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    private_dir(dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("state");
    // tempfile creates it 0600 and deletes it on drop unless it is persisted.
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    // The rename itself is durable only once the directory is synced.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Whether state can be kept in `dir`: made (owner-only) and written, checked with a file of
/// its own that is removed at once.
pub fn check_writable(dir: &Path) -> std::io::Result<()> {
    private_dir(dir)?;
    let mut probe = tempfile::Builder::new()
        .prefix(".frontdesk-probe.")
        .tempfile_in(dir)?;
    probe.write_all(b"ok")?;
    probe.as_file().sync_all()
}

/// Creates the directory owner-only (0700), and narrows it if others could look in.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        let mode = std::fs::metadata(dir)?.permissions().mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
        Ok(())
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)
}

#[derive(Debug)]
pub struct Loaded<T> {
    pub value: T,
    /// Set when the file was unreadable and moved aside: say so on screen.
    pub warning: Option<String>,
}

/// Moves an unreadable file aside as `NAME.corrupt-UNIXTIME` and says where.
pub fn move_aside(path: &Path, why: &str) -> String {
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

/// One JSON state file: loaded leniently (a damaged file is moved aside and reported), saved
/// atomically.
pub struct JsonFile {
    path: PathBuf,
}

impl JsonFile {
    pub fn new(path: PathBuf) -> Self {
        Self { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn load<T: serde::de::DeserializeOwned + Default>(&self) -> Loaded<T> {
        let bytes = match std::fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Loaded {
                    value: T::default(),
                    warning: None,
                };
            }
            Err(e) => {
                return Loaded {
                    value: T::default(),
                    warning: Some(format!("{}: {e}", self.path.display())),
                };
            }
        };
        match serde_json::from_slice::<T>(&bytes) {
            Ok(value) => Loaded {
                value,
                warning: None,
            },
            Err(e) => Loaded {
                value: T::default(),
                warning: Some(move_aside(&self.path, &e.to_string())),
            },
        }
    }

    pub fn save<T: serde::Serialize + ?Sized>(&self, value: &T) -> std::io::Result<()> {
        let bytes = serde_json::to_vec_pretty(value).map_err(std::io::Error::other)?;
        write_atomic(&self.path, &bytes)
    }
}

/// Drafts per conversation: `drafts.json`.
pub struct DraftStore(JsonFile);

impl DraftStore {
    pub fn new(data_dir: &Path) -> Self {
        Self(JsonFile::new(data_dir.join("drafts.json")))
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }

    pub fn load(&self) -> Loaded<HashMap<ConversationId, Draft>> {
        let l = self.0.load::<Vec<(ConversationId, Draft)>>();
        Loaded {
            value: l.value.into_iter().collect(),
            warning: l.warning,
        }
    }

    pub fn save(&self, drafts: &[(ConversationId, Draft)]) -> std::io::Result<()> {
        self.0.save(drafts)
    }
}

/// Replies not yet confirmed by the server: `outbox.json`. Written before each send goes out,
/// so a reply survives the app being killed at any moment.
pub struct OutboxStore(JsonFile);

impl OutboxStore {
    pub fn new(data_dir: &Path) -> Self {
        Self(JsonFile::new(data_dir.join("outbox.json")))
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }

    pub fn load(&self) -> Loaded<Vec<PendingReply>> {
        self.0.load()
    }

    pub fn save(&self, outbox: &[PendingReply]) -> std::io::Result<()> {
        self.0.save(outbox)
    }
}

/// What is typed in the Team view to colleagues, per staff conversation:
/// `team-drafts.json`, written on every change.
pub struct TeamDraftStore(JsonFile);

/// A staff conversation's draft (its id, the text).
pub type TeamDrafts = Vec<(crate::api::staff_models::TeamThreadId, String)>;

impl TeamDraftStore {
    pub fn new(data_dir: &Path) -> Self {
        Self(JsonFile::new(data_dir.join("team-drafts.json")))
    }

    pub fn load(&self) -> Loaded<TeamDrafts> {
        self.0.load()
    }

    pub fn save(&self, drafts: &TeamDrafts) -> std::io::Result<()> {
        self.0.save(drafts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MessageId;

    #[cfg(unix)]
    #[test]
    fn guest_text_on_disk_is_owner_only_and_leaves_no_temp_files() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("data");
        let drafts = DraftStore::new(&dir);
        drafts
            .save(&[(
                ConversationId(1),
                Draft {
                    text: "Room 101 asked for towels".into(),
                    reply_to: None,
                    hand_off: None,
                },
            )])
            .unwrap();
        let outbox = OutboxStore::new(&dir);
        outbox.save(&[]).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(drafts.path()), 0o600);
        assert_eq!(mode(outbox.path()), 0o600);
        assert_eq!(mode(&dir), 0o700);
        // A directory others could read is narrowed.
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        drafts.save(&[]).unwrap();
        assert_eq!(mode(&dir), 0o700);
        // A write that fails (the target is a directory) leaves no temp file behind.
        let blocked = dir.join("blocked.json");
        std::fs::create_dir(&blocked).unwrap();
        std::fs::write(blocked.join("keep"), b"x").unwrap();
        assert!(write_atomic(&blocked, b"{}").is_err());
        let names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect();
        assert!(!names.iter().any(|n| n.ends_with(".tmp")), "{names:?}");
    }

    #[test]
    fn two_writers_never_share_a_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("drafts.json");
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let path = path.clone();
                std::thread::spawn(move || write_atomic(&path, format!("[{i}]").as_bytes()))
            })
            .collect();
        for h in handles {
            h.join().unwrap().unwrap();
        }
        let last = std::fs::read_to_string(&path).unwrap();
        assert!(last.starts_with('[') && last.ends_with(']'), "{last}");
    }

    #[test]
    fn drafts_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let store = DraftStore::new(dir.path());
        assert!(store.load().value.is_empty());
        let d = Draft {
            text: "Towels on the way ☘️".into(),
            reply_to: Some(MessageId(7)),
            hand_off: None,
        };
        store.save(&[(ConversationId(3), d.clone())]).unwrap();
        let loaded = store.load();
        assert_eq!(loaded.value.get(&ConversationId(3)), Some(&d));
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

    #[test]
    fn outbox_round_trip_and_truncation() {
        let dir = tempfile::tempdir().unwrap();
        let store = OutboxStore::new(dir.path());
        let p = PendingReply {
            local_id: 4,
            conversation: ConversationId(2),
            text: "On its way".into(),
            reply_to: None,
            first_attempt: chrono::Utc::now(),
            after_id: Some(MessageId(41)),
            staff_id: Some(StaffId(1)),
            attempted: true,
            state: crate::model::ReplyState::Sending,
        };
        store.save(std::slice::from_ref(&p)).unwrap();
        let back = store.load();
        assert_eq!(back.value.len(), 1);
        assert_eq!(back.value[0].text, "On its way");
        // The retry identity survives a restart.
        assert_eq!(back.value[0].after_id, Some(MessageId(41)));
        assert!(back.value[0].attempted);
        // An outbox written by an older version (no identity) still loads.
        std::fs::write(
            store.path(),
            r#"[{"local_id":1,"conversation":2,"text":"hi","reply_to":null,"first_attempt":"2026-11-25T03:00:00Z"}]"#,
        )
        .unwrap();
        let old = store.load();
        assert_eq!(old.value.len(), 1);
        assert_eq!(old.value[0].after_id, None);
        assert!(
            old.value[0].attempted,
            "an old entry may have reached the server"
        );
        // A truncated file (a crash mid-write by another tool) is reported, not emptied silently.
        let full = std::fs::read(store.path()).unwrap();
        std::fs::write(store.path(), &full[..full.len() / 2]).unwrap();
        let l = store.load();
        assert!(l.value.is_empty());
        assert!(l.warning.unwrap().contains("moved aside"));
    }
}

/// The saved sign-in: what `frontdesk login` stores and the inbox uses.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Session {
    pub server: String,
    pub hotel: String,
    pub token: String,
    pub staff_id: StaffId,
    pub username: String,
    pub hotel_name: String,
    #[serde(default)]
    pub capabilities: Vec<String>,
    /// The base path form that answered at sign-in.
    #[serde(default)]
    pub api_paths: crate::api::PathForm,
    /// The staff member's department (`department_slug`): the front desk log's members.
    #[serde(default)]
    pub department: Option<String>,
    /// The realtime URL a demo server named at sign-in (`GET /api/demo/realtime`); a real
    /// server names none, and the config's `[realtime]` says it.
    #[serde(default)]
    pub realtime_url: Option<String>,
}

pub struct SessionStore {
    path: PathBuf,
}

impl SessionStore {
    pub fn new(data_dir: &Path) -> Self {
        Self {
            path: data_dir.join("session.json"),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn save(&self, s: &Session) -> std::io::Result<()> {
        let bytes = serde_json::to_vec_pretty(s).map_err(std::io::Error::other)?;
        write_atomic(&self.path, &bytes)
    }

    /// The saved session, `Ok(None)` when not signed in. Refuses a file others can read, as
    /// ssh does with keys.
    pub fn load(&self) -> Result<Option<Session>, String> {
        let meta = match std::fs::metadata(&self.path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{}: {e}", self.path.display())),
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(format!(
                    "{} is readable by others (mode {mode:o}); the token in it must stay private. \
                     Fix with: chmod 600 {}, or sign in again with frontdesk login",
                    self.path.display(),
                    self.path.display()
                ));
            }
        }
        let _ = meta;
        let bytes =
            std::fs::read(&self.path).map_err(|e| format!("{}: {e}", self.path.display()))?;
        serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            format!(
                "{} is damaged ({e}); sign in again with frontdesk login",
                self.path.display()
            )
        })
    }

    /// Removes the saved session. True when there was one.
    pub fn remove(&self) -> std::io::Result<bool> {
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod session_tests {
    use super::*;

    fn session() -> Session {
        Session {
            server: "http://127.0.0.1:8700".into(),
            hotel: "hotel-killarney".into(),
            token: "secret".into(),
            staff_id: StaffId(1),
            username: "frontdesk".into(),
            hotel_name: "Hotel Killarney".into(),
            capabilities: vec!["chat.message.send".into()],
            api_paths: crate::api::PathForm::Hotels,
            department: Some("front_office".into()),
            realtime_url: None,
        }
    }

    #[cfg(unix)]
    #[test]
    fn saved_owner_only_and_refused_when_opened_up() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = SessionStore::new(dir.path());
        assert_eq!(store.load().unwrap(), None);
        store.save(&session()).unwrap();
        let mode = std::fs::metadata(store.path())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(store.load().unwrap(), Some(session()));
        std::fs::set_permissions(store.path(), std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = store.load().unwrap_err();
        assert!(e.contains("chmod 600"), "{e}");
        assert!(store.remove().unwrap());
        assert!(!store.remove().unwrap());
    }

    #[test]
    fn team_drafts_come_back_as_saved_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = TeamDraftStore::new(dir.path());
        assert!(store.load().value.is_empty());
        let drafts = vec![(
            crate::api::staff_models::TeamThreadId(4),
            "Kettle in 205 ☘️".to_string(),
        )];
        store.save(&drafts).unwrap();
        assert_eq!(store.load().value, drafts);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("team-drafts.json"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
