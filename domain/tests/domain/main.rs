//! Black-box tests of the domain crate, compiled into one test binary.

mod old_events;
mod parsers;
mod readme;
mod sequences;
