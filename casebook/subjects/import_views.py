"""Pages of the register import: the template, the upload, the preview with the errors per
row, the start, and the progress (polled by htmx while the background job runs)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casebook.access.registry import get_for_user_or_404
from casebook.core.actions import report_error, run_service
from casebook.core.uploads import MAX_XLSX_BYTES

from .import_forms import ImportStartForm, ImportUploadForm
from .models import Category, SubjectImport
from .services import imports
from .workbook import COLUMNS, build_template

#: Errors shown per page of the preview.
ERRORS_PER_PAGE = 100


def _station(user):
    station = imports.station_for_import(user)
    if station is None:
        raise PermissionDenied
    return station


@login_required
def import_home(request):
    station = _station(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_XLSX_BYTES:
            form.add_error("file", _("The file is too large (at most 10 MB)."))
        else:
            try:
                checked = run_service(
                    request,
                    imports.import_check,
                    form=form,
                    passthrough=[imports.AlreadyImported],
                    actor=request.user,
                    station=station,
                    data=upload.read(),
                    file_name=upload.name,
                )
            except imports.AlreadyImported as exc:
                report_error(request, exc)  # as a message: it shows on the earlier import
                return redirect("subjects:import_detail", exc.previous.pk)
            if checked is not None:
                return redirect("subjects:import_detail", checked.pk)
    recent = SubjectImport.objects.restrict(request.user).select_related("created_by")[:10]
    return render(
        request,
        "subjects/import_home.html",
        {"form": form, "station": station, "recent": recent},
    )


@login_required
def import_template(request):
    station = _station(request.user)
    categories = {  # the categories of the station's own bureau
        k: list(Category.objects.filter(bureau=station.parent_id, kind=k, is_active=True))
        for k in COLUMNS
    }
    response = HttpResponse(
        build_template(station, categories),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E7%99%BB%E8%AE%B0%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"  # 登记导入模板.xlsx
    )
    return response


def _labels() -> dict[tuple[str, str], str]:
    return {(kind, c.key): str(c.label) for kind, cols in COLUMNS.items() for c in cols}


@login_required
def import_detail(request, pk: int):
    subject_import = get_for_user_or_404(
        request.user, SubjectImport.objects.select_related("created_by"), pk=pk
    )
    labels = _labels()
    page = Paginator(subject_import.errors or [], ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    errors = [
        {**e, "column_label": labels.get((e["kind"], e["column"]), e["column"])} for e in page
    ]
    return render(
        request,
        "subjects/import_detail.html",
        {
            "imp": subject_import,
            "errors": errors,
            "page": page,
            "form": ImportStartForm(
                initial={"mode": "all" if not subject_import.errors else "clean"}
            ),
            "may_start": subject_import.state == SubjectImport.State.PREVIEW
            and subject_import.created_by_id == request.user.pk,
        },
    )


@login_required
@require_POST
def import_start(request, pk: int):
    subject_import = get_for_user_or_404(request.user, SubjectImport, pk=pk)
    form = ImportStartForm(request.POST)
    if form.is_valid():
        _start(request, subject_import, form.cleaned_data["mode"])
    else:
        messages.error(request, _("Choose how to import."))
    return redirect("subjects:import_detail", subject_import.pk)


def _start(request, subject_import, mode):
    try:
        run_service(
            request,
            imports.import_start,
            passthrough=[imports.AlreadyImported],
            success=_("The import has started."),
            actor=request.user,
            subject_import=subject_import,
            mode=mode,
        )
    except imports.AlreadyImported as exc:
        report_error(request, exc)


@login_required
def import_progress(request, pk: int):
    subject_import = get_for_user_or_404(request.user, SubjectImport, pk=pk)
    return render(request, "subjects/_import_progress.html", {"imp": subject_import})
