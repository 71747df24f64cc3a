"""Every named URL × admin, supervisor, agent and anonymous.

Anonymous users are sent to the login page; a role a page is not for gets 404 (URLs reveal
nothing); the roles it is for get the page (200), a redirect, or 405 for POST-only URLs
opened with GET. A URL missing from EXPECTED still gets the anonymous and "never a 500"
checks, and is listed so its owner can add it.
"""

from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from callcenter.services.roles import ADMIN, AGENT, SUPERVISOR
from telephony.models import Call, Callback, MaskedSession, Recording
from tests import factories

ALL = {ADMIN, SUPERVISOR, AGENT}
STAFF = {ADMIN, SUPERVISOR}
EXPECTED = {
    "home": ALL,
    "contacts:list": ALL,
    "contacts:create": STAFF,
    "contacts:detail": ALL,
    "contacts:edit": ALL,
    "telephony:calls": ALL,
    "telephony:call_export": ALL,
    "telephony:call_detail": ALL,
    "telephony:call_disposition": ALL,
    "telephony:call_recording": ALL,
    "telephony:call_contact": ALL,
    "telephony:contact_export": STAFF,
    "telephony:contact_erase": STAFF,
    "telephony:callbacks": ALL,
    "telephony:callback_close": ALL,
    "telephony:workspace": {AGENT},
    "telephony:workspace_state": {AGENT},
    "telephony:workspace_set_state": {AGENT},
    "telephony:workspace_current": {AGENT},
    "telephony:workspace_callbacks": {AGENT},
    "telephony:workspace_wrap_up": {AGENT},
    "telephony:wallboard": STAFF,
    "telephony:masked": STAFF,
    "telephony:masked_detail": STAFF,
    "telephony:masked_cancel": STAFF,
    "tts:list": STAFF,
    "tts:create": STAFF,
    "tts:preview": STAFF,
    "tts:edit": STAFF,
    "tts:refresh": STAFF,
    "telephony:dids": {ADMIN},
    "telephony:did_search": {ADMIN},
    "telephony:did_buy": {ADMIN},
    "telephony:did_assign": {ADMIN},
    "telephony:did_release": {ADMIN},
    "telephony:agents": {ADMIN},
    "telephony:agent_new": {ADMIN},
    "telephony:agent_toggle": {ADMIN},
    "telephony:extension_update": {ADMIN},
    "telephony:dispositions": {ADMIN},
    "telephony:disposition_edit": {ADMIN},
    "telephony:disposition_sync": {ADMIN},
    "telephony:accounts": {ADMIN},
    "telephony:account_create": {ADMIN},
    "telephony:account_detail": {ADMIN},
    "telephony:account_edit": {ADMIN},
    "telephony:account_action": {ADMIN},
    "audit": {ADMIN},
}
# Not role pages: authentication, health probes, the provider inbox, the Django admin.
SKIPPED = {"login", "logout", "health", "live", "webhook_inbox"}


def _named_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            ns = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _named_patterns(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{prefix}{entry.name}", entry.pattern.converters


def _world(account):
    agent = factories.make_agent(account)
    contact = factories.make_contact()
    call = Call.objects.create(
        account=account,
        call_type="click_to_call",
        agent=agent,
        contact=contact,
        status="completed",
        to_number=contact.phone,
    )
    Recording.objects.create(
        call=call, file=ContentFile(b"RIFF", name="r.wav"), content_type="audio/wav"
    )
    did = factories.make_did(account)
    session = MaskedSession.objects.create(
        account=account, did=did, party_a="+919876500001", party_b="+919876500002"
    )
    callback = Callback.objects.create(contact=contact, agent=agent, due_at=call.created_at)
    from campaigns.models import TTSTemplate

    template = TTSTemplate.objects.create(name="t", text="Hi {name}")
    ids = {
        "contacts:detail": contact.pk,
        "contacts:edit": contact.pk,
        "telephony:call_detail": call.pk,
        "telephony:call_disposition": call.pk,
        "telephony:call_recording": call.pk,
        "telephony:call_contact": contact.pk,
        "telephony:contact_export": contact.pk,
        "telephony:contact_erase": contact.pk,
        "telephony:callback_close": callback.pk,
        "telephony:workspace_wrap_up": call.pk,
        "telephony:masked_detail": session.pk,
        "telephony:masked_cancel": session.pk,
        "tts:edit": template.pk,
        "tts:refresh": template.pk,
        "telephony:did_assign": did.pk,
        "telephony:did_release": did.pk,
        "telephony:agent_toggle": agent.pk,
        "telephony:extension_update": agent.extensions.get().pk,
        "telephony:disposition_edit": 1,
        "telephony:disposition_sync": account.pk,
    }
    return agent, ids


def _url(name, converters, ids, account):
    kwargs = {}
    for key, conv in converters.items():
        if type(conv).__name__ == "IntConverter":
            kwargs[key] = ids.get(name, account.pk)
        else:
            kwargs[key] = "test"
    url = reverse(name, kwargs=kwargs)
    if name == "telephony:did_buy":
        url += f"?account={account.pk}&number=%2B910000000000"
    return url


def test_every_url_with_every_role(client, account, supervisor, admin_user):
    agent, ids = _world(account)
    users = {ADMIN: admin_user, SUPERVISOR: supervisor, AGENT: agent.user}
    unknown, failures = [], []
    for name, converters in _named_patterns():
        if name in SKIPPED:
            continue
        url = _url(name, converters, ids, account)
        client.logout()
        anon = client.get(url)
        if not (anon.status_code == 302 and anon.url.startswith("/login/")):
            failures.append(f"anonymous {name} {url} -> {anon.status_code}")
        allowed = EXPECTED.get(name)
        if allowed is None:
            unknown.append(name)
        for role, user in users.items():
            client.force_login(user)
            status = client.get(url).status_code
            if status >= 500:
                failures.append(f"{role} {name} -> {status}")
            elif allowed is not None and role in allowed and status not in (200, 302, 405):
                # did_buy with a number not on offer redirects back to the search
                failures.append(f"{role} should reach {name} {url} but got {status}")
            elif allowed is not None and role not in allowed and status != 404:
                failures.append(f"{role} must not reach {name} {url} but got {status}")
    assert not failures, "\n".join(failures)
    assert len(EXPECTED) >= 40
    print("URLs without an expectation yet:", unknown)


def test_denied_roles_cannot_post_either(client, account, supervisor):
    agent, ids = _world(account)
    did_url = reverse("telephony:did_release", args=[ids["telephony:did_release"]])
    client.force_login(supervisor)
    assert client.post(did_url).status_code == 404
    client.force_login(agent.user)
    assert (
        client.post(
            reverse("telephony:masked_cancel", args=[ids["telephony:masked_cancel"]])
        ).status_code
        == 404
    )
    assert MaskedSession.objects.get().status == "active"
