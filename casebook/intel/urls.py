from django.urls import path

from . import partner_views, views

app_name = "intel"
urlpatterns = [
    path("records/", views.record_list, name="list"),
    path("records/export.csv", views.record_export, name="export"),
    path("records/new/", views.record_create, name="create"),
    path("records/<int:pk>/", views.record_detail, name="detail"),
    path("records/<int:pk>/verify/", views.record_verify, name="verify"),
    path("records/<int:pk>/organise/", views.record_organise, name="organise"),
    path("records/<int:pk>/merge/", views.record_merge, name="merge"),
    path("records/<int:pk>/attach/", views.attachment_upload, name="attach"),
    path("attachments/<int:pk>/", views.attachment_file, name="attachment"),
    path(
        "attachments/<int:pk>/thumb/",
        views.attachment_file,
        {"thumb": True},
        name="attachment_thumb",
    ),
    path("subjects/<int:subject_pk>/visit/", views.visit, name="visit"),
    path("rectifications/<int:pk>/close/", views.rectification_close, name="rectification_close"),
    path("informants/", views.informant_list, name="informants"),
    path("informants/<int:pk>/reveal/", views.informant_reveal, name="informant_reveal"),
    path("tips/", views.tip_queue, name="tips"),
    path("tips/<int:pk>/", views.tip_detail, name="tip_detail"),
    path("tip/", views.tip_submit, name="tip"),
    path("tasks/<int:pk>/share-partner/", partner_views.share_task, name="partner_share_task"),
    path(
        "subjects/<int:pk>/share-partner/",
        partner_views.share_incident,
        name="partner_share_incident",
    ),
    path("partner-links/<int:pk>/revoke/", partner_views.revoke, name="partner_revoke"),
    path("partner/<str:token>/", partner_views.public, name="partner_public"),
    path("tip/status/", views.tip_status, name="tip_status"),
]
