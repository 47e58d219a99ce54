//! `serve --demo`: seeds, once, the demonstration concertation "Concertation
//! territoriale de l'IA — Métropole de démonstration", its doctrine (labelled as
//! demonstration text), a facilitator and a commission account.
//!
//! Every id is derived from a fixed name and every event id from a fixed idempotency
//! key, so a restart (or a seeding interrupted half-way) appends nothing twice.

use domain::concertation::{ConcertationAggregate, ModerationMode, Phase};
use domain::contribution::ContributionKind;
use domain::doctrine::DoctrineAggregate;
use domain::values::{ConcertationId, DoctrineId, ParticipantId, StaffId};
use eventstore::derived_event_id;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::accounts::{StaffAccount, StaffRole};
use crate::app::concertations::{CreateInput, QuestionInput, QuestionKindInput, ThemeInput};
use crate::app::contributions::SubmitInput;
use crate::app::{App, Ctx};
use crate::auth::password;
use crate::auth::{Caller, PendingRegistration, Tokens};
use crate::error::{AppError, AppResult};

/// The demo concertation's slug.
pub const SLUG: &str = "ia-metropole-demo";
/// The demo concertation's title.
pub const TITLE: &str = "Concertation territoriale de l'IA — Métropole de démonstration";

fn id(name: &str) -> Uuid {
    derived_event_id("concerto-demo", name)
}

/// The demo doctrine's id.
pub fn doctrine_id() -> DoctrineId {
    DoctrineId::from_uuid(id("doctrine"))
}

const THEMES: [&str; 4] = [
    "IA sociale",
    "IA démocratique",
    "IA utile",
    "IA territoriale",
];

const STATEMENTS: [&str; 12] = [
    "Un agent public doit pouvoir revoir toute décision prise avec l'aide d'une IA.",
    "Les données des habitants doivent rester hébergées sur le territoire.",
    "La collectivité doit publier la liste des outils d'IA qu'elle utilise.",
    "L'IA peut aider à traduire les démarches administratives dans d'autres langues.",
    "Chaque projet d'IA devrait être soumis à une concertation locale.",
    "Les agents doivent être formés avant tout déploiement d'un outil d'IA.",
    "L'IA ne doit jamais remplacer l'accueil humain en mairie.",
    "Les communes voisines devraient mutualiser leurs outils d'IA.",
    "Un projet d'IA sans indicateur d'utilité mesurable ne devrait pas être lancé.",
    "Les logiciels d'IA publics devraient être libres et auditables.",
    "L'IA peut aider à mieux repérer les personnes éloignées des droits.",
    "La consommation d'énergie des outils d'IA doit être publiée.",
];

/// An account the seeding created, with its one-time password (to print once).
#[derive(Clone)]
pub struct SeededAccount {
    /// Login.
    pub login: String,
    /// Role.
    pub role: StaffRole,
    /// The password, shown once.
    pub password: String,
}

fn random_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..20)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

async fn account(
    app: &App,
    login: &str,
    name: &str,
    role: StaffRole,
    created: &mut Vec<SeededAccount>,
) -> AppResult<StaffAccount> {
    if let Some(existing) = app.accounts().by_login(login).await? {
        return Ok(existing);
    }
    let password = random_password();
    let account = StaffAccount {
        id: StaffId::from_uuid(id(login)),
        login: login.to_owned(),
        display_name: name.to_owned(),
        role,
        collectivite: Some(domain::demo::demo_collectivite()),
        password_hash: password::hash(password.clone()).await?,
        created_at: OffsetDateTime::now_utc(),
    };
    app.accounts().create(account.clone()).await?;
    created.push(SeededAccount {
        login: login.to_owned(),
        role,
        password,
    });
    Ok(account)
}

