//! Black-box tests: they run the `concerto` executable as a user would.

mod log_transfer;
