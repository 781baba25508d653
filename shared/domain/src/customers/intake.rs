//! Customer intake: a help-center submission becomes a ticket, its first message, a
//! tracking secret and a queued confirmation, in one store write and one queue send.

use crate::agents::alerts;
use crate::catalog::category::{Category, DetailValues, FieldError};
use crate::customers::limits::IntakePolicy;
use crate::i18n::Language;
use crate::mail::outbound::job::{MailKind, OutboundJob};
use crate::ports::store::{
    Created, IdempotencyClaim, NewTicket, RateLimitClaim, StoreError, TrackingToken,
};
use crate::ports::{CatalogStore, Clock, IdSource, OutboundQueue, TicketStore};
use crate::sla::clocks::Rules;
use crate::tickets::message::{Author, Message, MessageKind, ThreadedBy};
use crate::tickets::ticket::{Channel, Requester, Ticket, Tier};
use crate::values::email::EmailAddress;
use crate::values::ids::{CategoryId, TicketRef};
use crate::values::text::{DisplayName, Subject, TextError};
use crate::values::token::SecretToken;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// The form's fields as they arrived, before any checking.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubmissionInput {
    pub category: String,
    pub name: String,
    pub email: String,
    pub subject: String,
    pub description: String,
    pub details: BTreeMap<String, String>,
    /// Honeypot: hidden from people, filled by bots.
    pub website: String,
    /// Milliseconds between showing the form and submitting it, if the page sent it.
    pub elapsed_ms: Option<u64>,
    /// Keys of files uploaded beforehand (`POST /api/attachments`).
    pub attachments: Vec<String>,
    /// FAQ answers ("category/id") the visitor read before writing, for the
    /// reports; unknown ones are ignored.
    pub faq_read: Vec<String>,
    /// The language the page was in (`en`, `de`); empty when not said.
    pub language: String,
    /// The browser's `Accept-Language`, for when the page did not say.
    pub accept_language: String,
    /// The visitor's time zone as their browser names it (`Europe/Vienna`);
    /// empty when not said.
    pub time_zone: String,
}

/// A checked submission.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    pub category: CategoryId,
    pub name: DisplayName,
    pub email: EmailAddress,
    pub subject: Subject,
    pub description: String,
    pub details: DetailValues,
    /// Checked against what was really uploaded.
    pub attachments: Vec<crate::tickets::message::AttachmentRef>,
    /// From the customer list and the category's choice answers
    /// (`customers::tiers`); standard until looked up.
    pub tier: Tier,
    /// The customer's language: the page's, else the browser's, else English.
    pub language: Language,
    /// The customer's time zone, when their browser said it.
    pub time_zone: Option<chrono_tz::Tz>,
}

pub const MAX_DESCRIPTION: usize = 20_000;

fn text_error(field: &str, label_key: &str, e: TextError, language: Language) -> FieldError {
    FieldError::new(
        field,
        e.field_reason(&language.text(label_key, &[]), language),
    )
}

/// Checks every field against the rules and `category`'s own schema (`None`: the
/// category does not exist) and reports every problem at once.
pub fn parse_submission(
    input: &SubmissionInput,
    category: Option<&Category>,
) -> Result<Submission, Vec<FieldError>> {
    let mut errors = Vec::new();
    // First: every reason below is said in it.
    let language = if input.language.trim().is_empty() {
        Language::preferred(&input.accept_language).unwrap_or_default()
    } else {
        Language::parse(&input.language).unwrap_or_else(|e| {
            errors.push(FieldError::new("language", e));
            Language::En
        })
    };
    let name = DisplayName::parse(&input.name)
        .map_err(|e| errors.push(text_error("name", "label-name", e, language)))
        .ok();
    if input.name.trim().is_empty() {
        errors.push(text_error("name", "label-name", TextError::Empty, language));
    }
    let email = EmailAddress::parse(&input.email)
        .map_err(|e| errors.push(FieldError::new("email", e.field_reason(language))))
        .ok();
    let subject = Subject::parse(&input.subject)
        .map_err(|e| errors.push(text_error("subject", "label-subject", e, language)))
        .ok();
    let description = input.description.trim();
    let max = MAX_DESCRIPTION.to_string();
    let problem = if description.is_empty() {
        Some(language.text("description-required", &[]))
    } else if description.chars().count() > MAX_DESCRIPTION {
        Some(language.text("description-too-long", &[("max", &max)]))
    } else if description
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        Some(language.text("description-control", &[]))
    } else {
        None
    };
    errors.extend(problem.map(|reason| FieldError::new("description", reason)));
    let time_zone = match input.time_zone.trim() {
        "" => None,
        zone => zone
            .parse::<chrono_tz::Tz>()
            .map_err(|_| {
                errors.push(FieldError::new(
                    "time_zone",
                    "is not a time zone like Europe/Berlin",
                ))
            })
            .ok(),
    };
    let details = match category {
        None => {
            errors.push(FieldError::new("category", "is not one of our categories"));
            None
        }
        // Labels as the customer read them on the form.
        Some(c) => c
            .clone()
            .in_language(language)
            .parse_details(&input.details, language)
            .map_err(|e| errors.extend(e))
            .ok(),
    };
    match (category, name, email, subject, details) {
        (Some(c), Some(name), Some(email), Some(subject), Some(details)) if errors.is_empty() => {
            Ok(Submission {
                category: c.id.clone(),
                name,
                email,
                subject,
                description: description.to_owned(),
                details,
                attachments: vec![],
                tier: Tier::Standard,
                language,
                time_zone,
            })
        }
        _ => Err(errors),
    }
}

