//! One test suite for every account store: the file store, and PostgreSQL when
//! `DATABASE_URL` is set (required under `CONCERTO_REQUIRE_SERVICES=1`). It drives the
//! store through the application services (creation with an argon2id hash, login,
//! logout) and directly, then reopens the store as a restarted server would.

use std::future::Future;
use std::sync::Arc;

use domain::values::StaffId;
use eventstore::file::FileBackend;
use eventstore::keystore::memory::MemoryKeyStore;
use eventstore::EventStore;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::{Accounts, FileAccountStore, PostgresAccountStore, StaffAccount, StaffRole};
use crate::app::accounts::{LoginInput, NewAccountInput};
use crate::app::{App, Ctx};
use crate::auth::{Caller, Tokens};
use crate::error::AppError;
use crate::pg_schema::testing;

const PASSWORD: &str = "une phrase de passe assez longue";
const SIREN: &str = "217500016";

/// Services over `accounts` (the event log is a throw-away file: accounts never
/// enter it), signing with a fixed key so tokens outlive a "restart".
fn app_over(accounts: Accounts, dir: &tempfile::TempDir) -> App {
    let backend = FileBackend::open(dir.path().join(format!("{}.log", Uuid::now_v7()))).unwrap();
    let store = EventStore::new(Arc::new(backend), Arc::new(MemoryKeyStore::new()));
    App::new(store, accounts, Tokens::new(&[42u8; 32]), None)
}

fn login(login: &str, password: &str) -> LoginInput {
    LoginInput {
        login: login.into(),
        password: password.into(),
    }
}

fn unauthenticated<T: std::fmt::Debug>(result: Result<T, AppError>) -> &'static str {
    match result {
        Err(AppError::Unauthenticated(code)) => code,
        other => panic!("expected a 401, got {other:?}"),
    }
}

/// The suite: `open` opens the same store each time it is called.
async fn suite<F, Fut>(open: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Accounts>,
{
    let dir = tempfile::tempdir().unwrap();
    let store = open().await;
    let app = app_over(store.clone(), &dir);
    let system = Ctx::new(Caller::System);
    let camille = app
        .create_account(
            &system,
            NewAccountInput {
                login: " Camille@Example.fr ".into(),
                display_name: "Camille Martin".into(),
                role: StaffRole::Commission,
                collectivite: Some(SIREN.into()),
                password: PASSWORD.into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(camille.login, "Camille@Example.fr");
    assert!(camille.password_hash.starts_with("$argon2id$"));
    assert!(!camille.password_hash.contains(PASSWORD));
    let dominique = app
        .create_account(
            &system,
            NewAccountInput {
                login: "dominique".into(),
                display_name: "Dominique".into(),
                role: StaffRole::Facilitator,
                collectivite: None,
                password: "une autre phrase de passe".into(),
            },
        )
        .await
        .unwrap();

    // Logins are unique regardless of case, ids too.
    let twin = StaffAccount {
        id: StaffId::from_uuid(Uuid::now_v7()),
        login: "CAMILLE@example.FR".into(),
        ..camille.clone()
    };
    assert!(matches!(
        store.create(twin).await,
        Err(AppError::Conflict("account.exists"))
    ));
    let same_id = StaffAccount {
        login: "quelqu-un".into(),
        ..dominique.clone()
    };
    assert!(matches!(
        store.create(same_id).await,
        Err(AppError::Conflict("account.exists"))
    ));
    assert_eq!(
        store.by_login("camille@EXAMPLE.fr").await.unwrap(),
        Some(camille.clone())
    );
    assert_eq!(
        store.by_id(dominique.id).await.unwrap(),
        Some(dominique.clone())
    );
    assert_eq!(store.by_login("personne").await.unwrap(), None);
    assert_eq!(
        store
            .by_id(StaffId::from_uuid(Uuid::now_v7()))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store.list().await.unwrap(),
        vec![camille.clone(), dominique.clone()]
    );

    // Log in; a wrong password and an unknown login get the same answer.
    let first = app
        .login(login("camille@example.fr", PASSWORD))
        .await
        .unwrap();
    assert_eq!(first.account, camille);
    assert_eq!(
        unauthenticated(
            app.login(login("camille@example.fr", "pas le bon mot de passe"))
                .await
        ),
        "auth.bad_credentials"
    );
    assert_eq!(
        unauthenticated(app.login(login("personne", PASSWORD)).await),
        "auth.bad_credentials"
    );

    // The session token names the account; a logout ends that session only.
    let caller = app.staff_caller(&first.token).await.unwrap();
    assert_eq!(caller.staff().map(|a| a.id), Some(camille.id));
    let second = app
        .login(login("camille@example.fr", PASSWORD))
        .await
        .unwrap();
    assert_ne!(first.session.sid, second.session.sid);
    app.logout(&caller).await.unwrap();
    app.logout(&caller).await.unwrap();
    assert_eq!(
        unauthenticated(app.staff_caller(&first.token).await),
        "auth.session_revoked"
    );
    assert!(app.staff_caller(&second.token).await.is_ok());
    // A revocation is kept only until the token would have expired anyway.
    store
        .revoke_session("echue", OffsetDateTime::now_utc() - Duration::seconds(1))
        .await
        .unwrap();
    assert!(!store.session_revoked("echue").await.unwrap());
    assert!(!store.session_revoked("inconnue").await.unwrap());

    // A restart keeps accounts, hashes and revocations.
    drop(app);
    drop(store);
    let reopened = open().await;
    assert_eq!(
        reopened.list().await.unwrap(),
        vec![camille.clone(), dominique.clone()]
    );
    assert!(reopened.session_revoked(&first.session.sid).await.unwrap());
    assert!(!reopened.session_revoked(&second.session.sid).await.unwrap());
    let app = app_over(reopened.clone(), &dir);
    assert_eq!(
        unauthenticated(app.staff_caller(&first.token).await),
        "auth.session_revoked"
    );
    assert_eq!(
        app.staff_caller(&second.token)
            .await
            .unwrap()
            .staff()
            .map(|a| a.id),
        Some(camille.id)
    );
    let again = app
        .login(login("dominique", "une autre phrase de passe"))
        .await
        .unwrap();
    assert_eq!(again.account, dominique);
    assert!(
        !format!("{:?}", reopened.list().await.unwrap()).contains("argon2id"),
        "Debug never shows a hash"
    );
}

#[tokio::test]
async fn the_file_store_passes_the_suite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("accounts.json");
    suite(|| {
        let path = path.clone();
        async move { Arc::new(FileAccountStore::open(path).unwrap()) as Accounts }
    })
    .await;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "hashes readable by the server only");
    }
}

#[tokio::test]
async fn the_postgres_store_passes_the_suite() {
    let Some(url) = testing::database_url("the_postgres_store_passes_the_suite") else {
        return;
    };
    let schema = testing::fresh_schema("test_accounts");
    suite(|| {
        let (url, schema) = (url.clone(), schema.clone());
        async move {
            Arc::new(PostgresAccountStore::connect(&url, &schema).await.unwrap()) as Accounts
        }
    })
    .await;
    // Applied once, however many times the store connected.
    let (client, _) = crate::pg_schema::connect(&url, &schema).await.unwrap();
    let versions: Vec<i32> = client
        .query(
            &format!("SELECT version FROM \"{schema}\".gateway_migrations ORDER BY version"),
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(versions, vec![1, 2]);
    testing::drop_schema(&url, &schema).await;
}
