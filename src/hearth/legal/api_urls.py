from django.urls import URLPattern

app_name = "legal-api"

urlpatterns: list[URLPattern] = []
