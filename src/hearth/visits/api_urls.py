from django.urls import path

from . import api

app_name = "visits-api"

urlpatterns = [
    path("visits/", api.VisitListView.as_view(), name="list"),
    path("visits/<int:pk>/", api.VisitDetailView.as_view(), name="detail"),
    path("visits/<int:pk>/withdraw/", api.VisitWithdrawView.as_view(), name="withdraw"),
]
