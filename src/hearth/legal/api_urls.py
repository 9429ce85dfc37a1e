from django.urls import path

from . import api

app_name = "legal-api"

urlpatterns = [
    path("emergency-protection/", api.EmergencyListView.as_view(), name="emergency-list"),
    path("emergency-protection/<int:pk>/", api.EmergencyDetailView.as_view(), name="emergency"),
    path(
        "emergency-protection/<int:pk>/extension/",
        api.EmergencyExtensionView.as_view(),
        name="emergency-extension",
    ),
    path("legal-gateway-meetings/", api.GatewayListView.as_view(), name="gateway-list"),
    path("legal-gateway-meetings/<int:pk>/", api.GatewayDetailView.as_view(), name="gateway"),
    path("pre-proceedings/", api.PreProceedingsListView.as_view(), name="pp-list"),
    path("pre-proceedings/<int:pk>/", api.PreProceedingsDetailView.as_view(), name="pp"),
    path(
        "pre-proceedings/<int:pk>/reviews/",
        api.PreProceedingsReviewView.as_view(),
        name="pp-reviews",
    ),
    path("care-proceedings/", api.ProceedingsListView.as_view(), name="proceedings-list"),
    path("care-proceedings/<int:pk>/", api.ProceedingsDetailView.as_view(), name="proceedings"),
    path(
        "care-proceedings/<int:pk>/hearings/",
        api.HearingListView.as_view(),
        name="proceedings-hearings",
    ),
    path(
        "care-proceedings/<int:pk>/extensions/",
        api.ExtensionListView.as_view(),
        name="proceedings-extensions",
    ),
    path(
        "care-proceedings/<int:pk>/interim-orders/",
        api.InterimOrderListView.as_view(),
        name="proceedings-interim-orders",
    ),
]
