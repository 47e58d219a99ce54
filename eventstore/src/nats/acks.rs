//! The JetStream backend's publishes and their acknowledgements: each commit is a core
//! NATS publish whose reply subject names the append waiting for it, and one
//! subscription per backend receives every acknowledgement.
//!
//! A JetStream publish is a core publish with a reply subject; the server answers on
//! that subject with a small JSON acknowledgement (`{"stream":…,"seq":…}`, with
//! `"duplicate":true` or an `"error"` object). `jetstream::Context::send_publish` does
//! the same, but per publish it formats a new inbox, takes a semaphore permit, arms two
//! timers, keeps the reply token as a `String` key and parses the answer through an
//! untagged enum that builds an error message for the variant that does not match.
//! Here an append costs a counter increment, one map entry and one oneshot channel; the
//! ordinary acknowledgement is recognised by its exact bytes, and anything else is
//! parsed as JSON. On the development machine, with the hand-written event encoding
//! beside it, that took the client's CPU per append at concurrency 256 from about 28 to
//! 21–23 µs in short runs (`BENCHMARKS.md`, "The backend's own publish pipeline").
//!
//! Timeouts have no timer per append: a sweeper task notes the next token every quarter
//! of the timeout and drops the entries older than four such marks, which wakes their
//! appends with the no-answer error. A timer per append (armed in the runtime's timer
//! wheel, then cancelled when the answer came) was about 2 % of the client's CPU at
//! concurrency 256 (`BENCHMARKS.md`).
//!
//! Contracts:
//! - the subscription is made (and flushed to the server) before the first publish, so
//!   no acknowledgement can arrive before anyone listens;
//! - an append that is dropped (cancelled) or times out removes its entry: the map never
//!   outgrows the appends in flight;
//! - an acknowledgement that does not come within the timeout (plus at most a quarter of
//!   it: the sweeper's period) is an error that says the write may have happened (the
//!   caller retries with the same ids);
//! - after a reconnection the client subscribes again by itself; acknowledgements lost
//!   meanwhile time out as above.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use async_nats::header::{self, HeaderMap, HeaderValue};
use async_nats::{Client, Message, PublishErrorKind, StatusCode};
use foldhash::fast::FixedState;
use futures::StreamExt;
use serde::Deserialize;
use tokio::sync::oneshot;
use tokio::task::AbortHandle;
use uuid::Uuid;

use super::{backend_error, backend_failure};
use crate::backend::MAX_COMMIT_BYTES;
use crate::error::StoreError;

/// What failed when the reply subscription cannot be made.
const SUBSCRIBING: &str = "abonnement aux accusés de publication";
/// JetStream's error code for a refused `Nats-Expected-Last-Subject-Sequence`.
const WRONG_LAST_SEQUENCE: u64 = 10071;

/// What the server answered to one publish.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Acknowledged {
    /// Stored at this sequence.
    Stored(u64),
    /// Dropped as a duplicate (`Nats-Msg-Id` seen within the window) of this sequence.
    Duplicate(u64),
    /// Refused: the subject's last sequence is not the one expected.
    WrongSequence,
}

/// The acknowledgement's JSON, as JetStream sends it (unknown fields ignored).
#[derive(Deserialize)]
struct AckBody {
    #[serde(default)]
    seq: Option<u64>,
    #[serde(default)]
    duplicate: bool,
    #[serde(default)]
    error: Option<ApiError>,
}

#[derive(Deserialize)]
struct ApiError {
    #[serde(default)]
    code: u16,
    #[serde(default)]
    err_code: u64,
    #[serde(default)]
    description: String,
}

/// The appends waiting for an answer, by token. The tokens are this process's own
/// counter, so a fast hash without a random seed is enough.
type PendingMap = HashMap<u64, oneshot::Sender<Message>, FixedState>;
type Pending = Arc<Mutex<PendingMap>>;

