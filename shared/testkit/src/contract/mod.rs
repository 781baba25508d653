//! The store contract: scenarios every store must pass, one file per role of the
//! ports (`ticket_records`, `listings`, `access`, `outbox`, `mail`, `notices`,
//! `catalog`, `probes`). The `store_contract!` macro turns them into tests for one store
//! factory; it runs on the in-memory store (testkit) and on DynamoDB Local (tests/).

use crate::fixtures::new_ticket;
use crate::{FixedClock, SequentialIds};
use helpdesk_domain::Ticket;
use helpdesk_domain::ports::store::{Created, TicketUpdate};
use helpdesk_domain::ports::{CatalogStore, Clock, TicketStore};
use std::sync::Arc;

mod access;
mod alerts;
mod catalog;
mod listings;
mod mail;
mod notices;
mod outbox;
mod privacy;
mod probes;
pub mod search;
mod ticket_records;

pub use access::*;
pub use alerts::*;
pub use catalog::*;
pub use listings::*;
pub use mail::*;
pub use notices::*;
pub use outbox::*;
pub use privacy::*;
pub use probes::*;
pub use ticket_records::*;

pub struct Stores {
    pub tickets: Arc<dyn TicketStore>,
    pub mail: Arc<dyn helpdesk_domain::ports::MailStore>,
    pub catalog: Arc<dyn CatalogStore>,
    pub erasure: Arc<dyn helpdesk_domain::ports::Erasure>,
    pub audit: Arc<dyn helpdesk_domain::ports::AuditTrail>,
}

/// Generates one `#[tokio::test]` per scenario for `$factory`, an async fn
/// returning fresh, empty [`Stores`].
#[macro_export]
macro_rules! store_contract {
    ($factory:path) => {
        $crate::store_contract!(@cases $factory;
            // ticket_records
            create_then_load_returns_the_thread,
            a_thread_longer_than_a_page_loads_whole_in_order_with_its_latest_version,
            a_taken_reference_is_refused_and_nothing_is_half_written,
            a_repeated_idempotency_key_replays_and_a_changed_request_is_refused,
            updates_are_conditional_on_the_version_read,
            updating_a_missing_ticket_is_not_found,
            several_tickets_change_in_one_write_or_not_at_all,
            a_deduplicated_update_is_made_once_with_its_outbox,
            every_ticket_is_listed_once_for_a_rebuild,
            // listings
            counters_follow_creation_status_and_category_changes,
            queue_pages_in_both_orders_without_gaps_or_repeats,
            owner_listings_and_view_counters_follow_assignment_and_status,
            views_merge_listings_page_by_page_without_gaps_or_repeats,
            a_view_refuses_a_cursor_it_did_not_make,
            wake_index_holds_what_the_sla_run_must_see,
            requester_tickets_newest_first_ignoring_case,
            a_rating_is_listed_once_by_category_and_day_and_counted_once,
            // access
            tracking_tokens_open_only_their_ticket_until_they_expire,
            a_full_rate_limit_refuses_the_whole_write,
            standalone_rate_limits_count_all_or_nothing,
            // outbox
            the_outbox_item_is_written_with_the_ticket,
            unsent_mail_is_found_until_it_is_settled,
            an_outbox_item_is_claimed_once_and_sent_is_final,
            released_and_abandoned_claims_can_be_taken_again,
            a_failed_item_stays_failed_and_says_so_on_the_ticket,
            do_not_email_and_the_cap_refuse_a_claim_and_write_nothing,
            a_released_claim_gives_its_cap_hit_back,
            // mail
            message_ids_lead_to_their_ticket,
            message_id_lookups_follow_the_given_order,
            mail_is_quarantined_once_per_ses_id,
            a_days_held_mail_comes_in_pages_newest_first,
            a_quarantined_mail_is_released_once_and_remembered,
            a_senders_own_rule_wins_over_its_domains,
            // catalog
            catalog_keeps_order_and_replaces_by_id,
            canned_replies_list_by_title_replace_by_id_and_delete,
            sla_policies_round_trip,
            the_customer_list_keeps_one_rule_per_address_or_domain,
            faq_searches_are_counted_per_day_query_and_category,
            a_day_logs_at_most_its_cap_of_new_queries_and_keeps_counting_known_ones,
            faq_reads_are_counted_per_entry_over_any_period,
            // notices
            notices_are_written_with_their_step_or_not_at_all,
            runs_stay_open_until_closed_and_a_digest_is_stored_once,
            // probes
            a_probe_is_settled_once,
            // alerts
            presence_is_noted_at_most_once_a_minute_and_forgotten_on_leaving,
            an_alert_is_noted_once_per_kind_and_ticket_until_the_agent_is_seen,
            waiting_alerts_close_once_with_their_digest,
            alert_choices_change_alone,
            a_customer_note_is_kept_per_address_whatever_its_case,
            tags_in_use_are_a_set_that_grows_and_forgets,
            saved_views_are_kept_per_scope_and_deleted_alone,
            // privacy
            an_erased_thread_leaves_an_anonymous_shell_in_no_listing,
            an_address_s_tickets_links_and_held_mail_are_read_past_one_page,
            a_shared_ticket_links_its_people_and_erasing_one_leaves_the_rest,
            retention_finds_closed_tickets_last_changed_before_the_cutoff,
            the_audit_log_pages_newest_first_and_finds_a_subject
        );
    };
    (@cases $factory:path; $($case:ident),*) => {
        $(
            #[tokio::test]
            async fn $case() {
                let stores = $factory().await;
                $crate::contract::$case(&stores).await;
            }
        )*
    };
}

pub(crate) fn setup() -> (FixedClock, SequentialIds) {
    (FixedClock::monday_morning(), SequentialIds::new())
}

pub(crate) async fn create(
    stores: &Stores,
    ids: &SequentialIds,
    clock: &FixedClock,
    category: &str,
    who: &str,
) -> Ticket {
    match stores
        .tickets
        .create_ticket(new_ticket(ids, category, who, clock.now()))
        .await
    {
        Ok(Created::New(t)) => *t,
        other => panic!("create failed: {other:?}"),
    }
}

pub(crate) async fn change(
    stores: &Stores,
    before: &Ticket,
    f: impl FnOnce(&mut Ticket),
) -> Ticket {
    let mut after = before.clone();
    f(&mut after);
    stores
        .tickets
        .update_ticket(TicketUpdate::new(before, after, vec![]))
        .await
        .unwrap_or_else(|e| panic!("update failed: {e}"))
}
