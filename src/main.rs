//! `concerto`: the one binary — server, log tools and benchmarks.

mod bench;
mod cli;
mod log_cli;
mod storage;

fn main() -> anyhow::Result<()> {
    cli::run()
}
