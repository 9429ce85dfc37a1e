from django.urls import path

from hearth.frontdoor import api as frontdoor_api
from hearth.people import api as people_api

from .api import docs as api_docs
from .api import views as api
from .views import account, audit, public, staff

app_name = "core"

urlpatterns = [
    path("healthz", public.healthz, name="healthz"),
    # account
    path("sign-in/", account.SignInView.as_view(), name="sign-in"),
    path("sign-out/", account.SignOutView.as_view(), name="sign-out"),
    path("password-reset/", account.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password-reset/sent/", account.PasswordResetSentView.as_view(), name="password-reset-sent"
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        account.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password-reset/complete/",
        account.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path("account/two-factor/", account.two_factor_verify, name="two-factor-verify"),
    path("account/two-factor/set-up/", account.two_factor_setup, name="two-factor-setup"),
    # staff administration
    path("admin/users/", staff.user_list, name="user-list"),
    path("admin/users/new/", staff.user_create, name="user-create"),
    path("admin/users/<int:pk>/", staff.user_detail, name="user-detail"),
    path("admin/users/<int:pk>/edit/", staff.user_edit, name="user-edit"),
    path("admin/users/<int:pk>/close/", staff.user_close, name="user-close"),
    path("admin/roles/", staff.role_list, name="role-list"),
    path("admin/roles/<int:pk>/edit/", staff.role_edit, name="role-edit"),
    path("teams/", staff.team_list, name="team-list"),
    path("teams/new/", staff.team_create, name="team-create"),
    path("teams/<int:pk>/", staff.team_detail, name="team-detail"),
    path("teams/<int:pk>/edit/", staff.team_edit, name="team-edit"),
    path("teams/<int:pk>/members/add/", staff.team_member_add, name="team-member-add"),
    path("teams/members/<int:pk>/end/", staff.team_member_end, name="team-member-end"),
    # audit trail
    path("audit/", audit.audit_search, name="audit-search"),
    # API
    path("api/me/", api.MeView.as_view(), name="api-me"),
    path("api/teams/", api.TeamListView.as_view(), name="api-team-list"),
    path("api/teams/<int:pk>/", api.TeamDetailView.as_view(), name="api-team-detail"),
    path("api/schema/", api.SchemaView.as_view(), name="api-schema"),
    path("api/docs/", api_docs.api_docs, name="developer-docs"),
    path("api/people/", people_api.PersonListView.as_view(), name="api-person-list"),
    path("api/people/<int:pk>/", people_api.PersonDetailView.as_view(), name="api-person-detail"),
    path("api/contacts/", frontdoor_api.ContactListView.as_view(), name="api-contact-list"),
    path(
        "api/contacts/<int:pk>/",
        frontdoor_api.ContactDetailView.as_view(),
        name="api-contact-detail",
    ),
]
