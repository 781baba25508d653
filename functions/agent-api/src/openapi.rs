//! The agent API's OpenAPI document, generated from the Rust types the handlers
//! send. Committed as `functions/agent-api/openapi.json`; the console's TypeScript
//! types are generated from it (`make openapi`), and tests fail when either is stale.
//! A test also holds the documented operations to `Route::ALL` in both directions.
#![allow(dead_code)] // The functions below exist only to carry the path documentation.

use crate::admin::{
    AdminAgentsJson, AdminCategoriesJson, AdminPoliciesJson, AgentInput, CategoryInput, PolicyJson,
};
use crate::bulk::{BulkAction, BulkInput, BulkJson, BulkResultJson, BulkTicket};
use crate::health::HealthJson;
use crate::library::{CannedJson, CannedListJson, FaqJson, FaqListJson, PlaceholderJson};
use crate::opening::OpenedJson;
use crate::privacy::{AuditEntryJson, AuditJson, EraseInput, ExportJson};
use crate::profile::{ProfileInput, ProfileJson};
use crate::queue::{
    AgentJson, CategoryCountJson, CategoryJson, CountsJson, MeJson, NotificationsJson, PageJson,
    RepliesJson, ViewCounts,
};
use crate::review::{
    HeldJson, HeldListJson, HeldMailJson, OriginalJson, ReleasedJson, RuleInput, RuleJson,
    RulesJson,
};
use crate::saved::{RenameTagInput, RenamedJson, ViewInput, ViewJson, ViewsJson};
use crate::search::{CustomerJson, HitJson, NoteInput, NoteJson, NoteSaved, PartJson, SearchJson};
use crate::tickets::TagsJson;
use crate::tickets::{ChangedJson, DetailJson, RemoteImagesJson, ShowJson, SlaJson};
use crate::tiers::{TierRuleInput, TierRuleJson, TierRulesJson};
use crate::uploads::UploadJson;
use crate::view::{
    ConflictJson, EntryJson, ErrorDetail, ErrorJson, FieldErrorJson, FileJson, RatingJson,
    Requester, SummaryJson, TicketJson,
};
use helpdesk_domain::agents::alert_mail::AlertChoices;
use helpdesk_domain::agents::canned::{MacroActions, MacroAssign};
use helpdesk_domain::catalog::admin::{HoursDraft, PolicyDraft};
use helpdesk_domain::catalog::category::Category;
use helpdesk_domain::customers::data::Erased;
use helpdesk_domain::mail::inbound::quarantine::SenderVerdict;
use helpdesk_domain::ops::probe::ChannelStatus;
use helpdesk_domain::ports::ComponentHealth;
use helpdesk_domain::reports::{
    AgeBand, AnswerRead, Backlog, DayRow, FaqReport, Period, QueryCount, RatingRow, Report,
    ScopeRow, TimeSummary, Totals,
};
use helpdesk_domain::sla::policy::Targets;
use serde::Serialize;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

/// Every change names the ticket version the agent is looking at, and the newest
/// thread entry on their screen (so a refusal can say what was added since).
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Seen {
    version: u64,
    /// The id of the newest thread entry on the agent's screen.
    #[schema(pattern = "^[A-Za-z0-9-]{8,64}$")]
    last_seen: Option<String>,
}

/// A ticket an agent opens for a customer (`POST /api/agent/tickets`).
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenTicketRequest {
    /// One of the caller's categories.
    #[schema(pattern = "^[a-z0-9][a-z0-9-]{0,39}$")]
    category: String,
    #[schema(max_length = 254)]
    email: String,
    /// Empty: taken from the address.
    #[schema(max_length = 100)]
    name: Option<String>,
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    subject: String,
    /// What the customer told us (`logged`), or our message to them (`mailed`).
    #[schema(min_length = 1, max_length = 50000, pattern = "\\S")]
    body: String,
    /// The category's own fields, by name.
    details: Option<std::collections::BTreeMap<String, String>>,
    /// `logged`: the customer gets the usual confirmation; `mailed`: the body is
    /// mailed to them with their link.
    #[schema(pattern = "^(logged|mailed)$")]
    first: String,
    /// The console's id for this request: sent again, it opens no second ticket.
    #[schema(pattern = "^[A-Za-z0-9-]{8,64}$")]
    request_id: Option<String>,
    /// The customer's language (English when left out): our mails to them are
    /// written in it.
    language: Option<helpdesk_domain::i18n::Language>,
}

