//! CPU time of processes and of this process's threads, from `/proc`, for benchmarks
//! that report what each side of a measurement cost.
//!
//! Times are in clock ticks of `USER_HZ`, which Linux fixes at 100 for `/proc` on every
//! architecture it supports; where `/proc` is absent every reading is zero.

use std::path::Path;

/// Ticks per second in `/proc/…/stat` (`USER_HZ`).
const TICKS_PER_SECOND: f64 = 100.0;

/// CPU time in seconds from a tick count.
pub fn seconds(ticks: u64) -> f64 {
    ticks as f64 / TICKS_PER_SECOND
}

/// The fields after the command name of a `stat` file (the name, in parentheses, may
/// hold spaces), with the name itself.
fn stat_fields(path: &Path) -> Option<(String, Vec<u64>)> {
    let text = std::fs::read_to_string(path).ok()?;
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let name = text.get(open + 1..close)?.to_owned();
    // Field 3 (the state) is a letter; the numeric fields after it parse, the rest are
    // kept as zero so the positions stay right.
    let fields = text
        .get(close + 1..)?
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    Some((name, fields))
}

// Positions after the name: state is 0, so utime (field 14) is 11.
const UTIME: usize = 11;

/// `utime + stime` of one thread or process, plus `cutime + cstime` when
/// `with_children` (the time of children it has reaped: a PostgreSQL backend that
/// ended during the measurement is counted in its postmaster's).
fn ticks_of(path: &Path, with_children: bool) -> Option<(String, u64)> {
    let (name, fields) = stat_fields(path)?;
    let own = fields.get(UTIME)? + fields.get(UTIME + 1)?;
    let children = if with_children {
        fields.get(UTIME + 2)? + fields.get(UTIME + 3)?
    } else {
        0
    };
    Some((name, own + children))
}

/// CPU ticks of every process whose command name is `name` (for example `postgres`, all
/// of whose backends are separate processes, or `nats-server`), with their reaped
/// children. Zero when none runs or `/proc` cannot be read.
pub fn processes_named(name: &str) -> u64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .bytes()
                .all(|b| b.is_ascii_digit())
        })
        .filter_map(|e| ticks_of(&e.path().join("stat"), true))
        .filter(|(comm, _)| comm == name)
        .map(|(_, ticks)| ticks)
        .sum()
}

/// CPU ticks of this whole process (every thread, live or ended).
pub fn this_process() -> u64 {
    ticks_of(Path::new("/proc/self/stat"), true).map_or(0, |(_, ticks)| ticks)
}

/// CPU ticks of this process's live threads whose name starts with `prefix` (a tokio
/// runtime built with that `thread_name`). A thread that already ended is not counted:
/// give such a runtime threads that live as long as the measurement.
pub fn own_threads_named(prefix: &str) -> u64 {
    let Ok(entries) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| ticks_of(&e.path().join("stat"), false))
        .filter(|(comm, _)| comm.starts_with(prefix))
        .map(|(_, ticks)| ticks)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stat_line_with_spaces_in_the_name_parses_at_the_right_fields() {
        let dir = std::env::temp_dir().join(format!("concerto-cpu-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("stat");
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt
        // cmajflt utime stime cutime cstime …
        std::fs::write(
            &path,
            "42 (a b) c) S 1 42 42 0 -1 4194560 10 0 0 0 7 3 20 5 20 0\n",
        )
        .unwrap();
        assert_eq!(ticks_of(&path, false), Some(("a b) c".to_owned(), 10)));
        assert_eq!(ticks_of(&path, true), Some(("a b) c".to_owned(), 35)));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn this_process_is_charged_for_its_work_and_unknown_threads_are_not_found() {
        // Spin until the kernel has charged at least one tick (10 ms of CPU), bounded.
        let mut x = 0u64;
        let mut rounds = 0;
        while this_process() == 0 && rounds < 10_000 {
            for i in 0..1_000_000u64 {
                x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
            }
            rounds += 1;
        }
        assert!(
            this_process() > 0,
            "no CPU time after {rounds} rounds ({x})"
        );
        assert_eq!(own_threads_named("no-such-thread-name"), 0);
    }
}
