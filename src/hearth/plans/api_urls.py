from django.urls import path

from . import api

app_name = "plans-api"

urlpatterns = [
    path("plans/", api.PlanListView.as_view(), name="list"),
    path("plans/<int:pk>/", api.PlanDetailView.as_view(), name="detail"),
    path("plans/<int:pk>/end/", api.PlanEndView.as_view(), name="end"),
    path("plans/<int:pk>/needs/", api.NeedListView.as_view(), name="needs"),
    path("plans/<int:pk>/actions/", api.ActionListView.as_view(), name="actions"),
    path("plans/<int:pk>/reviews/", api.ReviewListView.as_view(), name="reviews"),
    path("plan-needs/<int:pk>/", api.NeedDetailView.as_view(), name="need"),
    path("plan-actions/<int:pk>/", api.ActionDetailView.as_view(), name="action"),
]
