from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("hearth.core.urls")),
    path("timescales/", include("hearth.timescales.urls")),
    path("people/", include("hearth.people.urls")),
    path("front-door/", include("hearth.frontdoor.urls")),
    path("django-admin/", admin.site.urls),
]
