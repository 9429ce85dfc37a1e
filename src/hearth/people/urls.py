from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.search, name="search"),
    path("new/", views.person_create, name="create"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/chronology/", views.chronology, name="chronology"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:pk>/names/new/", views.name_add, name="name-add"),
    path("<int:pk>/addresses/new/", views.address_add, name="address-add"),
    path("<int:pk>/relationships/new/", views.relationship_add, name="relationship-add"),
    path("relationships/<int:pk>/end/", views.relationship_end, name="relationship-end"),
    path("<int:pk>/families/new/", views.family_join, name="family-join"),
    path("family-memberships/<int:pk>/leave/", views.family_leave, name="family-leave"),
    path("<int:pk>/restriction/", views.restriction, name="restriction"),
    path("<int:pk>/merge/", views.merge, name="merge"),
    path("merges/<int:pk>/undo/", views.merge_undo, name="merge-undo"),
]
