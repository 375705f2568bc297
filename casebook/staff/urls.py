from django.urls import path

from . import supervision_views, views

app_name = "staff"
urlpatterns = [
    # the officer file, the confidentiality pledge, training (views)
    path("me/", views.my_file, name="my_file"),
    path("officers/", views.officers, name="officers"),
    path("officers/<int:pk>/", views.officer_file, name="officer"),
    path("officers/<int:pk>/post/", views.profile_edit, name="profile_edit"),
    path("officers/<int:pk>/certificates/new/", views.certificate_new, name="certificate_new"),
    path("officers/<int:pk>/conduct/new/", views.conduct_new, name="conduct_new"),
    path("certificates/<int:pk>/file/", views.certificate_file, name="certificate_file"),
    path("pledge/", views.pledge, name="pledge"),
    path("pledge/manage/", views.pledge_admin, name="pledge_admin"),
    path("training/", views.training, name="training"),
    path("training/sessions/<int:pk>/", views.session_detail, name="session"),
    path("training/materials/<int:pk>/", views.material_file, name="material_file"),
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
