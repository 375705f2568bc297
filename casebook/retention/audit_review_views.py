"""The audit administrator's weekly review: a page and its sealed PDF (SECURITY.md L5)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casebook.access.policy import Action, require
from casebook.accounts.decorators import recent_auth_required
from casebook.audit.services import record_event

from . import audit_review


class WeekForm(forms.Form):
    day = forms.DateField(
        label=_("Week containing"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def _period(request):
    form = WeekForm(request.GET or None)
    day = form.cleaned_data.get("day") if form.is_valid() else None
    if day is None or day > timezone.localdate():
        start, end = audit_review.last_complete_week()
    else:
        start, end = audit_review.week_bounds(day)
    return form, start, end


@login_required
def audit_review_page(request):
    require(request.user, Action.AUDIT_VIEW)
    form, start, end = _period(request)
    review = audit_review.build_review(start, end)
    record_event(
        actor=request.user,
        action="audit.review",
        object_type="audit.review",
        object_id=f"{start:%Y-%m-%d}",
        details={"findings": review.findings},
    )
    return render(
        request,
        "retention/audit_review.html",
        {
            "form": form,
            "review": review,
            "sections": audit_review.sections(review),
            "period": audit_review._period_text(review),
            "day": start.astimezone(audit_review.local_zone()).date().isoformat(),
        },
    )


@login_required
@recent_auth_required
def audit_review_pdf(request):
    require(request.user, Action.AUDIT_EXPORT)
    _form, start, end = _period(request)
    review = audit_review.build_review(start, end)
    data, algorithm, digest = audit_review.render_review_pdf(
        review, reader=f"{request.user.real_name} {timezone.localtime():%Y-%m-%d %H:%M}"
    )
    with transaction.atomic():
        record_event(
            actor=request.user,
            action="audit.review.export",
            object_type="audit.review",
            object_id=f"{start:%Y-%m-%d}",
            details={"digest": digest, "algorithm": algorithm, "findings": review.findings},
        )
    response = HttpResponse(data, content_type="application/pdf")
    name = f"audit-review-{start.astimezone(audit_review.local_zone()):%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
