from django.urls import include, path

from . import views

app_name = "assessment"
urlpatterns = [
    path("assessment/", views.index, name="index"),
    path("assessment/figures/<slug:code>/", views.figure_rows, name="figure_rows"),
    path("assessment/spot-checks/", views.spotchecks, name="spotchecks"),
    path("assessment/spot-checks/<int:pk>/", views.spotcheck, name="spotcheck"),
    path("assessment/spot-items/<int:pk>/", views.spot_item, name="spot_item"),
    path("assessment/quarterly/", views.assessments, name="assessments"),
    path("assessment/quarterly/<int:pk>/", views.assessment, name="assessment"),
    path("assessment/quarterly/<int:pk>/<slug:step>/", views.assessment_act, name="assessment_act"),
    path("assessment/quarterly/export/", views.results_export, name="export"),
    path("assessment/opinions/", views.opinions, name="opinions"),
    path("assessment/opinions/<int:pk>/", views.opinion, name="opinion"),
    path("assessment/measures/", views.measures, name="measures"),
    path("assessment/measures/<int:pk>/", views.measure, name="measure"),
    path("opinion/", views.opinion_submit, name="opinion_submit"),
    path("api/v1/", include("casebook.assessment.api.urls")),
]
