from django.urls import path

from . import api

app_name = "safeguarding-api"

urlpatterns = [
    path("risk-assessments/", api.RiskAssessmentListView.as_view(), name="risk-list"),
    path("risk-assessments/<int:pk>/", api.RiskAssessmentDetailView.as_view(), name="risk-detail"),
    path(
        "risk-assessments/<int:pk>/close/",
        api.RiskAssessmentCloseView.as_view(),
        name="risk-close",
    ),
    path("missing-episodes/", api.MissingEpisodeListView.as_view(), name="missing-list"),
    path(
        "missing-episodes/<int:pk>/",
        api.MissingEpisodeDetailView.as_view(),
        name="missing-detail",
    ),
]
