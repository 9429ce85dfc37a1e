from django.urls import path

from . import views

app_name = "timescales"

urlpatterns = [
    path("", views.reference, name="reference"),
    path("deadlines/", views.deadline_list, name="deadline-list"),
    path("local-standards/", views.local_standard_list, name="local-standard-list"),
    path("local-standards/<int:pk>/", views.local_standard_edit, name="local-standard-edit"),
    path("bank-holidays/", views.bank_holiday_list, name="bank-holiday-list"),
    path("bank-holidays/add/", views.bank_holiday_add, name="bank-holiday-add"),
    path(
        "bank-holidays/<int:pk>/withdraw/",
        views.bank_holiday_withdraw,
        name="bank-holiday-withdraw",
    ),
]
