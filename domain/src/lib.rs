//! Concerto's business rules: pure `decide`/`evolve` functions, no IO, no async.
//!
//! Every command is decided against the state folded from one stream
//! ([`Aggregate::decide`]), which returns the events to append or a typed
//! [`Rejection`]; [`Aggregate::evolve`] folds those events back into state. The
//! application layer wires any [`Aggregate`] to the event store: it reads the
//! stream named by the aggregate's `stream` function, folds it, decides, and
//! appends with the revision it read (or `NoStream` when the stream was empty).
//!
//! Values are parsed once at the edge into newtypes with private fields
//! ([`values`], [`territory`]); events are a stored schema ([`schema`]) whose
//! personal data and contribution bodies live in a separate sealed part
//! ([`sealed`]) that may be erased without stopping any fold.
#![forbid(unsafe_code)]

pub mod actor;
pub mod aggregate;
pub mod ballot;
pub mod concertation;
pub mod contribution;
pub mod demo;
pub mod doctrine;
pub mod i18n;
pub mod limits;
pub mod participant;
pub mod rejection;
pub mod schema;
pub mod sealed;
pub mod session;
pub mod slug_reservation;
pub mod support;
pub mod territory;
pub mod testing;
pub mod values;

pub use actor::{Actor, Role};
pub use aggregate::{Aggregate, StreamName};
pub use i18n::Lang;
pub use rejection::Rejection;
pub use schema::{DomainEvent, SchemaError};
pub use sealed::{Sealed, SealedPart};
