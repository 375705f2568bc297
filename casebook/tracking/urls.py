from django.urls import path

from . import views

app_name = "tracking"
urlpatterns = [
    path("", views.task_list, name="list"),
    path("board/", views.task_board, name="board"),
    path("new/", views.task_create, name="create"),
    path("bulk/", views.bulk, name="bulk"),
    path("<int:pk>/", views.task_detail, name="detail"),
    path("<int:pk>/accept/", views.task_accept, name="accept"),
    path("<int:pk>/advance/", views.task_advance, name="advance"),
    path("<int:pk>/return/", views.task_return, name="return"),
    path("<int:pk>/reassign/", views.task_reassign, name="reassign"),
    path("<int:pk>/deadlines/", views.task_deadlines, name="deadlines"),
    path("<int:pk>/share/", views.task_share, name="share"),
    path("<int:pk>/comment/", views.task_comment, name="comment"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/count/", views.notifications_count, name="notifications_count"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path(
        "notifications/group/<slug:kind>/",
        views.notification_group_open,
        name="notification_group_untasked",
    ),
    path(
        "notifications/group/<slug:kind>/<int:task>/",
        views.notification_group_open,
        name="notification_group",
    ),
    path("notifications/settings/", views.notification_settings, name="notification_settings"),
]
