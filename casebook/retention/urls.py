from django.urls import path

from . import audit_review_views, transmission_views, views

app_name = "retention"

urlpatterns = [
    path("", views.index, name="index"),
    path("proposals/<int:pk>/", views.proposal, name="proposal"),
    path("proposals/<int:pk>/approve/", views.approve, name="approve"),
    path("proposals/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("certificates/<int:pk>/", views.certificate, name="certificate"),
    path("subjects/<int:pk>/renew/", views.renew, name="renew"),
    path("subjects/<int:pk>/close/", views.close, name="close"),
    path("holds/", views.hold_place, name="hold_place"),
    path("holds/<int:pk>/release/", views.hold_release, name="hold_release"),
    path("classes/new/", views.class_add, name="class_add"),
    path("classes/<int:pk>/", views.class_update, name="class_update"),
    path("register/", views.processing_register, name="register"),
    path("register.xlsx", views.processing_register_xlsx, name="register_xlsx"),
    path("audit-review/", audit_review_views.audit_review_page, name="audit_review"),
    path("audit-review.pdf", audit_review_views.audit_review_pdf, name="audit_review_pdf"),
    path("transmission/", transmission_views.transmission, name="transmission"),
]
