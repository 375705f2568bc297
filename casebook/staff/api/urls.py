from django.urls import path

from . import views

urlpatterns = [
    path("staff/me/", views.MyFileView.as_view(), name="api-staff-me"),
    path("staff/training/", views.TrainingView.as_view(), name="api-staff-training"),
    path("staff/pledge/", views.PledgeView.as_view(), name="api-staff-pledge"),
    path("staff/pledge/sign/", views.PledgeSignView.as_view(), name="api-staff-pledge-sign"),
]
