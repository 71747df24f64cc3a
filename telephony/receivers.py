"""Logins and logouts move an agent's state (telephony.services.presence)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from callcenter.services.audit import client_ip
from telephony.services.presence import agent_on_login, agent_on_logout


@receiver(user_logged_in, dispatch_uid="agent-login")
def _logged_in(sender, request, user, **kwargs):
    agent_on_login(user=user, ip=client_ip(request))


@receiver(user_logged_out, dispatch_uid="agent-logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        agent_on_logout(user=user, ip=client_ip(request))
