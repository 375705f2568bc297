from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.log, name="log"),
    path("export/", views.export, name="export"),
    path("verify/", views.verify, name="verify"),
    path("checkpoint/", views.checkpoint, name="checkpoint"),
    path("checkpoints.jsonl", views.checkpoint_download, name="checkpoints"),
]
