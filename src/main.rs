//! `concerto`: the one binary — server, administration, log tools, read-model rebuilds
//! and benchmarks.

mod admin;
mod audit_cli;
mod bench;
mod cli;
mod export_cli;
mod log_cli;
mod polis_cli;
mod rebuild_cli;
mod serve;
mod telemetry;

/// mimalloc for the whole binary (see the dependency's comment in Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    cli::run()
}
