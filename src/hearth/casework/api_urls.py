from django.urls import path

from . import api

app_name = "casework-api"

urlpatterns = [
    path("episodes/", api.EpisodeListView.as_view(), name="episodes"),
    path("episodes/<int:pk>/", api.EpisodeDetailView.as_view(), name="episode"),
    path("episodes/<int:pk>/close/", api.EpisodeCloseView.as_view(), name="episode-close"),
    path(
        "episodes/<int:pk>/no-further-action/",
        api.EpisodeNoFurtherActionView.as_view(),
        name="episode-nfa",
    ),
    path("assessments/", api.AssessmentListView.as_view(), name="assessments"),
    path("assessments/<int:pk>/", api.AssessmentDetailView.as_view(), name="assessment"),
    path(
        "assessments/<int:pk>/submit/", api.AssessmentSubmitView.as_view(), name="assessment-submit"
    ),
    path(
        "assessments/<int:pk>/authorise/",
        api.AssessmentAuthoriseView.as_view(),
        name="assessment-authorise",
    ),
    path(
        "assessments/<int:pk>/return/", api.AssessmentReturnView.as_view(), name="assessment-return"
    ),
]