/// An upload the console starts (`POST /api/agent/uploads`).
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UploadInput {
    #[schema(min_length = 1, max_length = 255, pattern = "\\S")]
    filename: String,
    #[schema(pattern = "^(image/(png|jpeg|gif|webp)|application/(pdf|zip)|text/(plain|csv))$")]
    content_type: String,
    /// Bytes, at most 10 MB.
    #[schema(minimum = 1, maximum = 10485760)]
    size: u64,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    version: u64,
    /// The id of the newest thread entry on the agent's screen.
    #[schema(pattern = "^[A-Za-z0-9-]{8,64}$")]
    last_seen: Option<String>,
    /// Not blank; at most 50,000 characters.
    #[schema(min_length = 1, max_length = 50000, pattern = "\\S")]
    body: String,
    /// Mark the ticket solved with this reply (else it waits on the customer).
    solve: Option<bool>,
    /// Files to send with the reply: the `key`s of uploads (`POST
    /// /api/agent/uploads`), at most 5, 25 MB together.
    #[schema(max_items = 5)]
    attachments: Option<Vec<String>>,
    /// The macro (a canned reply with actions) whose text this reply started
    /// from: its actions are taken in the same change.
    #[schema(pattern = "^[a-z0-9-]{1,64}$")]
    r#macro: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    version: u64,
    /// The id of the newest thread entry on the agent's screen.
    #[schema(pattern = "^[A-Za-z0-9-]{8,64}$")]
    last_seen: Option<String>,
    /// Not blank; at most 50,000 characters.
    #[schema(min_length = 1, max_length = 50000, pattern = "\\S")]
    body: String,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    version: u64,
    /// The id of the newest thread entry on the agent's screen.
    #[schema(pattern = "^[A-Za-z0-9-]{8,64}$")]
    last_seen: Option<String>,
    /// An agent id, or null to unassign.
    #[schema(pattern = "^[A-Za-z0-9._@+-]{1,128}$")]
    agent: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    version: u64,
    /// The id of the newest thread entry on the agent's screen.
    #[schema(pattern = "^[A-Za-z0-9-]{8,64}$")]
    last_seen: Option<String>,
    status: helpdesk_domain::Status,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityRequest {
    version: u64,
    /// The id of the newest thread entry on the agent's screen.
    #[schema(pattern = "^[A-Za-z0-9-]{8,64}$")]
    last_seen: Option<String>,
    priority: helpdesk_domain::Priority,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TierRequest {
    version: u64,
    /// The id of the newest thread entry on the agent's screen.
    #[schema(pattern = "^[A-Za-z0-9-]{8,64}$")]
    last_seen: Option<String>,
    tier: helpdesk_domain::Tier,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagsRequest {
    version: u64,
    /// The id of the newest thread entry on the agent's screen.
    #[schema(pattern = "^[A-Za-z0-9-]{8,64}$")]
    last_seen: Option<String>,
    /// Tags to put on: letters, digits, - and _, at most 32 characters each.
    #[schema(max_items = 10)]
    add: Vec<String>,
    #[schema(max_items = 10)]
    remove: Vec<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CcRequest {
    version: u64,
    /// The id of the newest thread entry on the agent's screen.
    #[schema(pattern = "^[A-Za-z0-9-]{8,64}$")]
    last_seen: Option<String>,
    /// At most 10 addresses, not the customer's.
    #[schema(max_items = 10)]
    cc: Vec<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryRequest {
    version: u64,
    /// The id of the newest thread entry on the agent's screen.
    #[schema(pattern = "^[A-Za-z0-9-]{8,64}$")]
    last_seen: Option<String>,
    /// One of the categories (the caller must cover it).
    #[schema(pattern = "^[a-z0-9][a-z0-9-]{0,39}$")]
    category: String,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    version: u64,
    /// The id of the newest thread entry on the agent's screen.
    #[schema(pattern = "^[A-Za-z0-9-]{8,64}$")]
    last_seen: Option<String>,
    /// The reference of the ticket that stays.
    /// A reference: ten characters with a check character, a dash optional.
    #[schema(pattern = "^#?[0-9A-Za-z]{5}-?[0-9A-Za-z]{5}$")]
    into: String,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForwardRequest {
    version: u64,
    /// The id of the newest thread entry on the agent's screen.
    #[schema(pattern = "^[A-Za-z0-9-]{8,64}$")]
    last_seen: Option<String>,
    /// Someone outside: not the customer.
    #[schema(format = "email", max_length = 254)]
    to: String,
    /// Not blank; at most 50,000 characters.
    #[schema(min_length = 1, max_length = 50000, pattern = "\\S")]
    note: String,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CannedRequest {
    /// One line, not blank.
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*\\S[^\\x00-\\x1f\\x7f-\\x9f]*$"
    )]
    title: String,
    /// Not blank; `{{placeholders}}` only from the known list.
    #[schema(min_length = 1, max_length = 10000, pattern = "\\S")]
    body: String,
    /// Null: shared by all categories (supervisors and admins only).
    #[schema(pattern = "^[a-z0-9][a-z0-9-]{0,39}$")]
    category: Option<String>,
    /// Actions sending it also takes: a macro (supervisors and admins only).
    actions: Option<MacroActions>,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FaqCreateRequest {
    /// One of the caller's categories.
    #[schema(pattern = "^[a-z0-9][a-z0-9-]{0,39}$")]
    category: String,
    /// Not blank; at most 300 characters.
    #[schema(min_length = 1, max_length = 300, pattern = "\\S")]
    question: String,
    /// Not blank; at most 10,000 characters.
    #[schema(min_length = 1, max_length = 10000, pattern = "\\S")]
    answer: String,
    /// Supervisors and admins only; agents save drafts.
    published: Option<bool>,
    /// The ticket this answer was made from.
    #[schema(pattern = "^#?[0-9A-Za-z]{5}-?[0-9A-Za-z]{5}$")]
    source_ticket: Option<String>,
    translations: Option<FaqTranslations>,
}

/// The answer in other languages; a language left out reads the answer's own.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FaqTranslations {
    #[schema(nullable = false)]
    de: Option<helpdesk_domain::catalog::translations::FaqText>,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FaqUpdateRequest {
    #[schema(min_length = 1, max_length = 300, pattern = "\\S")]
    question: String,
    #[schema(min_length = 1, max_length = 10000, pattern = "\\S")]
    answer: String,
    published: Option<bool>,
    /// Keep it among the top answers (supervisors and admins).
    pinned: Option<bool>,
    /// Its place in the category's order (supervisors and admins).
    #[schema(minimum = 0, maximum = 4294967295_u64)]
    position: Option<u64>,
    /// Replaces the stored translations (left out: they stay).
    translations: Option<FaqTranslations>,
}

/// Which tickets a page lists.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ViewName {
    Unassigned,
    Mine,
    Waiting,
    Overdue,
    All,
}

/// The order of a page.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SortName {
    Oldest,
    Newest,
    Due,
}

macro_rules! change_route {
    ($name:ident, $path:literal, $request:ty, $what:literal) => {
        #[utoipa::path(post, path = $path, tag = "tickets", description = $what,
            params(("reference" = String, Path, description = "The ticket reference")),
            request_body = $request,
            responses(
                (status = 200, body = ChangedJson, description = "Saved, with the entries it added"),
                (status = 400, body = ErrorJson, description = "A field is invalid; each is named"),
                (status = 403, body = ErrorJson, description = "The role may not do this"),
                (status = 404, body = ErrorJson, description = "No such ticket in the caller's categories"),
                (status = 409, body = ConflictJson, description = "The ticket changed since `version`; nothing saved"),
            ))]
        fn $name() {}
    };
}

#[utoipa::path(get, path = "/api/agent/me", tag = "agent",
    responses((status = 200, body = MeJson), (status = 403, body = ErrorJson)))]
