//! Health, readiness, metrics, the OpenAPI document against the routes, and
//! `concerto serve --demo` run as a process: seeded once, credentials printed once.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::api_support::spawn_app;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_ready_and_metrics() {
    let t = spawn_app().await;
    let health = t.client.get(t.url("/health")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let ready = t.client.get(t.url("/ready")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    assert_eq!(ready.json::<Value>().await.unwrap()["status"], "ready");
    t.client
        .get(t.url("/api/v1/concertations"))
        .send()
        .await
        .unwrap();
    let metrics = t
        .client
        .get(t.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("concerto_http_requests_total{method=\"GET\",route=\"/api/v1/concertations\",status=\"200\"} 1"), "{metrics}");
    for projection in ["main", "audit"] {
        assert!(
            metrics.contains(&format!(
                "concerto_projection_lag_commits{{projection=\"{projection}\"}} 0"
            )),
            "{metrics}"
        );
    }
    t.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_route_exists_and_every_route_is_documented() {
    let t = spawn_app().await;
    let document: Value = t
        .client
        .get(t.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    let (_, routes) = gateway::http::api();
    let paths = document["paths"].as_object().unwrap();
    let documented: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(documented, routes.len());
    for route in &routes {
        assert!(
            paths[route.path]
                .get(route.method.as_str().to_lowercase())
                .is_some(),
            "{} {} is not documented",
            route.method,
            route.path
        );
    }
    let nil = uuid::Uuid::nil().to_string();
    for (path, operations) in paths {
        let concrete = path
            .split('/')
            .map(|s| if s.starts_with('{') { nil.as_str() } else { s })
            .collect::<Vec<_>>()
            .join("/");
        for method in operations.as_object().unwrap().keys() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let response = t.send(method.clone(), &concrete, None, None).await;
            let status = response.status();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            assert!(
                body["code"] != "route.not_found" && body["code"] != "route.method",
                "{method} {path} is documented but not routed: {status} {body}"
            );
        }
    }
    t.finish().await;
}

#[test]
fn serve_demo_seeds_once_and_prints_credentials_once() {
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_concerto"))
            .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(dir.path().join("data"))
            .env_remove("NATS_URL")
            .env_remove("DATABASE_URL")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = Vec::new();
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        loop {
            let mut line = String::new();
            assert!(
                reader.read_line(&mut line).unwrap() > 0,
                "server stopped: {lines:?}"
            );
            let listening = line.starts_with("Concerto écoute sur");
            lines.push(line);
            if listening {
                break;
            }
        }
        let address = lines
            .last()
            .unwrap()
            .trim()
            .rsplit(' ')
            .next()
            .unwrap()
            .to_owned();
        let list: Value = tokio::runtime::Runtime::new().unwrap().block_on(async {
            reqwest::get(format!("{address}/api/v1/concertations"))
                .await
                .unwrap()
                .json()
                .await
                .unwrap()
        });
        // SIGTERM: drains and exits 0.
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let exit = child.wait().unwrap();
        assert!(exit.success(), "exit status {exit:?}");
        (lines, list)
    };
    let (first, list) = run();
    assert_eq!(
        first.iter().filter(|l| l.contains("mot de passe")).count(),
        2,
        "{first:?}"
    );
    let demo = &list.as_array().unwrap()[0];
    assert_eq!(
        demo["title"],
        "Concertation territoriale de l'IA — Métropole de démonstration"
    );
    assert_eq!(demo["phase"], "open");
    assert_eq!(demo["themes"].as_array().unwrap().len(), 4);
    assert_eq!(demo["questions"].as_array().unwrap().len(), 3);
    let (second, list_again) = run();
    assert!(
        second.iter().all(|l| !l.contains("mot de passe")),
        "{second:?}"
    );
    assert_eq!(list_again, list, "a restart seeds nothing again");
}
