"""Casebook's URL map."""

from django.contrib.auth.decorators import login_not_required, login_required
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from casebook.accounts.api import views as accounts_api
from casebook.core import views as core_views

api_v1 = [
    path("me/", accounts_api.me, name="api-me"),
    path("units/", accounts_api.units, name="api-units"),
]

urlpatterns = [
    path("", include("casebook.accounts.urls")),  # the home page, /organisation/, /accounts/
    path("audit/", include("casebook.audit.urls")),
    path("subjects/", include("casebook.subjects.urls")),
    path("tasks/", include("casebook.tracking.urls")),
    path("partners/", include("casebook.partners.urls")),
    path("", include("casebook.intel.urls")),
    path("analysis/", include("casebook.analysis.urls")),
    path("reports/", include("casebook.reports.urls")),
    path("retention/", include("casebook.retention.urls")),
    path("staff/", include("casebook.staff.urls")),
    path("", include("casebook.assessment.urls")),  # /assessment/, /opinion/, /api/v1/assessment/
    path("monitoring/", include("casebook.monitoring.urls")),
    # the language switch is on the login and public tip pages too
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("healthz", core_views.healthz, name="healthz"),
    path("api/v1/", include(api_v1)),
    path("api/v1/", include("casebook.subjects.api.urls")),
    path("api/v1/", include("casebook.tracking.api.urls")),
    path("api/v1/", include("casebook.intel.api.urls")),
    path("api/v1/", include("casebook.reports.api.urls")),
    path("api/v1/", include("casebook.staff.api.urls")),
    path("api/v1/", include("casebook.monitoring.api.urls")),
    # for logged-in users only (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]); the docs are a page
    # that people open, so it sends them to the login like every other page
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="api-docs",
    ),
]

handler400 = "casebook.core.views.bad_request"
handler404 = "casebook.core.views.not_found"
handler500 = "casebook.core.views.server_error"
