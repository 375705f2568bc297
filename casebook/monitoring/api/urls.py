from django.urls import path

from .views import EventIngestView

urlpatterns = [
    path("monitoring/<str:code>/events", EventIngestView.as_view(), name="monitoring-ingest"),
]
