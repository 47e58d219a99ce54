//! Participant services: joining with a pseudonymous token (no password), registration
//! in the log on the first contribution or vote, recovery on another device, personal
//! data, verification by staff, and erasure (crypto-shredding of the participant's key).

use domain::participant::{
    stream, Participant, ParticipantAggregate, ParticipantCommand as C, ParticipantKind,
    ParticipantScope, PersonalData, VerificationLevel,
};
use domain::sealed::SealKey;
use domain::territory::TerritoryCode;
use domain::values::{ContactText, DisplayName, Email, ParticipantId, Siren};
use domain::{Actor, Rejection};
use eventstore::KeyId;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::check::{parsed, Check};
use super::{require_participant, App, Applied, Ctx};
use crate::auth::{
    self, new_participant_id, recovery_code_hash, Caller, PendingRegistration, Tokens,
};
use crate::error::{AppError, AppResult};

/// Who a participant speaks as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KindInput {
    /// A resident (optionally with a commune).
    Citoyen,
    /// A business (with its SIREN).
    Entreprise,
    /// A public agent (with their collectivité's SIREN).
    AgentPublic,
}

/// Joining as a participant.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct JoinInput {
    /// Kind.
    pub kind: KindInput,
    /// Citizen's commune (`COM:75056` or `75056`), optional.
    #[serde(default)]
    pub commune: Option<String>,
    /// Business SIREN (entreprise) or collectivité SIREN (agent public).
    #[serde(default)]
    pub siren: Option<String>,
}

/// What a new participant receives, once.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Joined {
    /// The pseudonym.
    pub participant_id: ParticipantId,
    /// The bearer token (also set as a cookie by the HTTP layer).
    pub token: String,
    /// The recovery code: shown once, to use the pseudonym on another device.
    pub recovery_code: String,
}

/// Recovering a pseudonym on another device.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RecoverInput {
    /// The pseudonym.
    pub participant_id: Uuid,
    /// The recovery code.
    pub recovery_code: String,
}

/// New personal data (sealed under the participant's key).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PersonalInput {
    /// Name shown beside contributions.
    #[serde(default)]
    pub display_name: Option<String>,
    /// E-mail for notices.
    #[serde(default)]
    pub email: Option<String>,
    /// Other contact details.
    #[serde(default)]
    pub contact: Option<String>,
}

/// A verification level to set.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyInput {
    /// The level (only rises).
    pub level: VerificationLevel,
}

fn kind(check: &mut Check, input: &JoinInput) -> Option<ParticipantKind> {
    let siren = |check: &mut Check| match &input.siren {
        Some(s) => check.field("/siren", Siren::parse(s)),
        None => {
            check.field::<()>(
                "/siren",
                Err(Rejection::SirenFormat {
                    value: String::new(),
                }),
            );
            None
        }
    };
    match input.kind {
        KindInput::Citoyen => {
            let commune = check.optional(
                "/commune",
                input.commune.as_deref(),
                TerritoryCode::parse_commune,
            )?;
            if input.siren.is_some() {
                check.fail("/siren", "request.invalid", Vec::new());
            }
            Some(ParticipantKind::Citoyen { commune })
        }
        KindInput::Entreprise => siren(check).map(|siren| ParticipantKind::Entreprise { siren }),
        KindInput::AgentPublic => {
            siren(check).map(|collectivite| ParticipantKind::AgentPublic { collectivite })
        }
    }
}

impl App {
    /// A new pseudonym: a signed token holding the declared kind and the recovery code's
    /// hash. Nothing is written to the log until the first contribution or vote.
    pub fn join(&self, input: JoinInput) -> AppResult<Joined> {
        let mut check = Check::new();
        let kind = kind(&mut check, &input);
        check.finish()?;
        let participant = new_participant_id();
        let code = auth::new_recovery_code();
        let claims = Tokens::participant_claims(
            participant,
            Some(PendingRegistration {
                kind: parsed(kind),
                recovery_code_hash: recovery_code_hash(&code),
            }),
        );
        Ok(Joined {
            participant_id: participant,
            token: self.tokens().participant_token(&claims),
            recovery_code: code,
        })
    }

    /// The participant, folded from their stream (`None` before their first action).
    pub async fn participant(&self, id: ParticipantId) -> AppResult<Option<Participant>> {
        Ok(self
            .load::<ParticipantAggregate>(&stream(id))
            .await?
            .participant)
    }

    /// Registers the calling participant in the log unless already there; called just
    /// before their contribution, vote or support. An erased pseudonym is refused.
    pub async fn ensure_registered(&self, ctx: &Ctx) -> AppResult<Applied> {
        if self.needs_registration(ctx).await? {
            self.register(ctx).await
        } else {
            Ok(Applied::default())
        }
    }

    /// Whether the calling participant is not in the log yet; an erased pseudonym is
    /// refused. Reads only: a caller may ask it alongside its own reads.
    pub(crate) async fn needs_registration(&self, ctx: &Ctx) -> AppResult<bool> {
        let claims = require_participant(ctx)?;
        match self.participant(claims.participant).await? {
            Some(p) if p.erased => Err(AppError::Rejected(Rejection::ParticipantErased)),
            Some(_) => Ok(false),
            None => Ok(true),
        }
    }

