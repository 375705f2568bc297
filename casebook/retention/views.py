"""The retention and destruction page (station leaders, the security and the audit
administrator) and the processing register (security and audit administrators)."""

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casebook.access.policy import Action, can, require
from casebook.access.registry import get_for_user_or_404
from casebook.audit.reads import record_read
from casebook.audit.services import record_event
from casebook.core.actions import submit
from casebook.crypto.services import decrypt_bytes
from casebook.reports.documents import CONTENT_TYPES, Document, render_xlsx, seal
from casebook.subjects.models import Subject

from . import integrity, register, selectors, services
from .forms import ApproveForm, ClassForm, HoldForm, PeriodForm, ReasonForm, RenewForm
from .models import (
    DestructionCertificate,
    DestructionProposal,
    LegalHold,
    RegisterExport,
    RetentionClass,
)
from .services.classes import class_of
from .services.destruction import approver_role


@login_required
def index(request):
    require(request.user, Action.RETENTION_VIEW)
    user = request.user
    restrictions = list(selectors.open_restrictions(user)[:200])
    holds = list(selectors.active_holds(user)[:200])
    may_hold = can(user, Action.LEGAL_HOLD)
    # the user's own bureau's classes only (another bureau's are never listed)
    classes = list(selectors.retention_classes(user))
    labels = {c.code: c.label for c in classes}
    proposals = list(selectors.open_proposals(user)[:100])
    for p in proposals:
        p.class_label = labels.get(p.retention_class, p.retention_class)
    context = {
        "proposals": proposals,
        "decided": list(selectors.decided_proposals(user)[:20]),
        "certificates": list(selectors.certificates(user)[:20]),
        "restrictions": restrictions,
        "holds": holds,
        "classes": classes,
        "may_configure": can(user, Action.RETENTION_CONFIGURE),
        "class_form": ClassForm(),
        "may_hold": may_hold,
        "hold_form": HoldForm(subjects=selectors.holdable_subjects(user)) if may_hold else None,
        "renew_form": RenewForm(),
        "reason_form": ReasonForm(),
    }
    record_read(
        request,
        what="retention",
        objects=[r.subject for r in restrictions] + [h.subject for h in holds],
        object_type="subjects.subject",
    )
    return render(request, "retention/index.html", context)


