from django.urls import path

from . import views

app_name = "legal"

urlpatterns = [
    path("", views.service_list, name="service-list"),
    path("emergency/new/<int:person_pk>/", views.emergency_record, name="emergency-record"),
    path("emergency/<int:pk>/", views.emergency_detail, name="emergency-detail"),
    path("emergency/<int:pk>/change/", views.emergency_change, name="emergency-change"),
    path("emergency/<int:pk>/end/", views.emergency_end, name="emergency-end"),
    path("emergency/<int:pk>/extend/", views.emergency_extend, name="emergency-extend"),
    path("gateway/new/<int:person_pk>/", views.gateway_record, name="gateway-record"),
    path("gateway/<int:pk>/", views.gateway_detail, name="gateway-detail"),
    path("gateway/<int:pk>/change/", views.gateway_change, name="gateway-change"),
    path("pre-proceedings/new/<int:person_pk>/", views.pp_start, name="pp-start"),
    path("pre-proceedings/<int:pk>/", views.pp_detail, name="pp-detail"),
    path("pre-proceedings/<int:pk>/change/", views.pp_change, name="pp-change"),
    path("pre-proceedings/<int:pk>/outcome/", views.pp_outcome, name="pp-outcome"),
    path("pre-proceedings/<int:pk>/reviews/add/", views.pp_review_add, name="pp-review-add"),
    path("proceedings/new/<int:person_pk>/", views.proceedings_issue, name="proceedings-issue"),
    path("proceedings/<int:pk>/", views.proceedings_detail, name="proceedings-detail"),
    path("proceedings/<int:pk>/change/", views.proceedings_change, name="proceedings-change"),
    path("proceedings/<int:pk>/hearings/add/", views.hearing_add, name="hearing-add"),
    path("hearings/<int:pk>/", views.hearing_change, name="hearing-change"),
    path("proceedings/<int:pk>/extensions/add/", views.extension_add, name="extension-add"),
    path(
        "proceedings/<int:pk>/interim-orders/add/",
        views.interim_order_add,
        name="interim-order-add",
    ),
    path("proceedings/<int:pk>/final-order/", views.final_order, name="final-order"),
]
