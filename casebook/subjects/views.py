"""Pages of tracked subjects: list and search, create and edit, the dossier with its tabs,
and the small actions on it. Every read goes through ``selectors`` (scoped by ``access``),
every write through ``services``."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casebook.access import policy
from casebook.access.policy import Action
from casebook.access.registry import get_for_user_or_404
from casebook.accounts.models import User
from casebook.audit import reads
from casebook.audit.labels import action_label
from casebook.core.actions import report_error, run_service
from casebook.core.filters import bind_page_filters, filter_errors
from casebook.core.models import Unit

from . import dossier, selectors, services
from .choices import Kind
from .filters import SubjectFilterSet, list_filters_of
from .forms import (
    CATEGORY_RECORDS,
    DETAIL_FORMS,
    RECORD_FORMS,
    AssociationForm,
    FilterForm,
    PhotoForm,
    PurposeForm,
    ReviewForm,
    SituationForm,
    StatusForm,
    SubjectForm,
    UnlinkForm,
)
from .models import Association, Category, PersonDetail, Subject


def _consulted(request, subject) -> str:
    """The purpose stated for this subject in this session (empty once it has lapsed)."""
    return reads.stated_purpose(request, subject)


def _mark_consulted(request, subject, purpose: str) -> None:
    reads.remember_purpose(request, subject, purpose)


@login_required
def subject_list(request):
    if policy.reach(request.user, Action.SUBJECT_VIEW) is None:
        raise PermissionDenied
    station_ids = policy.station_ids(request.user, Action.SUBJECT_VIEW)
    stations = Unit.objects.filter(pk__in=station_ids).order_by("code")
    # officers responsible for a subject of these stations: an EXISTS, not a DISTINCT over the
    # join (which read every subject of the station to list a few dozen officers)
    in_charge = Subject.officers.through.objects.filter(
        user=OuterRef("pk"), subject__station__in=station_ids
    )
    officers = User.objects.filter(Exists(in_charge)).order_by("username")
    categories = Category.objects.restrict(request.user, Action.SUBJECT_VIEW).filter(
        is_active=True
    )  # the user's own bureau's
    form = FilterForm(
        request.GET or None, stations=stations, officers=officers, categories=categories
    )  # as shown
    filterset = bind_page_filters(  # as applied: the same FilterSet as the API's
        SubjectFilterSet, request, selectors.subject_list_base(request.user)
    )
    if filterset.is_valid():
        qs, exact, errors = filterset.qs, filterset.exact, []
    else:  # never every row for a filter that could not be read
        qs, exact, errors = Subject.objects.none(), False, filter_errors(filterset)
    filters = list_filters_of(filterset)
    page = Paginator(qs.prefetch_related("identifiers"), 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    reads.record_read(
        request,
        what="search" if filters.q else "subject_list",
        objects=page.object_list,
        object_type="subjects.subject",
        fields=["name", "masked_identifiers", "category", "risk", "status"],
        search=selectors.search_summary(filters, exact=exact, results=page.paginator.count),
        details={"page": page.number},
    )
    return render(
        request,
        "subjects/list.html",
        {
            "form": form,
            "filter_errors": errors,
            "page": page,
            "query": query.urlencode(),
            "exact": exact,
            "may_create": policy.reach(request.user, Action.SUBJECT_CREATE) is not None,
            "multi_station": len(station_ids) > 1,
            "kinds": Kind.choices,
        },
    )


def _own_station(user):
    station = user.unit.station
    if station is None or station.pk not in policy.station_ids(user, Action.SUBJECT_CREATE):
        raise PermissionDenied
    return station


def _operators(user):
    return selectors.visible_subjects(user).filter(kind=Kind.PERSON).order_by("name")


@login_required
def subject_create(request, kind: str):
    if kind not in Kind.values:
        raise Http404
    station = _own_station(request.user)
    form = SubjectForm(request.POST or None, kind=kind, station=station, user=request.user)
    extra = {"operators": _operators(request.user)} if kind == Kind.PLACE else {}
    detail_form = DETAIL_FORMS[kind](request.POST or None, prefix="d", **extra)
    duplicate = None
    if request.method == "POST" and form.is_valid() & detail_form.is_valid():
        data = form.cleaned_data
        try:
            subject = run_service(
                request,
                services.subject_create,
                form=[form, detail_form],
                passthrough=[services.DuplicateSubject],
                success=lambda subject: _("%(name)s has been registered.") % {"name": subject},
                actor=request.user,
                kind=kind,
                category=data["category"],
                name=data["name"],
                station=station,
                area=data["area"],
                officers=list(data["officers"]),
                classification=data["classification"],
                compartments=list(data["compartments"]),
                legal_basis_ref=data["legal_basis_ref"],
                approved_by=data["approved_by"],
                approved_on=data["approved_on"],
                notes=data["notes"],
                detail=detail_form.cleaned_data,
            )
        except services.DuplicateSubject as exc:
            duplicate = exc.existing
            report_error(request, exc, form=[form, detail_form])
        else:
            if subject is not None:
                return redirect(subject)
    return render(
        request,
        "subjects/form.html",
        {
            "form": form,
            "detail_form": detail_form,
            "kind": kind,
            "kind_label": Kind(kind).label,
            "station": station,
            "duplicate": duplicate,
            "creating": True,
        },
    )


def _conflict(user, subject, exc) -> list[tuple[str, str]]:
    """The fields the other editor changed with their current values (sensitive ones only
    named: the edit form never shows them in clear)."""
    current = selectors.get_subject(user, subject.pk, Action.SUBJECT_EDIT)
    detail = services._detail_of(current)
    rows = []
    for key, label in exc.changed.items():
        name = key.removesuffix("_id") if key.endswith("_id") else key
        if name in PersonDetail.SENSITIVE:
            value = _("changed")
        elif hasattr(current, name) and name not in ("officers", "compartments"):
            value = getattr(current, f"get_{name}_display", lambda n=name: getattr(current, n))()
        elif detail is not None and hasattr(detail, name):
            value = getattr(detail, f"get_{name}_display", lambda n=name: getattr(detail, n))()
        elif name == "officers":
            value = "、".join(u.real_name for u in current.officers.all())
        else:
            continue
        rows.append((label, "" if value is None else str(value)))
    return rows


@login_required
def subject_edit(request, pk: int):
    subject = selectors.get_subject(request.user, pk, Action.SUBJECT_EDIT)
    model_detail = services._detail_of(subject)
    form = SubjectForm(
        request.POST or None,
        instance=subject,
        kind=subject.kind,
        station=subject.station,
        user=request.user,
    )
    extra = (
        {"operators": _operators(request.user).exclude(pk=subject.pk)}
        if subject.kind == Kind.PLACE
        else {}
    )
    initial = {}
    if subject.kind == Kind.PERSON:
        initial["phones"] = ", ".join(model_detail.phone_list)
    detail_form = DETAIL_FORMS[subject.kind](
        request.POST or None, instance=model_detail, prefix="d", initial=initial, **extra
    )
    duplicate = conflict = None
    if request.method == "POST" and form.is_valid() & detail_form.is_valid():
        data = form.cleaned_data
        try:
            saved = run_service(
                request,
                services.subject_update,
                form=[form, detail_form],
                passthrough=[services.DuplicateSubject, services.StaleEdit],
                success=_("Changes saved."),
                actor=request.user,
                subject=subject,
                expected_version=data.get("version"),
                detail=detail_form.cleaned_data,
                officers=list(data["officers"]) or None,
                compartments=list(data["compartments"]),
                **{
                    k: data[k]
                    for k in (
                        "name",
                        "category",
                        "area",
                        "classification",
                        "legal_basis_ref",
                        "approved_by",
                        "approved_on",
                        "notes",
                    )
                },
            )
        except services.DuplicateSubject as exc:
            duplicate = exc.existing
            report_error(request, exc, form=[form, detail_form])
        except services.StaleEdit as exc:
            # the officer's input stays in the form; the current values are shown beside it,
            # and saving again now (knowingly) goes through
            report_error(request, exc, form=[form, detail_form])
            form.data = form.data.copy()
            form.data["version"] = exc.current_version
            conflict = _conflict(request.user, subject, exc)
        else:
            if saved is not None:
                return redirect(subject)
    return render(
        request,
        "subjects/form.html",
        {
            "form": form,
            "detail_form": detail_form,
            "kind": subject.kind,
            "kind_label": subject.get_kind_display(),
            "station": subject.station,
            "subject": subject,
            "duplicate": duplicate,
            "conflict": conflict,
            "creating": False,
        },
    )


@login_required
def subject_detail(request, pk: int):
    subject = selectors.get_subject(request.user, pk)
    section = dossier.tab(request.GET.get("tab", "overview")) or dossier.tab("overview")
    tab = section.key
    user = request.user
    context = {
        "subject": subject,
        "tab": tab,
        "tabs": dossier.tabs(),
        "tab_template": section.template,
        "may_edit": policy.can(user, Action.SUBJECT_EDIT, subject),
        "may_approve": policy.can(user, Action.SUBJECT_APPROVE, subject),
        "consulted": _consulted(request, subject),
        "officers": subject.officers.all(),
        "identifiers": subject.identifiers.all(),
        "compartments": subject.compartments.all(),
    }
    detail = services._detail_of(subject)
    context["detail"] = detail
    context["tile_url"] = settings.CASEBOOK_MAP_TILE_URL
    if section.context is not None:  # a tab of a higher module (dossier.register_tab)
        context.update(section.context(request, subject))
    if tab == "overview":
        context["links"] = selectors.associations_of(user, subject)[:6]
        context["overview_panels"] = dossier.overview_panels()
        for panel in context["overview_panels"]:
            context.update(panel.context(request, subject))
        if subject.kind == Kind.INCIDENT:
            context["situation"] = detail.situation.select_related("author")[:10]
            context["situation_form"] = SituationForm()
    if tab == "details":
        context["purpose_form"] = PurposeForm(
            initial={"purpose": selectors.purpose_suggestion(user, subject)}
        )
        if subject.kind == Kind.PERSON and context["consulted"]:
            records = CATEGORY_RECORDS.get(subject.category.code, [])
            context["record_sections"] = [
                {
                    "key": key,
                    "form": RECORD_FORMS[key](prefix=key),
                    "rows": getattr(
                        detail,
                        {
                            "offence": "offences",
                            "rehab": "rehab",
                            "drug_test": "drug_tests",
                            "threat": "threats",
                        }[key],
                    ).all(),
                    "title": RECORD_FORMS[key]._meta.model._meta.verbose_name_plural,
                }
                for key in records
            ]
            context["photo_form"] = PhotoForm()
        if subject.kind == Kind.PLACE:
            context["checklist"] = subject.category.checklist.filter(is_active=True)
    if tab == "associations":
        context["links"] = selectors.associations_of(user, subject)
        context["hidden_links"] = selectors.hidden_association_count(user, subject)
        context["link_form"] = AssociationForm(
            candidates=selectors.visible_subjects(user).exclude(pk=subject.pk).order_by("name")
        )
        context["unlink_form"] = UnlinkForm()
    if tab == "timeline":
        events = list(selectors.timeline_of(subject))
        for e in events:
            e.label = action_label(e.action)
        context["events"] = events
    if context["may_edit"] or context["may_approve"]:
        context["status_form"] = StatusForm()
        context["review_form"] = ReviewForm()
    _record_dossier_read(request, subject, section, context)
    return render(request, "subjects/detail.html", context)


DETAIL_FIELDS = {
    Kind.PERSON: ["id_number", "phones", "addresses", "occupation", "economic_situation", "photo"],
    Kind.PLACE: ["address", "licences", "credit_code", "position", "opening_hours"],
    Kind.INCIDENT: ["cause", "departments", "rescue", "resettlement"],
}


def _record_dossier_read(request, subject, section: dossier.Section, context: dict) -> None:
    """One read event for the tab shown: which parts, which related objects, the purpose."""
    tab = section.key
    fields, related, extra = [tab], {}, {"tab": tab}
    if tab in ("overview", "associations"):
        related["linked"] = [row["other"] for row in context["links"]]
    # what the tab and the overview's panels of higher modules showed
    for part in [section, *context.get("overview_panels", [])]:
        related.update({key: context[key] for key in part.related})
        extra.update({name: len(context[key]) for key, name in part.counted.items()})
    if (
        tab == "overview"
        and subject.kind != Kind.PERSON
        and getattr(context["detail"], "latitude", None) is not None
    ):
        fields.append("position")
    if tab == "details":
        if subject.kind == Kind.PERSON and not context["consulted"]:
            fields.append("masked_identifiers")
        else:
            fields += DETAIL_FIELDS[subject.kind]
            fields += [section["key"] for section in context.get("record_sections", [])]
    reads.record_read(
        request,
        what="subject",
        objects=[subject],
        fields=fields,
        related=related,
        purpose=context["consulted"],
        details=extra,
    )


@login_required
@require_POST
def subject_consult(request, pk: int):
    subject = selectors.get_subject(request.user, pk)
    form = PurposeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("State why you need the full particulars."))
        return redirect(f"{subject.get_absolute_url()}?tab=details")
    purpose = form.cleaned_data["purpose"]
    if run_service(
        request, services.subject_consult, actor=request.user, subject=subject, purpose=purpose
    ):
        _mark_consulted(request, subject, purpose.strip())
    return redirect(f"{subject.get_absolute_url()}?tab=details")


def _back(subject, tab="overview"):
    return redirect(f"{subject.get_absolute_url()}?tab={tab}")


@login_required
@require_POST
def subject_status(request, pk: int):
    subject = selectors.get_subject(request.user, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            services.subject_set_status,
            success=_("Status changed."),
            actor=request.user,
            subject=subject,
            **form.cleaned_data,
        )
    else:
        messages.error(request, _("Choose a status and give a reason."))
    return _back(subject)


@login_required
@require_POST
def subject_review(request, pk: int):
    subject = selectors.get_subject(request.user, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            services.subject_review,
            success=lambda _result: (
                _("Review recorded; next review on %(date)s.")
                % {"date": subject.review_due.isoformat()}
            ),
            actor=request.user,
            subject=subject,
            **form.cleaned_data,
        )
    else:
        messages.error(request, _("Say what the review concluded."))
    return _back(subject)


@login_required
@require_POST
def link_add(request, pk: int):
    subject = selectors.get_subject(request.user, pk)
    form = AssociationForm(request.POST, candidates=selectors.visible_subjects(request.user))
    if form.is_valid():
        data = form.cleaned_data
        run_service(
            request,
            services.association_create,
            success=_("Link added."),
            actor=request.user,
            source=subject,
            target=data["target"],
            type=data["type"],
            role=data["role"],
            source_text=data["source"],
            confidence=data["confidence"],
        )
    else:
        messages.error(
            request,
            _("The link was not added: choose a subject you can see, the relation and the source."),
        )
    return _back(subject, "associations")


@login_required
@require_POST
def link_delete(request, pk: int, link_pk: int):
    subject = selectors.get_subject(request.user, pk)
    link = get_for_user_or_404(
        request.user, Association.objects.filter(source_subject=subject), pk=link_pk
    )
    form = UnlinkForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            services.association_delete,
            success=_("Link removed."),
            actor=request.user,
            link=link,
            reason=form.cleaned_data["reason"],
        )
    else:
        messages.error(request, _("Give a reason for removing the link."))
    return _back(subject, "associations")


@login_required
@require_POST
def record_add(request, pk: int, record: str):
    subject = selectors.get_subject(request.user, pk)
    if record not in RECORD_FORMS:
        raise Http404
    form = RECORD_FORMS[record](request.POST, prefix=record)
    if form.is_valid():
        run_service(
            request,
            services.person_record_add,
            success=_("Record added."),
            actor=request.user,
            subject=subject,
            record=record,
            data=form.cleaned_data,
        )
    else:
        errors = "; ".join(
            f"{form.fields[f].label}: {' '.join(e)}" if f in form.fields else " ".join(e)
            for f, e in form.errors.items()
        )
        messages.error(request, _("Not added: %(errors)s") % {"errors": errors})
    return _back(subject, "details")


@login_required
@require_POST
def situation_add(request, pk: int):
    subject = selectors.get_subject(request.user, pk)
    form = SituationForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            services.situation_add,
            success=_("Situation recorded."),
            actor=request.user,
            subject=subject,
            **form.cleaned_data,
        )
    else:
        messages.error(request, _("Describe the situation."))
    return _back(subject)


@login_required
@require_POST
def photo_upload(request, pk: int):
    subject = selectors.get_subject(request.user, pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["photo"]
        if upload.size > services.MAX_PHOTO_BYTES:
            messages.error(request, _("The photo is larger than 5 MB."))
        else:
            run_service(
                request,
                services.photo_set,
                success=_("Photo saved."),
                actor=request.user,
                subject=subject,
                data=upload.read(),
            )
    else:
        messages.error(request, _("Choose a photo file."))
    return _back(subject, "details")


@login_required
def photo(request, pk: int):
    """The photo is personal data: shown only within an active consultation."""
    subject = selectors.get_subject(request.user, pk)
    if not _consulted(request, subject):
        raise PermissionDenied
    data = services.photo_bytes(subject)
    if data is None:
        raise Http404
    reads.record_read(
        request,
        what="photo",
        objects=[subject],
        fields=["photo"],
        purpose=_consulted(request, subject),
    )
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "no-store"
    return response


@login_required
def graph(request, pk: int):
    subject = selectors.get_subject(request.user, pk)
    try:
        hops = max(1, min(3, int(request.GET.get("hops", 2))))
    except ValueError:
        hops = 2
    data = selectors.graph_of(request.user, subject, hops=hops)
    reads.record_read(
        request,
        what="graph",
        objects=[subject],
        fields=["links"],
        related={"linked": [n["id"] for n in data["nodes"] if not n["centre"]]},
        details={"hops": hops},
    )
    return JsonResponse(data)


@login_required
def subject_map(request):
    """Places and incidents with a position, on a map."""
    if policy.reach(request.user, Action.SUBJECT_VIEW) is None:
        raise PermissionDenied
    qs = selectors.visible_subjects(request.user).exclude(kind=Kind.PERSON)
    points = []
    for s in qs.select_related("place", "incident", "category")[:2000]:
        detail = s.place if s.kind == Kind.PLACE else s.incident
        if detail is not None and detail.latitude is not None:
            points.append(
                {
                    "id": s.pk,
                    "name": s.name,
                    "kind": s.kind,
                    "risk": s.risk_level,
                    "category": s.category.label,
                    "lat": float(detail.latitude),
                    "lng": float(detail.longitude),
                    "url": s.get_absolute_url(),
                }
            )
    reads.record_read(
        request,
        what="map",
        objects=[p["id"] for p in points],
        object_type="subjects.subject",
        fields=["name", "category", "risk", "position"],
    )
    return render(
        request, "subjects/map.html", {"points": points, "tile_url": settings.CASEBOOK_MAP_TILE_URL}
    )


def new_subject_links(user) -> list[tuple[str, str]]:
    return [(reverse("subjects:create", args=[k]), label) for k, label in Kind.choices]
