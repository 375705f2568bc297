from django.urls import path

from . import supervision_views

app_name = "staff"
urlpatterns = [
    # self-summaries and supervision (supervision_views)
    path("summaries/", supervision_views.summaries, name="summaries"),
    path("summaries/new/", supervision_views.summary_new, name="summary_new"),
    path("summaries/<int:pk>/", supervision_views.summary_detail, name="summary"),
    path("supervision/", supervision_views.supervision, name="supervision"),
    path("supervision/report/", supervision_views.report, name="supervision_report"),
    path("supervision/audit/", supervision_views.supervised_audit, name="supervised_audit"),
    path("inspections/new/", supervision_views.inspection_new, name="inspection_new"),
    path("inspections/<int:pk>/", supervision_views.inspection_detail, name="inspection"),
    path("rectifications/<int:pk>/", supervision_views.rectification_detail, name="rectification"),
    path(
        "rectifications/<int:pk>/evidence/",
        supervision_views.rectification_evidence,
        name="rectification_evidence",
    ),
    path("complaints/new/", supervision_views.complaint_new, name="complaint_new"),
    path("complaints/<int:pk>/", supervision_views.complaint_detail, name="complaint"),
]