fn me() {}

#[utoipa::path(put, path = "/api/agent/me/profile", tag = "agent", request_body = ProfileInput,
    responses((status = 200, body = ProfileJson), (status = 400, body = ErrorJson), (status = 403, body = ErrorJson)))]
fn profile() {}

/// What the caller is told of by mail while away from the console: a new ticket in
/// their categories, a ticket assigned to them, a customer's reply on their ticket,
/// an SLA warning on their ticket; each at once or in one digest every 15, 30,
/// 60, 120 or 240 minutes. Never mailed while their console is open, and at most
/// once per ticket and kind until they have been back in the console.
#[utoipa::path(put, path = "/api/agent/me/alerts", tag = "agent", request_body = AlertChoices,
    responses((status = 200, body = ProfileJson), (status = 400, body = ErrorJson), (status = 403, body = ErrorJson)))]
fn alerts() {}

/// The caller's console is closing (signed out, tab closed): alerts by mail go
/// out at once rather than after two minutes without the console asking.
#[utoipa::path(post, path = "/api/agent/me/away", tag = "agent",
    responses((status = 204, description = "noted"), (status = 403, body = ErrorJson)))]
fn away() {}

/// Every tag agents have used, sorted (for the autocomplete).
#[utoipa::path(get, path = "/api/agent/tags", tag = "tickets",
    responses((status = 200, body = TagsJson), (status = 403, body = ErrorJson)))]
fn tags_in_use() {}

/// Finds tickets by reference (any case, dash optional; a typo is answered with
/// the tickets one typo away), by the customer's address (with a link to their
/// page) or by a mail's Message-ID; and by words in the subject, the messages
/// and notes, the requester's name and address, detail values and file names
/// (case and accents folded, plurals and past forms matched, the last word
/// also as a beginning), with filters. Only tickets of categories you cover: a
/// category you do not cover finds nothing. Each parameter is optional, but a
/// search needs words or a filter.
#[utoipa::path(get, path = "/api/agent/search", tag = "queue",
    params(
        ("q" = Option<String>, Query, description = "words, a reference, an address or a Message-ID; at most 200 characters and 12 words, no control characters", max_length = 200, pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*$"),
        ("category" = Option<String>, Query, description = "a category id"),
        ("status" = Option<helpdesk_domain::Status>, Query),
        ("assignee" = Option<String>, Query, description = "an agent id, or `none` for unassigned tickets"),
        ("tag" = Option<String>, Query, description = "a tag: letters, digits, - and _, at most 32 characters"),
        ("priority" = Option<helpdesk_domain::Priority>, Query),
        ("tier" = Option<helpdesk_domain::Tier>, Query),
        ("created_from" = Option<String>, Query, description = "created on or after: a day (2026-12-03) or an RFC 3339 time"),
        ("created_to" = Option<String>, Query, description = "created before the end of this day, or before this time"),
        ("updated_from" = Option<String>, Query, description = "last changed on or after: a day or an RFC 3339 time"),
        ("updated_to" = Option<String>, Query, description = "last changed before the end of this day, or before this time"),
        ("page" = Option<u16>, Query, description = "25 hits a page, from 1 to 40", minimum = 1, maximum = 40),
    ),
    responses((status = 200, body = SearchJson), (status = 400, body = ErrorJson), (status = 403, body = ErrorJson)))]
