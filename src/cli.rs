//! The command line: the inbox, sign-in and sign-out, the effective configuration, the bundled
//! demo and the demo server on its own.

use std::io::{BufRead, IsTerminal, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use color_eyre::eyre::{Result, WrapErr, eyre};

use crate::api::{self, ApiConfig, ErrorKind, Login, PathForm, StaffApi};
use crate::app::Me;
use crate::config::Config;
use crate::inbox::{self, InboxConfig, NotifyMode};
use crate::live::LiveConfig;
use crate::model::Capability;
use crate::store::{Session, SessionStore};
use frontdesk_demo::{self as demo, DemoConfig, Faults, SeedOptions, ServedPaths};

#[derive(Parser, Debug)]
#[command(
    name = "frontdesk",
    version,
    about = "A terminal inbox for hotel front-office staff"
)]
pub struct Cli {
    /// The hotel server, e.g. https://hotel.example.com
    #[arg(long, global = true, env = "FRONTDESK_SERVER")]
    pub server: Option<String>,
    /// The hotel's slug, e.g. hotel-killarney
    #[arg(long, global = true, env = "FRONTDESK_HOTEL")]
    pub hotel: Option<String>,
    /// The configuration file (default: $XDG_CONFIG_HOME/frontdesk/config.toml).
    #[arg(long, global = true, env = "FRONTDESK_CONFIG")]
    pub config: Option<PathBuf>,
    /// Which chat base path the server uses (overrides the config's api_paths).
    #[arg(long, global = true, value_enum)]
    pub api_paths: Option<ApiPaths>,
    /// How new guest messages are announced (overrides the config's notifications).
    #[arg(long, global = true, value_enum)]
    pub notify: Option<NotifyMode>,
    /// Allow plain http:// and ws:// to hosts other than loopback.
    #[arg(long, global = true)]
    pub allow_insecure: bool,
    /// Log level for the log file (error, warn, info, debug, trace).
    #[arg(long, global = true, default_value = "info")]
    pub log_level: String,
    /// Realtime: a Pusher-protocol WebSocket URL (overrides the config's [realtime]).
    #[arg(long, env = "FRONTDESK_PUSHER_URL")]
    pub pusher_url: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum ApiPaths {
    Auto,
    Hotels,
    Hotel,
}

impl From<ApiPaths> for PathForm {
    fn from(p: ApiPaths) -> Self {
        match p {
            ApiPaths::Auto => PathForm::Auto,
            ApiPaths::Hotels => PathForm::Hotels,
            ApiPaths::Hotel => PathForm::Hotel,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a demo hotel on loopback and open the inbox on it.
    Demo {
        /// Simulated guests write every SECS seconds (0 = never).
        #[arg(long, default_value_t = 20.0)]
        guest_every: f64,
        /// The demo hotel behaves like the published contract (friendly) or like the running
        /// deployment, with every quirk the client must survive.
        #[arg(long, value_enum, default_value = "friendly")]
        profile: demo::Profile,
    },
    /// Run only the demo hotel server (for scripts, tests and benchmarks).
    ServeDemo(ServeArgs),
    /// Sign in to the hotel server and save the session for the inbox.
    Login(LoginArgs),
    /// Forget the saved session (unsent replies: asked, or as --unsent says).
    Logout(LogoutArgs),
    /// Print where frontdesk keeps its files and the settings in effect (token masked).
    Config,
}

#[derive(Args, Debug, Clone)]
pub struct LogoutArgs {
    /// What becomes of replies not yet confirmed: send them now, keep them for your next
    /// sign-in, or discard them. Asked when not given (kept when there is no terminal).
    #[arg(long, value_enum)]
    pub unsent: Option<Unsent>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Unsent {
    Send,
    Keep,
    Discard,
}

#[derive(Args, Debug, Clone)]
pub struct LoginArgs {
    #[arg(long)]
    pub username: Option<String>,
    /// Read the password from the first line of standard input (for scripts).
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    #[arg(long, default_value = "127.0.0.1:8700")]
    pub addr: SocketAddr,
    /// Simulated guests write every SECS seconds (0 = never).
    #[arg(long, default_value_t = 0.0)]
    pub guest_every: f64,
    /// Generate this many conversations instead of the seeded hotel.
    #[arg(long)]
    pub conversations: Option<usize>,
    /// With --conversations: messages in each.
    #[arg(long, default_value_t = 25)]
    pub messages: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Publish through an external Pusher server: http://KEY:SECRET@HOST:PORT/apps/ID
    #[arg(long)]
    pub pusher_url: Option<String>,
    /// Behave like the published contract (friendly) or like the running deployment, with
    /// every quirk of the contract's section 4 (deployment: singular paths, no staff signing,
    /// 500s after saving, a turned-over room, ...).
    #[arg(long, value_enum, default_value = "friendly")]
    pub profile: demo::Profile,
    /// Serve the published (hotels) or the deployed (hotel) base path [default: hotels, or
    /// hotel with --profile deployment].
    #[arg(long, value_enum)]
    pub paths: Option<ServedPaths>,
    /// Faults: send-500-after-save, drop-sockets-every=SECS, slow=MS, html-500-on=PATH, truncate-previews, stall
    #[arg(long, default_value = "")]
    pub faults: String,
    /// Seconds of silence before the server pings a socket.
    #[arg(long, default_value_t = 120)]
    pub activity_timeout: u64,
}

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "frontdesk")
}

/// Where one staff member's drafts and outbox live: per server, hotel and staff member, so the
/// next person to sign in on a shared account never sees them, and a reply is only ever sent
/// with its author's session.
pub fn desk_dir(server: &str, hotel: &str, staff_id: i64) -> PathBuf {
    desk_dir_in(&data_dir(), server, hotel, staff_id)
}

/// [`desk_dir`] under another data directory.
pub fn desk_dir_in(data_dir: &Path, server: &str, hotel: &str, staff_id: i64) -> PathBuf {
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

/// At logout: the signed-in staff member's replies that are not confirmed yet are sent now,
/// kept for their next sign-in, or discarded, as they choose. Never left for the next person.
async fn settle_unsent(session: &crate::store::Session, choice: Option<Unsent>) -> Result<()> {
    let desk = desk_dir(&session.server, &session.hotel, session.staff_id);
    let outbox = crate::store::OutboxStore::new(&desk);
    let entries = outbox.load().value;
    let (mine, others): (Vec<_>, Vec<_>) = entries
        .into_iter()
        .partition(|p| p.staff_id.is_none_or(|id| id == session.staff_id));
    let n = mine.len();
    if n == 0 {
        return Ok(());
    }
    let replies = if n == 1 { "reply is" } else { "replies are" };
    let choice = match choice {
        Some(c) => c,
        None if std::io::stdin().is_terminal() => {
            eprint!(
                "{n} {replies} not confirmed yet. [s]end now, [k]eep for {}'s next sign-in, or [d]iscard? ",
                session.username
            );
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            match line.trim().chars().next() {
                Some('s' | 'S') => Unsent::Send,
                Some('d' | 'D') => Unsent::Discard,
                _ => Unsent::Keep,
            }
        }
        None => Unsent::Keep,
    };
    let kept: Vec<crate::app::PendingReply> = match choice {
        Unsent::Keep => {
            println!(
                "{n} unsent {replies} kept for {}'s next sign-in ({}).",
                session.username,
                outbox.path().display()
            );
            return Ok(());
        }
        Unsent::Discard => {
            println!(
                "Discarded {n} unsent {}.",
                if n == 1 { "reply" } else { "replies" }
            );
            Vec::new()
        }
        Unsent::Send => {
            let mut c = ApiConfig::new(&session.server, &session.hotel, &session.token);
            c.paths = session.api_paths;
            let api = StaffApi::new(c);
            let mut left = Vec::new();
            for p in mine {
                let identity = crate::api::ReplyIdentity {
                    staff_id: session.staff_id,
                    text: p.text.clone(),
                    after_id: p.after_id,
                    first_attempt: p.first_attempt,
                };
                // It may have arrived already: look first.
                match api
                    .deliver(p.conversation, p.reply_to, &identity, p.attempted)
                    .await
                {
                    Ok(_) => {}
                    Err(e) => {
                        eprintln!(
                            "Not sent: {:?} ({})",
                            crate::text::one_line(&p.text),
                            e.summary()
                        );
                        left.push(p);
                    }
                }
            }
            println!("Sent {} of {n}.", n - left.len());
            if !left.is_empty() {
                println!(
                    "{} kept for {}'s next sign-in.",
                    left.len(),
                    session.username
                );
            }
            left
        }
    };
    let mut all = kept;
    all.extend(others);
    outbox
        .save(&all)
        .wrap_err_with(|| format!("saving {}", outbox.path().display()))?;
    Ok(())
}

/// Without a home directory the files go to `./.frontdesk`: say so, with the full path.
fn home_missing() -> Option<String> {
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
fn unattributed_outbox() -> Option<String> {
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
    cli.config.clone().unwrap_or_else(|| {
        project_dirs()
            .map(|d| d.config_dir().join("config.toml"))
            .unwrap_or_else(|| PathBuf::from("frontdesk.toml"))
    })
}

pub fn log_path() -> PathBuf {
    state_dir().join("frontdesk.log")
}

/// Logs go to a file: never to the terminal the inbox draws on.
fn init_logging(level: &str, to_stderr: bool) -> Option<PathBuf> {
    crate::log::init(level, to_stderr, &log_path())
}

fn is_loopback(url: &str) -> bool {
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
}

pub fn effective(cli: &Cli) -> Result<Effective> {
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
    let server = cli
        .server
        .clone()
        .or_else(|| session.as_ref().map(|s| s.server.clone()))
        .or_else(|| config.server.clone())
        .map(|s| s.trim_end_matches('/').to_string());
    let hotel = cli
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
    let api_paths = cli
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
    Ok(Effective {
        config_path,
        session_path: store.path().to_path_buf(),
        session: session.filter(|_| session_matches),
        session_error,
        server,
        hotel,
        token,
        token_from_env: env_token.is_some(),
        api_paths,
        notify: cli.notify.unwrap_or(config.notifications),
        allow_insecure: cli.allow_insecure || config.allow_insecure,
        pusher_url: cli.pusher_url.clone().or_else(|| config.realtime.ws_url()),
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

fn me_from(login: &Login) -> Me {
    Me {
        staff_id: login.staff_id,
        name: login.username.clone(),
        hotel_name: login.hotel_display_name(),
        capabilities: login.allowed_capabilities.clone(),
    }
}

fn me_from_session(s: &Session) -> Me {
    Me {
        staff_id: s.staff_id,
        name: s.username.clone(),
        hotel_name: s.hotel_name.clone(),
        capabilities: s.capabilities.clone(),
    }
}

fn serve_config(a: &ServeArgs) -> Result<DemoConfig> {
    Ok(DemoConfig {
        addr: a.addr,
        guest_every: a.guest_every,
        seed: SeedOptions {
            conversations: a.conversations,
            messages: a.messages,
            rng_seed: a.seed,
            ..SeedOptions::default()
        },
        pusher_url: a.pusher_url.clone(),
        paths: a.paths.unwrap_or(match a.profile {
            demo::Profile::Friendly => ServedPaths::Hotels,
            demo::Profile::Deployment => ServedPaths::Hotel,
        }),
        profile: a.profile,
        faults: Faults::parse(&a.faults).map_err(|e| eyre!(e))?,
        activity_timeout: Duration::from_secs(a.activity_timeout.max(1)),
        pong_wait: Duration::from_secs(30),
    })
}

fn api_config(e: &Effective, server: &str, hotel: &str, token: &str) -> ApiConfig {
    let mut c = ApiConfig::new(server, hotel, token);
    c.paths = e.api_paths;
    c.scheme = e.config.auth_scheme;
    c.timeout = Duration::from_secs(e.config.request_timeout_seconds);
    c.pusher_auth_path = e.config.realtime.auth_endpoint.clone();
    c
}

fn inbox_config(
    e: &Effective,
    api: StaffApi,
    me: Me,
    data_dir: PathBuf,
    live: Option<LiveConfig>,
) -> Result<InboxConfig> {
    Ok(InboxConfig {
        api,
        me,
        data_dir,
        session_dir: self::data_dir(),
        warnings: Vec::new(),
        canned: e.config.canned_replies.clone(),
        page_size: e.config.history_page_size,
        poll_every: Duration::from_secs(e.config.poll_seconds),
        list_poll_every: Duration::from_secs(e.config.list_poll_seconds),
        notify: e.notify,
        theme: e.config.theme(),
        keymap: e
            .config
            .keymap()
            .map_err(|err| eyre!("{}: {err}", e.config_path.display()))?,
        live,
        session: e.session.clone(),
    })
}

pub async fn run(cli: Cli) -> Result<()> {
    match &cli.command {
        Some(Command::ServeDemo(args)) => {
            init_logging(&cli.log_level, true);
            let running = demo::start(serve_config(args)?)
                .await
                .map_err(|e| eyre!(e))?;
            print!("{}", running.env_lines());
            let _ = std::io::stdout().flush();
            wait_for_shutdown().await;
            running.stop().await;
            Ok(())
        }
        Some(Command::Demo {
            guest_every,
            profile,
        }) => {
            let e = effective(&cli)?;
            let log = init_logging(&cli.log_level, false);
            crate::tui::install_panic_hook(log.map(|p| p.display().to_string()));
            let config = DemoConfig {
                guest_every: *guest_every,
                profile: *profile,
                paths: match profile {
                    demo::Profile::Friendly => ServedPaths::Hotels,
                    demo::Profile::Deployment => ServedPaths::Hotel,
                },
                ..DemoConfig::default()
            };
            let running = demo::start(config).await.map_err(|e| eyre!(e))?;
            let http = api::client::http_client(Duration::from_secs(5), Duration::from_secs(15));
            let login = api::login(&running.base_url, "frontdesk", "demo")
                .await
                .wrap_err("signing in to the demo hotel")?;
            let mut c = ApiConfig::new(&running.base_url, &login.hotel_slug, &login.token);
            // Found as against a real server: the deployment profile answers only `hotel`.
            c.paths = PathForm::Auto;
            let live = LiveConfig::new(&running.ws_url, &login.hotel_slug);
            let config = inbox_config(
                &e,
                StaffApi::with_http(c, http),
                me_from(&login),
                data_dir().join("demo"),
                Some(live),
            )?;
            // The demo hotel's canned replies, unless the config has the desk's own.
            let canned = if config.canned.is_empty() {
                crate::config::demo_canned()
            } else {
                config.canned.clone()
            };
            let result = inbox::run(InboxConfig {
                session: None,
                canned,
                ..config
            })
            .await;
            running.stop().await;
            result
        }
        Some(Command::Login(args)) => {
            init_logging(&cli.log_level, false);
            login_command(&cli, args).await
        }
        Some(Command::Logout(args)) => {
            let store = SessionStore::new(&data_dir());
            if let Ok(Some(session)) = store.load() {
                settle_unsent(&session, args.unsent).await?;
            }
            if store
                .remove()
                .wrap_err_with(|| format!("removing {}", store.path().display()))?
            {
                println!("Signed out: removed {}", store.path().display());
            } else {
                println!("Not signed in (no {}).", store.path().display());
            }
            Ok(())
        }
        Some(Command::Config) => {
            print!("{}", describe(&cli)?);
            Ok(())
        }
        None => {
            let e = effective(&cli)?;
            let log = init_logging(&cli.log_level, false);
            crate::tui::install_panic_hook(log.map(|p| p.display().to_string()));
            if let Some(err) = &e.session_error {
                return Err(eyre!("{err}"));
            }
            let server = e.server.clone().ok_or_else(|| {
                eyre!("no server: run `frontdesk login --server URL`, or try `frontdesk demo`")
            })?;
            let hotel = e.hotel.clone().ok_or_else(|| {
                eyre!("no hotel: run `frontdesk login --hotel SLUG`, or set FRONTDESK_HOTEL")
            })?;
            check_transport(&server, e.allow_insecure).map_err(|m| eyre!(m))?;
            if let Some(u) = &e.pusher_url {
                check_transport(u, e.allow_insecure).map_err(|m| eyre!(m))?;
            }
            let http = api::client::http_client(
                Duration::from_secs(5),
                Duration::from_secs(e.config.request_timeout_seconds),
            );
            // One-off sign-in for scripts (nothing saved); else the env token; else the session.
            let user = std::env::var("FRONTDESK_USERNAME").ok();
            let password = std::env::var("FRONTDESK_PASSWORD").ok();
            let (token, me) = match (user, password, &e.token, &e.session) {
                (Some(u), Some(p), _, _) => {
                    let login = api::login(&server, &u, &p)
                        .await
                        .map_err(|err| eyre!(login_message(&server, &u, &err)))?;
                    check_login(&login, &u, &hotel).map_err(|m| eyre!(m))?;
                    (login.token.clone(), me_from(&login))
                }
                (_, _, Some(token), Some(s)) if !e.token_from_env => {
                    (token.clone(), me_from_session(s))
                }
                (_, _, Some(token), _) => {
                    // No call says whose token it is: without the staff id, our own messages
                    // could not be told apart, so refuse rather than run as nobody.
                    let staff_id = env_staff_id().map_err(|m| eyre!(m))?;
                    let me = Me {
                        staff_id,
                        name: std::env::var("FRONTDESK_USERNAME")
                            .unwrap_or_else(|_| format!("staff {staff_id}")),
                        hotel_name: hotel.clone(),
                        capabilities: [
                            Capability::ConversationRead.as_str(),
                            Capability::MessageSend.as_str(),
                            Capability::ConversationAssign.as_str(),
                        ]
                        .map(String::from)
                        .to_vec(),
                    };
                    (token.clone(), me)
                }
                _ => {
                    return Err(eyre!(
                        "not signed in to {hotel} at {server}: run `frontdesk login`"
                    ));
                }
            };
            let live = e.pusher_url.as_deref().map(|u| LiveConfig::new(u, &hotel));
            let api = StaffApi::with_http(api_config(&e, &server, &hotel, &token), http);
            let desk = desk_dir(&server, &hotel, me.staff_id);
            let mut config = inbox_config(&e, api, me, desk, live)?;
            config.warnings.extend(unattributed_outbox());
            config.warnings.extend(home_missing());
            inbox::run(config).await
        }
    }
}

/// `FRONTDESK_STAFF_ID`, which a token from the environment needs.
pub fn env_staff_id() -> Result<i64, String> {
    let raw = std::env::var("FRONTDESK_STAFF_ID").ok();
    match raw.as_deref().map(str::trim).map(str::parse::<i64>) {
        Some(Ok(id)) if id > 0 => Ok(id),
        Some(_) => Err(format!(
            "FRONTDESK_STAFF_ID={:?} is not a staff number. Set it to yours (it is in the answer of the sign-in call as staff_id), or sign in with `frontdesk login`.",
            raw.unwrap_or_default()
        )),
        None => Err(
            "FRONTDESK_TOKEN needs FRONTDESK_STAFF_ID, your staff number (the sign-in answer's staff_id), so that your own messages are known as yours. Or sign in with `frontdesk login` and leave FRONTDESK_TOKEN unset.".into(),
        ),
    }
}

/// A clear sentence for each way signing in can fail.
pub fn login_message(server: &str, user: &str, err: &api::ApiError) -> String {
    match &err.kind {
        ErrorKind::Unauthorised(_) => format!("Wrong username or password for {user} at {server}."),
        ErrorKind::NoConnection(why) => {
            format!("Cannot reach {server}: {why}. Check the address and the network.")
        }
        ErrorKind::Timeout => {
            format!("{server} did not answer in time. Try again, or check the address.")
        }
        ErrorKind::NotFound(_)
        | ErrorKind::BadResponse(_)
        | ErrorKind::Rejected { status: 405, .. } => format!(
            "{server} does not answer like a hotel staff API ({}). Check the address.",
            err.summary()
        ),
        ErrorKind::Rejected { reason, .. } => format!("The server refused the sign-in: {reason}"),
        ErrorKind::Forbidden(reason) => format!("{user} may not sign in: {reason}"),
        ErrorKind::Server(status) => {
            format!("{server} had an internal error ({status}); try again later.")
        }
        ErrorKind::Redirected(to) => {
            let origin = reqwest::Url::parse(to)
                .ok()
                .map(|u| u.origin().ascii_serialization())
                .filter(|o| o != "null");
            match origin {
                Some(o) => format!(
                    "{server} sent the sign-in to {to}. Nothing was sent there. If that is your hotel's server, sign in with --server {o}"
                ),
                None => format!(
                    "{server} answered the sign-in with a redirect ({to}); nothing was sent there."
                ),
            }
        }
    }
}

/// The staff member must belong to this hotel and be allowed to read guest chat.
pub fn check_login(login: &Login, user: &str, hotel: &str) -> Result<(), String> {
    if login.hotel_slug != hotel {
        return Err(format!(
            "{user} works at {} ({}), not {hotel}. Sign in with --hotel {}.",
            login.hotel_display_name(),
            login.hotel_slug,
            login.hotel_slug
        ));
    }
    if !login.can(crate::model::Capability::ConversationRead) {
        return Err(format!(
            "{user} has no permission to read guest chat (chat.conversation.read). Ask a manager to grant it."
        ));
    }
    Ok(())
}

fn prompt(question: &str) -> Result<String> {
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim().to_string())
}

/// Reads a password without echo (raw mode), restoring the terminal on every path.
fn read_password(question: &str) -> Result<String> {
    use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    crossterm::terminal::enable_raw_mode()?;
    let mut pw = String::new();
    let result = loop {
        match event::read() {
            Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => match k.code {
                KeyCode::Enter => break Ok(()),
                KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                    break Err(eyre!("cancelled"));
                }
                KeyCode::Backspace => {
                    pw.pop();
                }
                KeyCode::Char(c) => pw.push(c),
                _ => {}
            },
            Ok(Event::Paste(p)) => pw.push_str(p.trim_end_matches(['\r', '\n'])),
            Ok(_) => {}
            Err(e) => break Err(e.into()),
        }
    };
    let _ = crossterm::terminal::disable_raw_mode();
    eprintln!();
    result.map(|()| pw)
}

async fn login_command(cli: &Cli, args: &LoginArgs) -> Result<()> {
    let e = effective(cli)?;
    let interactive = !args.password_stdin;
    let server = match e.server.clone() {
        Some(s) => s,
        None if interactive => prompt("Hotel server (https://…): ")?,
        None => {
            return Err(eyre!(
                "no server: pass --server URL or set FRONTDESK_SERVER"
            ));
        }
    };
    let server = server.trim_end_matches('/').to_string();
    check_transport(&server, e.allow_insecure).map_err(|m| eyre!(m))?;
    let user = match args
        .username
        .clone()
        .or_else(|| std::env::var("FRONTDESK_USERNAME").ok())
    {
        Some(u) => u,
        None if interactive => prompt("Username: ")?,
        None => return Err(eyre!("no username: pass --username")),
    };
    let password = if args.password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_string()
    } else {
        read_password(&format!("Password for {user}: "))?
    };
    if password.is_empty() {
        return Err(eyre!("no password given"));
    }
    let http = api::client::http_client(
        Duration::from_secs(5),
        Duration::from_secs(e.config.request_timeout_seconds),
    );
    let login = api::login(&server, &user, &password)
        .await
        .map_err(|err| eyre!(login_message(&server, &user, &err)))?;
    let hotel = e.hotel.clone().unwrap_or_else(|| login.hotel_slug.clone());
    check_login(&login, &user, &hotel).map_err(|m| eyre!(m))?;
    // Prove the chat answers, and learn which base path it lives under.
    let api = StaffApi::with_http(api_config(&e, &server, &hotel, &login.token), http);
    api.conversations().await.map_err(|err| match &err.kind {
        ErrorKind::Forbidden(reason) => eyre!("{user} may not open the chat of {hotel}: {reason}"),
        _ => eyre!("signed in, but the chat did not answer: {err}"),
    })?;
    let session = Session {
        server: server.clone(),
        hotel: hotel.clone(),
        token: login.token.clone(),
        staff_id: login.staff_id,
        username: login.username.clone(),
        hotel_name: login.hotel_display_name(),
        capabilities: login.allowed_capabilities.clone(),
        api_paths: api.resolved_paths(),
    };
    let store = SessionStore::new(&data_dir());
    store
        .save(&session)
        .wrap_err_with(|| format!("saving {}", store.path().display()))?;
    tracing::info!("signed in as {user} at {hotel} ({server})");
    println!(
        "Signed in as {user} at {} ({server}). Saved to {} (owner-only). Run `frontdesk` to open the inbox.",
        session.hotel_name,
        store.path().display()
    );
    Ok(())
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
        "canned_replies = {} entries\n",
        e.config.canned_replies.len()
    ));
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

async fn wait_for_shutdown() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_transport_only_on_loopback() {
        assert!(check_transport("http://127.0.0.1:8700", false).is_ok());
        assert!(check_transport("ws://localhost:6001/app/k?protocol=7", false).is_ok());
        assert!(check_transport("http://[::1]:80/", false).is_ok());
        assert!(check_transport("https://hotel.example.com", false).is_ok());
        let e = check_transport("http://hotel.example.com", false).unwrap_err();
        assert!(e.contains("--allow-insecure"), "{e}");
        assert!(check_transport("http://127.0.0.1.evil.com", false).is_err());
        assert!(check_transport("ws://10.0.0.5/app/k", false).is_err());
        assert!(check_transport("http://hotel.example.com", true).is_ok());
        assert!(check_transport("ftp://x", true).is_err());
    }

    #[test]
    fn tokens_are_masked() {
        assert_eq!(mask("abcdefghijklmnop"), "********mnop (16 characters)");
        assert_eq!(mask("short"), "*****");
    }
}
