"""Copy recordings into Django storage: provider URLs expire, ours do not."""

from __future__ import annotations

import logging
import mimetypes
from urllib.parse import urlsplit

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from callcenter.errors import ServiceError
from telephony.models import Call, Recording
from telephony.providers.base import Provider
from telephony.services.accounts import provider_for

logger = logging.getLogger(__name__)


def recording_url_allowed(provider: Provider, url: str) -> bool:
    """Only the provider's own hosts: a webhook must not make us fetch arbitrary URLs."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return False
    allowed = set(provider.recording_hosts)
    if provider.config.base_url:
        allowed.add(urlsplit(provider.config.base_url).hostname or "")
    return parts.hostname.lower() in {h.lower() for h in allowed if h}


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
    ext = mimetypes.guess_extension(fetched.content_type) or ".bin"
    recording = Recording(
        call=call,
        content_type=fetched.content_type,
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
