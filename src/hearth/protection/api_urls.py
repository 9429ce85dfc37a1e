from django.urls import URLPattern

from .api import conferences, strategy

app_name = "protection-api"

urlpatterns: list[URLPattern] = [*strategy.urlpatterns, *conferences.urlpatterns]
