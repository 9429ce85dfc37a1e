from django.urls import path

from . import views

app_name = "safeguarding"

urlpatterns = [
    path("risk/new/<int:person_pk>/", views.risk_record, name="risk-record"),
    path("risk/<int:pk>/", views.risk_detail, name="risk-detail"),
    path("risk/<int:pk>/change/", views.risk_update, name="risk-update"),
    path("risk/<int:pk>/close/", views.risk_close, name="risk-close"),
    path("missing/", views.missing_list, name="missing-list"),
    path("missing/new/<int:person_pk>/", views.missing_record, name="missing-record"),
    path("missing/<int:pk>/", views.missing_detail, name="missing-detail"),
    path("missing/<int:pk>/change/", views.missing_update, name="missing-update"),
    path("missing/<int:pk>/return/", views.missing_return, name="missing-return"),
    path("missing/<int:pk>/interview/", views.missing_interview, name="missing-interview"),
    path("needing-assessment/", views.needing_assessment, name="needing-assessment"),
]