/// Ignores a rejection: with fixed ids, it means the step was done by an earlier run.
fn done_before<T>(result: AppResult<T>) -> AppResult<Option<T>> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(AppError::Rejected(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

fn ctx(caller: Caller, step: &str) -> Ctx {
    Ctx {
        caller,
        request_id: id(&format!("request-{step}")),
        idempotency_key: Some(format!("demo-{step}")),
    }
}

/// Seeds the demonstration; returns the accounts created by this run (none on a
/// restart).
pub async fn seed(app: &App) -> AppResult<Vec<SeededAccount>> {
    let mut created = Vec::new();
    let facilitator = account(
        app,
        "animateur.demo",
        "Animatrice de démonstration",
        StaffRole::Facilitator,
        &mut created,
    )
    .await?;
    let commission = account(
        app,
        "commission.demo",
        "Commission de démonstration",
        StaffRole::Commission,
        &mut created,
    )
    .await?;
    let system = Caller::System;
    let (session, _) = app.tokens().new_session(commission.id);
    let staff = Caller::Staff {
        account: commission.clone(),
        session,
    };
    let create_ctx = ctx(staff.clone(), "concertation");
    let concertation = ConcertationId::from_uuid(create_ctx.new_id("concertation"));
    let state = app
        .load::<ConcertationAggregate>(&domain::concertation::stream(concertation))
        .await?;
    if state
        .concertation
        .as_ref()
        .is_some_and(|c| c.phase != Phase::Draft)
    {
        tracing::info!("démonstration déjà en place : rien à semer");
        return Ok(created);
    }
    let doctrine = doctrine_id();
    let loaded = app
        .load::<DoctrineAggregate>(&domain::doctrine::stream(doctrine))
        .await?;
    if loaded.doctrine.is_none() {
        app.execute::<DoctrineAggregate>(
            &ctx(system, "doctrine"),
            domain::demo::doctrine_seed(doctrine),
        )
        .await?;
    }
    let now = OffsetDateTime::now_utc();
    let create = CreateInput {
        slug: SLUG.into(),
        title: TITLE.into(),
        description: "Concertation de démonstration : les textes, les comptes et les contributions sont fictifs. \
                      Elle montre comment une collectivité consulte habitants, entreprises et agents publics \
                      sur les usages de l'intelligence artificielle, autour des quatre piliers d'une IA sociale, \
                      démocratique, utile et territoriale."
            .into(),
        territories: vec!["EPCI:200054781".into()],
        moderation: ModerationMode::APosteriori,
        opens_at: now,
        closes_at: now + Duration::days(90),
    };
    done_before(app.create_concertation(&create_ctx, create).await)?;
    let mut themes = Vec::new();
    for label in THEMES {
        let c = ctx(staff.clone(), &format!("theme-{label}"));
        done_before(
            app.add_theme(
                &c,
                concertation,
                ThemeInput {
                    label: label.into(),
                },
            )
            .await,
        )?;
        themes.push(c.new_id("theme"));
    }
    let question = |kind, doctrine: Option<Uuid>, prompt: &str, step: &str| {
        let c = ctx(staff.clone(), step);
        let input = QuestionInput {
            kind,
            doctrine,
            prompt: prompt.into(),
        };
        (c, input)
    };
    let (c, q) = question(
        QuestionKindInput::Open,
        None,
        "Comment l'intelligence artificielle pourrait-elle améliorer les services publics de la métropole ?",
        "question-open",
    );
    done_before(app.add_question(&c, concertation, q).await)?;
    let (c, q) = question(
        QuestionKindInput::Statements,
        None,
        "Réagissez aux propositions courtes : d'accord, pas d'accord, ou passer.",
        "question-statements",
    );
    done_before(app.add_question(&c, concertation, q).await)?;
    let statements_question = c.new_id("question");
    let (c, q) = question(
        QuestionKindInput::Amendments,
        Some(doctrine.as_uuid()),
        "Proposez des amendements à la doctrine de démonstration, article par article.",
        "question-amendments",
    );
    done_before(app.add_question(&c, concertation, q).await)?;
    done_before(
        app.assign_facilitator(
            &ctx(staff.clone(), "facilitator"),
            concertation,
            facilitator.id,
        )
        .await,
    )?;
    done_before(
        app.open_concertation(&ctx(staff.clone(), "open"), concertation)
            .await,
    )?;
    for (i, text) in STATEMENTS.iter().enumerate() {
        // Three demonstration citizens share the statements.
        let author = ParticipantId::from_uuid(id(&format!("participant-{}", i % 3)));
        let claims = Tokens::participant_claims(
            author,
            Some(PendingRegistration {
                kind: domain::participant::ParticipantKind::Citoyen { commune: None },
                recovery_code_hash: crate::auth::recovery_code_hash(&random_password()),
            }),
        );
        let c = ctx(Caller::Participant(claims), &format!("statement-{i}"));
        done_before(
            app.submit(
                &c,
                SubmitInput {
                    concertation: concertation.as_uuid(),
                    question: statements_question,
                    kind: ContributionKind::Statement,
                    text: (*text).into(),
                    themes: vec![themes[i % themes.len()]],
                    language: None,
                    parent: None,
                    amendment: None,
                    session: None,
                    attendee: None,
                },
            )
            .await,
        )?;
    }
    tracing::info!(concertation = %concertation, "démonstration semée");
    Ok(created)
}
