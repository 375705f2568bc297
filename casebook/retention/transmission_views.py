"""The security administrator's page on protected transmission: the state of the checks and
whether urgent messages may carry the report's text."""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from casebook.access.policy import Action, require
from casebook.core.actions import run_service
from casebook.reports.services.urgent import urgent_text_allowed

from . import transmission_checks, transmission_policy


class UrgentTextForm(forms.Form):
    allowed = forms.BooleanField(
        label=_("Urgent e-mails and SMS may carry the report's text"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )


@login_required
def transmission(request):
    require(request.user, Action.POLICY_MANAGE)
    form = UrgentTextForm(request.POST or None, initial={"allowed": urgent_text_allowed()})
    if request.method == "POST" and form.is_valid():
        done = run_service(
            request,
            transmission_policy.urgent_text_set,
            form=form,
            actor=request.user,
            allowed=form.cleaned_data["allowed"],
            reason=form.cleaned_data["reason"],
            success=_("Saved. The change is in the audit log."),
        )
        if done is not None:
            return redirect("retention:transmission")
    return render(
        request,
        "retention/transmission.html",
        {
            "form": form,
            "allowed": urgent_text_allowed(),
            "problems": transmission_checks.transmission_problems(),
            "production": settings.PRODUCTION,
        },
    )
