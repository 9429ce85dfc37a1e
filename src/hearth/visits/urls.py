from django.urls import path

from . import views

app_name = "visits"

urlpatterns = [
    path("mine/", views.visits_mine, name="mine"),
    path("new/<int:person_pk>/", views.visit_new, name="new"),
    path("<int:pk>/", views.visit_detail, name="detail"),
    path("<int:pk>/change/", views.visit_change, name="change"),
    path("<int:pk>/withdraw/", views.visit_withdraw, name="withdraw"),
]
