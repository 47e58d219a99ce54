//! Typed queries over the read model.
