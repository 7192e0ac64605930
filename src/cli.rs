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
use crate::model::{Capability, RoomNumber, StaffId};
use crate::store::{Session, SessionStore};
use crate::text;
use frontdesk_demo::{self as demo, DemoConfig, Faults, SeedOptions, ServedPaths};

mod paths;
pub use paths::*;

mod signin;
pub use signin::*;

mod settings;
pub use settings::*;

mod handover;
pub use handover::*;

mod doctor;
pub use doctor::*;

mod history;
pub use history::*;

mod desk_log;
pub use desk_log::*;

#[derive(Parser, Debug)]
#[command(
    name = "frontdesk",
    version,
    about = "A terminal inbox for hotel front-office staff"
)]
pub struct Cli {
    #[command(flatten)]
    pub connect: Connect,
    #[command(flatten)]
    pub inbox: InboxFlags,
    /// Log level for the log file (error, warn, info, debug, trace).
    #[arg(long, global = true, default_value = "info")]
    pub log_level: String,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Where the hotel is and how to reach it: the inbox's flags, and those of the commands that
/// talk to the server. Each command lists only the flags it uses.
#[derive(Args, Debug, Clone, Default)]
pub struct Connect {
    /// The hotel server, e.g. https://hotel.example.com
    #[arg(long, env = "FRONTDESK_SERVER")]
    pub server: Option<String>,
    /// The hotel's slug, e.g. hotel-killarney
    #[arg(long, env = "FRONTDESK_HOTEL")]
    pub hotel: Option<String>,
    /// The configuration file (default: $XDG_CONFIG_HOME/frontdesk/config.toml).
    #[arg(long, env = "FRONTDESK_CONFIG")]
    pub config: Option<PathBuf>,
    /// Which chat base path the server uses (overrides the config's api_paths).
    #[arg(long, value_enum)]
    pub api_paths: Option<ApiPaths>,
    /// Allow plain http:// and ws:// to hosts other than loopback.
    #[arg(long)]
    pub allow_insecure: bool,
    /// A PEM file with the hotel's own CA certificate, trusted beside the system's.
    #[arg(long, env = "FRONTDESK_CA_FILE")]
    pub ca_file: Option<PathBuf>,
}

impl Connect {
    /// These flags, with `over`'s where it gives them.
    fn under(&self, over: &Connect) -> Connect {
        Connect {
            server: over.server.clone().or_else(|| self.server.clone()),
            hotel: over.hotel.clone().or_else(|| self.hotel.clone()),
            config: over.config.clone().or_else(|| self.config.clone()),
            api_paths: over.api_paths.or(self.api_paths),
            allow_insecure: over.allow_insecure || self.allow_insecure,
            ca_file: over.ca_file.clone().or_else(|| self.ca_file.clone()),
        }
    }
}

/// How the inbox announces and follows guests.
#[derive(Args, Debug, Clone, Default)]
pub struct InboxFlags {
    /// How new guest messages are announced (overrides the config's notifications).
    #[arg(long, value_enum)]
    pub notify: Option<NotifyMode>,
    /// Realtime: a Pusher-protocol WebSocket URL (overrides the config's [realtime]).
    #[arg(long, env = "FRONTDESK_PUSHER_URL")]
    pub pusher_url: Option<String>,
}

impl Cli {
    /// The connection flags in effect: the command's own, then the ones before it.
    pub fn connect(&self) -> Connect {
        let own = match &self.command {
            Some(Command::Login(a)) => Some(a.connect.clone()),
            Some(Command::Handover(a)) => Some(a.connect.clone()),
            Some(Command::Done(a) | Command::Reopen(a)) => Some(a.connect.clone()),
            Some(Command::Later(a)) => Some(a.connect.clone()),
            Some(Command::Config(a)) => Some(a.connect.clone()),
            Some(Command::Doctor(a)) => Some(a.connect.clone()),
            Some(Command::Logout(a)) => Some(Connect {
                config: a.config.clone(),
                ca_file: a.ca_file.clone(),
                ..Connect::default()
            }),
            Some(Command::Demo { config, .. }) => Some(Connect {
                config: config.clone(),
                ..Connect::default()
            }),
            Some(
                Command::ServeDemo(_)
                | Command::Completions { .. }
                | Command::Man
                | Command::Search(_)
                | Command::Forget(_),
            )
            | None => None,
        };
        match own {
            Some(own) => self.connect.under(&own),
            None => self.connect.clone(),
        }
    }

