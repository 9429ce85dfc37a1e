from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("<int:pk>/", views.detail, name="detail"),
    path("start/<int:person_pk>/", views.start, name="start"),
    path("<int:pk>/contingency/", views.contingency, name="contingency"),
    path("<int:pk>/end/", views.end, name="end"),
    path("<int:pk>/needs/add/", views.need_add, name="need-add"),
    path("needs/<int:pk>/", views.need_change, name="need-change"),
    path("<int:pk>/actions/add/", views.action_add, name="action-add"),
    path("actions/<int:pk>/", views.action_change, name="action-change"),
    path("actions/<int:pk>/status/", views.action_status, name="action-status"),
    path("<int:pk>/reviews/add/", views.review_add, name="review-add"),
]
