//! Acceptance: planted opinion groups are recovered from sparse, noisy synthetic votes.

use concerto_projections::opinion_groups::{
    compute, metrics::adjusted_rand_index, synthetic, Parameters,
};

struct Outcome {
    k_planted: usize,
    k_found: usize,
    ari: f64,
    coverage: f64,
}

fn run(groups: usize, seed: u64) -> Outcome {
    let spec = synthetic::Spec {
        participants: 600,
        statements: 200,
        votes: 36_000,
        groups,
        noise: 0.1,
        spread: 0.2,
        seed,
    };
    let data = synthetic::generate(&spec);
    let result = compute(&data.votes, &Parameters::default());
    let partition = result.partition();
    let (mut planted, mut found) = (Vec::new(), Vec::new());
    for (i, &g) in data.planted.iter().enumerate() {
        if let Some(&f) = partition.get(format!("p{i}").as_str()) {
            planted.push(g);
            found.push(f);
        }
    }
    Outcome {
        k_planted: groups,
        k_found: result.groups.len(),
        ari: adjusted_rand_index(&planted, &found),
        coverage: found.len() as f64 / data.planted.len() as f64,
    }
}

#[test]
fn planted_groups_are_recovered() {
    let mut outcomes = Vec::new();
    for groups in 2..=5 {
        for seed in 0..10 {
            outcomes.push(run(groups, 1000 * groups as u64 + seed));
        }
    }
    for o in &outcomes {
        eprintln!(
            "k planted {} found {} ari {:.3} coverage {:.2}",
            o.k_planted, o.k_found, o.ari, o.coverage
        );
    }
    let good = outcomes
        .iter()
        .filter(|o| o.k_found == o.k_planted && o.ari >= 0.95)
        .count();
    assert!(
        good * 10 >= outcomes.len() * 9,
        "{good} of {} runs recovered the planted groups (need 90 %)",
        outcomes.len()
    );
    // Participants under the vote threshold are not clustered, the others all are.
    assert!(outcomes.iter().all(|o| o.coverage > 0.5));
}