@login_required
def proposal(request, pk: int):
    found = get_for_user_or_404(request.user, DestructionProposal, Action.RETENTION_VIEW, pk=pk)
    role = approver_role(request.user, found)
    approvals = list(found.approvals.select_related("user"))
    certificate = DestructionCertificate.objects.filter(proposal=found).defer("content").first()
    klass = class_of(found.station, found.retention_class)
    found.class_label = klass.label if klass else found.retention_class
    record_read(request, what="retention", objects=[found])
    problems = integrity.check_on_read(request, [found, *approvals, certificate])
    return render(
        request,
        "retention/proposal.html",
        {
            "integrity_problems": problems,
            "proposal": found,
            "role": role,
            "approvals": approvals,
            "already": any(a.user_id == request.user.pk for a in approvals),
            "certificate": certificate,
            "approve_form": ApproveForm(),
            "reason_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def approve(request, pk: int):
    found = get_for_user_or_404(request.user, DestructionProposal, Action.RETENTION_VIEW, pk=pk)
    submit(
        request,
        ApproveForm(request.POST),
        services.destruction_approve,
        fields=(),
        invalid=_("Tick the box to confirm the approval."),
        actor=request.user,
        proposal=found,
        success=_("Approval recorded."),
    )
    return redirect("retention:proposal", pk=found.pk)


@login_required
@require_POST
def withdraw(request, pk: int):
    found = get_for_user_or_404(request.user, DestructionProposal, Action.RETENTION_VIEW, pk=pk)
    submit(
        request,
        ReasonForm(request.POST),
        services.destruction_withdraw,
        actor=request.user,
        proposal=found,
        success=_("Proposal withdrawn."),
    )
    return redirect("retention:proposal", pk=found.pk)


@login_required
def certificate(request, pk: int):
    found = get_for_user_or_404(request.user, DestructionCertificate, Action.RETENTION_VIEW, pk=pk)
    with transaction.atomic():
        record_event(
            actor=request.user,
            action="retention.certificate_download",
            obj=found,
            details={"digest": found.digest},
        )
    data = decrypt_bytes(
        found.data_key, bytes(found.content), context=f"certificate:{found.reference}"
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{found.reference}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def _restricted_subject(request, pk: int) -> Subject:
    return get_for_user_or_404(request.user, Subject, Action.SUBJECT_APPROVE, pk=pk)


@login_required
@require_POST
def renew(request, pk: int):
    subject = _restricted_subject(request, pk)
    submit(
        request,
        RenewForm(request.POST),
        services.subject_renew,
        actor=request.user,
        subject=subject,
        success=_("Tracking renewed."),
    )
    return redirect("retention:index")


@login_required
@require_POST
def close(request, pk: int):
    subject = _restricted_subject(request, pk)
    submit(
        request,
        ReasonForm(request.POST),
        services.subject_close,
        actor=request.user,
        subject=subject,
        success=_("Tracking closed: its retention period begins."),
    )
    return redirect("retention:index")


@login_required
@require_POST
def hold_place(request):
    require(request.user, Action.LEGAL_HOLD)
    submit(
        request,
        HoldForm(request.POST, subjects=selectors.holdable_subjects(request.user)),
        services.legal_hold_place,
        actor=request.user,
        success=_("Legal hold placed."),
    )
    return redirect("retention:index")


@login_required
@require_POST
def hold_release(request, pk: int):
    hold = get_for_user_or_404(request.user, LegalHold, Action.LEGAL_HOLD, pk=pk)
    submit(
        request,
        ReasonForm(request.POST),
        services.legal_hold_release,
        actor=request.user,
        hold=hold,
        success=_("Legal hold released."),
    )
    return redirect("retention:index")


@login_required
@require_POST
def class_add(request):
    require(request.user, Action.RETENTION_CONFIGURE)
    submit(
        request,
        ClassForm(request.POST),
        services.retention_class_create,
        actor=request.user,
        success=_("Retention class added: categories can now name it."),
    )
    return redirect("retention:index")


@login_required
@require_POST
def class_update(request, pk: int):
    require(request.user, Action.RETENTION_CONFIGURE)
    # the administrator's own bureau's class: another bureau's answers 404
    found = get_for_user_or_404(request.user, RetentionClass, Action.RETENTION_CONFIGURE, pk=pk)
    submit(
        request,
        PeriodForm(request.POST),
        services.retention_class_update,
        actor=request.user,
        retention_class=found,
        success=_("Retention period saved."),
    )
    return redirect("retention:index")


@login_required
def processing_register(request):
    require(request.user, Action.PROCESSING_REGISTER)
    rows = register.activities(request.user.unit.bureau)
    record_read(request, what="processing_register", details={"rows": len(rows)})
    return render(request, "retention/register.html", {"rows": rows})


@login_required
def processing_register_xlsx(request):
    require(request.user, Action.PROCESSING_REGISTER)

    document = Document(
        title=_("Register of processing activities"),
        marking=_("Internal"),
        watermark=request.user.real_name,
        reference=f"PR-{timezone.localdate():%Y%m%d}",
        issuer=str(request.user.unit.bureau or request.user.unit),
        tables=[register.as_table(request.user.unit.bureau)],
    )
    sealed, algorithm, digest = seal(render_xlsx(document))
    with transaction.atomic():
        issued = RegisterExport.objects.create(
            reference=document.reference,
            bureau=request.user.unit.bureau,
            issued_by=request.user,
            algorithm=algorithm,
            digest=digest,
        )
        record_event(
            actor=request.user,
            action="processing_register.export",
            object_type="retention.registerexport",
            object_id=str(issued.pk),
            object_repr=issued.reference,
            details={"digest": digest, "algorithm": algorithm},
        )
    response = HttpResponse(sealed, content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="{document.reference}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response
