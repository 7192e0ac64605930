use clap::Parser;

fn main() -> color_eyre::Result<()> {
    let cli = frontdesk::cli::Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(frontdesk::cli::run(cli))
}
