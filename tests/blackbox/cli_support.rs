//! Runs the `concerto` executable as a user would, isolated from the services the
//! environment names unless a test passes them explicitly.

use std::process::{Command, Output};

/// Runs `concerto args…` with only `envs` among `NATS_URL` and `DATABASE_URL`.
pub fn run(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_concerto"));
    command
        .args(args)
        .env_remove("NATS_URL")
        .env_remove("DATABASE_URL");
    for (name, value) in envs {
        command.env(name, value);
    }
    command.output().expect("run concerto")
}

/// Runs `concerto args…`, requires success and returns its standard output.
pub fn concerto(args: &[&str], envs: &[(&str, &str)]) -> String {
    let output = run(args, envs);
    assert!(
        output.status.success(),
        "concerto {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}