fn search() {}

/// Your saved views and those shared with the teams of the categories you
/// work, each with how many tickets its search shows now.
#[utoipa::path(get, path = "/api/agent/views", tag = "queue",
    responses((status = 200, body = ViewsJson), (status = 403, body = ErrorJson)))]
fn views() {}

/// Saves a search (words and filters, as the search takes them) under a name:
/// yours alone, or shared with the team of a category you work. At most 20 in
/// each place.
#[utoipa::path(post, path = "/api/agent/views", tag = "queue", request_body = ViewInput,
    responses((status = 201, body = ViewJson), (status = 400, body = ErrorJson), (status = 403, body = ErrorJson)))]
fn save_view() {}

/// Deletes a view: one of yours, or a shared one you made (supervisors and
/// admins any shared one). 404 for a view you do not see.
#[utoipa::path(delete, path = "/api/agent/views/{id}", tag = "queue",
    params(("id" = String, Path, description = "the view's id")),
    responses((status = 200, body = ViewJson), (status = 404, body = ErrorJson), (status = 403, body = ErrorJson)))]
fn delete_view() {}

/// Admins: renames a tag on every ticket carrying it (each ticket its own
/// change, with a line in its thread), or merges it into a tag already in use;
/// the old name leaves the suggestions once no ticket carries it. Tickets are
/// found through the word index, which trails changes by seconds: `left` says
/// how many still carry the old tag.
#[utoipa::path(post, path = "/api/agent/tags/rename", tag = "tickets", request_body = RenameTagInput,
    responses((status = 200, body = RenamedJson), (status = 400, body = ErrorJson), (status = 403, body = ErrorJson)))]
fn rename_tag() {}

/// Everything we have with one address in the categories you cover: their
/// tickets, first and last contact, tier, whether the address is verified, and
/// the agents' private note. 404 when you cover none of their tickets.
#[utoipa::path(get, path = "/api/agent/customers/{email}", tag = "queue",
    params(("email" = String, Path, description = "the customer's address")),
    responses((status = 200, body = CustomerJson), (status = 400, body = ErrorJson), (status = 403, body = ErrorJson), (status = 404, body = ErrorJson)))]
fn customer() {}

/// One change to many tickets (assign, status, priority, category), each its own
/// conditional write on the version you saw: the answer says per ticket whether
/// it changed, or why not (changed meanwhile, not allowed, not found, invalid).
#[utoipa::path(post, path = "/api/agent/tickets/bulk", tag = "tickets", request_body = BulkInput,
    responses((status = 200, body = BulkJson), (status = 400, body = ErrorJson), (status = 403, body = ErrorJson)))]
fn bulk() {}

/// Sets the agents' private note about a customer (empty removes it). 404 when
/// you cover none of their tickets.
#[utoipa::path(put, path = "/api/agent/customers/{email}/note", tag = "queue", request_body = NoteInput,
    params(("email" = String, Path, description = "the customer's address")),
    responses((status = 200, body = NoteSaved), (status = 400, body = ErrorJson), (status = 403, body = ErrorJson), (status = 404, body = ErrorJson)))]
fn customer_note() {}

#[utoipa::path(post, path = "/api/agent/uploads", tag = "tickets", request_body = UploadInput,
    responses((status = 201, body = UploadJson), (status = 400, body = ErrorJson), (status = 403, body = ErrorJson), (status = 429, body = ErrorJson)))]
fn upload() {}

#[utoipa::path(post, path = "/api/agent/tickets", tag = "tickets", request_body = OpenTicketRequest,
    responses((status = 201, body = OpenedJson), (status = 200, body = OpenedJson, description = "Opened before by this request id"),
        (status = 400, body = ErrorJson), (status = 403, body = ErrorJson), (status = 422, body = ErrorJson), (status = 429, body = ErrorJson)))]
fn open_ticket() {}

#[utoipa::path(get, path = "/api/agent/counts", tag = "queue",
    responses((status = 200, body = CountsJson)))]
fn counts() {}

#[utoipa::path(get, path = "/api/agent/notifications", tag = "queue",
    params(("since" = Option<String>, Query, description = "The `cursor` of the previous poll")),
    responses((status = 200, body = NotificationsJson), (status = 400, body = ErrorJson)))]
