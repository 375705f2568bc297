"""Pages of sharing with partner departments: sharing a task or an incident (the link is shown
once), revoking a link, and the department's public page (no account, one 404 look for any
wrong, expired or revoked link, no internal navigation)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from casebook.access.registry import get_for_user_or_404
from casebook.core.actions import run_service
from casebook.core.middleware import client_ip
from casebook.partners.selectors import partners_for
from casebook.subjects.selectors import get_subject
from casebook.tracking.partner_shares import may_share_with_partner
from casebook.tracking.selectors import get_task

from .models import PartnerLink
from .partner_forms import PartnerAnswerForm, PartnerShareForm, RevokeForm
from .services import attachments as attachment_services
from .services import partner_links


def _share(request, *, target, service, back, may, **target_kwargs):
    if not may:
        raise PermissionDenied
    partners = partners_for(request.user).filter(bureau_id=target.station.parent_id)
    form = PartnerShareForm(request.POST or None, partners=partners)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        result = run_service(
            request,
            service,
            form=form,
            actor=request.user,
            partner=data["partner"],
            contact=data["contact"],
            summary=data["summary"],
            request=data["request"],
            days=data["days"],
            **target_kwargs,
        )
        if result is not None:
            link, token = result
            url = request.build_absolute_uri(reverse("intel:partner_public", args=[token]))
            response = render(
                request,
                "intel/partner_link_created.html",
                {"link": link, "url": url, "back": back, "target": target},
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request,
        "intel/partner_share.html",
        {"form": form, "target": target, "back": back, "no_partners": not partners.exists()},
    )


@login_required
def share_task(request, pk: int):
    task = get_task(request.user, pk)
    return _share(
        request,
        target=task,
        service=partner_links.link_for_task,
        back=task.get_absolute_url(),
        may=may_share_with_partner(request.user, task),
        task=task,
    )


@login_required
def share_incident(request, pk: int):
    incident = get_subject(request.user, pk)
    if incident.kind != "incident":
        raise Http404
    return _share(
        request,
        target=incident,
        service=partner_links.link_for_incident,
        back=incident.get_absolute_url(),
        may=partner_links.may_manage_link(request.user, PartnerLink(incident=incident)),
        incident=incident,
    )


@login_required
@require_POST
def revoke(request, pk: int):
    link = get_for_user_or_404(
        request.user, PartnerLink.objects.select_related("share__task", "incident"), pk=pk
    )
    if RevokeForm(request.POST).is_valid():
        run_service(
            request,
            partner_links.link_revoke,
            success=_("The link is revoked: it no longer opens."),
            actor=request.user,
            link=link,
        )
    target = link.task or link.incident
    return redirect(target.get_absolute_url())


def _not_found(request):
    """One look for a wrong, expired or revoked link: nothing says which."""
    response = render(request, "intel/partner_public_404.html", status=404)
    response["Referrer-Policy"] = "same-origin"
    return response


@login_not_required
@never_cache
def public(request, token: str):
    """The department's page: the summary shared with it, and its answer."""
    try:
        link = partner_links.link_open(token, ip=client_ip(request))
    except partner_links.LinkRefused:
        return render(request, "intel/partner_public_404.html", {"busy": True}, status=429)
    if link is None:
        return _not_found(request)
    form = PartnerAnswerForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = b""
        if upload is not None:
            if upload.size > attachment_services.MAX_ATTACHMENT:
                form.add_error("file", _("The file is larger than 10 MB."))
            else:
                data = upload.read()
        if not form.errors:
            try:
                answer = run_service(
                    request,
                    partner_links.link_answer,
                    form=form,
                    passthrough=[PermissionDenied],
                    link=link,
                    text=form.cleaned_data["text"],
                    answered_by=form.cleaned_data["answered_by"],
                    done=form.cleaned_data["done"],
                    file_name=upload.name if upload is not None else "",
                    data=data,
                )
            except PermissionDenied:
                return _not_found(request)
            except partner_links.LinkRefused:
                return render(request, "intel/partner_public_404.html", {"busy": True}, status=429)
            if answer is not None:
                messages.success(request, _("Thank you: your answer has been received."))
                return redirect("intel:partner_public", token)
    answers = list(link.answers.all())
    response = render(
        request,
        "intel/partner_public.html",
        {"link": link, "form": form, "answers": answers, "token": token},
    )
    # the token never leaves for another site in a Referer header; same-origin (not no-referrer):
    # with no-referrer the browser sends "Origin: null" with the answer and CSRF refuses it
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
