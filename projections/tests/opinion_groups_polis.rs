//! Opinion groups on a real Polis conversation (fixture: 15-per-hour-seattle, CC BY 4.0):
//! invariance under relabelling and reordering, byte-identical output, hidden statements
//! neutralised, Polis's statistics recomputed by hand.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use concerto_projections::opinion_groups::{
    compute, metrics::adjusted_rand_index, polis, repness, Direction, OpinionGroups, Parameters,
    Vote, VoteSet, VoteSetBuilder,
};

fn fixture() -> polis::PolisConversation {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/polis/15-per-hour-seattle");
    polis::read(&dir).expect("fixture reads")
}

/// A deterministic shuffle independent of the library's generator.
fn shuffle<T>(items: &mut [T], mut state: u64) {
    for i in (1..items.len()).rev() {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let j = ((state >> 33) % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

/// Rebuilds `set` with votes in a shuffled order and keys passed through `rename`.
fn rebuild(set: &VoteSet, seed: u64, rename: &dyn Fn(&str) -> String) -> VoteSet {
    let mut votes: Vec<(String, String, i8)> = set
        .iter()
        .map(|(p, s, v)| (rename(p), rename(s), v))
        .collect();
    shuffle(&mut votes, seed);
    let mut hidden: Vec<String> = set.hidden().map(rename).collect();
    shuffle(&mut hidden, seed ^ 1);
    let mut builder = VoteSetBuilder::new();
    for (p, s, v) in &votes {
        builder.vote(p, s, Vote::from_value(*v as i64).unwrap());
    }
    for s in &hidden {
        builder.hide(s);
    }
    builder.build()
}

fn partition_by(
    result: &OpinionGroups,
    back: &dyn Fn(&str) -> String,
) -> BTreeMap<String, (u64, u64, Option<usize>)> {
    result
        .participants
        .iter()
        .map(|p| {
            (
                back(&p.participant),
                (p.x.to_bits(), p.y.to_bits(), p.group),
            )
        })
        .collect()
}

#[test]
fn reordering_gives_byte_identical_output() {
    let conversation = fixture();
    let parameters = Parameters::default();
    let reference = serde_json::to_string(&compute(&conversation.votes, &parameters)).unwrap();
    for seed in 1..=3 {
        let shuffled = rebuild(&conversation.votes, seed, &|k| k.to_owned());
        let json = serde_json::to_string(&compute(&shuffled, &parameters)).unwrap();
        assert!(json == reference, "shuffle {seed} changed the output");
    }
}

#[test]
fn relabelling_and_reordering_give_the_same_partition() {
    let conversation = fixture();
    let parameters = Parameters::default();
    let reference = compute(&conversation.votes, &parameters);
    let expected = partition_by(&reference, &|k| k.to_owned());
    for seed in 1..=3 {
        // Renaming that also reverses the lexicographic order of the keys.
        let rename = move |k: &str| {
            format!(
                "{:x}-{}",
                u64::MAX - k.len() as u64 * 7919 - seed,
                k.chars().rev().collect::<String>()
            )
        };
        let copy = rebuild(&conversation.votes, seed * 31, &rename);
        let result = compute(&copy, &parameters);
        let back: HashMap<String, String> = conversation
            .votes
            .iter()
            .map(|(p, _, _)| (rename(p), p.to_owned()))
            .collect();
        let got = partition_by(&result, &|k| back[k].clone());
        assert_eq!(
            got, expected,
            "coordinates and groups are bit-identical after relabelling"
        );
        let (a, b): (Vec<_>, Vec<_>) = expected
            .iter()
            .filter_map(|(k, v)| v.2.map(|g| (g, got[k].2.unwrap())))
            .unzip();
        assert_eq!(adjusted_rand_index(&a, &b), 1.0);
        // Statements are renamed consistently in every list.
        let statements = |r: &OpinionGroups| -> Vec<String> {
            r.groups
                .iter()
                .flat_map(|g| g.representative.iter().map(|s| s.statement.clone()))
                .collect()
        };
        let renamed: Vec<String> = statements(&reference).iter().map(|s| rename(s)).collect();
        assert_eq!(statements(&result), renamed);
    }
}

#[test]
fn groups_cover_the_active_voters_and_match_polis() {
    let conversation = fixture();
    let result = compute(&conversation.votes, &Parameters::default());
    assert_eq!(result.n_participants, 339);
    assert_eq!(result.n_statements, 54);
    assert_eq!(result.n_hidden, 23);
    assert!((2..=5).contains(&result.groups.len()));
    assert_eq!(
        result.groups.iter().map(|g| g.size).sum::<usize>(),
        result.n_clustered
    );
    for p in &result.participants {
        assert_eq!(
            p.group.is_some(),
            p.n_votes >= 7,
            "{} with {} votes",
            p.participant,
            p.n_votes
        );
    }
    // Groups are numbered by decreasing size.
    assert!(result.groups.windows(2).all(|w| w[0].size >= w[1].size));
    // The same participants as Polis's, split the same way.
    let partition = result.partition();
    let (mut theirs, mut ours) = (Vec::new(), Vec::new());
    for (p, &g) in &conversation.polis_groups {
        if let Some(&h) = partition.get(p.as_str()) {
            theirs.push(g);
            ours.push(h);
        }
    }
    assert!(theirs.len() as f64 >= 0.95 * conversation.polis_groups.len() as f64);
    let ari = adjusted_rand_index(&theirs, &ours);
    assert!(ari >= 0.8, "ARI against Polis {ari}");
}

#[test]
fn hidden_statements_are_neutralised_and_never_shown() {
    let conversation = fixture();
    let hidden: BTreeSet<String> = conversation.votes.hidden().map(str::to_owned).collect();
    assert_eq!(hidden.len(), 23);
    let result = compute(&conversation.votes, &Parameters::default());
    let shown = result
        .groups
        .iter()
        .flat_map(|g| g.representative.iter().map(|r| &r.statement))
        .chain(result.consensus_agree.iter().map(|c| &c.statement))
        .chain(result.consensus_disagree.iter().map(|c| &c.statement))
        .chain(result.divisive.iter().map(|d| &d.statement));
    for s in shown {
        assert!(!hidden.contains(s), "hidden statement {s} shown");
    }
    // Neutralised, not dropped: changing votes on a hidden statement changes nothing
    // except the participants' vote counts.
    let mut builder = VoteSetBuilder::new();
    for (p, s, v) in conversation.votes.iter() {
        let v = if hidden.contains(s) { -v } else { v };
        builder.vote(p, s, Vote::from_value(v as i64).unwrap());
    }
    for s in &hidden {
        builder.hide(s);
    }
    let flipped = compute(&builder.build(), &Parameters::default());
    assert_eq!(flipped.partition(), result.partition());
    assert_eq!(flipped.groups, result.groups);
}

#[test]
fn representative_statistics_follow_polis_formulas() {
    let conversation = fixture();
    let result = compute(&conversation.votes, &Parameters::default());
    let group_of: BTreeMap<&str, usize> = result.partition();
    for group in &result.groups {
        assert!(
            !group.representative.is_empty(),
            "every group has a representative statement"
        );
        for r in &group.representative {
            // Recount from the raw votes.
            let (mut na, mut nd, mut ns, mut ra, mut rd, mut rs) = (0, 0, 0, 0, 0, 0);
            for (p, s, v) in conversation.votes.iter() {
                if s != r.statement {
                    continue;
                }
                match group_of.get(p) {
                    Some(&g) if g == group.id => {
                        ns += 1;
                        na += (v == 1) as u32;
                        nd += (v == -1) as u32;
                    }
                    Some(_) => {
                        rs += 1;
                        ra += (v == 1) as u32;
                        rd += (v == -1) as u32;
                    }
                    None => {}
                }
            }
            let st = &r.stats;
            assert_eq!(
                (st.counts.agree, st.counts.disagree, st.counts.seen),
                (na, nd, ns)
            );
            assert_eq!(
                (st.rest.agree, st.rest.disagree, st.rest.seen),
                (ra, rd, rs)
            );
            let pa = (na as f64 + 1.0) / (ns as f64 + 2.0);
            let pd = (nd as f64 + 1.0) / (ns as f64 + 2.0);
            assert!((st.pa - pa).abs() < 1e-15 && (st.pd - pd).abs() < 1e-15);
            assert!((st.ra - pa / ((ra as f64 + 1.0) / (rs as f64 + 2.0))).abs() < 1e-12);
            assert!((st.rd - pd / ((rd as f64 + 1.0) / (rs as f64 + 2.0))).abs() < 1e-12);
            let (p, z) = match r.direction {
                Direction::Agree => (st.pa, st.pat),
                Direction::Disagree => (st.pd, st.pdt),
            };
            assert_eq!((r.probability, r.probability_test), (p, z));
            if r.significant {
                assert!(r.repness_test > 1.2816 && r.probability_test > 1.2816);
            }
        }
    }
}

#[test]
fn polis_z_tests() {
    // 10 agrees out of 10: 2·sqrt(11)·(11/11 − ½) = sqrt(11).
    assert!((repness::prop_test(10, 10) - 11f64.sqrt()).abs() < 1e-12);
    assert_eq!(repness::prop_test(4, 9), 0.0);
    // Group 9/10 vs rest 1/10, with +1 pseudo-counts: 10/11 vs 2/11, pooled 12/22.
    let pooled: f64 = 12.0 / 22.0;
    let expected = (10.0 / 11.0 - 2.0 / 11.0) / (pooled * (1.0 - pooled) * (2.0 / 11.0)).sqrt();
    assert!((repness::two_prop_test(9, 1, 10, 10) - expected).abs() < 1e-12);
}