/// Publishes commits and matches each acknowledgement to its append.
pub(crate) struct Publisher {
    client: Client,
    /// `_INBOX.<unique>.`: a reply subject is this prefix and the append's token.
    prefix: String,
    /// The next append's token; shared with the sweeper, which dates entries by it.
    next_token: Arc<AtomicU64>,
    pending: Pending,
    /// `{"stream":"<stream>", "seq":`: how the ordinary acknowledgement begins.
    stored_prefix: Vec<u8>,
    /// The tasks that route acknowledgements and expire unanswered appends; aborted
    /// (and the subscription dropped) with the publisher.
    router: AbortHandle,
    sweeper: AbortHandle,
}

/// How many sweeper periods make the timeout.
const SWEEPS_PER_TIMEOUT: u32 = 4;

impl Publisher {
    /// Subscribes to this publisher's replies and starts routing them; `stream` is the
    /// JetStream stream the acknowledgements come from, and an append unanswered after
    /// `timeout` fails.
    pub async fn start(
        client: Client,
        stream: &str,
        timeout: Duration,
    ) -> Result<Self, StoreError> {
        let prefix = format!("{}.", client.new_inbox());
        let mut replies = client
            .subscribe(format!("{prefix}*"))
            .await
            .map_err(|e| backend_error(SUBSCRIBING, e))?;
        // The server must know the subscription before the first reply is sent to it.
        client
            .flush()
            .await
            .map_err(|e| backend_error(SUBSCRIBING, e))?;
        let pending: Pending = Arc::default();
        let routed = pending.clone();
        let skip = prefix.len();
        let router = tokio::spawn(async move {
            while let Some(reply) = replies.next().await {
                let token = reply
                    .subject
                    .get(skip..)
                    .and_then(|t| t.parse::<u64>().ok());
                let waiting = token.and_then(|token| lock(&routed).remove(&token));
                if let Some(waiting) = waiting {
                    // The append may have given up meanwhile: nothing to do then.
                    let _ = waiting.send(reply);
                }
            }
        })
        .abort_handle();
        let next_token = Arc::new(AtomicU64::new(0));
        let sweeper = tokio::spawn(sweep(Arc::downgrade(&pending), next_token.clone(), timeout))
            .abort_handle();
        Ok(Self {
            client,
            prefix,
            next_token,
            pending,
            stored_prefix: format!(r#"{{"stream":"{stream}", "seq":"#).into_bytes(),
            router,
            sweeper,
        })
    }

    /// Publishes `payload` to `subject` expecting the subject's last message at
    /// `expected_sequence` (0: no message yet), with `msg_id` as `Nats-Msg-Id` when
    /// given, and waits for the server's answer.
    ///
    /// Errors: a commit over the server's size limit (nothing sent), the connection
    /// refusing the message, no stream for the subject, the server's other refusals,
    /// and no answer within the timeout — where the write may have happened.
    pub async fn publish(
        &self,
        subject: async_nats::Subject,
        expected_sequence: u64,
        msg_id: Option<&Uuid>,
        payload: bytes::Bytes,
    ) -> Result<Acknowledged, StoreError> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::NATS_EXPECTED_LAST_SUBJECT_SEQUENCE,
            HeaderValue::from(itoa::Buffer::new().format(expected_sequence)),
        );
        if let Some(msg_id) = msg_id {
            let mut id = [0u8; uuid::fmt::Hyphenated::LENGTH];
            headers.insert(
                header::NATS_MESSAGE_ID,
                &*msg_id.hyphenated().encode_lower(&mut id),
            );
        }
        let token = self.next_token.fetch_add(1, Ordering::Relaxed);
        let (sender, answer) = oneshot::channel();
        lock(&self.pending).insert(token, sender);
        // Removes the entry however this future ends (failed, timed out or dropped);
        // after an answer the router has removed it already.
        let mut entry = Entry {
            pending: &self.pending,
            token,
            answered: false,
        };
        let mut reply = String::with_capacity(self.prefix.len() + 20);
        reply.push_str(&self.prefix);
        reply.push_str(itoa::Buffer::new().format(token));
        if let Err(e) = self
            .client
            .publish_with_reply_and_headers(subject, reply, headers, payload)
            .await
        {
            return Err(if e.kind() == PublishErrorKind::MaxPayloadExceeded {
                StoreError::TooLarge {
                    size: MAX_COMMIT_BYTES + 1,
                    max: MAX_COMMIT_BYTES,
                }
            } else {
                backend_error("publication", e)
            });
        }
        match answer.await {
            Ok(message) => {
                entry.answered = true;
                parse(&message, &self.stored_prefix)
            }
            // The sweeper dropped the entry: no answer within the timeout.
            Err(_) => Err(backend_failure(
                "publication sans accusé du serveur (l'écriture a pu avoir lieu : réessayez avec les mêmes identifiants)",
            )),
        }
    }
}

