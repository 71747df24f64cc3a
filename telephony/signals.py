"""Hooks other apps use to learn about calls without telephony importing them.

`call_finished` is sent once, after commit, when a call first reaches a final status.
The campaign engine listens to it to plan retries.
"""

from django.dispatch import Signal

call_finished = Signal()  # kwargs: call
# Sent inside the erasure's transaction, so other apps blank their copies of the number
# atomically with it (campaign entries and attempts keep the phone they dialed).
contact_erased = Signal()  # kwargs: contact, phone
