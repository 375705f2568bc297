from django.urls import path

from . import views

app_name = "analysis"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("bureau/", views.bureau, name="bureau"),
    path("warnings/", views.warnings, name="warnings"),
    path("warnings/<int:pk>/handle/", views.warning_handle, name="warning_handle"),
    path("places/", views.places_map, name="places"),
    path("rules/", views.rules_config, name="rules"),
    path("categories/<int:category_pk>/factors/", views.factor_add, name="factor_add"),
    path("factors/<int:pk>/retire/", views.factor_retire, name="factor_retire"),
    path("subjects/<int:subject_pk>/trail/", views.trail, name="trail"),
    path("subjects/<int:subject_pk>/assess/", views.assess, name="assess"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/decide/", views.assessment_decide, name="decide"),
    path("measures/<int:pk>/task/", views.measure_task, name="measure_task"),
]
