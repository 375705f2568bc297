from django.urls import path
from rest_framework.routers import SimpleRouter

from . import supervision_views, views

urlpatterns = [
    path("staff/me/", views.MyFileView.as_view(), name="api-staff-me"),
    path("staff/training/", views.TrainingView.as_view(), name="api-staff-training"),
    path("staff/pledge/", views.PledgeView.as_view(), name="api-staff-pledge"),
    path("staff/pledge/sign/", views.PledgeSignView.as_view(), name="api-staff-pledge-sign"),
]

# self-summaries and supervision (supervision_views)
router = SimpleRouter()
router.register("staff/summaries", supervision_views.SummaryViewSet, basename="staff-summary")
router.register(
    "staff/inspections", supervision_views.InspectionViewSet, basename="staff-inspection"
)
router.register(
    "staff/rectifications", supervision_views.RectificationViewSet, basename="staff-rectification"
)
router.register("staff/complaints", supervision_views.ComplaintViewSet, basename="staff-complaint")
urlpatterns += router.urls
