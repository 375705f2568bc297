from django.urls import path

from . import alert_views, source_views

app_name = "monitoring"
urlpatterns = [
    # sources (monitoring A)
    path("sources/", source_views.source_list, name="sources"),
    path("sources/new/", source_views.source_edit, name="source_create"),
    path("sources/<int:pk>/", source_views.source_detail, name="source"),
    path("sources/<int:pk>/edit/", source_views.source_edit, name="source_edit"),
    path("sources/<int:pk>/rotate/", source_views.source_rotate, name="source_rotate"),
    # geofences, bindings and alerts (monitoring B)
    path("alerts/", alert_views.alert_list, name="alerts"),
    path("alerts/<int:pk>/", alert_views.alert_detail, name="alert"),
    path("alerts/<int:pk>/acknowledge/", alert_views.alert_acknowledge, name="alert_ack"),
    path("alerts/<int:pk>/dismiss/", alert_views.alert_dismiss, name="alert_dismiss"),
    path("alerts/<int:pk>/promote/", alert_views.alert_promote, name="alert_promote"),
    path("alerts/<int:pk>/urgent/", alert_views.alert_urgent, name="alert_urgent"),
    path("map/", alert_views.alert_map, name="map"),
    path("map/live/", alert_views.alert_live, name="live"),
    path("fences/", alert_views.fence_list, name="fences"),
    path("fences/new/", alert_views.fence_new, name="fence_new"),
    path("fences/import/", alert_views.fence_import, name="fence_import"),
    path("fences/<int:pk>/", alert_views.fence_detail, name="fence"),
    path("fences/<int:pk>/withdraw/", alert_views.fence_withdraw, name="fence_withdraw"),
    path("bindings/", alert_views.binding_list, name="bindings"),
    path("bindings/<int:pk>/revoke/", alert_views.binding_revoke, name="binding_revoke"),
]
