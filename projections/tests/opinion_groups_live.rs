//! The opinion-groups projection over real events: a Polis conversation (fixture
//! 15-per-hour-seattle, CC BY 4.0, see its ATTRIBUTION.md) imported as events and folded
//! by the main projection gives the same groups as the computation on Polis's own files.

mod common;

use std::collections::HashMap;
use std::path::Path;

use common::*;
use concerto_projections::main_model::MemoryModel;
use concerto_projections::opinion_groups::live::{compute_question, question_votes};
use concerto_projections::opinion_groups::metrics::adjusted_rand_index;
use concerto_projections::opinion_groups::{compute, polis, Parameters};
use concerto_projections::polis_interop::{self, ImportOptions};
use domain::territory::TerritoryCode;
use domain::values::{Slug, TextHash};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_from_imported_events_equal_groups_from_the_polis_files() {
    let store = memory_store();
    let export = polis_interop::read_dir(Path::new(FIXTURE)).unwrap();
    let options = ImportOptions {
        slug: Slug::parse("polis-seattle").unwrap(),
        collectivite: domain::demo::demo_collectivite(),
        territories: vec![TerritoryCode::parse("FR").unwrap()],
    };
    let plan = polis_interop::plan(&export, &options, &mut || TextHash::of("unused")).unwrap();
    let report = polis_interop::append_plan(&store, &plan).await.unwrap();
    assert_eq!(report.commits_already_present, 0);
    let model = MemoryModel::new();
    project(&store, model.clone()).await;
    assert_eq!(model.read().skipped, 0);

    let questions = question_votes(&model.read());
    assert_eq!(
        questions.keys().copied().collect::<Vec<_>>(),
        vec![plan.question]
    );
    let votes = &questions[&plan.question];
    let files = polis::read(Path::new(FIXTURE)).unwrap();
    assert_eq!(votes.votes.len(), files.votes.vote_count());
    assert_eq!(votes.hidden.len(), files.votes.hidden().count());

    let parameters = Parameters::default();
    let live = compute_question(votes, &parameters);
    let direct = compute(&files.votes, &parameters);
    // Participants are named by Concerto ids on one side, Polis ids on the other.
    let polis_id: HashMap<String, String> = plan
        .commits
        .iter()
        .flat_map(|c| &c.events)
        .filter(|e| e.event_type == "ParticipantRegistered")
        .map(|e| {
            (
                e.data["id"].as_str().unwrap_or_default().to_owned(),
                e.metadata.extra["polis"]["participant-id"].to_string(),
            )
        })
        .collect();
    let live_partition: HashMap<String, usize> = live
        .partition()
        .into_iter()
        .map(|(p, g)| (polis_id[p].clone(), g))
        .collect();
    let direct_partition = direct.partition();
    assert_eq!(live_partition.len(), direct_partition.len());
    let (a, b): (Vec<usize>, Vec<usize>) = direct_partition
        .iter()
        .map(|(p, g)| (*g, live_partition[*p]))
        .unzip();
    assert_eq!(adjusted_rand_index(&a, &b), 1.0);
    let sizes = |g: &concerto_projections::opinion_groups::OpinionGroups| {
        g.groups.iter().map(|g| g.size).collect::<Vec<_>>()
    };
    assert_eq!(sizes(&live), sizes(&direct));
    assert!(live.groups.len() >= 2);
    assert_eq!(live.parameters, parameters);
}