impl Drop for Publisher {
    fn drop(&mut self) {
        self.router.abort();
        self.sweeper.abort();
    }
}

/// Expires the appends left unanswered for `timeout`: every `timeout / 4` it notes the
/// next token, and drops the entries whose token is below the mark noted four periods
/// ago (tokens grow with time, so those appends were sent at least `timeout` ago).
/// Dropping an entry's sender wakes its append with the no-answer error. Ends when the
/// publisher's map is gone.
async fn sweep(pending: Weak<Mutex<PendingMap>>, next_token: Arc<AtomicU64>, timeout: Duration) {
    let period = (timeout / SWEEPS_PER_TIMEOUT).max(Duration::from_millis(1));
    let mut marks = VecDeque::with_capacity(SWEEPS_PER_TIMEOUT as usize + 1);
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        marks.push_back(next_token.load(Ordering::Relaxed));
        if marks.len() <= SWEEPS_PER_TIMEOUT as usize {
            continue;
        }
        let Some(cutoff) = marks.pop_front() else {
            continue;
        };
        let Some(pending) = pending.upgrade() else {
            return;
        };
        lock(&pending).retain(|&token, _| token >= cutoff);
    }
}

/// An append's entry in the pending map, removed when the append ends unanswered.
struct Entry<'a> {
    pending: &'a Pending,
    token: u64,
    /// The router took the entry out when it delivered the answer.
    answered: bool,
}

impl Drop for Entry<'_> {
    fn drop(&mut self) {
        if !self.answered {
            lock(self.pending).remove(&self.token);
        }
    }
}

fn lock(pending: &Mutex<PendingMap>) -> std::sync::MutexGuard<'_, PendingMap> {
    // A panic elsewhere leaves the map usable: each entry stands alone.
    pending
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The server's answer to one publish; `stored_prefix` is how the ordinary
/// acknowledgement of this publisher's stream begins (see [`stored_sequence`]).
fn parse(message: &Message, stored_prefix: &[u8]) -> Result<Acknowledged, StoreError> {
    if message.status == Some(StatusCode::NO_RESPONDERS) {
        return Err(backend_failure(
            "aucun flux JetStream ne reçoit ce sujet (flux supprimé ?) : rien n'a été écrit",
        ));
    }
    if let Some(sequence) = stored_sequence(&message.payload, stored_prefix) {
        return Ok(Acknowledged::Stored(sequence));
    }
    let body: AckBody = serde_json::from_slice(&message.payload).map_err(|e| {
        backend_failure(format_args!(
            "accusé de publication illisible ({e}) : l'écriture a pu avoir lieu"
        ))
    })?;
    match (body.error, body.seq) {
        (Some(error), _) if error.err_code == WRONG_LAST_SEQUENCE => {
            Ok(Acknowledged::WrongSequence)
        }
        (Some(error), _) => Err(backend_failure(format_args!(
            "publication refusée ({}, code {}) : {}",
            error.code, error.err_code, error.description
        ))),
        (None, Some(sequence)) if body.duplicate => Ok(Acknowledged::Duplicate(sequence)),
        (None, Some(sequence)) => Ok(Acknowledged::Stored(sequence)),
        (None, None) => Err(backend_failure(
            "accusé de publication sans numéro de séquence : l'écriture a pu avoir lieu",
        )),
    }
}

