from django.urls import path

from . import views

app_name = "analysis"
urlpatterns = [
    path("subjects/<int:subject_pk>/assess/", views.assess, name="assess"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/decide/", views.assessment_decide, name="decide"),
    path("measures/<int:pk>/task/", views.measure_task, name="measure_task"),
]
