//! Server-rendered pages (see issue "The web").
