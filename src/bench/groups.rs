//! `concerto bench groups` and `concerto bench groups-compare`: speed of the opinion-groups
//! computation on Polis-shaped synthetic conversations, and agreement with Polis's own
//! groups on real conversations (with an invariance check under relabelling and
//! reordering).
//!
//! Times are wall-clock of `compute` alone (the vote set is built beforehand), single
//! thread; peak memory is the process's `VmHWM` from `/proc/self/status`, reset before each
//! measurement where the kernel allows it.

use super::memory::{peak_rss_kib, reset_peak_rss};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Args;
use projections::opinion_groups::{
    compute, metrics::adjusted_rand_index, polis, synthetic, OpinionGroups, Parameters, Vote,
    VoteSet, VoteSetBuilder,
};

/// Arguments of `concerto bench groups`.
#[derive(Args)]
pub struct GroupsArgs {
    /// Timed runs per shape (the median is reported).
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    /// Only the small shape (2,000 × 200 × 120,000).
    #[arg(long)]
    pub small_only: bool,
}

/// Arguments of `concerto bench groups-compare`.
#[derive(Args)]
pub struct GroupsCompareArgs {
    /// Folder of Polis conversations, one sub-folder each (`comments.csv`,
    /// `participants-votes.csv`).
    #[arg(long, default_value = "../shared/data/polis")]
    pub data: PathBuf,
    /// Relabelled, reordered copies checked for invariance per conversation.
    #[arg(long, default_value_t = 3)]
    pub shuffles: u64,
}