fn notifications() {}

#[utoipa::path(get, path = "/api/agent/tickets", tag = "queue",
    params(
        ("view" = Option<ViewName>, Query, description = "Default all"),
        ("category" = Option<String>, Query, pattern = "^[a-z0-9][a-z0-9-]{0,39}$", description = "One of the caller's categories"),
        ("status" = Option<helpdesk_domain::Status>, Query),
        ("priority" = Option<helpdesk_domain::Priority>, Query),
        ("tier" = Option<helpdesk_domain::Tier>, Query),
        ("sort" = Option<SortName>, Query, description = "Default oldest"),
        ("limit" = Option<u16>, Query, minimum = 1, maximum = 100, description = "1 to 100, default 25"),
        ("cursor" = Option<String>, Query, description = "`next` of the previous page"),
    ),
    responses((status = 200, body = PageJson), (status = 400, body = ErrorJson)))]
fn tickets() {}

#[utoipa::path(get, path = "/api/agent/tickets/{reference}", tag = "tickets",
    params(("reference" = String, Path)),
    responses((status = 200, body = ShowJson), (status = 404, body = ErrorJson)))]
fn ticket() {}

#[utoipa::path(get, path = "/api/agent/tickets/{reference}/messages/{id}/remote-images", tag = "tickets",
    description = "A mail's HTML with its remote images, read again from the stored original (the sender may learn it was opened).",
    params(("reference" = String, Path), ("id" = String, Path, description = "a thread entry's id")),
    responses((status = 200, body = RemoteImagesJson), (status = 404, body = ErrorJson)))]
fn remote_images() {}

change_route!(
    reply,
    "/api/agent/tickets/{reference}/replies",
    ReplyRequest,
    "Answer the customer by mail"
);
change_route!(
    note,
    "/api/agent/tickets/{reference}/notes",
    NoteRequest,
    "An internal note, never mailed"
);
change_route!(
    assignee,
    "/api/agent/tickets/{reference}/assignee",
    AssignRequest,
    "Take, drop or (supervisors) reassign"
);
change_route!(
    status,
    "/api/agent/tickets/{reference}/status",
    StatusRequest,
    "Change the status; solving asks the customer to confirm"
);
change_route!(
    priority,
    "/api/agent/tickets/{reference}/priority",
    PriorityRequest,
    "Change the priority"
);
change_route!(
    tier,
    "/api/agent/tickets/{reference}/tier",
    TierRequest,
    "Change the tier (standard or premium): the running clocks retime to its targets"
);
change_route!(
    cc,
    "/api/agent/tickets/{reference}/cc",
    CcRequest,
    "Set who is copied on our replies (the whole list; empty removes everyone)"
);
change_route!(
    tags,
    "/api/agent/tickets/{reference}/tags",
    TagsRequest,
    "Put tags on the ticket and take tags off (at most 10 on a ticket)"
);
change_route!(
    category,
    "/api/agent/tickets/{reference}/category",
    CategoryRequest,
    "Move the ticket to another category's queue"
);
change_route!(
    merge,
    "/api/agent/tickets/{reference}/merge",
    MergeRequest,
    "Close this ticket as a duplicate of another"
);
change_route!(
    forward,
    "/api/agent/tickets/{reference}/forward",
    ForwardRequest,
    "Mail the conversation to someone outside"
);

#[utoipa::path(get, path = "/api/agent/canned", tag = "library",
    responses((status = 200, body = CannedListJson)))]
fn canned_list() {}

#[utoipa::path(post, path = "/api/agent/canned", tag = "library", request_body = CannedRequest,
    responses((status = 201, body = CannedJson), (status = 400, body = ErrorJson), (status = 403, body = ErrorJson)))]
fn canned_create() {}

#[utoipa::path(put, path = "/api/agent/canned/{id}", tag = "library", request_body = CannedRequest,
    params(("id" = String, Path)),
    responses((status = 200, body = CannedJson), (status = 400, body = ErrorJson), (status = 403, body = ErrorJson), (status = 404, body = ErrorJson)))]
fn canned_update() {}

#[utoipa::path(delete, path = "/api/agent/canned/{id}", tag = "library",
    params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorJson), (status = 404, body = ErrorJson)))]
fn canned_delete() {}

#[utoipa::path(get, path = "/api/agent/quarantine", tag = "held mail",
    params(("days" = Option<i64>, Query, minimum = 1, maximum = 30, description = "How many days back, today included (7 when not given)"),
        ("before" = Option<String>, Query, pattern = "^[0-9]{1,18}-[A-Za-z0-9._-]{1,128}$", description = "The `next` of the page before")),
    responses((status = 200, body = HeldListJson), (status = 400, body = ErrorJson), (status = 403, body = ErrorJson)))]
fn held_list() {}

