from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("feedback/new/<int:task_pk>/", views.feedback_new, name="feedback_new"),
    path("feedback/<int:pk>/", views.feedback_detail, name="feedback"),
    path("feedback/<int:pk>/acknowledge/", views.feedback_acknowledge, name="feedback_ack"),
    path("feedback/<int:pk>/task/", views.feedback_task, name="feedback_task"),
    path("urgent/new/", views.urgent_new, name="urgent_new"),
    path("urgent/<int:pk>/", views.urgent_detail, name="urgent"),
    path("urgent/<int:pk>/acknowledge/", views.urgent_acknowledge, name="urgent_ack"),
    path("duty/", views.duty_roster, name="duty"),
    path("duty/<int:pk>/remove/", views.duty_remove, name="duty_remove"),
    path("archive/<int:pk>/print/", views.dossier_print, name="print"),
    path("exports/", views.export_list, name="exports"),
    path("exports/new/", views.export_new, name="export_new"),
    path("exports/<int:pk>/", views.export_detail, name="export"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("periodic/", views.periodic_list, name="periodic"),
    path("periodic/<int:pk>/download/", views.periodic_download, name="periodic_download"),
]
