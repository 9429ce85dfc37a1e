from django.urls import URLPattern

app_name = "legal"

urlpatterns: list[URLPattern] = []
