from django.urls import path

from . import api

app_name = "workforce-api"

urlpatterns = [
    path("allocations/", api.AllocationListView.as_view(), name="allocation-list"),
    path("allocations/<int:pk>/", api.AllocationDetailView.as_view(), name="allocation-detail"),
    path("caseloads/", api.CaseloadListView.as_view(), name="caseload-list"),
    path("unallocated/", api.UnallocatedListView.as_view(), name="unallocated-list"),
]
