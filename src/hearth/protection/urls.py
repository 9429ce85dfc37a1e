from django.urls import URLPattern

from .views import conferences, oversight, strategy

app_name = "protection"

urlpatterns: list[URLPattern] = [
    *strategy.urlpatterns,
    *conferences.urlpatterns,
    *oversight.urlpatterns,
]
