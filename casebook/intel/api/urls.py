from rest_framework.routers import SimpleRouter

from .views import RecordViewSet, TipViewSet

router = SimpleRouter()
router.register("records", RecordViewSet, basename="record")
router.register("tips", TipViewSet, basename="tip")
urlpatterns = router.urls
