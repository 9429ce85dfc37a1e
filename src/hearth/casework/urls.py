from django.urls import path

from . import views

app_name = "casework"

urlpatterns = [
    path("referral/<int:person_pk>/", views.referral_new, name="referral-new"),
    path("episodes/<int:pk>/", views.episode, name="episode"),
    path("episodes/<int:pk>/close/", views.episode_close, name="episode-close"),
    path(
        "episodes/<int:pk>/no-further-action/",
        views.episode_no_further_action,
        name="episode-nfa",
    ),
    path("episodes/<int:pk>/assessment/", views.assessment_start, name="assessment-start"),
    path("assessments/<int:pk>/", views.assessment, name="assessment"),
    path("assessments/<int:pk>/edit/", views.assessment_edit, name="assessment-edit"),
    path("assessments/<int:pk>/submit/", views.assessment_submit, name="assessment-submit"),
    path(
        "assessments/<int:pk>/authorise/", views.assessment_authorise, name="assessment-authorise"
    ),
    path("assessments/<int:pk>/return/", views.assessment_return, name="assessment-return"),
    path("assessments/awaiting/", views.awaiting_authorisation, name="awaiting"),
]