    /// Registers the calling participant (the domain refuses a second registration).
    pub(crate) async fn register(&self, ctx: &Ctx) -> AppResult<Applied> {
        let claims = require_participant(ctx)?;
        let pending = claims
            .pending
            .clone()
            .ok_or(AppError::Rejected(Rejection::ParticipantNotFound))?;
        self.execute::<ParticipantAggregate>(
            ctx,
            C::Register {
                id: claims.participant,
                kind: pending.kind,
                recovery_code_hash: pending.recovery_code_hash,
                personal: PersonalData::default(),
            },
        )
        .await
    }

    /// A new token for a registered pseudonym, given its recovery code.
    pub async fn recover(&self, input: RecoverInput) -> AppResult<String> {
        let id = ParticipantId::from_uuid(input.participant_id);
        let refused = AppError::Unauthenticated("recovery.invalid");
        let Some(participant) = self.participant(id).await? else {
            return Err(refused);
        };
        match participant.recovery_code_hash.present() {
            Some(hash)
                if !participant.erased && *hash == recovery_code_hash(&input.recovery_code) =>
            {
                Ok(self
                    .tokens()
                    .participant_token(&Tokens::participant_claims(id, None)))
            }
            _ => Err(refused),
        }
    }

    /// Replaces the caller's personal data.
    pub async fn change_personal_data(
        &self,
        ctx: &Ctx,
        input: PersonalInput,
    ) -> AppResult<Applied> {
        let claims = require_participant(ctx)?.clone();
        let mut check = Check::new();
        let display_name = check.optional(
            "/display_name",
            input.display_name.as_deref(),
            DisplayName::parse,
        );
        let email = check.optional("/email", input.email.as_deref(), Email::parse);
        let contact = check.optional("/contact", input.contact.as_deref(), ContactText::parse);
        check.finish()?;
        let registered = self.ensure_registered(ctx).await?;
        let changed = self
            .execute::<ParticipantAggregate>(
                ctx,
                C::ChangePersonalData {
                    id: claims.participant,
                    personal: PersonalData {
                        display_name: parsed(display_name),
                        email: parsed(email),
                        contact: parsed(contact),
                    },
                },
            )
            .await?;
        Ok(registered.merge(changed))
    }

    /// Gives the caller a new recovery code (the old one stops working).
    pub async fn rotate_recovery_code(&self, ctx: &Ctx) -> AppResult<(String, Applied)> {
        let claims = require_participant(ctx)?.clone();
        let registered = self.ensure_registered(ctx).await?;
        let code = auth::new_recovery_code();
        let applied = self
            .execute::<ParticipantAggregate>(
                ctx,
                C::RotateRecoveryCode {
                    id: claims.participant,
                    recovery_code_hash: recovery_code_hash(&code),
                },
            )
            .await?;
        Ok((code, registered.merge(applied)))
    }

    /// Where a participant took part, from the read model: the domain scopes staff
    /// verification and an administrator's erasure to it. Empty without read models
    /// (staff are then refused; the participant's own erasure does not need it).
    fn participant_scope(&self, id: ParticipantId) -> ParticipantScope {
        let mut scope = ParticipantScope::default();
        let Ok(projections) = self.read_models() else {
            return scope;
        };
        let model = projections.model().read();
        for c in model.concertations(false) {
            if c.participants.contains(&id) {
                scope
                    .collectivites
                    .extend(Siren::parse(&c.collectivite).ok());
                scope.facilitators.extend(c.facilitators.iter().copied());
            }
        }
        scope
    }

    /// Raises a participant's verification level (staff).
    pub async fn verify_participant(
        &self,
        ctx: &Ctx,
        id: ParticipantId,
        input: VerifyInput,
    ) -> AppResult<Applied> {
        super::require_staff(ctx)?;
        self.execute::<ParticipantAggregate>(
            ctx,
            C::Verify {
                id,
                level: input.level,
                scope: self.participant_scope(id),
            },
        )
        .await
    }

    /// Erases a participant's personal data: records the request, then destroys their
    /// key. By the participant themself or an administrator. Their contributions stay,
    /// attributed to an inert pseudonym.
    pub async fn erase_participant(&self, ctx: &Ctx, id: ParticipantId) -> AppResult<Applied> {
        match &ctx.caller {
            Caller::Participant(claims) if claims.participant == id => {}
            Caller::Staff { account, .. }
                if matches!(account.actor(), Actor::Administrator { .. }) => {}
            Caller::System => {}
            _ => return Err(AppError::Forbidden("auth.admin_only")),
        }
        let applied = match self
            .execute::<ParticipantAggregate>(
                ctx,
                C::RequestErasure {
                    id,
                    scope: self.participant_scope(id),
                },
            )
            .await
        {
            // Already requested: destroying the key again finishes an erasure that a
            // crash may have interrupted between the event and the key.
            Err(AppError::Rejected(Rejection::ParticipantErased)) => Applied::default(),
            other => other?,
        };
        let key = KeyId::parse(SealKey::participant(id).as_str())?;
        self.store().keys().destroy(&key).await?;
        self.forget_folds();
        Ok(applied)
    }
}