    /// The inbox's flags in effect.
    pub fn inbox_flags(&self) -> InboxFlags {
        let own = match &self.command {
            Some(Command::Config(a)) => Some(a.inbox.clone()),
            Some(Command::Doctor(a)) => Some(a.inbox.clone()),
            Some(Command::Demo { notify, .. }) => Some(InboxFlags {
                notify: *notify,
                pusher_url: None,
            }),
            _ => None,
        };
        match own {
            Some(own) => InboxFlags {
                notify: own.notify.or(self.inbox.notify),
                pusher_url: own.pusher_url.or_else(|| self.inbox.pusher_url.clone()),
            },
            None => self.inbox.clone(),
        }
    }
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
        /// How new guest messages are announced (overrides the config's notifications).
        #[arg(long, value_enum)]
        notify: Option<NotifyMode>,
        /// The configuration file: canned replies, keys, theme.
        #[arg(long, env = "FRONTDESK_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Run only the demo hotel server (for scripts, tests and benchmarks).
    ServeDemo(ServeArgs),
    /// Sign in to the hotel server and save the session for the inbox.
    Login(LoginArgs),
    /// Forget the saved session (unsent replies: asked, or as --unsent says).
    Logout(LogoutArgs),
    /// Print where frontdesk keeps its files and the settings in effect (token masked).
    Config(ConfigArgs),
    /// The shift's handover: waiting guests, who holds what, after-hours messages still
    /// unanswered, and response times.
    Handover(HandoverArgs),
    /// Mark a room's guest request done, no answer needed, for every desk (the inbox's m).
    Done(MarkArgs),
    /// Put a room's guest request aside until a time (the inbox's z): it comes back as
    /// waiting then, announced. `frontdesk later 104 05:45`, `frontdesk later 104 30m`.
    Later(LaterArgs),
    /// Take back done or later: the guest waits again (the inbox's u).
    Reopen(MarkArgs),
    /// Check, in order, what frontdesk needs: config, server, path form, token, rights,
    /// the live socket, private channels, the terminal's features and the data directory.
    Doctor(DoctorArgs),
    /// Search every kept message (the desk's history on this computer), newest first.
    Search(SearchArgs),
    /// Remove kept conversations and messages at once: one room's, or all.
    Forget(ForgetArgs),
    /// Print a shell completion script: frontdesk completions bash > /etc/bash_completion.d/frontdesk
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): frontdesk man > /usr/local/share/man/man1/frontdesk.1
    Man,
}

#[derive(Args, Debug, Clone)]
pub struct LogoutArgs {
    /// What becomes of replies not yet confirmed: send them now, keep them for your next
    /// sign-in, or discard them. Asked when not given (kept when there is no terminal).
    #[arg(long, value_enum)]
    pub unsent: Option<Unsent>,
    /// What becomes of the desk's history (kept messages): keep it on this computer or
    /// forget it. Asked when not given (kept when there is no terminal).
    #[arg(long, value_enum)]
    pub history: Option<KeepHistory>,
    /// The configuration file (default: $XDG_CONFIG_HOME/frontdesk/config.toml).
    #[arg(long, env = "FRONTDESK_CONFIG")]
    pub config: Option<PathBuf>,
    /// A PEM file with the hotel's own CA certificate, for sending unsent replies.
    #[arg(long, env = "FRONTDESK_CA_FILE")]
    pub ca_file: Option<PathBuf>,
}

#[derive(Args, Debug, Clone)]
pub struct ConfigArgs {
    #[command(flatten)]
    pub connect: Connect,
    #[command(flatten)]
    pub inbox: InboxFlags,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Unsent {
    Send,
    Keep,
    Discard,
}

#[derive(Args, Debug, Clone)]
pub struct LoginArgs {
    /// Your staff username (asked when not given; FRONTDESK_USERNAME too).
    #[arg(long)]
    pub username: Option<String>,
    /// Read the password from the first line of standard input (for scripts).
    #[arg(long)]
    pub password_stdin: bool,
    #[command(flatten)]
    pub connect: Connect,
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Where to listen (loopback; port 0 picks a free one and prints it).
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
    /// The random seed of generated conversations (the same seed, the same hotel).
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
    /// A colleague from housekeeping, maintenance or the kitchen answers a hand-off after
    /// SECS seconds (0 = nobody answers by themselves).
    #[arg(long, default_value_t = 0.0)]
    pub colleagues_answer_after: f64,
    /// A browser origin allowed to call the API (repeatable), e.g. https://staff.hotel.example;
    /// loopback origins (http://127.0.0.1:PORT, http://localhost:PORT) always are.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origin: Vec<String>,
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
        colleagues_answer_after: (a.colleagues_answer_after > 0.0)
            .then(|| Duration::from_secs_f64(a.colleagues_answer_after)),
        allowed_origins: a.allow_origin.clone(),
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
        thresholds: e.config.thresholds(),
        retention_days: e.config.retention_days,
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
        department: None,
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
            ..
        }) => demo_command(&cli, guest_every, profile).await,
        Some(Command::Login(args)) => {
            init_logging(&cli.log_level, false);
            login_command(&cli, args).await
        }
        Some(Command::Logout(args)) => {
            let store = SessionStore::new(&data_dir());
            if let Ok(Some(session)) = store.load() {
                settle_unsent(&session, args.unsent).await?;
                settle_history(&session, args.history)?;
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
        Some(Command::Handover(args)) => {
            init_logging(&cli.log_level, false);
            handover_command(&cli, args).await
        }
        Some(Command::Done(a)) => {
            init_logging(&cli.log_level, false);
            mark_command(&cli, a.room, Asked::Done, a.json).await
        }
        Some(Command::Later(a)) => {
            init_logging(&cli.log_level, false);
            mark_command(&cli, a.room, Asked::Later(&a.until), a.json).await
        }
        Some(Command::Reopen(a)) => {
            init_logging(&cli.log_level, false);
            mark_command(&cli, a.room, Asked::Reopen, a.json).await
        }
        Some(Command::Doctor(args)) => {
            init_logging(&cli.log_level, false);
            doctor_command(&cli, args).await
        }
        Some(Command::Search(args)) => search_command(args),
        Some(Command::Forget(args)) => forget_command(args),
        Some(Command::Completions { shell }) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(*shell, &mut cmd, "frontdesk", &mut std::io::stdout());
            Ok(())
        }
        Some(Command::Man) => {
            let cmd = <Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(cmd)
                .render(&mut std::io::stdout())
                .wrap_err("writing the manual page")
        }
        Some(Command::Config(_)) => {
            print!("{}", describe(&cli)?);
            Ok(())
        }
        None => inbox_command(&cli).await,
    }
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

