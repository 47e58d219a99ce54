//! Typed business rejections: why a command was refused, as a stable code with
//! parameters.
//!
//! Policy: a `Rejection` is the caller's fault or a rule of the concertation
//! (a 4xx for the gateway, a form error for the web); it never carries internals.
//! Its human text always comes from the [`crate::i18n`] catalogue through
//! [`Rejection::message`], so the gateway and the web say the same thing.

use crate::i18n::{self, Lang};

/// A text field named in text rejections; its label comes from the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// A contribution body.
    Contribution,
    /// A Polis-style statement.
    Statement,
    /// A title.
    Title,
    /// A concertation description.
    Description,
    /// A question prompt.
    Question,
    /// A theme label.
    Theme,
    /// A reason or a note.
    Reason,
    /// A justification or an appeal.
    Justification,
    /// Session minutes or a synthesis summary.
    Minutes,
    /// A doctrine article.
    Article,
    /// A display name.
    DisplayName,
    /// Contact details.
    Contact,
    /// A territory scope list.
    Territories,
    /// A theme list.
    Themes,
    /// A list of questions.
    Questions,
    /// A list of doctrine changes.
    Changes,
}

impl Field {
    /// The catalogue code of the field's label.
    pub fn code(self) -> &'static str {
        match self {
            Field::Contribution => "field.contribution",
            Field::Statement => "field.statement",
            Field::Title => "field.title",
            Field::Description => "field.description",
            Field::Question => "field.question",
            Field::Theme => "field.theme",
            Field::Reason => "field.reason",
            Field::Justification => "field.justification",
            Field::Minutes => "field.minutes",
            Field::Article => "field.article",
            Field::DisplayName => "field.display_name",
            Field::Contact => "field.contact",
            Field::Territories => "field.territories",
            Field::Themes => "field.themes",
            Field::Questions => "field.questions",
            Field::Changes => "field.changes",
        }
    }
}

