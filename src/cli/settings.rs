//! The settings in effect (flags, environment, session, config file), the transport check,
//! and `frontdesk config`.

use super::*;

pub(crate) fn is_loopback(url: &str) -> bool {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let host_port = rest.split(['/', '?']).next().unwrap_or("");
    let host_port = host_port
        .rsplit_once('@')
        .map(|(_, h)| h)
        .unwrap_or(host_port);
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    host == "localhost"
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Plain http/ws is refused for anything but loopback unless explicitly allowed.
pub fn check_transport(url: &str, allow_insecure: bool) -> Result<(), String> {
    let plain = url.starts_with("http://") || url.starts_with("ws://");
    let secure = url.starts_with("https://") || url.starts_with("wss://");
    if !plain && !secure {
        if !url.contains("://") && !url.trim().is_empty() {
            return Err(format!(
                "{url:?} has no scheme: did you mean https://{}?",
                url.trim().trim_end_matches('/')
            ));
        }
        return Err(format!("{url:?} is not an http(s):// or ws(s):// address"));
    }
    if plain && !allow_insecure && !is_loopback(url) {
        return Err(format!(
            "{url} is not encrypted: the token and guests' messages would cross the network in clear. \
             Use https:// / wss://, or pass --allow-insecure (or allow_insecure = true) if you must"
        ));
    }
    Ok(())
}

/// Settings from flags, environment, saved session and config file, in that order.
pub struct Effective {
    pub config_path: PathBuf,
    pub config: Config,
    pub session_path: PathBuf,
    pub session: Option<Session>,
    pub session_error: Option<String>,
    pub server: Option<String>,
    pub hotel: Option<String>,
    pub token: Option<String>,
    pub token_from_env: bool,
    pub api_paths: PathForm,
    pub notify: NotifyMode,
    pub allow_insecure: bool,
    pub pusher_url: Option<String>,
    /// The hotel's own CA, trusted beside the system's.
    pub ca_file: Option<PathBuf>,
}

pub fn effective(cli: &Cli) -> Result<Effective> {
    let flags = cli.connect();
    let inbox = cli.inbox_flags();
    let config_path = config_path(cli);
    let config = Config::load(&config_path).map_err(|e| eyre!("{e}"))?;
    let store = SessionStore::new(&data_dir());
    let (session, session_error) = match store.load() {
        Ok(s) => (s, None),
        Err(e) => (None, Some(e)),
    };
    let env_token = std::env::var("FRONTDESK_TOKEN")
        .ok()
        .filter(|t| !t.is_empty());
    let server = flags
        .server
        .clone()
        .or_else(|| session.as_ref().map(|s| s.server.clone()))
        .or_else(|| config.server.clone())
        .map(|s| s.trim_end_matches('/').to_string());
    let hotel = flags
        .hotel
        .clone()
        .or_else(|| session.as_ref().map(|s| s.hotel.clone()))
        .or_else(|| config.hotel.clone());
    // The saved token only belongs to the server and hotel it was issued for.
    let session_matches = session
        .as_ref()
        .is_some_and(|s| Some(&s.server) == server.as_ref() && Some(&s.hotel) == hotel.as_ref());
    let token = env_token.clone().or_else(|| {
        session
            .as_ref()
            .filter(|_| session_matches)
            .map(|s| s.token.clone())
    });
    let api_paths = flags
        .api_paths
        .map(PathForm::from)
        .unwrap_or(match config.api_paths {
            PathForm::Auto => session
                .as_ref()
                .filter(|_| session_matches)
                .map(|s| s.api_paths)
                .unwrap_or(PathForm::Auto),
            pinned => pinned,
        });
    let ca_file = flags.ca_file.clone().or_else(|| config.ca_file.clone());
    crate::trust::use_extra_ca(ca_file.clone());
    if ca_file.is_some() {
        // A bad CA file stops here, with what is wrong with it, before any connection.
        crate::trust::client_config().map_err(|e| eyre!("{e}"))?;
    }
    // A demo server named its realtime link at sign-in; flags and the config come first.
    let session_realtime = session
        .as_ref()
        .filter(|_| session_matches)
        .and_then(|s| s.realtime_url.clone());
    Ok(Effective {
        ca_file,
        config_path,
        session_path: store.path().to_path_buf(),
        session: session.filter(|_| session_matches),
        session_error,
        server,
        hotel,
        token,
        token_from_env: env_token.is_some(),
        api_paths,
        notify: inbox.notify.unwrap_or(config.notifications),
        allow_insecure: flags.allow_insecure || config.allow_insecure,
        pusher_url: inbox
            .pusher_url
            .or_else(|| config.realtime.ws_url())
            .or(session_realtime),
        config,
    })
}

pub fn mask(token: &str) -> String {
    let n = token.chars().count();
    if n <= 8 {
        return "*".repeat(n);
    }
    let tail: String = token.chars().skip(n - 4).collect();
    format!("{}{tail} ({n} characters)", "*".repeat(8))
}

/// What `frontdesk config` prints.
pub fn describe(cli: &Cli) -> Result<String> {
    let e = effective(cli)?;
    let mut out = String::new();
    let exists = |p: &Path| {
        if p.exists() {
            ""
        } else {
            " (not there: defaults apply)"
        }
    };
    out.push_str(&format!(
        "config file: {}{}\n",
        e.config_path.display(),
        exists(&e.config_path)
    ));
    out.push_str(&format!("data dir:    {}\n", data_dir().display()));
    out.push_str(&format!("state dir:   {}\n", state_dir().display()));
    out.push_str(&format!("log file:    {}\n", log_path().display()));
    let session = match (&e.session, &e.session_error) {
        (_, Some(err)) => format!("unusable: {err}"),
        (Some(s), _) => format!("{} at {} ({})", s.username, s.hotel, s.server),
        (None, _) => "not signed in".into(),
    };
    out.push_str(&format!(
        "session:     {} — {session}\n\n",
        e.session_path.display()
    ));
    let or_unset = |v: &Option<String>| v.clone().unwrap_or_else(|| "(not set)".into());
    out.push_str(&format!("server = {}\n", or_unset(&e.server)));
    out.push_str(&format!("hotel = {}\n", or_unset(&e.hotel)));
    let token_src = if e.token_from_env {
        " (from FRONTDESK_TOKEN)"
    } else {
        ""
    };
    out.push_str(&format!(
        "token = {}{token_src}\n",
        e.token
            .as_deref()
            .map(mask)
            .unwrap_or_else(|| "(none)".into())
    ));
    out.push_str(&format!("api_paths = {:?}\n", e.api_paths).to_lowercase());
    out.push_str(&format!("auth_scheme = {:?}\n", e.config.auth_scheme).to_lowercase());
    out.push_str(&format!(
        "history_page_size = {}\n",
        e.config.history_page_size
    ));
    out.push_str(&format!("poll_seconds = {}\n", e.config.poll_seconds));
    out.push_str(&format!(
        "list_poll_seconds = {}\n",
        e.config.list_poll_seconds
    ));
    out.push_str(&format!(
        "request_timeout_seconds = {}\n",
        e.config.request_timeout_seconds
    ));
    out.push_str(&format!("notifications = {:?}\n", e.notify).to_lowercase());
    out.push_str(&format!("allow_insecure = {}\n", e.allow_insecure));
    out.push_str(&format!(
        "ca_file = {}\n",
        e.ca_file
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "none (the system's trust store)".into())
    ));
    out.push_str(&format!(
        "canned_replies = {} entries\n",
        e.config.canned_replies.len()
    ));
    out.push_str(&format!(
        "attention_minutes = {}\nurgent_minutes = {}\nthanks_end_wait = {}\nfull_name_for_family_name_first = {}\n",
        e.config.attention_minutes,
        e.config.urgent_minutes,
        e.config.thanks_end_wait,
        e.config.full_name_for_family_name_first
    ));
    out.push_str(&match e.config.retention_days {
        0 => "retention_days = 0 (no history is kept)\n".to_string(),
        d => format!("retention_days = {d} (messages older are removed from the desk's history)\n"),
    });
    out.push_str(&format!(
        "realtime = {}\n",
        e.pusher_url
            .clone()
            .unwrap_or_else(|| "off (polling)".into())
    ));
    out.push_str(&format!("theme.colour = {:?}\n", e.config.theme.colour).to_lowercase());
    out.push_str(&format!("keys overridden = {}\n", e.config.keys.len()));
    Ok(out)
}
