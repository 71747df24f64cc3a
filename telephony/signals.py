"""Hooks other apps use to learn about calls without telephony importing them.

`call_finished` is sent once, after commit, when a call first reaches a final status.
The campaign engine listens to it to plan retries.
"""

from django.dispatch import Signal

call_finished = Signal()  # kwargs: call