/// Why a command or a value was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    // ----- values parsed at the edge -----
    /// A required text is empty once trimmed.
    TextEmpty {
        /// Which text.
        field: Field,
    },
    /// A text is longer than its limit.
    TextTooLong {
        /// Which text.
        field: Field,
        /// The limit, in characters.
        max: usize,
        /// The length received, in characters.
        actual: usize,
    },
    /// A text contains a control character (other than line breaks and tabs).
    TextControlCharacter {
        /// Which text.
        field: Field,
    },
    /// A list is longer than its limit.
    TooMany {
        /// Which list.
        field: Field,
        /// The limit.
        max: usize,
    },
    /// A SIREN is not nine digits.
    SirenFormat {
        /// The value received.
        value: String,
    },
    /// A SIREN fails its Luhn check digit.
    SirenChecksum {
        /// The value received.
        value: String,
    },
    /// A territory code is malformed.
    TerritoryFormat {
        /// The value received.
        value: String,
    },
    /// A territory code is not in the official list.
    TerritoryUnknown {
        /// The value received.
        value: String,
        /// The year of the official list checked.
        year: u16,
    },
    /// A territory has the wrong level (a commune was expected, say).
    TerritoryLevel {
        /// The value received.
        value: String,
    },
    /// A slug is malformed.
    SlugInvalid {
        /// The value received.
        value: String,
    },
    /// An identifier is not a UUID.
    IdInvalid {
        /// The value received.
        value: String,
    },
    /// A language tag is malformed.
    LanguageInvalid {
        /// The value received.
        value: String,
    },
    /// An e-mail address is malformed.
    EmailInvalid,
    /// A hash is not 64 lowercase hexadecimal digits.
    HashInvalid,
    /// An article identifier is malformed.
    ArticleIdInvalid {
        /// The value received.
        value: String,
    },

    // ----- roles -----
    /// The actor's role may not perform this action.
    Forbidden {
        /// The catalogue code of the action.
        action: &'static str,
    },
    /// The facilitator is not assigned to this concertation.
    NotAssigned,
    /// The staff member belongs to another collectivité.
    OtherCollectivite,

    // ----- slug reservation -----
    /// The slug is already reserved by another concertation.
    SlugTaken {
        /// The slug.
        slug: String,
    },

    // ----- concertation -----
    /// The concertation does not exist.
    ConcertationNotFound,
    /// The concertation already exists.
    ConcertationExists,
    /// The command is not allowed in the concertation's current phase.
    WrongPhase {
        /// The catalogue code of the current phase.
        phase: &'static str,
    },
    /// The closing time is not after the opening time.
    ScheduleInvalid,
    /// The concertation cannot open before it has a schedule and a question.
    NotReadyToOpen,
    /// A scheduled phase change was requested before its time.
    NotDue,
    /// The new closing time does not extend the current one.
    ExtensionNotLater,
    /// Closing early was requested after the scheduled closing time.
    AlreadyDue,
    /// Participation after the closing time, before the scheduled close is appended.
    ClosingPassed,
    /// The theme already exists.
    ThemeExists,
    /// The theme is not one of the concertation's.
    UnknownTheme,
    /// The question already exists.
    QuestionExists,
    /// The question is not one of the concertation's.
    UnknownQuestion,
    /// The facilitator is already assigned (or not assigned, for removal).
    AssignmentUnchanged,
    /// The moderation mode is already the one requested.
    ModerationModeUnchanged,

    // ----- participant -----
    /// The participant does not exist.
    ParticipantNotFound,
    /// The participant is already registered.
    ParticipantExists,
    /// The participant's data was erased; the pseudonym can no longer act.
    ParticipantErased,
    /// The verification level would not change.
    VerificationUnchanged,
    /// The staff member acts on a participant outside their remit (no
    /// concertation of theirs in which the participant took part).
    ParticipantOutOfScope,

    // ----- contribution -----
    /// The contribution does not exist.
    ContributionNotFound,
    /// The contribution already exists.
    ContributionExists,
    /// Only the author may do this.
    NotAuthor,
    /// This kind of contribution does not answer this kind of question.
    KindNotAllowed {
        /// The catalogue code of the contribution kind.
        kind: &'static str,
        /// The catalogue code of the question kind.
        question: &'static str,
    },
    /// A comment needs the contribution it answers, and only comments have one.
    ParentMismatch,
    /// An amendment needs an anchor, and only amendments have one.
    AnchorMismatch,
    /// The amendment's base text does not match the doctrine at its anchor.
    StaleAnchor,
    /// A facilitator already acted on the contribution: it can no longer be revised.
    AlreadyModerated,
    /// The author has revised the contribution too many times.
    TooManyRevisions {
        /// The limit.
        max: u32,
    },
    /// The contribution was withdrawn.
    Withdrawn,
    /// The participant already reported this contribution.
    AlreadyReported,
    /// A participant cannot report their own contribution.
    OwnContribution,
    /// The moderation decision would change nothing.
    DecisionUnchanged,
    /// A contribution cannot be a duplicate of itself.
    DuplicateOfItself,
    /// The contribution marked as the original is of another concertation,
    /// withdrawn, or itself a duplicate.
    DuplicateTargetInvalid,
    /// The author already appealed once.
    AlreadyAppealed,
    /// There is no moderation decision to appeal.
    NothingToAppeal,
    /// There is no pending appeal.
    NoPendingAppeal,
    /// The facilitator who made a decision cannot decide its appeal.
    SameFacilitator,
    /// Only proposals and amendments are answered or supported.
    NotAnswerable,
    /// The commission already answered this contribution.
    AlreadyAnswered,
    /// The commission answered this contribution: the author can no longer withdraw it.
    AnsweredNotWithdrawable,
    /// The contribution's body was erased: it can be neither revised nor erased again.
    BodyErased,
    /// The concertation snapshot in the command is not the contribution's.
    ContributionElsewhere,

    // ----- session -----
    /// The session does not exist.
    SessionNotFound,
    /// The session already exists.
    SessionExists,
    /// The session is not open.
    SessionNotOpen,
    /// The session was already opened.
    SessionAlreadyOpened,
    /// The session belongs to another concertation.
    SessionElsewhere,

    // ----- votes and supports -----
    /// The voted contribution is not a statement of this question.
    NotAStatement,
    /// The statement is hidden or withdrawn.
    StatementUnavailable,
    /// The participant already supports (or opposes) this contribution.
    AlreadySupported,
    /// The participant has no support on this contribution to withdraw.
    NoSupport,

    // ----- doctrine -----
    /// The doctrine does not exist.
    DoctrineNotFound,
    /// The doctrine already exists.
    DoctrineExists,
    /// The revision is based on a version that is not the current one.
    StaleVersion {
        /// The current version.
        current: u32,
    },
    /// The article does not exist.
    UnknownArticle {
        /// The article id.
        article: String,
    },
    /// The article already exists.
    ArticleExists {
        /// The article id.
        article: String,
    },
    /// A revision with no change.
    EmptyRevision,
    /// A change cites a contribution the commission has not adopted.
    SourceNotAdopted,
}

