//! Read models folded from the event log (see issue "Projections").
