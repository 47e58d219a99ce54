//! A browser without JavaScript for the page tests: keeps cookies, follows redirects,
//! reads the hidden fields of the page it last loaded and sends forms as a browser
//! does (`application/x-www-form-urlencoded`).

use reqwest::StatusCode;

use crate::api_support::TestApp;

/// One visitor's browser.
pub struct Browser<'a> {
    t: &'a TestApp,
    client: reqwest::Client,
    /// The last page loaded.
    pub page: String,
}

/// The value of the first `<input … name="{name}" value="…">` in `html` (attribute
/// order as the templates write it).
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    html.split(&marker)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no field {name} in the page"))
        .to_owned()
}

impl<'a> Browser<'a> {
    /// A fresh browser (no cookie) on `t`.
    pub fn new(t: &'a TestApp) -> Self {
        Self {
            t,
            client: reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .expect("client"),
            page: String::new(),
        }
    }

    /// The HTTP client, with this browser's cookies.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Loads `path`; returns the status (after redirects) and keeps the page.
    pub async fn get(&mut self, path: &str) -> StatusCode {
        let response = self
            .client
            .get(self.t.url(path))
            .send()
            .await
            .expect("page loads");
        let status = response.status();
        self.page = response.text().await.expect("page text");
        status
    }

    /// Loads `path` expecting 200; returns the page.
    pub async fn open(&mut self, path: &str) -> String {
        let status = self.get(path).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {}", self.page);
        self.page.clone()
    }

    /// Posts `fields` to `action` with the CSRF token and form key of the last page.
    pub async fn submit(&mut self, action: &str, fields: &[(&str, &str)]) -> StatusCode {
        let csrf = hidden(&self.page, "csrf");
        let mut body: Vec<(String, String)> = vec![("csrf".into(), csrf)];
        if self.page.contains("name=\"cle\"") {
            body.push(("cle".into(), hidden(&self.page, "cle")));
        }
        body.extend(
            fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        self.post_raw(action, &body).await
    }

    /// Posts exactly `body` (no token added).
    pub async fn post_raw(&mut self, action: &str, body: &[(String, String)]) -> StatusCode {
        let encoded: String = body
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let response = self
            .client
            .post(self.t.url(action))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(encoded)
            .send()
            .await
            .expect("form posted");
        let status = response.status();
        self.page = response.text().await.expect("page text");
        status
    }
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