#[utoipa::path(get, path = "/api/agent/quarantine/{ses_id}", tag = "held mail",
    params(("ses_id" = String, Path, pattern = "^[A-Za-z0-9._-]{1,128}$")),
    responses((status = 200, body = HeldMailJson), (status = 400, body = ErrorJson), (status = 403, body = ErrorJson), (status = 404, body = ErrorJson), (status = 503, body = ErrorJson)))]
fn held_show() {}

#[utoipa::path(post, path = "/api/agent/quarantine/{ses_id}/release", tag = "held mail",
    params(("ses_id" = String, Path, pattern = "^[A-Za-z0-9._-]{1,128}$")),
    responses((status = 200, body = ReleasedJson), (status = 400, body = ErrorJson), (status = 403, body = ErrorJson), (status = 404, body = ErrorJson), (status = 409, body = ErrorJson), (status = 503, body = ErrorJson)))]
fn held_release() {}

#[utoipa::path(get, path = "/api/agent/sender-rules", tag = "held mail",
    responses((status = 200, body = RulesJson), (status = 403, body = ErrorJson)))]
fn sender_rules() {}

#[utoipa::path(put, path = "/api/agent/sender-rules", tag = "held mail", request_body = RuleInput,
    responses((status = 200, body = RuleJson), (status = 400, body = ErrorJson), (status = 403, body = ErrorJson)))]
fn sender_rule_put() {}

#[utoipa::path(delete, path = "/api/agent/sender-rules/{pattern}", tag = "held mail",
    params(("pattern" = String, Path, description = "name@example.com or @example.com",
        pattern = r"^(([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}){0,2})?@)?([A-Za-z0-9]([A-Za-z0-9-]{0,20}[A-Za-z0-9])?\.){1,3}[A-Za-z]([A-Za-z0-9-]{0,10}[A-Za-z0-9])?$")),
    responses((status = 204), (status = 400, body = ErrorJson), (status = 403, body = ErrorJson), (status = 404, body = ErrorJson)))]
fn sender_rule_delete() {}

#[utoipa::path(get, path = "/api/agent/tiers", tag = "customers",
    responses((status = 200, body = TierRulesJson), (status = 403, body = ErrorJson)))]
fn tier_rules() {}

#[utoipa::path(put, path = "/api/agent/tiers", tag = "customers", request_body = TierRuleInput,
    responses((status = 200, body = TierRuleJson), (status = 400, body = ErrorJson), (status = 403, body = ErrorJson)))]
fn tier_rule_put() {}

#[utoipa::path(delete, path = "/api/agent/tiers/{pattern}", tag = "customers",
    params(("pattern" = String, Path, description = "name@example.com or @example.com",
        pattern = r"^(([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}){0,2})?@)?([A-Za-z0-9]([A-Za-z0-9-]{0,20}[A-Za-z0-9])?\.){1,3}[A-Za-z]([A-Za-z0-9-]{0,10}[A-Za-z0-9])?$")),
    responses((status = 204), (status = 400, body = ErrorJson), (status = 403, body = ErrorJson), (status = 404, body = ErrorJson)))]
fn tier_rule_delete() {}

/// Everything held about the address as one ZIP (its tickets, messages, files,
/// raw mail, the agents' note, its rules and the audit entries about it), stored
/// for a day and linked for 10 minutes: in parts of at most 300 requests and
/// held mails and 50 MB of files (`next` says where the next part starts; a
/// file no archive holds is named in `left_out`).
#[utoipa::path(post, path = "/api/agent/customers/{email}/export", tag = "customers",
    params(("email" = String, Path, description = "the customer's address"),
        ("from" = Option<u32>, Query, minimum = 0, maximum = 59700, description = "where the part starts: the previous part's `next` (0 when left out)")),
    responses((status = 200, body = ExportJson), (status = 400, body = ErrorJson), (status = 403, body = ErrorJson), (status = 413, body = ErrorJson)))]
fn customer_export() {}

/// Erases the address's data: up to 10 of its tickets a call become anonymous
/// shells (their counts stay in the reports), their messages, files and raw
/// mail deleted; once none is left, its note, do-not-email entry and rules go.
/// Call again until `done`. Cannot be undone.
#[utoipa::path(post, path = "/api/agent/customers/{email}/erase", tag = "customers", request_body = EraseInput,
    params(("email" = String, Path, description = "the customer's address")),
    responses((status = 200, body = Erased), (status = 400, body = ErrorJson), (status = 403, body = ErrorJson)))]
fn customer_erase() {}

/// What admins changed and whose data was exported or erased, newest first, 50
/// a page; or every entry about one customer.
#[utoipa::path(get, path = "/api/agent/audit", tag = "customers",
    params(
        ("before" = Option<String>, Query, pattern = "^[0-9]{1,16}_[0-9a-f]{8}$", description = "The `next` of the page before"),
        ("customer" = Option<String>, Query, format = "email", max_length = 254, description = "Only the entries about this address"),
    ),
    responses((status = 200, body = AuditJson), (status = 400, body = ErrorJson), (status = 403, body = ErrorJson)))]
fn audit() {}

