"""Pages of the officer file, the confidentiality pledge and training (thin: services write,
selectors read)."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from casebook.access.gates import gate_exempt
from casebook.access.registry import get_for_user_or_404
from casebook.accounts import authflow
from casebook.accounts.officer_file import render_sections
from casebook.audit import reads
from casebook.core.actions import report_invalid, run_service

from . import files, selectors, services
from .access import (
    is_security_admin,
    may_add_certificate,
    may_keep_file,
    may_organise_at,
    may_organise_training,
    may_set_requirements,
    station_of,
)
from .forms import (
    AttendanceForm,
    CertificateForm,
    ConductForm,
    CourseForm,
    MaterialForm,
    PledgeIssueForm,
    PledgeSignForm,
    PolicyForm,
    ProfileForm,
    RequirementForm,
    SessionForm,
)
from .models import Certificate, PledgeVersion, SessionMaterial, TrainingSession

# --- the officer file ------------------------------------------------------------------------


def _file_page(request, officer, *, own: bool):
    shown = render_sections(request.user, officer)
    reads.record_read(
        request, what="officer_file", objects=[officer], fields=[s.key for s, _c in shown]
    )
    base = {"officer": officer, "viewer": request.user, "own": own}
    sections = [
        (s, render_to_string(s.template, {**context, **base, "section": s}, request=request))
        for s, context in shown
    ]
    profile = selectors.profile_of(officer)
    return render(
        request,
        "staff/officer_file.html",
        {
            "officer": officer,
            "viewer": request.user,
            "sections": sections,
            "own": own,
            "profile": profile,
            "may_keep": may_keep_file(request.user, officer),
            "may_add_certificate": may_add_certificate(request.user, officer),
        },
    )


@gate_exempt  # one's own file (no one else's data): where a lapsed officer sees what is missing
@login_required
def my_file(request):
    return _file_page(request, request.user, own=True)


@login_required
def officers(request):
    officers = list(selectors.officers_for(request.user).prefetch_related("roles"))
    version = selectors.current_pledge(request.user)
    signed = set()
    if version is not None:
        signed = set(version.signatures.values_list("officer_id", flat=True))
    statuses = selectors.training_statuses(officers)
    rows = [
        {
            "officer": o,
            "signed": version is None or o.pk in signed,
            "lapsed": statuses[o.pk].lapsed,
        }
        for o in officers
    ]
    reads.record_read(request, what="officer_file", objects=officers, fields=["list"])
    return render(request, "staff/officers.html", {"rows": rows, "pledge_version": version})


@login_required
def officer_file(request, pk: int):
    officer = selectors.get_officer_or_404(request.user, pk)
    return _file_page(request, officer, own=officer.pk == request.user.pk)


@login_required
def profile_edit(request, pk: int):
    officer = selectors.get_officer_or_404(request.user, pk)
    if not may_keep_file(request.user, officer):
        raise PermissionDenied
    profile = selectors.profile_of(officer)
    initial = (
        {"post": profile.post, "post_since": profile.post_since, "duties_note": profile.duties_note}
        if profile
        else {}
    )
    form = ProfileForm(request.POST or None, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            request,
            services.profile_set,
            form=form,
            success=_("The post is saved."),
            actor=request.user,
            officer=officer,
            **form.cleaned_data,
        )
    ):
        return redirect("staff:officer", officer.pk)
    return render(
        request,
        "staff/form.html",
        {"form": form, "officer": officer, "title": _("Post and duties")},
    )


@login_required
def certificate_new(request, pk: int):
    officer = selectors.get_officer_or_404(request.user, pk)
    if not may_add_certificate(request.user, officer):
        raise PermissionDenied
    form = CertificateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("file", None)
        if run_service(
            request,
            services.certificate_add,
            form=form,
            success=_("The certificate is recorded."),
            actor=request.user,
            officer=officer,
            file_name=upload.name if upload else "",
            file_data=upload.read() if upload else None,
            **data,
        ):
            if officer.pk == request.user.pk:
                return redirect("staff:my_file")
            return redirect("staff:officer", officer.pk)
    return render(
        request,
        "staff/form.html",
        {"form": form, "officer": officer, "title": _("Record a certificate"), "multipart": True},
    )


@login_required
def conduct_new(request, pk: int):
    officer = selectors.get_officer_or_404(request.user, pk)
    if not may_keep_file(request.user, officer):
        raise PermissionDenied
    form = ConductForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            request,
            services.conduct_add,
            form=form,
            success=_("The entry is recorded."),
            actor=request.user,
            officer=officer,
            **form.cleaned_data,
        )
    ):
        return redirect("staff:officer", officer.pk)
    return render(
        request,
        "staff/form.html",
        {"form": form, "officer": officer, "title": _("Record a commendation or discipline")},
    )


def _file_response(request, stored, what: str, obj):
    data = files.read(stored)
    reads.record_read(request, what=what, objects=[obj], details={"file": stored.pk})
    response = HttpResponse(data, content_type=stored.content_type)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''" + quote(stored.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def certificate_file(request, pk: int):
    certificate = get_for_user_or_404(
        request.user, Certificate.objects.select_related("file"), "view", pk=pk, file__isnull=False
    )
    return _file_response(request, certificate.file, "staff_file", certificate.officer)


# --- the pledge ------------------------------------------------------------------------------


@gate_exempt  # the page that opens the gate
@login_required
def pledge(request):
    user = request.user
    version, signed = selectors.pledge_state(user)
    form = PledgeSignForm(
        request.POST or None, initial={"version": version.pk if version else None}
    )
    if request.method == "POST" and form.is_valid():
        target = PledgeVersion.objects.filter(
            pk=form.cleaned_data["version"], bureau_id=getattr(version, "bureau_id", None)
        ).first()
        if target is None:
            form.add_error(None, _("This is not the version of the pledge in force."))
        else:
            try:
                done = run_service(
                    request,
                    services.pledge_sign,
                    form=form,
                    success=_("You have signed the confidentiality pledge."),
                    passthrough=(services.AccountLocked,),
                    actor=user,
                    version=target,
                    password=form.cleaned_data["password"],
                    request=request,
                )
            except services.AccountLocked:
                return authflow.end_locked_session(request, user, action="staff.pledge_sign")
            if done:
                authflow.mark_recent_auth(request)
                return redirect("accounts:home")
    return render(
        request,
        "staff/pledge.html",
        {
            "version": version,
            "signed": signed,
            "signature": (
                user.pledge_signatures.filter(version=version).first() if signed else None
            ),
            "form": form,
            "urgent_banner": None,
        },
    )


@login_required
def pledge_admin(request):
    user = request.user
    if not is_security_admin(user):
        raise PermissionDenied
    issue_form = PledgeIssueForm(request.POST if "issue" in request.POST else None)
    bureau = user.unit.bureau
    policy = selectors.policy_of(bureau)
    policy_form = PolicyForm(
        request.POST if "policy" in request.POST else None,
        initial={"training_lapse_blocks": bool(policy and policy.training_lapse_blocks)},
    )
    if request.method == "POST":
        if "issue" in request.POST and issue_form.is_valid():
            if run_service(
                request,
                services.pledge_issue,
                form=issue_form,
                success=_("The new version is in force: every officer must sign it."),
                actor=user,
                **issue_form.cleaned_data,
            ):
                return redirect("staff:pledge_admin")
        elif (
            "policy" in request.POST
            and policy_form.is_valid()
            and run_service(
                request,
                services.policy_set,
                form=policy_form,
                success=_("The policy is saved."),
                actor=user,
                **policy_form.cleaned_data,
            )
        ):
            return redirect("staff:pledge_admin")
    versions = list(selectors.pledge_versions(user))
    current = versions[0] if versions else None
    if current is not None and not issue_form.is_bound:
        issue_form = PledgeIssueForm(initial={"title": current.title, "text": current.text})
    return render(
        request,
        "staff/pledge_admin.html",
        {
            "versions": versions,
            "current": current,
            "signed_count": current.signatures.count() if current else 0,
            "issue_form": issue_form,
            "policy_form": policy_form,
        },
    )


# --- training --------------------------------------------------------------------------------


@login_required
def training(request):
    user = request.user
    courses = selectors.courses_for(user)
    organiser = may_organise_training(user)
    course_form = CourseForm(request.POST if "course" in request.POST else None)
    session_form = SessionForm(request.POST if "session" in request.POST else None, courses=courses)
    requirement_form = RequirementForm(request.POST if "requirement" in request.POST else None)
    if request.method == "POST":
        done = None
        if "course" in request.POST and course_form.is_valid():
            done = run_service(
                request,
                services.course_create,
                form=course_form,
                success=_("The course is created."),
                actor=user,
                **course_form.cleaned_data,
            )
        elif "session" in request.POST and session_form.is_valid():
            unit = station_of(user) or user.unit
            done = run_service(
                request,
                services.session_create,
                form=session_form,
                success=_("The session is created."),
                actor=user,
                unit=unit,
                **session_form.cleaned_data,
            )
            if done:
                return redirect("staff:session", done.pk)
        elif "requirement" in request.POST and requirement_form.is_valid():
            done = run_service(
                request,
                services.requirement_set,
                form=requirement_form,
                success=_("The quota is saved."),
                actor=user,
                **requirement_form.cleaned_data,
            )
        if done:
            return redirect("staff:training")
    return render(
        request,
        "staff/training.html",
        {
            "courses": courses,
            "sessions": selectors.sessions_for(user)[:50],
            "requirements": selectors.requirements_of_bureau(user),
            "status": selectors.training_status(user),
            "organiser": organiser,
            "may_set_requirements": may_set_requirements(user),
            "course_form": course_form,
            "session_form": session_form,
            "requirement_form": requirement_form,
        },
    )


@login_required
def session_detail(request, pk: int):
    user = request.user
    session = get_for_user_or_404(
        user, TrainingSession.objects.select_related("course", "unit"), "view", pk=pk
    )
    organiser = may_organise_at(user, session.unit)
    officers = selectors.officers_for(user).exclude(pk=user.pk)
    attendance_form = AttendanceForm(
        request.POST if "attendance" in request.POST else None, officers=officers
    )
    material_form = MaterialForm(
        request.POST if "material" in request.POST else None,
        request.FILES if "material" in request.POST else None,
    )
    if request.method == "POST":
        if not organiser:
            raise PermissionDenied
        if "attendance" in request.POST:
            if attendance_form.is_valid() and run_service(
                request,
                services.attendance_record,
                form=attendance_form,
                success=_("The attendance is recorded."),
                actor=user,
                session=session,
                **attendance_form.cleaned_data,
            ):
                return redirect("staff:session", session.pk)
        elif "material" in request.POST:
            if material_form.is_valid():
                upload = material_form.cleaned_data["file"]
                if run_service(
                    request,
                    services.material_add,
                    form=material_form,
                    success=_("The material is added."),
                    actor=user,
                    session=session,
                    name=upload.name,
                    data=upload.read(),
                ):
                    return redirect("staff:session", session.pk)
            else:
                report_invalid(request, material_form)
    attendance = session.attendance.select_related("officer").filter(
        officer__in=selectors.officers_for(user)
    )
    return render(
        request,
        "staff/session.html",
        {
            "session": session,
            "materials": session.materials.select_related("file"),
            "attendance": attendance,
            "organiser": organiser,
            "attendance_form": attendance_form,
            "material_form": material_form,
        },
    )


@login_required
def material_file(request, pk: int):
    material = get_for_user_or_404(
        request.user, SessionMaterial.objects.select_related("file"), "view", pk=pk
    )
    return _file_response(request, material.file, "staff_file", material.session)
