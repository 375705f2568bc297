"""The audit administrator's views: search, filter, export, verify, checkpoint.
Looking at the log is itself logged (SECURITY.md L1)."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casebook.access.policy import Action, require
from casebook.accounts.decorators import recent_auth_required
from casebook.core.spreadsheet import csv_writer

from . import chain, reads
from .labels import action_label
from .naming import current_names
from .selectors import AuditFilterForm, filtered_events, with_police_numbers
from .services import record_event


@login_required
def log(request):
    require(request.user, Action.AUDIT_VIEW)
    form = AuditFilterForm(request.GET or None)
    events = filtered_events(form) if request.GET else filtered_events(AuditFilterForm({}))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    record_event(
        actor=request.user,
        action="audit.view",
        object_type="audit.auditevent",
        details={"filters": form.summary(), "page": page.number},
    )
    page.object_list = list(page.object_list)
    # current names of live objects the reader may see (none for the audit administrator, who
    # sees no case data): the stored labels hold no personal data (docs/security.md D6)
    names = current_names(request.user, page.object_list)
    for event in page.object_list:
        event.label = action_label(event.action)
        event.current_name = names.get((event.object_type, event.object_id), "")
    if names:
        reads.record_read(
            request,
            what="subject_list",
            objects=sorted({object_id for _type, object_id in names}),
            object_type="subjects.subject",
            fields=["name"],
            details={"audit_page": page.number},
        )
    with_police_numbers(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    checkpoints = chain.read_checkpoints()
    return render(
        request,
        "audit/log.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "last_checkpoint": checkpoints[-1] if checkpoints else None,
        },
    )


class _Echo:
    def write(self, value):
        return value


@login_required
@recent_auth_required
def export(request):
    require(request.user, Action.AUDIT_EXPORT)
    form = AuditFilterForm(request.GET or None)
    events = filtered_events(form) if request.GET else filtered_events(AuditFilterForm({}))
    purpose = request.GET.get("purpose", "").strip()
    if not purpose:
        messages.error(request, _("State the purpose of the export."))
        return redirect(f"{reverse('audit:log')}?{request.GET.urlencode()}")
    record_event(
        actor=request.user,
        action="audit.export",
        object_type="audit.auditevent",
        purpose=purpose,
        details={"filters": form.summary(), "rows": events.count()},
    )
    writer = csv_writer(_Echo())  # every cell neutralised against formula injection
    header = [
        "seq",
        "occurred_at",
        "actor_id",
        "actor_name",
        "actor_unit",
        "action",
        "outcome",
        "object_type",
        "object_id",
        "object_repr",
        "ip",
        "request_id",
        "channel",
        "purpose",
        "recipients",
        "details",
        "hash",
    ]

    def rows():
        yield "\ufeff" + writer.writerow(header)
        for e in events.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    e.seq,
                    e.occurred_at.isoformat(),
                    e.actor_id or "",
                    e.actor_name,
                    e.actor_unit,
                    e.action,
                    e.outcome,
                    e.object_type,
                    e.object_id,
                    e.object_repr,
                    e.ip,
                    e.request_id,
                    e.channel,
                    e.purpose,
                    e.recipients,
                    json.dumps(e.details, ensure_ascii=False),
                    e.hash,
                ]
            )

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


@login_required
@require_POST
def verify(request):
    require(request.user, Action.AUDIT_VIEW)
    checkpoints = chain.read_checkpoints()
    result = chain.verify(checkpoints[-1] if checkpoints else None)
    record_event(
        actor=request.user,
        action="audit.verify",
        outcome="success" if result.ok else "failure",
        details={"checked": result.checked, "broken": result.broken_seq},
    )
    (messages.success if result.ok else messages.error)(request, result.message)
    return redirect("audit:log")


@login_required
@require_POST
def checkpoint(request):
    require(request.user, Action.AUDIT_VIEW)
    record_event(actor=request.user, action="audit.checkpoint")
    cp = chain.make_checkpoint()
    messages.success(request, _("Checkpoint written at event #%(seq)s.") % {"seq": cp["seq"]})
    return redirect("audit:log")


@login_required
def checkpoint_download(request):
    require(request.user, Action.AUDIT_EXPORT)
    record_event(
        actor=request.user,
        action="audit.export",
        object_type="audit.checkpoint",
        purpose=_("Checkpoint file kept outside the database"),
    )
    lines = "".join(json.dumps(cp) + "\n" for cp in chain.read_checkpoints())
    response = HttpResponse(lines, content_type="application/x-ndjson")
    response["Content-Disposition"] = 'attachment; filename="audit-checkpoints.jsonl"'
    return response
