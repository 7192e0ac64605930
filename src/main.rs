use std::io::Write;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = frontdesk::cli::Cli::parse();
    let result = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(color_eyre::Report::from)
        .and_then(|rt| rt.block_on(frontdesk::cli::run(cli)));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // The terminal may be gone (SSH dropped): a failed write must not panic.
            let _ = writeln!(std::io::stderr(), "frontdesk: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
