//! Every length and count limit the domain enforces, in one place so the
//! gateway, the web forms and the README quote the same numbers.
//!
//! Limits are checked only when a command is decided (or a value parsed):
//! events already stored always fold, even if a limit is lowered later.

/// Longest contribution body (opinion, proposal, amendment rationale, comment), in characters.
pub const CONTRIBUTION_MAX_CHARS: usize = 5_000;
/// Longest Polis-style statement, in characters.
pub const STATEMENT_MAX_CHARS: usize = 280;
/// Longest concertation or session title, in characters.
pub const TITLE_MAX_CHARS: usize = 200;
/// Longest concertation description, in characters.
pub const DESCRIPTION_MAX_CHARS: usize = 10_000;
/// Longest question prompt, in characters.
pub const QUESTION_MAX_CHARS: usize = 500;
/// Longest theme label, in characters.
pub const THEME_MAX_CHARS: usize = 80;
/// Longest reason, moderation note or report note, in characters.
pub const REASON_MAX_CHARS: usize = 1_000;
/// Longest commission justification or appeal, in characters.
pub const JUSTIFICATION_MAX_CHARS: usize = 5_000;
/// Longest session minutes or synthesis summary, in characters.
pub const MINUTES_MAX_CHARS: usize = 50_000;
/// Longest doctrine article text, in characters.
pub const ARTICLE_MAX_CHARS: usize = 20_000;
/// Longest participant display name, in characters.
pub const DISPLAY_NAME_MAX_CHARS: usize = 80;
/// Longest free contact detail (address, phone), in characters.
pub const CONTACT_MAX_CHARS: usize = 500;
/// Longest e-mail address, in bytes (RFC 5321 path limit).
pub const EMAIL_MAX_CHARS: usize = 254;
/// Longest slug, in characters.
pub const SLUG_MAX_CHARS: usize = 80;
/// Most territory codes in one concertation's scope.
pub const MAX_TERRITORIES: usize = 100;
/// Most themes in one concertation.
pub const MAX_THEMES: usize = 50;
/// Most questions in one concertation.
pub const MAX_QUESTIONS: usize = 50;
/// Most themes tagged on one contribution.
pub const MAX_CONTRIBUTION_THEMES: usize = 10;
/// Most article changes in one doctrine revision.
pub const MAX_REVISION_CHANGES: usize = 200;
/// Most revisions the author can make to one contribution.
pub const MAX_REVISIONS: u32 = 20;