fn peak_rss_mib() -> f64 {
    peak_rss_kib() as f64 / 1024.0
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs `concerto bench groups`.
pub fn run_speed(args: GroupsArgs) -> anyhow::Result<()> {
    let shapes: &[(usize, usize, usize, f64)] = if args.small_only {
        &[(2_000, 200, 120_000, 100.0)]
    } else {
        &[
            (2_000, 200, 120_000, 100.0),
            (33_000, 783, 2_000_000, 3_000.0),
        ]
    };
    println!("| participants × statements × votes | build vote set | compute (median of {}) | min | max | target | peak RSS during compute | groups | deterministic |", args.runs);
    println!("|---|---|---|---|---|---|---|---|---|");
    for &(participants, statements, votes, target_ms) in shapes {
        let start = Instant::now();
        let data = synthetic::generate(&synthetic::Spec {
            participants,
            statements,
            votes,
            groups: 3,
            noise: 0.1,
            spread: 0.2,
            seed: 7,
        });
        let build = start.elapsed();
        let parameters = Parameters::default();
        let mut times = Vec::new();
        let mut peak: f64 = 0.0;
        let mut first: Option<String> = None;
        let mut deterministic = true;
        let mut groups = 0;
        for _ in 0..args.runs.max(1) {
            reset_peak_rss();
            let start = Instant::now();
            let result = std::hint::black_box(compute(&data.votes, &parameters));
            times.push(start.elapsed());
            peak = peak.max(peak_rss_mib());
            groups = result.groups.len();
            let json = serde_json::to_string(&result)?;
            match &first {
                None => first = Some(json),
                Some(f) => deterministic &= *f == json,
            }
        }
        times.sort();
        println!(
            "| {participants} × {statements} × {votes} | {:.0} ms | **{:.1} ms** | {:.1} ms | {:.1} ms | < {target_ms:.0} ms | {peak:.0} MiB | {groups} | {} |",
            ms(build),
            ms(times[times.len() / 2]),
            ms(times[0]),
            ms(times[times.len() - 1]),
            if deterministic { "byte-identical" } else { "DIFFERS" },
        );
    }
    Ok(())
}

/// A copy of `set` with every participant and statement renamed and the votes shuffled:
/// the same vote set up to names. Returns it with the new → old participant names.
fn relabel(set: &VoteSet, seed: u64) -> (VoteSet, BTreeMap<String, String>) {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut next = move || {
        // xorshift64*: independent of the library's generator on purpose.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    let salt = next();
    let rename = |prefix: &str, key: &str| {
        let mut h = salt;
        for b in key.bytes() {
            h = (h ^ b as u64).wrapping_mul(0x100_0000_01b3);
        }
        format!("{prefix}{h:016x}")
    };
    let mut votes: Vec<(String, String, i8)> = set
        .iter()
        .map(|(p, s, v)| (rename("p", p), rename("s", s), v))
        .collect();
    for i in (1..votes.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        votes.swap(i, j);
    }
    let mut builder = VoteSetBuilder::new();
    let mut hidden: Vec<String> = set.hidden().map(|s| rename("s", s)).collect();
    hidden.sort();
    for s in &hidden {
        builder.hide(s);
    }
    for (p, s, v) in &votes {
        let vote = Vote::from_value(*v as i64).expect("valid vote");
        builder.vote(p, s, vote);
    }
    let names = set
        .iter()
        .map(|(p, _, _)| (rename("p", p), p.to_owned()))
        .collect();
    (builder.build(), names)
}

/// Whether `other` (computed on a relabelled copy) places every participant exactly where
/// `original` does, bit for bit, in the same group; and the ARI of the two partitions.
fn invariance(
    original: &OpinionGroups,
    other: &OpinionGroups,
    names: &BTreeMap<String, String>,
) -> (f64, bool) {
    let by_name: BTreeMap<&str, _> = original
        .participants
        .iter()
        .map(|p| (p.participant.as_str(), p))
        .collect();
    let mut identical = original.groups.len() == other.groups.len();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for p in &other.participants {
        let o = by_name[names[&p.participant].as_str()];
        identical &=
            o.x.to_bits() == p.x.to_bits() && o.y.to_bits() == p.y.to_bits() && o.group == p.group;
        if let (Some(x), Some(y)) = (o.group, p.group) {
            a.push(x);
            b.push(y);
        } else {
            identical &= o.group.is_none() && p.group.is_none();
        }
    }
    (adjusted_rand_index(&a, &b), identical)
}

/// Runs `concerto bench groups-compare`.
pub fn run_compare(args: GroupsCompareArgs) -> anyhow::Result<()> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&args.data)
        .with_context(|| format!("reading {}", args.data.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("participants-votes.csv").is_file())
        .collect();
    dirs.sort();
    println!("| conversation | participants | statements (hidden) | Polis clustered | Concerto clustered | coverage of Polis's set | groups Polis / Concerto | ARI vs Polis | placed differently | ARI at Polis's k | silhouettes k=2..5 | invariance ({} relabelled shuffles) | time |", args.shuffles);
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for dir in dirs {
        compare_one(&dir, args.shuffles)?;
    }
    Ok(())
}

fn compare_one(dir: &Path, shuffles: u64) -> anyhow::Result<()> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let conversation = polis::read(dir)?;
    let start = Instant::now();
    let result = compute(&conversation.votes, &Parameters::default());
    let elapsed = start.elapsed();
    let partition = result.partition();
    let (mut theirs, mut ours) = (Vec::new(), Vec::new());
    for (participant, &g) in &conversation.polis_groups {
        if let Some(&h) = partition.get(participant.as_str()) {
            theirs.push(g);
            ours.push(h);
        }
    }
    let polis_k = conversation
        .polis_groups
        .values()
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let ari = adjusted_rand_index(&theirs, &ours);
    // Participants outside the Polis group that most of their Concerto group belongs to.
    let mut table: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for (&t, &o) in theirs.iter().zip(&ours) {
        *table.entry((o, t)).or_default() += 1;
    }
    let mut majority: BTreeMap<usize, usize> = BTreeMap::new();
    for (&(o, _), &n) in &table {
        let m = majority.entry(o).or_default();
        *m = (*m).max(n);
    }
    let misplaced = theirs.len() - majority.values().sum::<usize>();
    // Where the silhouette picks another k than Polis, how close is our split at Polis's k?
    let ari_at_polis_k = if result.groups.len() == polis_k {
        ari
    } else {
        let fixed = compute(
            &conversation.votes,
            &Parameters {
                fixed_k: Some(polis_k),
                ..Parameters::default()
            },
        );
        let partition = fixed.partition();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for (participant, &g) in &conversation.polis_groups {
            if let Some(&h) = partition.get(participant.as_str()) {
                a.push(g);
                b.push(h);
            }
        }
        adjusted_rand_index(&a, &b)
    };
    let mut worst_ari: f64 = 1.0;
    let mut all_identical = true;
    for s in 0..shuffles {
        let (copy, names) = relabel(&conversation.votes, s + 1);
        let other = compute(&copy, &Parameters::default());
        let (ari, identical) = invariance(&result, &other, &names);
        worst_ari = worst_ari.min(ari);
        all_identical &= identical;
    }
    let silhouettes: Vec<String> = result
        .candidates
        .iter()
        .map(|c| format!("{:.3}", c.silhouette))
        .collect();
    println!(
        "| {name} | {} | {} ({}) | {} | {} | {:.3} | {polis_k} / {} | **{:.3}** | {misplaced} ({:.1} %) | {:.3} | {} | ARI {:.3}, {} | {:.1} ms |",
        result.n_participants,
        result.n_statements,
        result.n_hidden,
        conversation.polis_groups.len(),
        result.n_clustered,
        theirs.len() as f64 / conversation.polis_groups.len().max(1) as f64,
        result.groups.len(),
        ari,
        100.0 * misplaced as f64 / theirs.len().max(1) as f64,
        ari_at_polis_k,
        silhouettes.join(" "),
        worst_ari,
        if all_identical { "byte-identical" } else { "NOT identical" },
        ms(elapsed),
    );
    Ok(())
}
