from django.urls import path

from . import api

app_name = "records-api"

urlpatterns = [
    path("case-notes/", api.CaseNoteListView.as_view(), name="case-note-list"),
    path("case-notes/<int:pk>/", api.CaseNoteDetailView.as_view(), name="case-note-detail"),
    path(
        "case-notes/<int:pk>/withdraw/",
        api.CaseNoteWithdrawView.as_view(),
        name="case-note-withdraw",
    ),
    path("documents/", api.DocumentListView.as_view(), name="document-list"),
    path("documents/<int:pk>/", api.DocumentDetailView.as_view(), name="document-detail"),
    path(
        "documents/<int:pk>/versions/",
        api.DocumentVersionsView.as_view(),
        name="document-versions",
    ),
    path(
        "document-versions/<int:pk>/download/",
        api.DownloadView.as_view(),
        name="document-download",
    ),
]
