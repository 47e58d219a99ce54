//! Opinion groups on degenerate inputs: nothing panics, results stay well-formed.

use concerto_projections::opinion_groups::{compute, Parameters, Vote, VoteSet, VoteSetBuilder};

fn build(votes: &[(&str, &str, Vote)], hidden: &[&str]) -> VoteSet {
    let mut b = VoteSetBuilder::new();
    for &(p, s, v) in votes {
        b.vote(p, s, v);
    }
    for s in hidden {
        b.hide(s);
    }
    b.build()
}

#[test]
fn empty_vote_set() {
    let r = compute(&VoteSet::default(), &Parameters::default());
    assert_eq!(
        (r.n_participants, r.n_statements, r.groups.len()),
        (0, 0, 0)
    );
    assert!(r.participants.is_empty() && r.consensus_agree.is_empty());
}

#[test]
fn one_participant_one_statement() {
    let r = compute(
        &build(&[("a", "s", Vote::Agree)], &[]),
        &Parameters::default(),
    );
    assert_eq!(r.n_clustered, 1);
    assert_eq!(r.groups.len(), 1);
    assert!(r.participants[0].x.is_finite() && r.participants[0].y.is_finite());
}

#[test]
fn everyone_votes_alike() {
    let votes: Vec<(String, String)> = (0..30)
        .flat_map(|p| (0..10).map(move |s| (format!("p{p}"), format!("s{s}"))))
        .collect();
    let refs: Vec<(&str, &str, Vote)> = votes
        .iter()
        .map(|(p, s)| (p.as_str(), s.as_str(), Vote::Agree))
        .collect();
    let r = compute(&build(&refs, &[]), &Parameters::default());
    // No variance: one position, so one group, and every statement is a consensus.
    assert_eq!(r.groups.len(), 1);
    assert_eq!(r.groups[0].size, 30);
    assert!(r.participants.iter().all(|p| p.x == 0.0 && p.y == 0.0));
    assert_eq!(r.consensus_agree.len(), 5);
    assert!(r.divisive.is_empty());
}

#[test]
fn only_hidden_statements() {
    let r = compute(
        &build(
            &[("a", "s", Vote::Agree), ("b", "s", Vote::Disagree)],
            &["s", "never-voted"],
        ),
        &Parameters::default(),
    );
    assert_eq!((r.n_statements, r.n_hidden), (1, 1));
    assert!(r.groups.iter().all(|g| g.representative.is_empty()));
    assert!(r.consensus_agree.is_empty() && r.consensus_disagree.is_empty());
}

#[test]
fn a_later_vote_replaces_an_earlier_one() {
    let set = build(&[("a", "s", Vote::Agree), ("a", "s", Vote::Disagree)], &[]);
    assert_eq!(set.vote_count(), 1);
    assert_eq!(set.iter().next(), Some(("a", "s", -1)));
}
