from django.urls import path

from . import views

app_name = "workforce"

urlpatterns = [
    path("allocation/", views.queue, name="queue"),
    path("allocate/<int:person_pk>/", views.allocate, name="allocate"),
    path("children/<int:person_pk>/", views.child, name="child"),
    path("children/<int:person_pk>/roles/new/", views.role_add, name="role-add"),
    path("children/<int:person_pk>/transfer/", views.transfer, name="transfer"),
    path("allocations/<int:pk>/end/", views.allocation_end, name="end"),
    path("caseloads/", views.caseload_list, name="caseloads"),
    path("teams/<int:pk>/", views.team, name="team"),
    path("figures/", views.figures, name="figures"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/weights/<str:case_type>/", views.weight_edit, name="weight-edit"),
    path(
        "settings/teams/<int:team_pk>/establishment/",
        views.establishment_add,
        name="establishment-add",
    ),
]
