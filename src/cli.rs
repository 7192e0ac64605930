//! The command line: the inbox, the bundled demo, and the demo server on its own.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use color_eyre::eyre::{Result, WrapErr, eyre};

use crate::api::{self, ApiConfig, Login, PathForm, StaffApi};
use crate::app::Me;
use crate::demo::{self, DemoConfig, Faults, SeedOptions, ServedPaths};
use crate::inbox::{self, InboxConfig, NotifyMode};
use crate::live::LiveConfig;

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
    /// Which chat base path the server uses.
    #[arg(long, global = true, value_enum, default_value = "auto")]
    pub api_paths: ApiPaths,
    /// Realtime: a Pusher-protocol WebSocket URL (ws://host:port/app/KEY?protocol=7).
    #[arg(long, env = "FRONTDESK_PUSHER_URL")]
    pub pusher_url: Option<String>,
    /// How new guest messages are announced: off, bell, desktop (OSC 777/9), both.
    #[arg(long, global = true, value_enum, default_value = "bell")]
    pub notify: NotifyMode,
    /// Log level for the log file (error, warn, info, debug, trace).
    #[arg(long, global = true, default_value = "info")]
    pub log_level: String,
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
    },
    /// Run only the demo hotel server (for scripts, tests and benchmarks).
    ServeDemo(ServeArgs),
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
    /// Serve the published (hotels) or the deployed (hotel) base path.
    #[arg(long, value_enum, default_value = "hotels")]
    pub paths: ServedPaths,
    /// Faults: send-500-after-save, drop-sockets-every=SECS, slow=MS, html-500-on=PATH, truncate-previews
    #[arg(long, default_value = "")]
    pub faults: String,
    /// Seconds of silence before the server pings a socket.
    #[arg(long, default_value_t = 120)]
    pub activity_timeout: u64,
}

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "frontdesk")
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

/// Logs go to a file: never to the terminal the inbox draws on.
fn init_logging(level: &str, to_stderr: bool) -> Option<PathBuf> {
    let filter = tracing_subscriber::EnvFilter::try_new(format!("frontdesk={level},warn"))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("frontdesk=info,warn"));
    if to_stderr {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .try_init();
        return None;
    }
    let dir = state_dir();
    std::fs::create_dir_all(&dir).ok()?;
    let path = dir.join("frontdesk.log");
    // Keep one previous log, so the file cannot grow without bound across runs.
    if std::fs::metadata(&path).is_ok_and(|m| m.len() > 5 * 1024 * 1024) {
        let _ = std::fs::rename(&path, dir.join("frontdesk.log.1"));
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .ok()?;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .try_init();
    Some(path)
}

fn me_from(login: &Login) -> Me {
    Me {
        staff_id: login.staff_id,
        name: login.username.clone(),
        hotel_name: login.hotel_display_name(),
        capabilities: login.allowed_capabilities.clone(),
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
        },
        pusher_url: a.pusher_url.clone(),
        paths: a.paths,
        faults: Faults::parse(&a.faults).map_err(|e| eyre!(e))?,
        activity_timeout: Duration::from_secs(a.activity_timeout.max(1)),
        pong_wait: Duration::from_secs(30),
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
            use std::io::Write;
            let _ = std::io::stdout().flush();
            wait_for_shutdown().await;
            running.stop().await;
            Ok(())
        }
        Some(Command::Demo { guest_every }) => {
            let log = init_logging(&cli.log_level, false);
            crate::tui::install_panic_hook(log.map(|p| p.display().to_string()));
            let config = DemoConfig {
                guest_every: *guest_every,
                ..DemoConfig::default()
            };
            let running = demo::start(config).await.map_err(|e| eyre!(e))?;
            let http = api::client::http_client(Duration::from_secs(5), Duration::from_secs(15));
            let login = api::login(&http, &running.base_url, "frontdesk", "demo")
                .await
                .wrap_err("signing in to the demo hotel")?;
            let mut api_config = ApiConfig::new(&running.base_url, &login.hotel_slug, &login.token);
            api_config.paths = PathForm::Hotels;
            let result = inbox::run(InboxConfig {
                api: StaffApi::with_http(api_config, http),
                me: me_from(&login),
                data_dir: data_dir().join("demo"),
                canned: default_canned(),
                page_size: 30,
                poll_every: Duration::from_secs(10),
                notify: cli.notify,
                live: Some(LiveConfig::new(&running.ws_url, &login.hotel_slug)),
            })
            .await;
            running.stop().await;
            result
        }
        None => {
            let log = init_logging(&cli.log_level, false);
            crate::tui::install_panic_hook(log.map(|p| p.display().to_string()));
            let server = cli.server.clone().ok_or_else(|| {
                eyre!("no server: pass --server URL or set FRONTDESK_SERVER (try `frontdesk demo`)")
            })?;
            let hotel = cli
                .hotel
                .clone()
                .ok_or_else(|| eyre!("no hotel: pass --hotel SLUG or set FRONTDESK_HOTEL"))?;
            let http = api::client::http_client(Duration::from_secs(5), Duration::from_secs(15));
            let username = std::env::var("FRONTDESK_USERNAME").ok();
            let password = std::env::var("FRONTDESK_PASSWORD").ok();
            let (token, me) = match (std::env::var("FRONTDESK_TOKEN").ok(), username, password) {
                (_, Some(u), Some(p)) => {
                    let login = api::login(&http, &server, &u, &p)
                        .await
                        .wrap_err_with(|| format!("signing in as {u}"))?;
                    if login.hotel_slug != hotel {
                        return Err(eyre!("{u} belongs to {}, not {hotel}", login.hotel_slug));
                    }
                    (login.token.clone(), me_from(&login))
                }
                (Some(token), _, _) => {
                    let staff_id = std::env::var("FRONTDESK_STAFF_ID")
                        .ok()
                        .and_then(|s| s.parse().ok())
                        .unwrap_or(0);
                    let me = Me {
                        staff_id,
                        name: "staff".into(),
                        hotel_name: hotel.clone(),
                        capabilities: [
                            "chat.conversation.read",
                            "chat.message.send",
                            "chat.conversation.assign",
                        ]
                        .map(String::from)
                        .to_vec(),
                    };
                    (token, me)
                }
                _ => {
                    return Err(eyre!(
                        "not signed in: set FRONTDESK_TOKEN, or FRONTDESK_USERNAME and FRONTDESK_PASSWORD"
                    ));
                }
            };
            let mut api_config = ApiConfig::new(&server, &hotel, &token);
            api_config.paths = cli.api_paths.into();
            inbox::run(InboxConfig {
                api: StaffApi::with_http(api_config, http),
                me,
                data_dir: data_dir(),
                canned: default_canned(),
                page_size: 30,
                poll_every: Duration::from_secs(10),
                notify: cli.notify,
                live: cli
                    .pusher_url
                    .as_deref()
                    .map(|u| LiveConfig::new(u, &hotel)),
            })
            .await
        }
    }
}

fn default_canned() -> Vec<String> {
    [
        "Thank you for your message — we're on it and will be with you shortly.",
        "Fresh towels are on their way to your room.",
        "Breakfast is served 7:00–10:30 in the Lakeview restaurant.",
        "Check-out is at 11:00; late check-out until 13:00 is free on request.",
        "The Wi-Fi network is Killarney-Guest; the password is on your key card holder.",
    ]
    .map(String::from)
    .to_vec()
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
