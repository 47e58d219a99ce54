//! `concerto`: the one binary — server, log tools and benchmarks.

mod admin;
mod bench;
mod cli;
mod log_cli;
mod serve;
mod storage;
mod telemetry;

fn main() -> anyhow::Result<()> {
    cli::run()
}