/// The sequence of the ordinary acknowledgement, `{"stream":"<stream>", "seq":<n>}`
/// byte for byte (what the server sends for a stored message without a domain; a test
/// holds the server to it), or `None` for any other answer, which [`parse`] reads as
/// JSON. Skipping the JSON parser for the answer nearly every append gets saves about
/// 2 % of the client's CPU at concurrency 256 (`BENCHMARKS.md`).
fn stored_sequence(payload: &[u8], stored_prefix: &[u8]) -> Option<u64> {
    let digits = payload.strip_prefix(stored_prefix)?.strip_suffix(b"}")?;
    if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    // At most 19 digits: below u64::MAX, no overflow.
    Some(
        digits
            .iter()
            .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0')),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::nats_url;

    #[tokio::test]
    async fn appends_answered_refused_or_given_up_leave_no_entry_behind() {
        let Some(url) = nats_url() else { return };
        let client = async_nats::connect(url).await.unwrap();
        let publisher = Publisher::start(client, "S", Duration::from_secs(5))
            .await
            .unwrap();
        // No JetStream stream listens on this subject: the server says so at once.
        let nowhere =
            async_nats::Subject::from(format!("concerto-test-nowhere.{}", Uuid::now_v7().simple()));
        let refused = publisher
            .publish(nowhere.clone(), 0, None, bytes::Bytes::from_static(b"{}"))
            .await
            .unwrap_err()
            .to_string();
        assert!(refused.contains("rien n'a été écrit"), "{refused}");
        // Appends dropped after their first poll, before any answer.
        for _ in 0..4 {
            let abandoned =
                publisher.publish(nowhere.clone(), 0, None, bytes::Bytes::from_static(b"{}"));
            let _ = futures::poll!(Box::pin(abandoned));
        }
        assert_eq!(lock(&publisher.pending).len(), 0);
    }

    /// The ordinary acknowledgement's beginning for a stream named `S`.
    const STORED: &[u8] = br#"{"stream":"S", "seq":"#;

    fn reply(payload: &str) -> Message {
        Message {
            subject: "_INBOX.x.1".into(),
            reply: None,
            payload: bytes::Bytes::from(payload.to_owned()),
            headers: None,
            status: None,
            description: None,
            length: payload.len(),
        }
    }

    #[test]
    fn acknowledgements_read_as_stored_duplicate_or_wrong_sequence() {
        assert_eq!(
            parse(&reply(r#"{"stream":"S","seq":42}"#), STORED).unwrap(),
            Acknowledged::Stored(42)
        );
        assert_eq!(
            parse(&reply(r#"{"stream":"S","seq":7,"duplicate":true}"#), STORED).unwrap(),
            Acknowledged::Duplicate(7)
        );
        assert_eq!(
            parse(&reply(
                r#"{"error":{"code":400,"err_code":10071,"description":"wrong last sequence: 3"}}"#
            ), STORED)
            .unwrap(),
            Acknowledged::WrongSequence
        );
    }

    #[test]
    fn refusals_and_garbage_are_errors_that_say_what_happened() {
        let refused = parse(&reply(
            r#"{"error":{"code":503,"err_code":10077,"description":"maximum messages exceeded"}}"#,
        ), STORED)
        .unwrap_err()
        .to_string();
        assert!(refused.contains("maximum messages exceeded"), "{refused}");
        assert!(refused.contains("10077"), "{refused}");
        let garbage = parse(&reply("pas du JSON"), STORED)
            .unwrap_err()
            .to_string();
        assert!(garbage.contains("a pu avoir lieu"), "{garbage}");
        let mut none = reply("");
        none.status = Some(StatusCode::NO_RESPONDERS);
        let none = parse(&none, STORED).unwrap_err().to_string();
        assert!(none.contains("rien n'a été écrit"), "{none}");
    }

    #[test]
    fn the_ordinary_acknowledgement_reads_without_the_json_parser_and_nothing_else_does() {
        assert_eq!(
            stored_sequence(br#"{"stream":"S", "seq":42}"#, STORED),
            Some(42)
        );
        assert_eq!(
            stored_sequence(br#"{"stream":"S", "seq":18446744073709551615}"#, STORED),
            None,
            "20 digits: left to the JSON parser"
        );
        for other in [
            r#"{"stream":"S", "seq":7,"duplicate":true}"#,
            r#"{"stream":"T", "seq":42}"#,
            r#"{"stream":"S","seq":42}"#,
            r#"{"stream":"S", "domain":"hub", "seq":42}"#,
            r#"{"stream":"S", "seq":}"#,
            r#"{"stream":"S", "seq":4x}"#,
            r#"{"stream":"S", "seq":42} "#,
            r#"{"error":{"code":400,"err_code":10071,"description":"wrong last sequence: 3"}}"#,
        ] {
            assert_eq!(stored_sequence(other.as_bytes(), STORED), None, "{other}");
        }
        // Whichever path reads an answer, the result is the same.
        for (payload, expected) in [
            (r#"{"stream":"S","seq":42}"#, Acknowledged::Stored(42)),
            (
                r#"{"stream":"S","domain":"hub","seq":42}"#,
                Acknowledged::Stored(42),
            ),
            (r#"{"stream":"S", "seq":42}"#, Acknowledged::Stored(42)),
            (
                r#"{"stream":"S","seq":18446744073709551615}"#,
                Acknowledged::Stored(u64::MAX),
            ),
            (
                r#"{"stream":"S","seq":7,"duplicate":true}"#,
                Acknowledged::Duplicate(7),
            ),
        ] {
            assert_eq!(
                parse(&reply(payload), STORED).unwrap(),
                expected,
                "{payload}"
            );
        }
    }

    #[tokio::test]
    async fn an_append_nobody_answers_fails_after_the_timeout_and_leaves_no_entry() {
        let Some(url) = nats_url() else { return };
        let client = async_nats::connect(url).await.unwrap();
        // A core subscriber that never replies: the server reports no missing
        // responder, so only the timeout can end the append.
        let silent =
            async_nats::Subject::from(format!("concerto-test-silent.{}", Uuid::now_v7().simple()));
        let _listener = client.subscribe(silent.clone()).await.unwrap();
        client.flush().await.unwrap();
        let timeout = Duration::from_millis(400);
        let publisher = Publisher::start(client, "S", timeout).await.unwrap();
        let started = std::time::Instant::now();
        let failed = publisher
            .publish(silent, 0, None, bytes::Bytes::from_static(b"{}"))
            .await
            .unwrap_err()
            .to_string();
        let waited = started.elapsed();
        assert!(failed.contains("sans accusé"), "{failed}");
        assert!(
            waited >= timeout,
            "gave up after {waited:?}, before the timeout"
        );
        assert!(
            waited < timeout * 3,
            "gave up after {waited:?}, long after the timeout"
        );
        assert_eq!(lock(&publisher.pending).len(), 0);
    }

    #[tokio::test]
    async fn the_servers_ordinary_acknowledgement_takes_the_fast_path() {
        let Some(url) = nats_url() else { return };
        let client = async_nats::connect(url).await.unwrap();
        let js = async_nats::jetstream::new(client.clone());
        let name = format!("CONCERTO_TEST_ACK_{}", Uuid::now_v7().simple());
        let subject = format!("concerto-test-ack.{}", Uuid::now_v7().simple());
        js.create_stream(async_nats::jetstream::stream::Config {
            name: name.clone(),
            subjects: vec![subject.clone()],
            ..Default::default()
        })
        .await
        .unwrap();
        let answer = client.request(subject, "{}".into()).await;
        js.delete_stream(&name).await.unwrap();
        let answer = answer.unwrap();
        let prefix = format!(r#"{{"stream":"{name}", "seq":"#);
        assert_eq!(
            stored_sequence(&answer.payload, prefix.as_bytes()),
            Some(1),
            "{:?}",
            String::from_utf8_lossy(&answer.payload)
        );
    }
}
