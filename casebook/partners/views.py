"""Pages of the partner register: the list, a department with its contacts, registering and
editing (leaders and the system administrator of the bureau)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casebook.access.registry import get_for_user_or_404
from casebook.audit import reads
from casebook.core.actions import run_service, submit

from . import selectors, services
from .access import bureau_of, may_manage
from .forms import ContactForm, PartnerForm, RetireForm
from .models import PartnerContact, PartnerUnit


@login_required
def partner_list(request):
    partners = selectors.partners_for(request.user, active_only=False).prefetch_related("contacts")
    if not may_manage(request.user) and not partners.exists() and bureau_of(request.user) is None:
        raise PermissionDenied
    return render(
        request,
        "partners/list.html",
        {"partners": partners, "may_manage": may_manage(request.user)},
    )


@login_required
def partner_edit(request, pk: int | None = None):
    partner = get_for_user_or_404(request.user, PartnerUnit, "manage", pk=pk) if pk else None
    if partner is None and not may_manage(request.user):
        raise PermissionDenied
    form = PartnerForm(request.POST or None, instance=partner)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("name", "kind", "address", "notes")}
        if partner is None:
            saved = run_service(
                request,
                services.partner_create,
                form=form,
                success=_("The department is registered."),
                actor=request.user,
                **data,
            )
        else:
            saved = run_service(
                request,
                services.partner_update,
                form=form,
                success=_("The department is saved."),
                actor=request.user,
                partner=partner,
                is_active=form.cleaned_data["is_active"],
                **data,
            )
        if saved is not None:
            return redirect("partners:detail", saved.pk)
    return render(request, "partners/form.html", {"form": form, "partner": partner})


@login_required
def partner_detail(request, pk: int):
    partner = get_for_user_or_404(request.user, PartnerUnit, "view", pk=pk)
    contacts = list(partner.contacts.all())
    if any(c.phone for c in contacts):
        reads.record_read(request, what="partner_contacts", objects=[partner], fields=["phone"])
    return render(
        request,
        "partners/detail.html",
        {
            "partner": partner,
            "contacts": contacts,
            "may_manage": may_manage(request.user, partner.bureau),
            "contact_form": ContactForm(),
        },
    )


@login_required
@require_POST
def contact_add(request, pk: int):
    partner = get_for_user_or_404(request.user, PartnerUnit, "manage", pk=pk)
    submit(  # an invalid form is now reported (it was dropped silently)
        request,
        ContactForm(request.POST),
        services.contact_add,
        success=_("Contact added."),
        actor=request.user,
        partner=partner,
    )
    return redirect("partners:detail", partner.pk)


@login_required
@require_POST
def contact_retire(request, pk: int, contact_pk: int):
    contact = get_for_user_or_404(
        request.user, PartnerContact, "manage", pk=contact_pk, partner_id=pk
    )
    submit(
        request,
        RetireForm(request.POST),
        services.contact_retire,
        success=_("Contact retired."),
        actor=request.user,
        contact=contact,
    )
    return redirect("partners:detail", pk)