#[utoipa::path(get, path = "/api/agent/faq", tag = "library",
    params(("category" = String, Query, pattern = "^[a-z0-9][a-z0-9-]{0,39}$", description = "One of the caller's categories")),
    responses((status = 200, body = FaqListJson), (status = 400, body = ErrorJson)))]
fn faq_list() {}

#[utoipa::path(post, path = "/api/agent/faq", tag = "library", request_body = FaqCreateRequest,
    responses((status = 201, body = FaqJson), (status = 400, body = ErrorJson), (status = 403, body = ErrorJson)))]
fn faq_create() {}

#[utoipa::path(put, path = "/api/agent/faq/{category}/{id}", tag = "library", request_body = FaqUpdateRequest,
    params(("category" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = FaqJson), (status = 400, body = ErrorJson), (status = 403, body = ErrorJson), (status = 404, body = ErrorJson)))]
fn faq_update() {}

#[utoipa::path(delete, path = "/api/agent/faq/{category}/{id}", tag = "library",
    params(("category" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorJson), (status = 404, body = ErrorJson)))]
fn faq_delete() {}

#[utoipa::path(get, path = "/api/agent/admin/categories", tag = "admin",
    responses((status = 200, body = AdminCategoriesJson), (status = 403, body = ErrorJson)))]
fn admin_categories() {}

#[utoipa::path(put, path = "/api/agent/admin/categories/{id}", tag = "admin", request_body = CategoryInput,
    params(("id" = String, Path, description = "The category's slug")),
    responses((status = 200, body = Category, description = "Replaced"), (status = 201, body = Category, description = "Created"),
        (status = 400, body = ErrorJson), (status = 403, body = ErrorJson)))]
fn admin_category() {}

#[utoipa::path(get, path = "/api/agent/admin/agents", tag = "admin",
    responses((status = 200, body = AdminAgentsJson), (status = 403, body = ErrorJson)))]
fn admin_agents() {}

#[utoipa::path(put, path = "/api/agent/admin/agents/{id}", tag = "admin", request_body = AgentInput,
    params(("id" = String, Path, description = "The Cognito user name")),
    responses((status = 200, body = AgentJson, description = "Replaced"), (status = 201, body = AgentJson, description = "Created"),
        (status = 400, body = ErrorJson), (status = 403, body = ErrorJson)))]
fn admin_agent() {}

#[utoipa::path(get, path = "/api/agent/admin/policies", tag = "admin",
    responses((status = 200, body = AdminPoliciesJson), (status = 403, body = ErrorJson)))]
fn admin_policies() {}

#[utoipa::path(put, path = "/api/agent/admin/policies/{id}", tag = "admin", request_body = PolicyDraft,
    params(("id" = String, Path, description = "The policy's id (lowercase letters, digits, dashes)")),
    responses((status = 200, body = PolicyDraft, description = "Replaced"), (status = 201, body = PolicyDraft, description = "Created"),
        (status = 400, body = ErrorJson), (status = 403, body = ErrorJson)))]
fn admin_policy() {}

#[utoipa::path(get, path = "/api/agent/health", tag = "reports",
    description = "Supervisors and admins: whether each table, queue and bucket answers (kept 30 seconds)",
    responses((status = 200, body = HealthJson), (status = 503, body = HealthJson), (status = 403, body = ErrorJson)))]
fn health() {}

#[utoipa::path(get, path = "/api/agent/reports", tag = "reports",
    description = "Supervisors and admins: the period's figures, backlog and FAQ searches",
    params(
        ("from" = Option<String>, Query, format = Date, description = "First day (YYYY-MM-DD, UTC); default 29 days before `to`"),
        ("to" = Option<String>, Query, format = Date, description = "Last day, not before `from`; default today. At most 366 days in all"),
        ("category" = Option<String>, Query, pattern = "^[a-z0-9][a-z0-9-]{0,39}$", description = "One category; default all"),
    ),
    responses((status = 200, body = Report), (status = 400, body = ErrorJson), (status = 403, body = ErrorJson)))]
fn reports() {}

#[utoipa::path(get, path = "/api/agent/reports/csv", tag = "reports",
    description = "The same report per day and scope (all, category, agent) as CSV",
    params(("from" = Option<String>, Query, format = Date), ("to" = Option<String>, Query, format = Date),
        ("category" = Option<String>, Query, pattern = "^[a-z0-9][a-z0-9-]{0,39}$")),
    responses((status = 200, content_type = "text/csv", body = String), (status = 400, body = ErrorJson), (status = 403, body = ErrorJson)))]
fn reports_csv() {}

/// API Gateway's own answer when the access token is missing, expired or forged:
/// the request never reaches the function.
#[derive(Serialize, ToSchema)]
pub struct GatewayUnauthorizedJson {
    /// `Unauthorized`.
    message: String,
}

