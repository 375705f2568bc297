"""Pages of the information module: records (list, create, detail with verification,
organisation, duplicates and attachments, export), field visits, informants, public tips and
their triage queue."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from casebook.access import policy
from casebook.access.policy import Action
from casebook.access.registry import get_for_user_or_404
from casebook.accounts.decorators import recent_auth_required
from casebook.audit import reads
from casebook.core.actions import report_invalid, run_service
from casebook.core.choices import ExportFormat
from casebook.core.filters import bind_page_filters, filter_errors
from casebook.core.middleware import client_ip
from casebook.core.spreadsheet import csv_writer
from casebook.subjects.selectors import get_subject, visible_subjects
from casebook.tracking.forms import station_workers
from casebook.tracking.selectors import visible_tasks

from . import services
from .access import may_register_informants
from .choices import Channel, Handling, InfoAssessment, SourceEvaluation, TipStatus, Verification
from .filters import RecordFilterSet, TipFilterSet
from .forms import (
    AttachmentForm,
    ExportForm,
    InformantForm,
    MergeForm,
    NoteForm,
    OrganiseForm,
    PurposeForm,
    RecordForm,
    TipDismissForm,
    TipForm,
    TipLinkForm,
    TipStatusForm,
    VerifyForm,
    VisitForm,
    split_tags,
)
from .models import Attachment, Informant, InformationRecord, Rectification, Tip
from .selectors import (
    SearchPaginator,
    get_record,
    own_open_tasks,
    visible_records,
    visit_tasks,
)


def _filtered(request):
    """The page's records through the list's one FilterSet (the API's too); merged duplicates
    are not listed."""
    return bind_page_filters(
        RecordFilterSet,
        request,
        visible_records(request.user)
        .filter(merged_into__isnull=True)
        .order_by("-occurred_at", "-pk"),
    )


@login_required
def record_list(request):
    if policy.reach(request.user, Action.SUBJECT_VIEW) is None:
        raise PermissionDenied
    filterset = _filtered(request)
    if filterset.is_valid():
        qs, errors = filterset.qs, []
    else:  # never every record for a filter that could not be read
        qs, errors = InformationRecord.objects.none(), filter_errors(filterset)
    # the count stops at 1000 ("more than 1000"), with or without a search: a station holds
    # hundreds of thousands of records (docs/performance.md)
    page = SearchPaginator(qs, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    older = None  # past the counted rows: a new list below the last row shown (keyset)
    if page.paginator.capped and not page.has_next() and page.object_list:
        older = query.copy()
        older["before"] = page.object_list[len(page.object_list) - 1].pk
        older = older.urlencode()
    reads.record_read(
        request,
        what="record_list",
        objects=page.object_list,
        object_type="intel.informationrecord",
        fields=["content", "channel", "method", "informant_code", "occurred_at", "subjects"],
        search=filterset.search_summary(page.paginator.count),
        related={"subjects": [s for r in page.object_list for s in r.subjects.all()]},
        details={"page": page.number},
    )
    return render(
        request,
        "intel/list.html",
        {
            "page": page,
            "filter_errors": errors,
            "query": query.urlencode(),
            "older": older,
            "filters": request.GET,
            "choices": {
                "channel": Channel.choices,
                "source": SourceEvaluation.choices,
                "info": InfoAssessment.choices,
                "handling": Handling.choices,
                "verification": Verification.choices,
            },
            "export_form": ExportForm(),
        },
    )


@login_required
@recent_auth_required
def record_export(request):
    """CSV of the filtered records; records shared only under conditions are withheld. A bulk
    export: a stale login confirms the password first (SECURITY.md S6)."""
    if policy.reach(request.user, Action.SUBJECT_EXPORT) is None:
        raise PermissionDenied
    filterset = _filtered(request)
    if not filterset.is_valid():
        for line in filter_errors(filterset):
            messages.error(request, line)
        return redirect(f"/records/?{request.GET.urlencode()}")
    rows = run_service(  # a refusal to this user stays a 403
        request,
        services.export_rows,
        passthrough=[PermissionDenied],
        actor=request.user,
        records=list(filterset.qs[:5000]),
        purpose=request.GET.get("purpose", ""),
    )
    if rows is None:
        return redirect(f"/records/?{request.GET.urlencode()}")
    allowed, withheld = rows
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv_writer(out)
    writer.writerow(
        [
            _("Record"),
            _("Subjects"),
            _("When it happened"),
            _("Channel"),
            _("Grade"),
            _("Verification"),
            _("Place"),
            _("What was observed"),
        ]
    )
    for r in allowed:
        writer.writerow(
            [
                r.pk,
                "、".join(s.name for s in r.subjects.all()),
                timezone.localtime(r.occurred_at).strftime("%Y-%m-%d %H:%M"),
                r.get_channel_display(),
                r.grade,
                r.get_verification_display(),
                r.address,
                r.content,
            ]
        )
    if withheld:
        writer.writerow([])
        writer.writerow(
            [
                _("Withheld (shared only under conditions): %(ids)s")
                % {"ids": ", ".join(map(str, withheld))}
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="records-{timezone.localtime():%Y%m%d-%H%M}.csv"'
    )
    return response


def _record_form(request, data=None, initial=None):
    station = request.user.unit.station
    subjects_qs = (
        visible_subjects(request.user)
        .filter(station=station)
        .select_related("category")
        .order_by("name")
    )
    tasks_qs = (
        visible_tasks(request.user)
        .prefetch_related(None)
        .filter(station=station)
        .exclude(stage="archived")
    )
    return RecordForm(
        data,
        initial=initial,
        subjects_qs=subjects_qs,
        tasks_qs=tasks_qs,
        own_tasks=own_open_tasks(request.user, tasks_qs),
        station=station,
    )


@login_required
def record_create(request):
    station = request.user.unit.station
    if station is None or not policy.works_at_station(request.user, station):
        raise PermissionDenied
    initial = {}
    if request.GET.get("subject", "").isdigit():
        initial["subjects"] = [request.GET["subject"]]
    if request.GET.get("task", "").isdigit():
        initial["task"] = request.GET["task"]
    form = _record_form(request, request.POST or None, initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        tags = split_tags(data.pop("tags"))
        record = run_service(
            request,
            services.record_create,
            form=form,
            success=_("Information recorded."),
            actor=request.user,
            tags=tags,
            **data,
        )
        if record is not None:
            return redirect(record)
    return render(request, "intel/form.html", {"form": form})


@login_required
def record_detail(request, pk: int):
    record = get_record(request.user, pk)
    may_work = policy.works_at_station(request.user, record.station)
    duplicates = (
        services.duplicate_candidates(record) if may_work and not record.merged_into_id else []
    )
    visible = visible_records(request.user)
    subjects = list(record.subjects.all())
    reads.record_read(
        request,
        what="record",
        objects=[record],
        fields=["content", "observations", "address", "position", "grade", "attachments"],
        related={"subjects": subjects},
    )
    return render(
        request,
        "intel/detail.html",
        {
            "record": record,
            "may_work": may_work,
            "may_export": policy.can(request.user, Action.SUBJECT_EXPORT, record),
            "export_formats": ExportFormat.choices,
            "subjects": subjects,
            "attachments": record.attachments.all(),
            "corroborating": visible.filter(pk__in=record.corroborates.values("pk")),
            "duplicates": [d for d in duplicates if visible.filter(pk=d.pk).exists()],
            "merged": visible.filter(merged_into=record),
            "link_candidates": visible.filter(
                subjects__in=record.subjects.all(), merged_into__isnull=True
            )
            .exclude(pk=record.pk)
            .exclude(pk__in=record.corroborates.values("pk"))
            .distinct()
            .order_by("-occurred_at")[:30],
            "checklist": record.checklist.select_related("item", "rectification"),
            "informant_grade": services.informant_grade(record.informant)
            if record.informant
            else "",
            "verify_form": VerifyForm(),
            "organise_form": OrganiseForm(
                initial={"tags": ", ".join(t.name for t in record.tags.all())}
            ),
            "merge_form": MergeForm(),
            "attachment_form": AttachmentForm(),
        },
    )


def _back(request, target, service, success: str, /, **kwargs):
    """Run a record action's service and go back to the record, which shows the outcome."""
    run_service(request, service, success=success, actor=request.user, **kwargs)
    return redirect(target)


@login_required
@require_POST
def record_verify(request, pk: int):
    record = get_record(request.user, pk)
    form = VerifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the result and say how it was verified."))
        return redirect(record)
    return _back(
        request,
        record,
        services.record_verify,
        _("Verification recorded."),
        record=record,
        **form.cleaned_data,
    )


@login_required
@require_POST
def record_organise(request, pk: int):
    record = get_record(request.user, pk)
    form = OrganiseForm(request.POST)
    if not form.is_valid():
        report_invalid(request, form)
        return redirect(record)
    ids = form.cleaned_data["corroborates"]
    others = list(visible_records(request.user).filter(pk__in=ids))
    return _back(
        request,
        record,
        services.record_organise,
        _("Saved."),
        record=record,
        tags=form.cleaned_data["tags"],
        corroborates=others,
    )


@login_required
@require_POST
def record_merge(request, pk: int):
    record = get_record(request.user, pk)
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why they are the same fact."))
        return redirect(record)
    duplicate = get_record(request.user, form.cleaned_data["duplicate"])
    return _back(
        request,
        record,
        services.record_merge,
        _("Records merged; both originals are kept."),
        primary=record,
        duplicate=duplicate,
        reason=form.cleaned_data["reason"],
    )


@login_required
@require_POST
def attachment_upload(request, pk: int):
    record = get_record(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file."))
        return redirect(record)
    upload = form.cleaned_data["file"]
    if upload.size > services.MAX_ATTACHMENT:
        messages.error(request, _("The file is larger than 10 MB."))
        return redirect(record)
    return _back(
        request,
        record,
        services.attachment_add,
        _("File attached."),
        record=record,
        name=upload.name,
        data=upload.read(),
    )


@login_required
def attachment_file(request, pk: int, thumb: bool = False):
    # through the attachment's own rule (its record's): another station's id is a plain 404
    attachment = get_for_user_or_404(
        request.user, Attachment.objects.select_related("record"), Action.SUBJECT_VIEW, pk=pk
    )
    try:
        data = services.attachment_bytes(attachment, thumbnail=thumb)
    except ValidationError as exc:
        raise Http404 from exc
    reads.record_read(  # a thumbnail too: it can be fetched without its record's page
        request,
        what="attachment",
        objects=[attachment],
        related={"records": [attachment.record_id]},
        details={"thumbnail": thumb},
    )
    response = HttpResponse(data, content_type="image/jpeg" if thumb else attachment.content_type)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    if not thumb:
        response["Content-Disposition"] = f'inline; filename="attachment-{attachment.pk}"'
    return response


# --- field visits -----------------------------------------------------------------------------


@login_required
def visit(request, subject_pk: int):
    subject = get_subject(request.user, subject_pk)
    if not policy.works_at_station(request.user, subject.station) or subject.kind == "incident":
        raise PermissionDenied
    chosen = request.POST.get("task") or request.GET.get("task")
    tasks = list(visit_tasks(request.user, subject, chosen=chosen))
    initial = {"task": int(chosen)} if chosen and chosen.isdigit() else {}
    form = VisitForm(
        request.POST or None, request.FILES or None, subject=subject, tasks=tasks, initial=initial
    )
    task = next((t for t in tasks if str(t.pk) == str(chosen)), None)
    if task is None and len(tasks) == 1:
        task = tasks[0]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        photo = data.get("photo")
        task = data.get("task")

        @transaction.atomic  # the visit and its photo together, or neither
        def visit_with_photo():
            record = services.field_visit(
                actor=request.user,
                subject=subject,
                occurred_at=data["occurred_at"],
                findings=data["findings"],
                present=data.get("present", ""),
                condition=data.get("condition", ""),
                checklist=form.checklist(),
                task=task,
                rectify_days=data.get("rectify_days") or services.RECTIFY_DAYS,
            )
            if photo is not None:
                services.attachment_add(
                    actor=request.user, record=record, name=photo.name, data=photo.read()
                )
            return record

        record = run_service(request, visit_with_photo, form=form)
        if record is not None:
            orders = Rectification.objects.filter(result__record=record).count()
            if orders:
                messages.warning(
                    request,
                    _(
                        "%(n)s point(s) failed: rectification orders and a "
                        "follow-up task were created."
                    )
                    % {"n": orders},
                )
            messages.success(
                request,
                pgettext("place", "Inspection recorded.")
                if subject.kind == "place"
                else _("Visit recorded."),
            )
            return redirect(record)
    return render(
        request,
        "intel/visit.html",
        {"form": form, "subject": subject, "task": task, "several_tasks": len(tasks) > 1},
    )


@login_required
@require_POST
def rectification_close(request, pk: int):
    order = get_for_user_or_404(
        request.user, Rectification.objects.select_related("subject"), Action.SUBJECT_VIEW, pk=pk
    )
    subject = order.subject
    form = NoteForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            services.rectification_close,
            success=_("Rectification closed."),
            actor=request.user,
            order=order,
            note=form.cleaned_data["note"],
        )
    else:
        report_invalid(request, form, _("Say how the rectification was checked."))
    return redirect(f"{subject.get_absolute_url()}?tab=records")


# --- informants -------------------------------------------------------------------------------


@login_required
def informant_list(request):
    station = request.user.unit.station
    if station is None or policy.reach(request.user, Action.SUBJECT_VIEW) is None:
        raise PermissionDenied
    informants = Informant.objects.filter(station=station).select_related("handler")
    rows = [
        (i, services.informant_grade(i), policy.can(request.user, Action.INFORMANT_REVEAL, i))
        for i in informants
    ]
    may_register = may_register_informants(request.user)
    form = None
    if may_register:
        form = InformantForm(request.POST or None, handlers=station_workers(station))
        if request.method == "POST" and form.is_valid():
            informant = run_service(
                request,
                services.informant_register,
                form=form,
                success=lambda informant: (
                    _("Informant registered as %(code)s.") % {"code": informant.code}
                ),
                actor=request.user,
                **form.cleaned_data,
            )
            if informant is not None:
                return redirect("intel:informants")
    reads.record_read(
        request,
        what="informant_list",
        objects=[row[0] for row in rows],
        object_type="intel.informant",
        fields=["code", "grade", "handler"],
    )
    return render(request, "intel/informants.html", {"rows": rows, "form": form})


@login_required
@recent_auth_required
def informant_reveal(request, pk: int):
    # an informant the user does not even see (another station's) is a plain 404; one they see
    # but may not reveal is refused and the attempt recorded
    informant = get_for_user_or_404(request.user, Informant, Action.SUBJECT_VIEW, pk=pk)
    if not policy.can(request.user, Action.INFORMANT_REVEAL, informant):
        try:  # records the refused attempt
            services.informant_reveal(actor=request.user, informant=informant, purpose="")
        except PermissionDenied as exc:
            raise Http404 from exc
    form = PurposeForm(request.POST or None)
    identity = None
    if request.method == "POST" and form.is_valid():
        identity = run_service(
            request,
            services.informant_reveal,
            form=form,
            actor=request.user,
            informant=informant,
            purpose=form.cleaned_data["purpose"],
        )
    return render(
        request,
        "intel/informant_reveal.html",
        {
            "informant": informant,
            "form": form,
            "identity": identity,
            "grade": services.informant_grade(informant),
        },
    )


# --- public tips ------------------------------------------------------------------------------


@login_not_required
def tip_submit(request):
    """The public page: no login, rate-limited, a honeypot against bots."""
    form = TipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tip = run_service(
                request,
                services.tip_submit,
                form=form,
                ip=client_ip(request),
                what=data["what"],
                where=data["where"],
                when=data["when"],
                station=data["station"],
                anonymous=data["anonymous"],
                contact=data["contact"],
                honeypot=data["website"],
            )
        except services.TipRefused as exc:
            return render(
                request, "intel/tip.html", {"form": form, "refused": str(exc)}, status=429
            )
        if tip is not None:
            return render(request, "intel/tip_thanks.html", {"reference": tip.reference})
    return render(request, "intel/tip.html", {"form": form})


@login_not_required
def tip_status(request):
    form = TipStatusForm(request.GET or None)
    status = None
    if request.GET and form.is_valid():
        status = services.tip_status(form.cleaned_data["reference"])
        if status is None:
            form.add_error("reference", _("No tip with this reference code."))
    return render(
        request,
        "intel/tip_status.html",
        {"form": form, "status": status, "status_label": TipStatus(status).label if status else ""},
    )


@login_required
def tip_queue(request):
    if policy.reach(request.user, Action.TIP_TRIAGE) is None:
        raise PermissionDenied
    tips = Tip.objects.select_related("station").restrict(request.user, Action.TIP_TRIAGE)
    filterset = bind_page_filters(TipFilterSet, request, tips)  # the API's FilterSet too
    if "status" not in filterset.data:  # the page opens on the tips awaiting triage
        filterset.data = filterset.data.copy()
        filterset.data["status"] = TipStatus.RECEIVED
    if filterset.is_valid():
        tips, errors = filterset.qs, []
    else:  # never every tip for a status that could not be read
        tips, errors = Tip.objects.none(), filter_errors(filterset)
    show = filterset.form.cleaned_data.get("status") or ""
    page = Paginator(
        tips.order_by("received_at" if show == TipStatus.RECEIVED else "-received_at", "pk"), 25
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "intel/tips.html",
        {
            "page": page,
            "show": show,
            "statuses": TipStatus.choices,
            "query": f"status={show}",
            "filter_errors": errors,
        },
    )


@login_required
def tip_detail(request, pk: int):
    tip = get_for_user_or_404(request.user, Tip, Action.TIP_TRIAGE, pk=pk)
    subjects_qs = visible_subjects(request.user).select_related("station").order_by("name")
    if tip.station_id:
        subjects_qs = subjects_qs.filter(station=tip.station)
    form = TipLinkForm(request.POST or None, subjects_qs=subjects_qs, station=tip.station)
    if request.method == "POST" and "link" in request.POST and form.is_valid():
        record = run_service(
            request,
            services.tip_link,
            success=lambda record: (
                _("The tip is now information record #%(n)s.") % {"n": record.pk}
            ),
            actor=request.user,
            tip=tip,
            **form.cleaned_data,
        )
        if record is not None:
            return redirect(record)
    if request.method == "POST" and "dismiss" in request.POST:
        dismiss = TipDismissForm(request.POST)
        if not dismiss.is_valid():
            report_invalid(request, dismiss, _("Give a reason for dismissing the tip."))
        elif run_service(
            request,
            services.tip_dismiss,
            success=_("Tip dismissed."),
            actor=request.user,
            tip=tip,
            reason=dismiss.cleaned_data["reason"],
        ):
            return redirect("intel:tips")
    reads.record_read(
        request, what="tip", objects=[tip], fields=["what", "where", "when", "contact"]
    )
    return render(request, "intel/tip_detail.html", {"tip": tip, "form": form})
