//! Black-box tests: they run the `concerto` executable as a user would.

mod api_bad_input;
mod api_flow;
mod api_ops;
mod api_proxy;
mod api_support;
mod log_transfer;
