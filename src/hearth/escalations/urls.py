from django.urls import path

from . import views

app_name = "escalations"

urlpatterns = [
    path("", views.awaiting, name="awaiting"),
    path("open/", views.open_list, name="open"),
    path("raise/", views.partner_raise, name="partner-raise"),
    path("raise/<int:person_pk>/", views.raise_for_child, name="raise"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/respond/", views.respond, name="respond"),
    path("<int:pk>/resolve/", views.resolve, name="resolve"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/dispute/", views.dispute, name="dispute"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
