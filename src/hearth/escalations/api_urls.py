from django.urls import path

from . import api

app_name = "escalations-api"

urlpatterns = [
    path("escalations/", api.EscalationListView.as_view(), name="list"),
    path("escalations/<int:pk>/", api.EscalationDetailView.as_view(), name="detail"),
    path("escalations/<int:pk>/respond/", api.RespondView.as_view(), name="respond"),
    path("escalations/<int:pk>/resolve/", api.ResolveView.as_view(), name="resolve"),
    path("escalations/<int:pk>/accept/", api.AcceptView.as_view(), name="accept"),
    path("escalations/<int:pk>/dispute/", api.DisputeView.as_view(), name="dispute"),
]
