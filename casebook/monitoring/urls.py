from django.urls import path

from . import source_views

app_name = "monitoring"
urlpatterns = [
    # sources (monitoring A)
    path("sources/", source_views.source_list, name="sources"),
    path("sources/new/", source_views.source_edit, name="source_create"),
    path("sources/<int:pk>/", source_views.source_detail, name="source"),
    path("sources/<int:pk>/edit/", source_views.source_edit, name="source_edit"),
    path("sources/<int:pk>/rotate/", source_views.source_rotate, name="source_rotate"),
]
