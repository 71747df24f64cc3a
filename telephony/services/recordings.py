"""Copy recordings into Django storage: provider URLs expire, ours do not."""

from __future__ import annotations

import logging
import mimetypes

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from callcenter.services.errors import ServiceError
from telephony.models import Call, Recording
from telephony.providers.base import Provider, ProviderError
from telephony.providers.kit.parsing import audio_type
from telephony.providers.kit.urlcheck import DEFAULT_PORTS, Origin, base_origin, canonical_origin
from telephony.services.accounts import provider_for

logger = logging.getLogger(__name__)


def recording_url_allowed(provider: Provider, url: str) -> bool:
    """Only the provider's own hosts: a webhook must not make us fetch arbitrary URLs.

    Parsed once, by the parser the HTTP client uses, and refused unless canonical (see
    telephony.providers.kit.urlcheck), so the host checked here is the host connected to. The
    account's API base allows its exact origin only (scheme, host and port); a provider's
    named recording hosts allow http(s) on their default ports.
    """
    origin = canonical_origin(url)
    if origin is None:
        return False
    allowed = {
        Origin(scheme, host.lower(), port)
        for host in provider.recording_hosts
        for scheme, port in DEFAULT_PORTS.items()
    }
    base = base_origin(provider.config.base_url) if provider.config.base_url else None
    if base is not None:
        allowed.add(base)
    return origin in allowed


def recording_fetch(*, call_id: int) -> Recording | None:
    """Fetch and store the recording of a call, once. Idempotent."""
    call = Call.objects.select_related("account").get(pk=call_id)
    existing = Recording.objects.filter(call=call).first()
    if existing or not call.recording_url:
        return existing
    provider = provider_for(call.account)
    if not recording_url_allowed(provider, call.recording_url):
        logger.warning("refused recording URL on a foreign host for call %s", call.pk)
        raise ServiceError("The recording URL is not on the provider's own host; not fetched.")
    fetched = provider.fetch_recording(call.recording_url)
    content_type = audio_type(fetched.content, fetched.content_type)
    if content_type is None:
        # An error page or a JSON body under a 200 is no recording: storing it would stop
        # us fetching the audio for ever. Not stored; the sync retries it later.
        message = (
            f"{provider.label} answered the recording of call {call.pk} with "
            f"{fetched.content_type or 'no content type'} ({len(fetched.content)} bytes) "
            "that is not audio; it is fetched again later."
        )
        if provider.config.guard:
            provider.config.guard.record_error(message)
        raise ProviderError(message)
    ext = mimetypes.guess_extension(content_type) or ".bin"
    recording = Recording(
        call=call,
        content_type=content_type,
        size_bytes=len(fetched.content),
        source_url=call.recording_url,
    )
    recording.file.save(f"call-{call.pk}{ext}", ContentFile(fetched.content), save=False)
    try:
        with transaction.atomic():
            recording.save()
    except IntegrityError:
        recording.file.delete(save=False)  # another worker stored it first
        return Recording.objects.get(call=call)
    return recording
