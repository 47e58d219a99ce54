//! Concerto's gateway: the application services (commands and queries) that the JSON
//! API and the web pages call in-process, the HTTP JSON API under `/api/v1`, accounts
//! and authentication, and the server's startup ([`startup::Application`]).

#![warn(missing_docs)]

pub mod accounts;
pub mod app;
pub mod auth;
pub mod demo;
pub mod error;
pub mod exports;
pub mod http;
pub mod messages;
pub mod opinion_groups;
pub mod pg_schema;
pub mod queries;
pub mod settings;
pub mod site;
pub mod startup;
pub use domain::Lang;
