from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from callcenter.audit import client_ip
from callcenter.roles import ADMIN, AGENT, SUPERVISOR, role_required
from contacts.forms import ContactForm
from contacts.models import Contact
from contacts.selectors import contact_for_user, contact_search, contacts_visible_to
from contacts.services import contact_save
from telephony.selectors import calls_for_contact

ALL_ROLES = (ADMIN, SUPERVISOR, AGENT)


@role_required(*ALL_ROLES)
def contact_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    qs = contact_search(contacts_visible_to(request.user), query).order_by("-id")
    # No COUNT(*) over the table: the paginator only looks one row past the page.
    page = _page(qs, request.GET.get("page"), per_page=50)
    template = "contacts/list.html#results" if request.htmx else "contacts/list.html"
    return render(request, template, {"page": page, "query": query})


def _page(qs, number: str | None, *, per_page: int) -> dict:  # noqa: ANN001
    try:
        n = max(int(number or 1), 1)
    except ValueError:
        n = 1
    rows = list(qs[(n - 1) * per_page : n * per_page + 1])
    return {
        "rows": rows[:per_page],
        "number": n,
        "has_next": len(rows) > per_page,
        "has_previous": n > 1,
    }


@role_required(*ALL_ROLES)
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contact = contact_for_user(request.user, pk)
    calls = calls_for_contact(request.user, contact)[:50]
    return render(request, "contacts/detail.html", {"contact": contact, "calls": calls})


@role_required(*ALL_ROLES)
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    contact = contact_for_user(request.user, pk) if pk else Contact()
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        saved = contact_save(
            user=request.user,
            contact=form.save(commit=False),
            lists=list(form.cleaned_data["lists"]),
            ip=client_ip(request),
        )
        messages.success(request, f"Saved {saved.name or saved.phone}.")
        return redirect("contacts:detail", pk=saved.pk)
    return render(request, "contacts/form.html", {"form": form, "contact": contact})
