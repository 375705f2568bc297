from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("organisation/", views.unit_list, name="units"),
    path("organisation/new/", views.unit_edit, name="unit_create"),
    path("organisation/<int:pk>/", views.unit_edit, name="unit_edit"),
]