/// `frontdesk demo`: the demo hotel on loopback, and the inbox on it.
async fn demo_command(cli: &Cli, guest_every: &f64, profile: &demo::Profile) -> Result<()> {
    let e = effective(cli)?;
    let log = init_logging(&cli.log_level, false);
    crate::tui::install_panic_hook(log.map(|p| p.display().to_string()));
    let config = DemoConfig {
        guest_every: *guest_every,
        profile: *profile,
        paths: match profile {
            demo::Profile::Friendly => ServedPaths::Hotels,
            demo::Profile::Deployment => ServedPaths::Hotel,
        },
        // A colleague answers a hand-off, as one would at a real desk.
        colleagues_answer_after: Some(Duration::from_secs(4)),
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
    // The demo hotel is new each run (its ids start again): so is its history.
    crate::history::remove_file(&config.data_dir);
    let result = inbox::run(InboxConfig {
        session: None,
        canned,
        department: login.department_slug.clone(),
        ..config
    })
    .await;
    running.stop().await;
    result
}

/// `frontdesk`: the inbox, signed in by flags, the environment or the saved session.
async fn inbox_command(cli: &Cli) -> Result<()> {
    let log = init_logging(&cli.log_level, false);
    crate::tui::install_panic_hook(log.map(|p| p.display().to_string()));
    let SignedIn {
        e,
        server,
        hotel,
        api,
        me,
        department,
    } = signed_in(cli).await?;
    let live = e.pusher_url.as_deref().map(|u| LiveConfig::new(u, &hotel));
    let desk = desk_dir(&server, &hotel, me.staff_id);
    let mut config = inbox_config(&e, api, me, desk, live)?;
    config.department = department;
    config.warnings.extend(unattributed_outbox());
    config.warnings.extend(home_missing());
    inbox::run(config).await
}

/// Whom a command runs as, and against which server and hotel.
pub(crate) struct SignedIn {
    pub e: Effective,
    pub server: String,
    pub hotel: String,
    pub api: StaffApi,
    pub me: Me,
    /// The staff member's department, when sign-in said it (the front desk log's members).
    pub department: Option<String>,
}

/// Signs in by flags, the environment or the saved session: a one-off sign-in for scripts
/// (FRONTDESK_USERNAME and FRONTDESK_PASSWORD, nothing saved), else the env token, else the
/// session.
pub(crate) async fn signed_in(cli: &Cli) -> Result<SignedIn> {
    let e = effective(cli)?;
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
    let (token, me, department) = match (user, password, &e.token, &e.session) {
        (Some(u), Some(p), _, _) => {
            let login = api::login(&server, &u, &p)
                .await
                .map_err(|err| eyre!(login_message(&server, &u, &err)))?;
            check_login(&login, &u, &hotel).map_err(|m| eyre!(m))?;
            (
                login.token.clone(),
                me_from(&login),
                login.department_slug.clone(),
            )
        }
        (_, _, Some(token), Some(s)) if !e.token_from_env => {
            (token.clone(), me_from_session(s), s.department.clone())
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
            (token.clone(), me, None)
        }
        _ => {
            return Err(eyre!(
                "not signed in to {hotel} at {server}: run `frontdesk login`"
            ));
        }
    };
    let api = StaffApi::with_http(api_config(&e, &server, &hotel, &token), http);
    Ok(SignedIn {
        e,
        server,
        hotel,
        api,
        me,
        department,
    })
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
