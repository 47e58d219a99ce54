//! `concerto`: the one binary — server, administration, log tools, read-model rebuilds
//! and benchmarks.

mod admin;
mod bench;
mod cli;
mod log_cli;
mod rebuild_cli;
mod serve;
mod telemetry;

fn main() -> anyhow::Result<()> {
    cli::run()
}
