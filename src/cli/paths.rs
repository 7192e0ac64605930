//! Where frontdesk keeps its files: the data, state and config directories, each staff
//! member's desk directory, the log.

use super::*;

pub(crate) fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "frontdesk")
}

/// Where one staff member's drafts and outbox live: per server, hotel and staff member, so the
/// next person to sign in on a shared account never sees them, and a reply is only ever sent
/// with its author's session.
pub fn desk_dir(server: &str, hotel: &str, staff_id: StaffId) -> PathBuf {
    desk_dir_in(&data_dir(), server, hotel, staff_id)
}

/// [`desk_dir`] under another data directory.
pub fn desk_dir_in(data_dir: &Path, server: &str, hotel: &str, staff_id: StaffId) -> PathBuf {
    use sha2::Digest;
    let host = reqwest::Url::parse(server)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .take(60)
            .collect()
    };
    // The whole address (scheme, port, path) tells two servers on one host apart.
    let digest = sha2::Sha256::digest(server.trim_end_matches('/').as_bytes());
    data_dir.join("desks").join(format!(
        "{}-{}-staff{staff_id}-{}",
        clean(&host),
        clean(hotel),
        hex::encode(&digest[..4])
    ))
}

/// Without a home directory the files go to `./.frontdesk`: say so, with the full path.
pub(crate) fn home_missing() -> Option<String> {
    project_dirs().is_none().then(|| {
        let here = std::env::current_dir().unwrap_or_default().join(".frontdesk");
        format!(
            "HOME is not set: drafts, the outbox and the log are kept in {} (set HOME, or XDG_DATA_HOME and XDG_STATE_HOME)",
            here.display()
        )
    })
}

/// An outbox left by a version that kept one for everyone: nobody can be named its author, so
/// it is not sent; say where it is.
pub(crate) fn unattributed_outbox() -> Option<String> {
    let old = crate::store::OutboxStore::new(&data_dir());
    let n = old.load().value.len();
    (n > 0).then(|| {
        format!(
            "{n} unsent {} from an older version {} in {} and {} not sent: its author is unknown",
            if n == 1 { "reply" } else { "replies" },
            if n == 1 { "is" } else { "are" },
            old.path().display(),
            if n == 1 { "was" } else { "were" },
        )
    })
}

pub fn data_dir() -> PathBuf {
    project_dirs()
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".frontdesk"))
}

pub fn state_dir() -> PathBuf {
    project_dirs()
        .and_then(|d| d.state_dir().map(|p| p.to_path_buf()))
        .unwrap_or_else(data_dir)
}

pub fn config_path(cli: &Cli) -> PathBuf {
    cli.connect().config.unwrap_or_else(|| {
        project_dirs()
            .map(|d| d.config_dir().join("config.toml"))
            .unwrap_or_else(|| PathBuf::from("frontdesk.toml"))
    })
}

pub fn log_path() -> PathBuf {
    state_dir().join("frontdesk.log")
}

/// Logs go to a file: never to the terminal the inbox draws on.
pub(crate) fn init_logging(level: &str, to_stderr: bool) -> Option<PathBuf> {
    crate::log::init(level, to_stderr, &log_path())
}
