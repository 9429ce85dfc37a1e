from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("hearth.reporting.urls")),
    path("", include("hearth.core.urls")),
    path("timescales/", include("hearth.timescales.urls")),
    path("people/", include("hearth.people.urls")),
    path("front-door/", include("hearth.frontdoor.urls")),
    path("casework/", include("hearth.casework.urls")),
    path("plans/", include("hearth.plans.urls")),
    path("protection/", include("hearth.protection.urls")),
    path("legal/", include("hearth.legal.urls")),
    path("visits/", include("hearth.visits.urls")),
    path("records/", include("hearth.records.urls")),
    path("safeguarding/", include("hearth.safeguarding.urls")),
    path("workforce/", include("hearth.workforce.urls")),
    path("supervision/", include("hearth.supervision.urls")),
    path("escalations/", include("hearth.escalations.urls")),
    path("case-audits/", include("hearth.case_audits.urls")),
    path("notifications/", include("hearth.notifications.urls")),
    # Each app's API lives beside it; all of it is under /api/.
    path("api/", include("hearth.workforce.api_urls")),
    path("api/", include("hearth.escalations.api_urls")),
    path("api/", include("hearth.casework.api_urls")),
    path("api/", include("hearth.plans.api_urls")),
    path("api/", include("hearth.protection.api_urls")),
    path("api/", include("hearth.legal.api_urls")),
    path("api/", include("hearth.visits.api_urls")),
    path("api/", include("hearth.records.api_urls")),
    path("api/", include("hearth.safeguarding.api_urls")),
    path("django-admin/", admin.site.urls),
]
