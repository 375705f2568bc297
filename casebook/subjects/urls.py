from django.urls import path

from . import category_views, import_views, picker_views, views

app_name = "subjects"
urlpatterns = [
    path("", views.subject_list, name="list"),
    path("map/", views.subject_map, name="map"),
    path("pick/", picker_views.subject_pick, name="pick"),
    path("categories/", category_views.category_list, name="categories"),
    path("categories/new/", category_views.category_edit, name="category_create"),
    path("categories/<int:pk>/", category_views.category_edit, name="category_edit"),
    path("categories/<int:pk>/checklist/", category_views.checklist_add, name="checklist_add"),
    path("categories/changes/", category_views.category_changes, name="category_changes"),
    path(
        "categories/changes/<int:pk>/",
        category_views.category_change_decide,
        name="category_change_decide",
    ),
    path(
        "categories/<int:pk>/checklist/<int:item_pk>/retire/",
        category_views.checklist_retire,
        name="checklist_retire",
    ),
    path("import/", import_views.import_home, name="import"),
    path("import/template.xlsx", import_views.import_template, name="import_template"),
    path("import/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("import/<int:pk>/start/", import_views.import_start, name="import_start"),
    path("import/<int:pk>/progress/", import_views.import_progress, name="import_progress"),
    path("new/<str:kind>/", views.subject_create, name="create"),
    path("<int:pk>/", views.subject_detail, name="detail"),
    path("<int:pk>/edit/", views.subject_edit, name="edit"),
    path("<int:pk>/consult/", views.subject_consult, name="consult"),
    path("<int:pk>/status/", views.subject_status, name="status"),
    path("<int:pk>/review/", views.subject_review, name="review"),
    path("<int:pk>/links/", views.link_add, name="link_add"),
    path("<int:pk>/links/<int:link_pk>/delete/", views.link_delete, name="link_delete"),
    path("<int:pk>/records/<str:record>/", views.record_add, name="record_add"),
    path("<int:pk>/situation/", views.situation_add, name="situation_add"),
    path("<int:pk>/photo/", views.photo, name="photo"),
    path("<int:pk>/photo/upload/", views.photo_upload, name="photo_upload"),
    path("<int:pk>/graph.json", views.graph, name="graph"),
]
