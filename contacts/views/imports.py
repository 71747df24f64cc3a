"""Contact lists and CSV import: upload, map columns with a preview, follow the progress."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from callcenter.services.audit import client_ip
from callcenter.services.errors import ServiceError
from callcenter.services.roles import STAFF, role_required
from callcenter.web.kit import HtmxHttpRequest
from contacts.imports.file import inspect_upload
from contacts.imports.importer import (
    ROLES,
    import_confirm,
    import_duplicate_sample,
    import_prepare,
    import_preview,
)
from contacts.models import ContactList, ImportJob
from telephony.services.live import stamp, unchanged

MAX_UPLOAD = 50 * 1024 * 1024
ROLE_LABELS = {
    "phone": "Phone number",
    "name": "Name",
    "email": "Email",
    "time_zone": "Time zone",
    "variable": "Keep as a variable",
    "ignore": "Ignore",
}


class UploadForm(forms.Form):
    contact_list = forms.ModelChoiceField(
        queryset=ContactList.objects.order_by("name"), required=False, label="Into list"
    )
    new_list = forms.CharField(
        required=False, max_length=120, label="…or a new list named", strip=True
    )
    file = forms.FileField(
        label="CSV file",
        help_text="A CSV text file up to 50 MB and 200 columns: UTF-8 (with or without BOM) "
        "or Latin-1.",
    )
    default_region = forms.CharField(
        max_length=2, initial="IN", label="Country for numbers without +code"
    )
    default_time_zone = forms.CharField(
        initial="Asia/Kolkata", label="Time zone when the number does not tell"
    )

    def clean_default_time_zone(self) -> str:
        value = self.cleaned_data["default_time_zone"].strip()
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise forms.ValidationError(f"“{value}” is not a known time zone.") from exc
        return value

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("Files up to 50 MB; split a larger list.")
        # The whole file is checked here, with the other fields, so every error shows at
        # once; the facts go on to import_prepare, which does not read the file again.
        try:
            self.facts = inspect_upload(upload, name=upload.name)
        except ServiceError as exc:
            raise forms.ValidationError(exc.message) from exc
        return upload

    def clean(self) -> dict:
        data = super().clean()
        name = data.get("new_list")
        if not data.get("contact_list") and not name:
            self.add_error("new_list", "Choose a list or name a new one.")
        elif not data.get("contact_list") and ContactList.objects.filter(name=name).exists():
            self.add_error(
                "new_list", f"A list named “{name}” exists: choose it under “Into list”."
            )
        return data


@role_required(*STAFF)
def list_index(request: HtmxHttpRequest) -> HttpResponse:
    lists = ContactList.objects.annotate(size=Count("contacts")).order_by("name")[:500]
    imports = ImportJob.objects.select_related("contact_list").order_by("-created_at")[:20]
    return render(request, "contacts/lists.html", {"lists": lists, "imports": imports})


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def import_upload(request: HtmxHttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = import_prepare(
                user=request.user,
                contact_list=data["contact_list"],
                new_list_name=data["new_list"],
                name=data["file"].name,
                content=data["file"],  # streamed from the upload's temporary file
                default_region=data["default_region"].upper(),
                default_time_zone=data["default_time_zone"],
                facts=form.facts,
            )
        except ServiceError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("contacts:import", pk=job.pk)
    return render(request, "contacts/import_upload.html", {"form": form})


def _import_stamp(job: ImportJob) -> str:
    """What the progress card prints: its status, counts and message."""
    return stamp(
        job.status,
        job.processed_rows,
        job.total_rows,
        job.created_count,
        job.linked_count,
        job.updated_count,
        job.skipped_count,
        job.error_count,
        job.message,
        len(job.errors_preview or ()),
        job.errors_file.name if job.errors_file else "",
    )


def _progress(request: HtmxHttpRequest, job: ImportJob) -> HttpResponse:
    """The progress card; a poll whose stamp still holds gets 204 (htmx keeps the DOM)."""
    version = _import_stamp(job)
    if request.htmx and unchanged(request, version):
        return HttpResponse(status=204)
    template = "contacts/import_detail.html#progress" if request.htmx else None
    context = {"job": job, "job_v": version}
    return render(request, template or "contacts/import_detail.html", context)


@vary_on_headers("HX-Request")
@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def import_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob.objects.select_related("contact_list"), pk=pk)
    if job.status != ImportJob.Status.MAPPING:
        return _progress(request, job)
    error = None
    if request.method == "POST":
        mapping = {col: request.POST.get(f"role-{i}", "ignore") for i, col in enumerate(job.header)}
        duplicates = request.POST.get("duplicates", "")
        try:
            import_confirm(
                user=request.user,
                job=job,
                mapping=mapping,
                duplicates=duplicates,
                ip=client_ip(request),
            )
        except ServiceError as exc:
            error = exc.message
            job.mapping = mapping
            if duplicates in ImportJob.Duplicates.values:
                job.duplicates = duplicates
        else:
            messages.success(request, "Import started. You can leave this page.")
            return redirect("contacts:import", pk=job.pk)
    columns = [(i, col, job.mapping.get(col, "variable")) for i, col in enumerate(job.header)]
    phone_column = next((col for col, role in job.mapping.items() if role == "phone"), None)
    context = {
        "job": job,
        "columns": columns,
        "roles": [(r, ROLE_LABELS[r]) for r in ROLES],
        "preview": import_preview(job),
        "duplicate_choices": ImportJob.Duplicates.choices,
        "sample": import_duplicate_sample(job, phone_column),
        "error": error,
    }
    return render(request, "contacts/import_map.html", context)


@role_required(*STAFF)
def import_errors(request: HtmxHttpRequest, pk: int) -> FileResponse:
    job = get_object_or_404(ImportJob, pk=pk)
    if not job.errors_file:
        raise Http404("This import had no row errors")
    return FileResponse(
        job.errors_file.open("rb"),
        as_attachment=True,
        filename=f"import-{job.pk}-errors.csv",
        content_type="text/csv",
    )