impl Rejection {
    /// The stable catalogue code, such as `contribution.too_long`.
    pub fn code(&self) -> &'static str {
        use Rejection::*;
        match self {
            TextEmpty {
                field: Field::Contribution,
            } => "contribution.empty",
            TextTooLong {
                field: Field::Contribution,
                ..
            } => "contribution.too_long",
            TextEmpty { .. } => "text.empty",
            TextTooLong { .. } => "text.too_long",
            TextControlCharacter { .. } => "text.control_character",
            TooMany { .. } => "list.too_many",
            SirenFormat { .. } => "siren.format",
            SirenChecksum { .. } => "siren.checksum",
            TerritoryFormat { .. } => "territory.format",
            TerritoryUnknown { .. } => "territory.unknown",
            TerritoryLevel { .. } => "territory.level",
            SlugInvalid { .. } => "slug.invalid",
            IdInvalid { .. } => "id.invalid",
            LanguageInvalid { .. } => "language.invalid",
            EmailInvalid => "email.invalid",
            HashInvalid => "hash.invalid",
            ArticleIdInvalid { .. } => "article.invalid",
            Forbidden { .. } => "role.forbidden",
            NotAssigned => "role.not_assigned",
            OtherCollectivite => "role.other_collectivite",
            SlugTaken { .. } => "slug.taken",
            ConcertationNotFound => "concertation.not_found",
            ConcertationExists => "concertation.exists",
            WrongPhase { .. } => "concertation.wrong_phase",
            ScheduleInvalid => "concertation.schedule_invalid",
            NotReadyToOpen => "concertation.not_ready",
            NotDue => "concertation.not_due",
            ExtensionNotLater => "concertation.extension_not_later",
            AlreadyDue => "concertation.already_due",
            ClosingPassed => "concertation.closing_passed",
            ThemeExists => "theme.exists",
            UnknownTheme => "theme.unknown",
            QuestionExists => "question.exists",
            UnknownQuestion => "question.unknown",
            AssignmentUnchanged => "facilitator.unchanged",
            ModerationModeUnchanged => "moderation_mode.unchanged",
            ParticipantNotFound => "participant.not_found",
            ParticipantExists => "participant.exists",
            ParticipantErased => "participant.erased",
            VerificationUnchanged => "participant.verification_unchanged",
            ParticipantOutOfScope => "participant.out_of_scope",
            ContributionNotFound => "contribution.not_found",
            ContributionExists => "contribution.exists",
            NotAuthor => "contribution.not_author",
            KindNotAllowed { .. } => "contribution.kind_not_allowed",
            ParentMismatch => "contribution.parent_mismatch",
            AnchorMismatch => "contribution.anchor_mismatch",
            StaleAnchor => "contribution.stale_anchor",
            AlreadyModerated => "contribution.already_moderated",
            TooManyRevisions { .. } => "contribution.too_many_revisions",
            Withdrawn => "contribution.withdrawn",
            AlreadyReported => "report.already",
            OwnContribution => "report.own_contribution",
            DecisionUnchanged => "moderation.unchanged",
            DuplicateOfItself => "moderation.duplicate_of_itself",
            DuplicateTargetInvalid => "moderation.duplicate_target",
            AlreadyAppealed => "appeal.already",
            NothingToAppeal => "appeal.nothing",
            NoPendingAppeal => "appeal.none_pending",
            SameFacilitator => "appeal.same_facilitator",
            NotAnswerable => "answer.not_answerable",
            AlreadyAnswered => "answer.already",
            AnsweredNotWithdrawable => "contribution.answered",
            BodyErased => "contribution.body_erased",
            ContributionElsewhere => "contribution.elsewhere",
            SessionNotFound => "session.not_found",
            SessionExists => "session.exists",
            SessionNotOpen => "session.not_open",
            SessionAlreadyOpened => "session.already_opened",
            SessionElsewhere => "session.elsewhere",
            NotAStatement => "vote.not_a_statement",
            StatementUnavailable => "vote.statement_unavailable",
            AlreadySupported => "support.already",
            NoSupport => "support.none",
            DoctrineNotFound => "doctrine.not_found",
            DoctrineExists => "doctrine.exists",
            StaleVersion { .. } => "doctrine.stale_version",
            UnknownArticle { .. } => "doctrine.unknown_article",
            ArticleExists { .. } => "doctrine.article_exists",
            EmptyRevision => "doctrine.empty_revision",
            SourceNotAdopted => "doctrine.source_not_adopted",
        }
    }

    /// The parameters substituted into the message, by name.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        use Rejection::*;
        match self {
            TextEmpty { field } | TextControlCharacter { field } => {
                vec![("field", field.code().into())]
            }
            TextTooLong { field, max, actual } => vec![
                ("field", field.code().into()),
                ("max", max.to_string()),
                ("actual", actual.to_string()),
            ],
            TooMany { field, max } => {
                vec![("field", field.code().into()), ("max", max.to_string())]
            }
            SirenFormat { value }
            | SirenChecksum { value }
            | TerritoryFormat { value }
            | TerritoryLevel { value }
            | SlugInvalid { value }
            | IdInvalid { value }
            | LanguageInvalid { value }
            | ArticleIdInvalid { value } => vec![("value", value.clone())],
            TerritoryUnknown { value, year } => {
                vec![("value", value.clone()), ("year", year.to_string())]
            }
            Forbidden { action } => vec![("action", (*action).into())],
            SlugTaken { slug } => vec![("slug", slug.clone())],
            WrongPhase { phase } => vec![("phase", (*phase).into())],
            KindNotAllowed { kind, question } => {
                vec![("kind", (*kind).into()), ("question", (*question).into())]
            }
            TooManyRevisions { max } => vec![("max", max.to_string())],
            StaleVersion { current } => vec![("current", current.to_string())],
            UnknownArticle { article } | ArticleExists { article } => {
                vec![("article", article.clone())]
            }
            _ => Vec::new(),
        }
    }

    /// The message for a person, from the shared catalogue.
    pub fn message(&self, lang: Lang) -> String {
        i18n::format(self.code(), &self.params(), lang)
    }
}

impl std::fmt::Display for Rejection {
    /// Shows the stable code only: logs stay language-neutral, people get [`Rejection::message`].
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl std::error::Error for Rejection {}
