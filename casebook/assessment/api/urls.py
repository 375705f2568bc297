from rest_framework.routers import SimpleRouter

from .views import AssessmentViewSet, FigureViewSet, OpinionViewSet, SpotCheckViewSet

router = SimpleRouter()
router.register("assessment/figures", FigureViewSet, basename="appraisal-figure")
router.register("assessment/spot-checks", SpotCheckViewSet, basename="appraisal-spotcheck")
router.register("assessment/assessments", AssessmentViewSet, basename="appraisal-assessment")
router.register("assessment/opinions", OpinionViewSet, basename="appraisal-opinion")
urlpatterns = router.urls
