"""The agent workspace: my state, my current call and its wrap-up, callbacks, recent calls."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from callcenter.services.audit import client_ip
from callcenter.services.errors import ServiceError
from callcenter.services.roles import ADMIN, AGENT, SUPERVISOR, role_required, user_role
from callcenter.web.kit import HtmxHttpRequest, back, toast
from telephony.forms.dashboard import PAUSE_CHOICES, WrapUpForm
from telephony.models import Agent, Call, Callback
from telephony.selectors.calls import calls_visible_to
from telephony.selectors.dashboard import agent_current_call, callback_for_user, callbacks_for
from telephony.services.agents import agent_set_state
from telephony.services.callbacks import callback_close
from telephony.services.live import callbacks_stamp, unchanged, workspace_stamps
from telephony.views.wrapup import wrap_up_from_form

TEMPLATE = "telephony/workspace.html"


def _agent(request: HtmxHttpRequest) -> Agent:
    agent = Agent.objects.select_related("user").filter(user=request.user).first()
    if agent is None:
        raise Http404("You are not set up as an agent")
    return agent


def _stamps(request: HtmxHttpRequest) -> tuple[str, str]:
    """The status's and the call card's stamps (telephony.services.live)."""
    stamps = workspace_stamps(request.user.pk)
    if stamps is None:
        raise Http404("You are not set up as an agent")
    return stamps


def _state_context(agent: Agent, version: str | None = None) -> dict:
    # The clock starts at the server's count and ticks in the browser (static/js/dashboard.js),
    # so the status is fetched again only when the state itself changes.
    version = version or workspace_stamps(agent.user_id)[0]
    seconds = max(0, int((timezone.now() - agent.state_since).total_seconds()))
    return {
        "agent": agent,
        "in_state": f"{seconds // 60}:{seconds % 60:02d}",
        "in_state_seconds": seconds,
        "state_v": version,
        "pause_choices": PAUSE_CHOICES,
    }


def _current_context(
    agent: Agent, form: WrapUpForm | None = None, version: str | None = None
) -> dict:
    # The stamp is read before the call: a change in between shows at the next poll.
    version = version or workspace_stamps(agent.user_id)[1]
    call = agent_current_call(agent)
    if form is None and call is not None:
        form = WrapUpForm(initial={"note": call.note}, auto_id="ws_%s", contact=call.contact)
    return {"current": call, "form": form, "current_v": version}


def _callbacks_context(request: HtmxHttpRequest, agent: Agent, version: str = "") -> dict:
    return {
        "callbacks_v": version or callbacks_stamp(agent),
        "callbacks": list(callbacks_for(request.user, agent=agent, scope_all=False)[:20]),
        "now": timezone.now(),
    }


@role_required(AGENT)
def workspace(request: HtmxHttpRequest) -> HttpResponse:
    agent = _agent(request)
    context = {
        **_state_context(agent),
        **_current_context(agent),
        **_callbacks_context(request, agent),
        "recent": list(calls_visible_to(request.user).order_by("-created_at", "-id")[:10]),
    }
    return render(request, TEMPLATE, context)


def _moved(request: HtmxHttpRequest, stamps: tuple[str, str]) -> bool:
    state_v, current_v = stamps
    return not unchanged(request, state_v) or (
        "c" in request.GET and not unchanged(request, current_v, "c")
    )


@vary_on_headers("HX-Request")
@role_required(AGENT)
def workspace_state(request: HtmxHttpRequest) -> HttpResponse:
    """The polled status; the action buttons come along (out of band) only on a change,
    so a poll never replaces the pause form while the agent is using it.

    The live current-call card rides on this poll (its stamp `c`, from a hidden input in
    the card) and comes along out of band when it moved: one request a second per open
    workspace instead of two. While neither stamp moved the answer is 204: htmx keeps the
    DOM and the clock ticks on in the browser.
    """
    state_v, current_v = _stamps(request)  # one small read; the agent only on a change
    if not _moved(request, (state_v, current_v)):
        return HttpResponse(status=204)
    current_moved = "c" in request.GET and not unchanged(request, current_v, "c")
    agent = _agent(request)
    context = _state_context(agent, state_v)
    context["state_changed"] = request.GET.get("shown") != agent.state
    if current_moved:
        context.update(_current_context(agent, version=current_v), current_oob=True)
    return render(request, f"{TEMPLATE}#status", context)


@vary_on_headers("HX-Request")
@role_required(AGENT)
def workspace_current(request: HtmxHttpRequest) -> HttpResponse:
    """The current-call card alone (the status poll brings it along; see above)."""
    version = _stamps(request)[1]
    if unchanged(request, version):
        return HttpResponse(status=204)  # one small read, no render
    context = _current_context(_agent(request), version=version)
    return render(request, f"{TEMPLATE}#current", context)


@role_required(AGENT)
def workspace_callbacks(request: HtmxHttpRequest) -> HttpResponse:
    """The callbacks card, polled every 15 s: 204 while what it lists is unchanged."""
    agent = _agent(request)
    version = callbacks_stamp(agent)
    if unchanged(request, version):
        return HttpResponse(status=204)
    context = _callbacks_context(request, agent, version)
    return render(request, f"{TEMPLATE}#callbacks", context)


@vary_on_headers("HX-Request")
@role_required(AGENT)
@require_POST
def workspace_set_state(request: HtmxHttpRequest) -> HttpResponse:
    error = None
    try:
        agent = agent_set_state(
            user=request.user,
            state=request.POST.get("state", ""),
            reason=request.POST.get("reason", ""),
            ip=client_ip(request),
        )
    except ServiceError as exc:
        error, agent = exc.message, _agent(request)
    if not request.htmx:
        (messages.error if error else messages.success)(
            request, error or f"You are {agent.get_state_display().lower()}."
        )
        return back(request, "telephony:workspace")
    response = render(request, f"{TEMPLATE}#state", {**_state_context(agent), "error": error})
    if error:
        return toast(response, error, "error")
    return toast(response, f"You are {agent.get_state_display().lower()}.")


@vary_on_headers("HX-Request")
@role_required(AGENT)
@require_POST
def workspace_wrap_up(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    agent = _agent(request)
    call = get_object_or_404(Call.objects.filter(agent=agent), pk=pk)
    form = WrapUpForm(request.POST, auto_id="ws_%s", contact=call.contact)
    error = wrap_up_from_form(request, call, form, invalid="Check the wrap-up form.")
    if not request.htmx:
        (messages.error if error else messages.success)(request, error or "Wrap-up saved.")
        return back(request, "telephony:workspace")
    context = _current_context(agent, form if error else None)
    if error:
        context["current"] = call
    response = render(request, f"{TEMPLATE}#current", context)
    return toast(
        response, error or "Wrap-up saved. You are ready.", "error" if error else "success"
    )


@vary_on_headers("HX-Request")
@role_required(ADMIN, SUPERVISOR, AGENT)
@require_POST
def callback_close_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    agent = Agent.objects.filter(user=request.user).first()
    scope_all = user_role(request.user) in (ADMIN, SUPERVISOR)
    callback = callback_for_user(request.user, pk, agent=agent, scope_all=scope_all)
    status = request.POST.get("status", Callback.Status.DONE)
    try:
        callback_close(user=request.user, callback=callback, status=status, ip=client_ip(request))
        message, level = f"Callback marked {status}.", "success"
    except ServiceError as exc:
        message, level = exc.message, "error"
    if not request.htmx:
        (messages.error if level == "error" else messages.success)(request, message)
        return back(request, "telephony:callbacks")
    response = HttpResponse("")  # the row disappears from whichever list showed it
    return toast(response, message, level)


@role_required(ADMIN, SUPERVISOR, AGENT)
def callback_list(request: HtmxHttpRequest) -> HttpResponse:
    agent = Agent.objects.filter(user=request.user).first()
    scope_all = user_role(request.user) in (ADMIN, SUPERVISOR)
    callbacks = list(callbacks_for(request.user, agent=agent, scope_all=scope_all)[:200])
    return render(
        request,
        "telephony/callbacks.html",
        {"callbacks": callbacks, "now": timezone.now()},
    )
