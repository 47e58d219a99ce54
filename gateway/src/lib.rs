//! HTTP JSON API and application services (see issue "The gateway").
