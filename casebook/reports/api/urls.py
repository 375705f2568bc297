from rest_framework.routers import SimpleRouter

from .views import UrgentReportViewSet

router = SimpleRouter()
router.register("urgent-reports", UrgentReportViewSet, basename="urgent-report")
urlpatterns = router.urls
