"""Test tiers for `make test-fast` (`make test`, as CI, runs every tier).

browser, faults and load are the directories of those names (tests/browser, tests/faults,
tests/load), marked by where a test lives so that a new test there is marked too. slow is
the slowest of the rest, by name: each file's test functions (every parameter of them)
that took 0.25 s or more with --durations on 2 shared cores (2026-12-03), plus the few
that take seconds to minutes. A renamed or moved test drops out of this list and so runs
in test-fast again, which costs time, never coverage; `pytest --collect-only -q -m slow`
shows what is marked, and a full collection warns about names here that match nothing.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
BY_DIRECTORY = {"browser": "browser", "faults": "faults", "load": "load"}
# The heaviest, seconds each then: test_100k_rows_import_in_batches 164, test_sigkilled_
# worker... 145, test_dids_agents_masked_callbacks 67-97 (its agents page renders every
# DID for every extension), the engine/windows/zone/role-matrix/fuzz tests 4-11.
SLOW: dict[str, tuple[str, ...]] = {
    "tests/callcenter/test_admin_rules.py": (
        "test_a_dnc_number_typed_with_spaces_is_stored_e164",
        "test_a_supervisor_cannot_change_a_call_in_the_admin",
        "test_every_admin_list_add_and_change_page_opens",
    ),
    "tests/callcenter/test_commands.py": ("test_devserver_stop_ends_the_whole_group_promptly",),
    "tests/callcenter/test_generate_data.py": (
        "test_generate_data_gives_the_same_rows_for_the_same_seed",
    ),
    "tests/callcenter/test_login_throttle.py": (
        "test_admin_login_is_throttled_and_counts_failures",
    ),
    "tests/callcenter/test_roles_and_audit.py": (
        "test_production_settings_refuse_the_development_secret_key",
    ),
    "tests/callcenter/test_security.py": ("test_check_deploy_is_clean_with_production_settings",),
    "tests/campaigns/test_crash.py": (
        "test_sigkilled_worker_never_double_dials_and_loses_no_contact",
    ),
    "tests/campaigns/test_engine.py": (
        "test_an_outcome_lost_after_commit_is_settled_at_the_next_pass",
        "test_carry_over_moves_the_rest_to_the_next_window",
        "test_compliance_window_is_never_widened_by_the_campaign",
        "test_concurrency_and_cps_are_never_exceeded_across_three_campaigns",
        "test_friday_evening_carries_over_to_monday_on_weekday_campaigns",
        "test_higher_priority_campaign_and_entries_are_dialed_first",
        "test_lifetime_cap_stops_calling_a_number",
        "test_minimum_recall_gap_holds_across_campaigns",
        "test_outcomes_outside_retry_on_are_not_retried",
        "test_pause_stops_new_dials_at_once_and_resume_continues",
        "test_retries_happen_at_the_configured_gaps",
        "test_without_carry_over_entries_left_when_the_window_ends_are_skipped",
    ),
    "tests/campaigns/test_hosted.py": (
        "test_hosted_campaign_pushes_the_list_and_syncs_results_into_the_entries",
        "test_pause_and_resume_are_steered_at_the_provider",
    ),
    "tests/campaigns/test_optout_key.py": (
        "test_pressing_the_optout_key_puts_the_number_on_dnc_and_opts_the_contact_out",
    ),
    "tests/campaigns/test_windows.py": (
        "test_allowed_matches_the_local_wall_clock",
        "test_engine_never_dials_outside_the_contacts_allowed_hours",
        "test_next_allowed_is_allowed_and_nothing_earlier_is",
    ),
    "tests/campaigns/test_zone_intersection.py": (
        "test_a_call_is_allowed_only_when_every_candidate_zone_allows",
    ),
    "tests/contacts/test_contacts.py": ("test_contact_list_queries_do_not_grow_with_rows",),
    "tests/contacts/test_dnc_audit.py": (
        "test_opt_out_key_in_a_campaign_writes_one_system_audit_row",
    ),
    "tests/contacts/test_import.py": ("test_100k_rows_import_in_batches",),
    "tests/contacts/test_import_upload.py": (
        "test_a_large_upload_goes_through_the_temporary_file_path",
    ),
    "tests/contacts/test_phone_zones.py": ("test_the_geocoders_place_names_are_never_loaded",),
    "tests/dashboard/test_query_counts.py": (
        "test_audit_dispositions_templates",
        "test_calls_csv_export_streams_in_chunks",
        "test_calls_log_and_export",
        "test_contacts_list_and_detail",
        "test_dids_agents_masked_callbacks",
        "test_wallboard",
        "test_workspace",
    ),
    "tests/dashboard/test_role_matrix.py": ("test_every_url_with_every_role",),
    "tests/fakes/test_callkaro_fake_clock.py": (
        "test_call_plays_forward_on_advance_and_webhook_is_delivered",
        "test_closed_window_without_carry_over_expires",
        "test_higher_priority_goes_first_at_the_same_moment",
        "test_outcomes_are_deterministic_per_seed",
        "test_unanswered_call_is_retried_with_the_gaps_given",
    ),
    "tests/fakes/test_callmatic_fake.py": (
        "test_batch_dedupes_only_within_the_campaign_and_only_calls_still_queued",
    ),
    "tests/fakes/test_callmatic_fake_clock.py": (
        "test_a_call_plays_forward_only_on_advance_and_shows_transcript_and_insights",
        "test_completion_webhook_is_delivered_as_the_doc_shows",
        "test_recording_streams_audio_with_a_content_type",
        "test_unanswered_call_ends_without_transcript",
    ),
    "tests/fakes/test_ivrsolutions_fake_clock.py": (
        "test_call_lives_are_deterministic_per_seed",
        "test_timeout_on_an_unauthenticated_request_creates_nothing",
        "test_timeout_on_c2c_post_still_creates_the_call",
    ),
    "tests/fakes/test_outboundcalls_fake.py": (
        "test_agents_can_be_created_listed_read_updated_and_deleted",
        "test_answers_the_doc_does_not_show_alternate_their_shape",
        "test_every_path_in_the_table_is_served",
    ),
    "tests/fakes/test_outboundcalls_fake_campaigns.py": (
        "test_connected_calls_start_and_complete_others_fail",
        "test_play_forward_depends_on_the_seed_only",
        "test_webhooks_are_signed_with_hmac_sha256_of_the_raw_body",
    ),
    "tests/fakes/test_robotalker_fake.py": ("test_play_forward_depends_on_the_seed_only",),
    "tests/fakes/test_robotalker_fake_webhooks.py": (
        "test_every_call_event_reaches_the_webhook_in_the_docs_shape",
    ),
    "tests/integration/test_hosted_unknown.py": (
        "test_a_create_settled_as_not_created_is_created_once_more",
        "test_an_unreadable_create_is_never_sent_again_until_an_admin_settles_it",
        "test_an_unreadable_push_marks_the_calls_unknown_and_is_not_pushed_again",
        "test_an_unreadable_start_is_settled_by_the_providers_status",
    ),
    "tests/integration/test_ivr_end_to_end.py": (
        "test_call_log_sync_imports_calls_made_elsewhere",
        "test_timeout_while_placing_leaves_the_call_unknown_until_the_logs_say",
    ),
    "tests/integration/test_provider_campaigns.py": (
        "test_small_campaign_runs_to_completion_through_the_provider",
    ),
    "tests/providers/test_callkaro_adapter.py": ("test_timeout_on_placing_is_ambiguous",),
    "tests/providers/test_callkaro_side_effects.py": (
        "test_a_timeout_creating_a_campaign_is_ambiguous_and_not_retried",
    ),
    "tests/providers/test_callmatic_adapter.py": ("test_timeout_on_placing_is_ambiguous",),
    "tests/providers/test_ivrsolutions_account.py": (
        "test_campaign_runs_pauses_resumes_and_reports_results",
        "test_dids_are_listed_searched_by_region_name_and_bought",
        "test_dispositions_are_listed_and_pushed_as_a_call_note",
        "test_extensions_are_disabled_given_an_expiry_and_a_did",
    ),
    "tests/providers/test_ivrsolutions_adapter.py": (
        "test_timeout_on_c2c_post_is_ambiguous_and_the_logs_later_show_the_call",
    ),
    "tests/providers/test_ivrsolutions_sync.py": (
        "test_a_call_made_elsewhere_is_still_imported_once",
        "test_a_disposition_waits_for_the_record_id_then_is_pushed_with_it",
        "test_a_lost_placing_answer_is_settled_from_the_logs_with_its_webhooks",
        "test_log_sync_makes_a_placed_call_and_its_log_row_one_call",
        "test_our_disposition_is_pushed_under_the_providers_code_the_sync_mapped",
        "test_reconcile_never_guesses_between_two_calls_to_one_number",
        "test_reconcile_tells_two_calls_apart_by_their_numbers",
    ),
    "tests/providers/test_outboundcalls_adapter.py": (
        "test_agents_are_created_listed_renamed_and_deleted",
        "test_connection_and_credits_report_balance_and_usage",
        "test_signed_events_through_the_inbox_fill_the_call_and_the_balance",
        "test_starting_twice_is_harmless",
        "test_the_fakes_signed_webhooks_verify_and_parse",
        "test_timeout_on_starting_is_ambiguous_and_sent_once",
    ),
    "tests/providers/test_outboundcalls_campaigns.py": (
        "test_call_logs_hold_the_calls_in_the_range",
        "test_call_logs_page_through_every_call",
        "test_campaign_results_carry_our_entry_ids",
        "test_details_carry_transcript_recording_and_outcome",
        "test_numbers_added_while_draft_count_new_repeats_and_rejects",
        "test_start_pause_resume_status_and_no_stop",
    ),
    "tests/providers/test_outboundcalls_credits.py": (
        "test_every_amount_shape_of_the_fake_is_read",
    ),
    "tests/providers/test_outboundcalls_recordings.py": (
        "test_a_json_recording_is_not_stored_and_the_audio_is_fetched_later",
        "test_every_content_type_the_fake_serves_a_wav_under_is_read_as_wav",
    ),
    "tests/providers/test_outboundcalls_side_effects.py": (
        "test_every_import_and_agent_shape_of_the_fake_is_accepted",
    ),
    "tests/providers/test_outboundcalls_webhooks.py": (
        "test_every_signed_webhook_of_the_fake_verifies_and_parses",
    ),
    "tests/providers/test_robotalker_adapter.py": (
        "test_timeout_on_placing_is_ambiguous_and_sent_once",
    ),
    "tests/providers/test_robotalker_events.py": (
        "test_campaign_status_and_results_after_it_ran",
        "test_the_optout_key_press_arrives_as_a_contact_optout_update",
    ),
    "tests/providers/test_robotalker_side_effects.py": (
        "test_every_campaign_answer_shape_of_the_fake_is_followed_to_its_results",
    ),
    "tests/security/test_csrf.py": (
        "test_every_post_without_a_token_is_refused_and_changes_nothing",
    ),
    "tests/security/test_fuzz_import.py": ("test_every_row_is_imported_or_reported",),
    "tests/security/test_fuzz_webhooks.py": (
        "test_inbox_view_never_500s_and_never_half_writes",
        "test_parsers_raise_only_webhook_rejected",
    ),
    "tests/security/test_recording_origin.py": (
        "test_a_signed_ivr_webhook_naming_a_backslash_url_gets_no_token_sent",
        "test_backslash_recording_url_sends_no_token_anywhere",
        "test_credentials_go_only_to_the_exact_api_origin",
        "test_same_host_other_port_or_scheme_is_not_the_api_origin",
        "test_the_client_refuses_a_non_canonical_full_url",
    ),
    "tests/security/test_secrets_and_audit.py": (
        "test_account_pages_never_show_the_credentials",
        "test_audit_log_cannot_be_changed_or_deleted_in_the_admin",
    ),
    "tests/security/test_ssrf.py": (
        "test_a_provider_redirect_to_another_host_is_not_followed",
        "test_webhook_recording_url_on_a_foreign_host_is_never_fetched",
    ),
    "tests/security/test_xss.py": ("test_payloads_are_escaped_on_every_page",),
    "tests/telephony/test_did_buy_unknown.py": (
        "test_an_unreadable_buy_is_unconfirmed_then_confirmed_by_the_owned_list",
        "test_an_unreadable_buy_that_did_not_happen_is_removed_by_the_check",
    ),
    "tests/telephony/test_guard.py": (
        "test_concurrency_cap_holds_across_threads_with_their_own_connections",
        "test_five_500s_open_the_breaker_then_a_probe_closes_it",
        "test_retry_after_is_honoured_on_reads",
    ),
    "tests/telephony/test_inbox_drain.py": (
        "test_drained_batches_end_where_inline_application_ends",
        "test_the_drainer_lingers_for_an_event_stored_just_after_it_found_none",
    ),
    "tests/telephony/test_sandbox_runtime.py": (
        "test_the_pump_lingers_for_an_event_stored_just_after_it_found_none",
    ),
    "tests/telephony/test_sync.py": ("test_log_upsert_is_bulk_and_idempotent",),
    "tests/telephony/test_sync_failures.py": (
        "test_a_bad_token_is_counted_and_shown_everywhere",
        "test_a_bad_url_is_counted_and_two_failures_show_no_banner_yet",
        "test_a_step_that_succeeds_resets_the_run_of_failures",
    ),
}


def _directory_tier(item) -> str | None:
    try:
        first = Path(item.path).resolve().relative_to(TESTS).parts[0]
    except ValueError:
        return None  # collected from outside tests/ (an explicit path elsewhere)
    return BY_DIRECTORY.get(first)


def _slow_key(item) -> tuple[str, str] | None:
    """(file, function) when the item is listed in SLOW."""
    path, _, rest = item.nodeid.partition("::")
    function = rest.split("[")[0]
    return (path, function) if function in SLOW.get(path, ()) else None


def mark(config, items) -> None:
    """Add the tier markers to the collected items (pytest_collection_modifyitems)."""
    matched = set()
    for item in items:
        tier = _directory_tier(item)
        if tier:
            item.add_marker(getattr(pytest.mark, tier))
        key = _slow_key(item)
        if key:
            item.add_marker(pytest.mark.slow)
            matched.add(key)
    if config.args_source == pytest.Config.ArgsSource.TESTPATHS:
        listed = {(path, f) for path, functions in SLOW.items() for f in functions}
        if listed - matched:
            warnings.warn(
                f"tests/tiers.py lists tests that no longer exist: {sorted(listed - matched)}",
                stacklevel=1,
            )
