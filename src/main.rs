//! `concerto`: the one binary — server, log tools and benchmarks.

mod bench;
mod cli;

fn main() -> anyhow::Result<()> {
    cli::run()
}