/// What every operation may answer besides its own statuses: 401 (in API
/// Gateway's shape before the function runs, or the API's error shape when the
/// token names no agent) and, for an operation with a body, 413 (over the size
/// limit) and 415 (not `application/json`).
struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::{OneOfBuilder, Schema};
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
        let error_json = || RefOr::Ref(Ref::from_schema_name("ErrorJson"));
        let response = |description: &str, schema: RefOr<Schema>| -> RefOr<Response> {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new().schema(Some(schema)).build(),
                )
                .build()
                .into()
        };
        let unauthorized = response(
            "No valid access token (API Gateway answers `{\"message\": \"Unauthorized\"}`), or the token names no agent",
            Schema::OneOf(
                OneOfBuilder::new()
                    .item(Ref::from_schema_name("GatewayUnauthorizedJson"))
                    .item(Ref::from_schema_name("ErrorJson"))
                    .build(),
            )
            .into(),
        );
        let too_large = response("The body is over the size limit", error_json());
        let not_json = response("The body is not `application/json`", error_json());
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                let responses = &mut operation.responses.responses;
                responses.insert("401".into(), unauthorized.clone());
                if operation.request_body.is_some() {
                    responses.insert("413".into(), too_large.clone());
                    responses.insert("415".into(), not_json.clone());
                }
            }
        }
    }
}

/// Every route needs the Cognito access token (locally: the runner's issuer).
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "access_token",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Helpdesk agent API", description = "The agent console's API. Every route needs an access token; a ticket outside the caller's categories answers 404 like a missing one."),
    paths(me, alerts, away, tags_in_use, tags, search, views, save_view, delete_view, rename_tag, bulk, customer, customer_note, counts, notifications, tickets, ticket, remote_images, reply, note, assignee, status, priority, tier,
        cc, category, merge, forward, canned_list, canned_create, canned_update, canned_delete,
        faq_list, faq_create, faq_update, faq_delete, admin_categories, admin_category, admin_agents,
        admin_agent, admin_policies, admin_policy, reports, reports_csv, held_list, held_show,
        held_release, sender_rules, sender_rule_put, sender_rule_delete, tier_rules, tier_rule_put, tier_rule_delete, customer_export, customer_erase, audit, profile, upload, open_ticket, health),
    components(schemas(
        ViewName, SortName, MeJson, AgentJson, CategoryJson, CountsJson, ViewCounts, CategoryCountJson,
        NotificationsJson, RepliesJson, PageJson, SummaryJson, TicketJson, Requester, ShowJson, SlaJson,
        EntryJson, FileJson, RemoteImagesJson, ChangedJson, ConflictJson, ErrorJson, ErrorDetail, FieldErrorJson,
        CannedJson, CannedListJson, PlaceholderJson, FaqJson, FaqListJson, Seen, ReplyRequest,
        NoteRequest, AssignRequest, StatusRequest, PriorityRequest, CcRequest, CategoryRequest,
        MergeRequest, ForwardRequest, CannedRequest, FaqCreateRequest, FaqUpdateRequest,
        AdminCategoriesJson, PolicyJson, CategoryInput, AdminAgentsJson, AgentInput,
        Report, Period, Totals, TimeSummary, DayRow, ScopeRow, Backlog, AgeBand, FaqReport,
        QueryCount, ChannelStatus, AnswerRead, AdminPoliciesJson, PolicyDraft, HoursDraft, Targets,
        HealthJson, ComponentHealth, GatewayUnauthorizedJson,
        HeldJson, HeldListJson, HeldMailJson, OriginalJson, ReleasedJson, RuleJson, RulesJson,
        RuleInput, SenderVerdict, MacroActions, MacroAssign, ProfileJson, ProfileInput, AlertChoices, SearchJson, HitJson, PartJson, ViewJson, ViewsJson, ViewInput, RenameTagInput, RenamedJson, TagsRequest, TagsJson, BulkInput, BulkTicket, BulkAction, BulkJson, BulkResultJson, CustomerJson, NoteJson, NoteInput, NoteSaved, DetailJson, UploadInput, UploadJson, OpenTicketRequest, OpenedJson, RatingJson, RatingRow, helpdesk_domain::tickets::rating::Score, TierRequest, TierRulesJson, TierRuleJson, TierRuleInput,
        ExportJson, EraseInput, AuditJson, AuditEntryJson, helpdesk_domain::agents::audit::AuditAction, helpdesk_domain::customers::data::Erased,
    )),
    modifiers(&BearerAuth, &CommonErrors),
    security(("access_token" = [])),
)]
pub struct ApiDoc;

/// The document as committed: pretty JSON with a final newline.
pub fn document() -> String {
    let mut json = ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    json.push('\n');
    json
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Route;

    #[test]
    fn the_committed_document_is_current() {
        testkit::openapi::assert_committed_is_current(
            concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json"),
            &document(),
        );
    }

    #[test]
    fn documented_operations_are_the_routes() {
        let routes: Vec<(&str, &str)> = Route::ALL.iter().map(|r| r.method_and_path()).collect();
        testkit::openapi::assert_operations_are(&document(), &routes);
    }
}
