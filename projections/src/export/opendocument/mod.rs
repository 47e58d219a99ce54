//! OpenDocument packages (placeholder until written).
