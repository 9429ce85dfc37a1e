from django.urls import path

from . import views

app_name = "records"

urlpatterns = [
    path("people/<int:person_pk>/notes/", views.notes, name="notes"),
    path("people/<int:person_pk>/notes/new/", views.note_add, name="note-add"),
    path("notes/<int:pk>/", views.note_detail, name="note"),
    path("notes/<int:pk>/change/", views.note_change, name="note-change"),
    path("notes/<int:pk>/withdraw/", views.note_withdraw, name="note-withdraw"),
    path("people/<int:person_pk>/documents/", views.documents, name="documents"),
    path("people/<int:person_pk>/documents/new/", views.document_upload, name="document-upload"),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path(
        "documents/<int:pk>/versions/new/",
        views.document_version_add,
        name="document-version-add",
    ),
    path("documents/<int:pk>/withdraw/", views.document_withdraw, name="document-withdraw"),
    path("document-versions/<int:pk>/download/", views.download, name="download"),
]
