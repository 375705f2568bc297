"""Pages of the monitoring sources, for the bureau's system administrator: the list, a source
(its address, counters, recent batches, refusals), registering, editing, rotating the secret.
A secret is shown once, on the page that answers its creation, and never again."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from casebook.access.registry import get_for_user_or_404
from casebook.core.actions import run_service

from . import selectors, services
from .access import may_manage, stations_for_admin
from .forms import RotateForm, SourceForm
from .ingest import TOKEN_HEADER
from .models import Source


def _endpoint(request, source: Source) -> str:
    return request.build_absolute_uri(reverse("monitoring-ingest", kwargs={"code": source.code}))


@login_required
def source_list(request):
    if not may_manage(request.user):
        raise PermissionDenied
    return render(
        request, "monitoring/sources.html", {"sources": selectors.sources_for(request.user)}
    )


def _secret_page(request, source, secret, *, rotated=False):
    response = render(
        request,
        "monitoring/secret.html",
        {
            "source": source,
            "secret": secret,
            "rotated": rotated,
            "endpoint": _endpoint(request, source),
            "token_header": TOKEN_HEADER,
        },
    )
    add_never_cache_headers(response)  # the secret must not stay in any cache
    return response


@login_required
def source_edit(request, pk: int | None = None):
    source = get_for_user_or_404(request.user, Source, "manage", pk=pk) if pk else None
    if not may_manage(request.user):
        raise PermissionDenied
    form = SourceForm(
        request.POST or None, stations=stations_for_admin(request.user), source=source
    )
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("name", "kind", "allowed_networks", "enabled")}
        if source is None:
            made = run_service(
                request,
                services.source_create,
                form=form,
                success=_("The source is registered. Copy its secret now: it is shown once."),
                actor=request.user,
                station=form.cleaned_data["station"],
                format=form.cleaned_data["format"],
                **data,
            )
            if made is not None:
                return _secret_page(request, *made)
        else:
            saved = run_service(
                request,
                services.source_update,
                form=form,
                success=_("The source is saved."),
                actor=request.user,
                source=source,
                **data,
            )
            if saved is not None:
                return redirect("monitoring:source", saved.pk)
    return render(request, "monitoring/source_form.html", {"form": form, "source": source})


@login_required
def source_detail(request, pk: int):
    source = get_for_user_or_404(request.user, Source, "manage", pk=pk)
    return render(
        request,
        "monitoring/source.html",
        {
            "source": source,
            "endpoint": _endpoint(request, source),
            "token_header": TOKEN_HEADER,
            "rotate_form": RotateForm(),
            **selectors.source_overview(source),
        },
    )


@login_required
def source_rotate(request, pk: int):
    source = get_for_user_or_404(request.user, Source, "manage", pk=pk)
    form = RotateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        secret = run_service(
            request,
            services.secret_rotate,
            form=form,
            success=_("A new secret is made. Copy it now: it is shown once."),
            actor=request.user,
            source=source,
            overlap=dt.timedelta(hours=form.cleaned_data["overlap_hours"]),
        )
        if secret is not None:
            return _secret_page(request, source, secret, rotated=True)
    if request.method == "POST":
        return render(
            request,
            "monitoring/source.html",
            {
                "source": source,
                "endpoint": _endpoint(request, source),
                "token_header": TOKEN_HEADER,
                "rotate_form": form,
                **selectors.source_overview(source),
            },
            status=400,
        )
    return redirect("monitoring:source", source.pk)
