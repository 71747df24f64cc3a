"""The IVR Solutions endpoint table (`PATHS`) the fake (`ivrsolutions.py`) serves and the
adapter imports, and the webhook signing the fake decided where the doc is silent."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str
    source: str  # "doc": the doc gives this path; "guess": our evident guess
    required: tuple[str, ...] = ()  # exactly the fields the doc's table marks "required"
    #: fields the doc does not mark but without which the fake cannot act (also answer 400)
    needs: tuple[str, ...] = ()


def _ep(name: str, method: str, source: str = "guess", required: str = "", needs: str = ""):
    path = "/ivrappv2/buy_did" if name == "buy_did" else f"/api/{name}"
    if name == "c2c_post_get":
        path = "/api/c2c_post"
    if name in ("did_list_v2", "search_did_v2"):  # the second DID group sits beside buy_did
        path = f"/ivrappv2/{name.removesuffix('_v2')}"
    return Endpoint(name, method, path, source, tuple(required.split()), tuple(needs.split()))


# Webhooks. The doc says only that events are POSTed to the registered `webhookurl`
# "signed with your key" (the `secret_key` given to register_webhook), not how. Guess:
#     X-IVR-Signature: HMAC-SHA256 of the raw request body keyed with secret_key, as hex,
#                      `sha256=<hex>` or base64, drawn per event; some events go unsigned
#     X-IVR-Timestamp: <unix seconds of the event>  (the signed body repeats it as `timestamp`)
# The body is JSON: a unique `event_id`, the call's `logid` (exactly as the placing request
# got it: an int or text, or "call_txt_..." from dial_by_text) and `recordid` (the id the
# logs use, another id space), `event` (ringing | answered | dtmf | hangup), `event_time`,
# `sip_call_id`, `call_type`, `did_no`, `client_no`, `ext_no`; a dtmf event adds `digit`
# and `dtmf_input`; a hangup adds `call_status` (a STATUS_WORDS word), `call_duration`,
# `recording_url` and `dtmf_input`. Without a secret_key the events go unsigned. Events
# fall due as `advance()` moves the clock and are sent, in time order, before it returns
# (outside the server lock, so a receiver may call back into the fake); an event raised by
# a request (a click_connect_update cancel) goes out with the next advance/flush_webhooks.
PATHS: list[Endpoint] = [
    # Click-to-call
    _ep("c2c_post_get", "GET", "doc", "token did ext_no phone"),
    _ep("c2c_post", "POST", "doc", "did ext_no phone"),
    _ep("c2c_two_leg", "POST", "guess", "did first_phone second_phone"),
    _ep("c2c_recordings", "GET"),
    # Number masking
    _ep("click_connect", "POST", "guess", "first_phone second_phone did"),
    _ep("click_connect_update", "POST", "doc", "action did first_number"),
    _ep("click_connect_logs", "POST", "doc"),
    # Outbound: flows, text calls, dialers, customer lists
    _ep("get_call_flows", "GET"),
    _ep("dial_by_flow", "POST", "guess", "did_no flow_id customer_no"),
    _ep("dial_by_text", "POST", "doc", "did_no customer_no template_name"),
    _ep("get_dialers", "GET"),
    _ep("add_to_ivrdialer", "POST", "guess", "dialerid number"),
    _ep("add_to_ivrdialerbulk", "POST", "doc", "dialerid numbers"),
    _ep("change_dialer_status", "POST", "doc", "dialerid status"),
    _ep("get_customer_lists", "GET"),
    _ep("create_customer_list", "POST", "guess", "listname"),
    _ep(
        "create_text_dialer",
        "POST",
        "doc",
        "name did_no no_of_call start_time end_time text_template_id",
    ),
    _ep("edit_text_dialer", "POST", "guess", "id"),
    _ep("add_dialer_records", "POST"),
    _ep("call_by_flow", "GET", "guess", "token did flow phone"),
    # Agents and extensions
    _ep("change_agent_status", "POST", "guess", "ext_no status"),
    _ep("add_agent", "POST", "guess", "name email phonenumber password"),
    _ep("update_agent_did", "POST", "guess", "agent_ext did_num"),
    _ep("get_agents", "GET"),
    _ep("get_extensions", "GET"),
    _ep("get_extension", "POST", needs="ext_no"),
    _ep("deactivate_extension", "POST", needs="ext_no"),
    _ep("set_extension_expiry", "POST", needs="ext_no expiry_date"),
    _ep(
        "create_group_extension",
        "POST",
        "guess",
        "call_forwarding connection did_no password recording_id",
    ),
    # Call logs, status and notes
    _ep("call_logs", "GET", "doc"),
    _ep("call_logs_by_number", "GET", "guess", "token phone"),
    _ep("c2c_logs", "GET"),
    _ep("c2c_logs_by_number", "GET", "guess", "token phone"),
    _ep("dialer_logs", "POST", "doc"),
    _ep("get_call_status", "GET", "doc"),
    _ep("update_call_note", "POST", "guess", "record_id call_status call_type"),
    _ep("sync_call_logs", "POST"),
    _ep("add_call_note", "POST", "guess", "sip_call_id note"),
    # DID numbers
    _ep("get_did_list", "GET"),
    _ep("get_did_regions", "GET"),
    _ep("search_did", "POST", "guess", "country_code region"),
    _ep("buy_did", "POST", "doc", "country number"),
    _ep("did_list_v2", "GET"),
    _ep("search_did_v2", "POST", needs="did_region"),
    _ep(
        "did_setup",
        "POST",
        "guess",
        "call_forwarding connection password recording_id",
        needs="did_no",
    ),
    _ep(
        "group_did_setup",
        "POST",
        "guess",
        "call_forwarding connection kyc_required password recording_id",
        needs="did_no",
    ),
    _ep(
        "group_did_sip_setup",
        "POST",
        "guess",
        "call_forwarding connection kyc_required password recording_id",
        needs="did_no",
    ),
    _ep("did_live_status", "POST"),
    _ep("agent_did_live_status", "POST"),
    # AI voice bots
    _ep("get_voicebots", "GET"),
    _ep("dial_by_aivoicebot", "POST", "doc", needs="customer_no"),
    _ep("dial_by_voicebot", "POST", needs="customer_no"),
    _ep("get_ai_bots", "GET"),
    _ep("get_voicebot", "POST", "guess", "voicebot_id"),
    # Text-to-speech templates
    _ep("create_text_template", "POST", needs="template_name text_content"),
    _ep("text_template_status", "POST", needs="template_name"),
    _ep("get_text_templates", "GET"),
    # Contacts and variables
    _ep("save_contact", "POST", needs="number"),
    _ep("get_contact", "POST", needs="phone"),
    _ep("agent_get_contact", "POST", needs="phone"),
    _ep("get_variables", "GET"),
    _ep("caller_details", "POST", "guess", "caller_number"),
    # Webhooks and CRM
    _ep("register_webhook", "POST", needs="webhookurl"),
    _ep("crm_leads", "GET"),
]