/// Bots fill the hidden field or submit faster than a person can type.
pub fn looks_automated(input: &SubmissionInput, policy: &IntakePolicy) -> bool {
    !input.website.trim().is_empty()
        || input
            .elapsed_ms
            .is_some_and(|ms| (ms as i64) < policy.min_fill.num_milliseconds())
}

/// What the customer is told: the reference and their tracking secret.
#[derive(Debug, Clone, PartialEq)]
pub struct Receipt {
    pub reference: TicketRef,
    pub tracking_token: SecretToken,
    pub created_at: DateTime<Utc>,
    /// When the first answer is due under the category's policy.
    pub reply_by: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Created(Receipt),
    /// The idempotency key was seen with the same request: the same ticket, with a
    /// fresh tracking secret (only hashes are stored, so the first can't be replayed).
    Replayed(Receipt),
    /// Screened out as automated: answered like a success, nothing stored or sent.
    Discarded(Receipt),
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IntakeError {
    #[error("the submission has invalid fields")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub struct Intake<'a> {
    pub tickets: &'a dyn TicketStore,
    pub attachments: &'a dyn crate::ports::AttachmentStore,
    pub catalog: &'a dyn CatalogStore,
    pub outbound: &'a dyn OutboundQueue,
    pub clock: &'a dyn Clock,
    pub ids: &'a dyn IdSource,
    pub policy: &'a IntakePolicy,
}

/// The client's retry key and a hash of what it sent with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    pub key: String,
    pub fingerprint: String,
}

impl IdempotencyKey {
    /// 1 to 255 visible ASCII characters, as the header carries them.
    pub fn parse(key: &str, fingerprint: String) -> Result<Self, FieldError> {
        let ok = (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic());
        if ok {
            Ok(Self {
                key: key.to_owned(),
                fingerprint,
            })
        } else {
            Err(FieldError::new(
                "Idempotency-Key",
                "must be 1 to 255 visible ASCII characters",
            ))
        }
    }
}

/// The idempotency fingerprint of a request body: its SHA-256.
pub fn fingerprint(body: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(body))
}

/// How many times a reference collision or a concurrent write is retried.
const REFERENCE_ATTEMPTS: usize = 3;

