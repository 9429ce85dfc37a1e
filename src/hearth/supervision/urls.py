from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("", views.home, name="home"),
    path("workers/<int:user_pk>/", views.worker, name="worker"),
    path("workers/<int:user_pk>/sessions/new/", views.session_new, name="session-new"),
    path("teams/<int:team_pk>/", views.team, name="team"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session-edit"),
    path("sessions/<int:pk>/withdraw/", views.session_withdraw, name="session-withdraw"),
    path("sessions/<int:pk>/discussions/new/", views.discussion_new, name="discussion-new"),
    path("discussions/<int:pk>/", views.discussion_detail, name="discussion"),
    path("discussions/<int:pk>/edit/", views.discussion_edit, name="discussion-edit"),
    path("discussions/<int:pk>/withdraw/", views.discussion_withdraw, name="discussion-withdraw"),
    path("discussions/<int:pk>/actions/new/", views.action_new, name="action-new"),
    path("actions/<int:pk>/done/", views.action_complete, name="action-done"),
    path("people/<int:person_pk>/oversight/new/", views.oversight_new, name="oversight-new"),
    path("oversight/<int:pk>/edit/", views.oversight_edit, name="oversight-edit"),
    path("oversight/<int:pk>/withdraw/", views.oversight_withdraw, name="oversight-withdraw"),
]
