//! Black-box tests: they run the `concerto` executable as a user would.

mod api_bad_input;
mod api_flow;
mod api_opinion_groups;
mod api_ops;
mod api_proxy;
mod api_restart;
mod api_support;
mod audit_log;
mod cli_support;
mod export_api;
mod export_cli;
mod log_transfer;
mod pages;
mod pages_live;
mod pages_support;
mod polis_interop;