impl Intake<'_> {
    /// A channel self-test through the form: checked as a submission is (all but
    /// the category's own detail fields, which a probe cannot know), then recorded
    /// as arrived instead of becoming a ticket. False: no pending probe has this
    /// secret, and nothing is written.
    pub async fn probe(
        &self,
        input: &SubmissionInput,
        secret: &SecretToken,
    ) -> Result<bool, IntakeError> {
        let category = match CategoryId::parse(input.category.trim()) {
            Ok(id) => self.catalog.category(&id).await?,
            Err(_) => None,
        };
        if let Err(errors) = parse_submission(input, category.as_ref()) {
            let errors: Vec<FieldError> = errors
                .into_iter()
                .filter(|e| !e.field.starts_with("details."))
                .collect();
            if !errors.is_empty() {
                return Err(IntakeError::Invalid(errors));
            }
        }
        let arrived = crate::ops::probe::ProbeOutcome::Arrived {
            at: self.clock.now(),
            category: category.map(|c| c.id),
        };
        Ok(self.tickets.settle_probe(&secret.hash(), arrived).await?)
    }

    pub async fn submit(
        &self,
        input: &SubmissionInput,
        idempotency: Option<IdempotencyKey>,
        client_ip: &str,
    ) -> Result<Outcome, IntakeError> {
        let now = self.clock.now();
        let category = match CategoryId::parse(input.category.trim()) {
            Ok(id) => self.catalog.category(&id).await?,
            Err(_) => None,
        };
        let mut submission =
            parse_submission(input, category.as_ref()).map_err(IntakeError::Invalid)?;
        submission.attachments = crate::customers::attaching::resolve(
            self.attachments,
            self.ids,
            &input.attachments,
            "attachments",
        )
        .await
        .map_err(|e| IntakeError::Store(StoreError::Unavailable(e.to_string())))?
        .map_err(IntakeError::Invalid)?;
        submission.tier = crate::customers::tiers::tier_of_request(
            self.catalog,
            &submission.email,
            category.as_ref(),
            &submission.details,
        )
        .await;
        let sla = match &category {
            Some(c) => self.catalog.policy(&c.sla_policy).await?,
            None => None,
        };
        if sla.is_none() {
            tracing::warn!(category = %submission.category, "no SLA policy: the ticket gets no due time");
        }
        // The receipt goes to whoever typed the form in, who need not own the
        // address: it promises the standard time (the latest anyone waits), so it
        // never tells a stranger who is on the customer list. The confirmation,
        // mailed to the address, gives a premium customer their own time.
        let reply_by = sla
            .as_ref()
            .and_then(|p| p.first_response_due(Tier::Standard, now));
        let rules = Rules::new(category.as_ref(), sla);
        let faq_read = crate::catalog::help_center::FaqReads {
            catalog: self.catalog,
            clock: self.clock,
        }
        .known(&input.faq_read)
        .await?;
        let token = self.ids.secret_token();
        if looks_automated(input, self.policy) {
            return Ok(Outcome::Discarded(Receipt {
                reference: self.ids.ticket_ref(),
                tracking_token: token,
                created_at: now,
                reply_by,
            }));
        }
        let mut last = StoreError::Duplicate;
        // Not readable: tickets are still taken, without alerts.
        let agents = self.catalog.agents().await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "no alerts: the agent list could not be read");
            vec![]
        });
        for _ in 0..REFERENCE_ATTEMPTS {
            let mut new = self.new_ticket(
                &submission,
                &token,
                idempotency.as_ref(),
                client_ip,
                now,
                &rules,
            );
            new.faq_read = faq_read.clone();
            let raised = alerts::Raised {
                kind: alerts::AlertKind::NewTicket,
                ticket: &new.ticket,
                by: None,
                at: now,
            };
            let alerted = alerts::jobs(&raised, &agents, self.ids);
            new.outbox.extend(alerted);
            let jobs = new.outbox.clone();
            match self.tickets.create_ticket(new).await {
                Ok(Created::New(ticket)) => {
                    // The outbox items are already stored: a failed send is retried from them.
                    alerts::queue_stored(self.outbound, &jobs).await;
                    return Ok(Outcome::Created(Receipt {
                        reference: ticket.reference,
                        tracking_token: token,
                        created_at: now,
                        reply_by,
                    }));
                }
                Ok(Created::Replayed(reference)) => {
                    let fresh = self.ids.secret_token();
                    let expires_at = now + self.policy.token_ttl;
                    self.tickets
                        .add_tracking_token(
                            &reference,
                            TrackingToken {
                                hash: fresh.hash(),
                                expires_at,
                                mailed: false,
                            },
                        )
                        .await?;
                    return Ok(Outcome::Replayed(Receipt {
                        reference,
                        tracking_token: fresh,
                        created_at: now,
                        reply_by,
                    }));
                }
                // A taken reference, or a concurrent write of the same idempotency key
                // (a double click): try again; the second case then replays.
                Err(e @ (StoreError::Duplicate | StoreError::Conflict)) => last = e,
                Err(e) => return Err(e.into()),
            }
        }
        Err(last.into())
    }

    fn new_ticket(
        &self,
        s: &Submission,
        token: &SecretToken,
        idempotency: Option<&IdempotencyKey>,
        client_ip: &str,
        now: DateTime<Utc>,
        rules: &Rules,
    ) -> NewTicket {
        let reference = self.ids.ticket_ref();
        let requester = Requester {
            name: s.name.clone(),
            email: s.email.clone(),
        };
        // Anyone can type any address into the form: not verified.
        let mut ticket = Ticket::opened(
            reference.clone(),
            s.category.clone(),
            requester.clone(),
            s.subject.clone(),
            Channel::Web,
            now,
        );
        ticket.details = s.details.clone();
        ticket.tier = s.tier;
        ticket.language = s.language;
        ticket.time_zone = s.time_zone.map(|z| z.name().to_owned());
        // The clocks run from creation (sparse due and wake indexes).
        crate::sla::clocks::open(&mut ticket, rules, now);
        let first_message = Message {
            id: self.ids.message_id(now),
            ticket: reference.clone(),
            kind: MessageKind::Customer,
            author: Author::Customer {
                name: requester.name,
                email: requester.email,
            },
            body_text: Message::clamp_body(&s.description),
            body_html: None,
            attachments: s.attachments.clone(),
            email: None,
            threaded_by: ThreadedBy::WebForm,
            created_at: now,
            about: vec![],
        };
        let confirmation = OutboundJob {
            outbox_id: self.ids.outbox_id(),
            kind: MailKind::TicketConfirmation,
            ticket: Some(reference),
            message: Some(first_message.id.clone()),
            recipient: s.email.clone(),
            throttled: 0,
            digest: None,
            alert: None,
        };
        let (ip_limit, ip_window) = self.policy.per_ip;
        let (email_limit, email_window) = self.policy.per_email;
        NewTicket {
            ticket,
            first_message,
            idempotency: idempotency.map(|k| IdempotencyClaim {
                key: format!("ticket:{}", k.key),
                fingerprint: k.fingerprint.clone(),
                expires_at: now + self.policy.idempotency_ttl,
            }),
            // Whoever filled in the form holds this one: it shows the request,
            // not our answers, until the address is verified.
            tracking_token: Some(TrackingToken {
                hash: token.hash(),
                expires_at: now + self.policy.token_ttl,
                mailed: false,
            }),
            rate_limits: vec![
                RateLimitClaim::fixed_window(
                    &format!("submit-ip:{client_ip}"),
                    ip_limit,
                    ip_window,
                    now,
                ),
                RateLimitClaim::fixed_window(
                    &format!("submit-email:{}", s.email.mailbox_key()),
                    email_limit,
                    email_window,
                    now,
                ),
            ],
            outbox: vec![confirmation],
            faq_read: vec![],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::category::{FieldKind, FieldSchema};

    fn billing() -> Category {
        Category {
            id: CategoryId::parse("billing").unwrap(),
            name: "Billing".into(),
            description: String::new(),
            hints: vec![],
            fields: vec![FieldSchema {
                name: "order_id".into(),
                label: "Order number".into(),
                kind: FieldKind::Text { max_len: 10 },
                required: true,
                help: String::new(),
            }],
            addresses: vec![],
            agents: vec![],
            sla_policy: "default".into(),
            position: 1,
            lifecycle: Default::default(),
            retention_months: None,
            translations: Default::default(),
        }
    }

    fn input() -> SubmissionInput {
        SubmissionInput {
            category: "billing".into(),
            name: "Jane".into(),
            email: "jane@example.com".into(),
            subject: "Charged twice".into(),
            description: "Order 1234 was charged twice.".into(),
            details: [("order_id".to_string(), "1234".to_string())].into(),
            website: String::new(),
            elapsed_ms: Some(40_000),
            attachments: vec![],
            faq_read: vec![],
            ..Default::default()
        }
    }

    #[test]
    fn a_good_submission_parses() {
        let s = parse_submission(&input(), Some(&billing())).unwrap();
        assert_eq!(s.email.as_str(), "jane@example.com");
        assert_eq!(s.details.len(), 1);
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let bad = SubmissionInput {
            name: "Jane\r\nBcc: x@y.z".into(),
            email: "jane@".into(),
            subject: String::new(),
            description: " ".into(),
            details: BTreeMap::new(),
            ..input()
        };
        let errors = parse_submission(&bad, Some(&billing())).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name",
                "email",
                "subject",
                "description",
                "details.order_id"
            ]
        );
        assert_eq!(
            errors[0].reason,
            "Name contains a line break or control character"
        );
        let unknown = parse_submission(&input(), None).unwrap_err();
        assert_eq!(unknown[0].field, "category");
    }

    #[test]
    fn the_browser_s_time_zone_is_kept_when_it_is_one_and_refused_when_not() {
        let with = |zone: &str| {
            parse_submission(
                &SubmissionInput {
                    time_zone: zone.into(),
                    ..input()
                },
                Some(&billing()),
            )
        };
        assert_eq!(
            with("Europe/Vienna").map(|s| s.time_zone),
            Ok(Some(chrono_tz::Tz::Europe__Vienna))
        );
        assert_eq!(with("").map(|s| s.time_zone), Ok(None));
        for bad in [
            "Mars/Olympus",
            "Europe/Vienna\r\nBcc: x@y.z",
            &"A".repeat(5000),
        ] {
            let errors = with(bad).unwrap_err();
            assert_eq!(errors[0].field, "time_zone", "{bad:?}");
        }
    }

    #[test]
    fn a_german_reader_is_told_each_problem_in_german_with_the_german_label() {
        let mut category = billing();
        category.translations.insert(
            Language::De,
            crate::catalog::translations::CategoryText {
                fields: [(
                    "order_id".to_owned(),
                    crate::catalog::translations::FieldText {
                        label: "Bestellnummer".into(),
                        help: String::new(),
                        options: Default::default(),
                    },
                )]
                .into(),
                ..Default::default()
            },
        );
        let bad = SubmissionInput {
            name: String::new(),
            email: "jana@".into(),
            subject: "Zwei\nZeilen".into(),
            description: " ".into(),
            details: BTreeMap::new(),
            language: "de".into(),
            ..input()
        };
        let reasons: Vec<String> = parse_submission(&bad, Some(&category))
            .unwrap_err()
            .into_iter()
            .map(|e| format!("{}: {}", e.field, e.reason))
            .collect();
        assert_eq!(
            reasons,
            [
                "name: Name: Bitte ausfüllen",
                "email: E-Mail: Eine E-Mail-Adresse sieht aus wie name@example.com, mit einem @.",
                "subject: Betreff: bitte ohne Zeilenumbruch oder Steuerzeichen",
                "description: Nachricht: Bitte ausfüllen",
                "details.order_id: Bestellnummer: Bitte ausfüllen",
            ]
        );
        // The browser's German counts the same way; English stays as it was.
        let by_browser = SubmissionInput {
            accept_language: "de-CH".into(),
            details: [("order_id".to_string(), "x".repeat(11))].into(),
            ..input()
        };
        assert_eq!(
            parse_submission(&by_browser, Some(&category)).unwrap_err()[0].reason,
            "höchstens 10 Zeichen"
        );
        let english = SubmissionInput {
            email: "jane".into(),
            ..input()
        };
        assert_eq!(
            parse_submission(&english, Some(&category)).unwrap_err()[0].reason,
            "Email An email address looks like name@example.com, with one @."
        );
    }

    #[test]
    fn bots_are_recognised_by_honeypot_or_speed() {
        let policy = IntakePolicy::default();
        assert!(!looks_automated(&input(), &policy));
        assert!(!looks_automated(
            &SubmissionInput {
                elapsed_ms: None,
                ..input()
            },
            &policy
        ));
        assert!(looks_automated(
            &SubmissionInput {
                website: "http://spam".into(),
                ..input()
            },
            &policy
        ));
        assert!(looks_automated(
            &SubmissionInput {
                elapsed_ms: Some(900),
                ..input()
            },
            &policy
        ));
    }

    #[test]
    fn idempotency_keys_are_visible_ascii() {
        assert!(IdempotencyKey::parse("3f2b-9c1e", "f".into()).is_ok());
        assert!(IdempotencyKey::parse("", "f".into()).is_err());
        assert!(IdempotencyKey::parse("a b", "f".into()).is_err());
        assert!(IdempotencyKey::parse(&"k".repeat(256), "f".into()).is_err());
    }
}
