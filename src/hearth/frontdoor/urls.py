from django.urls import path

from . import views

app_name = "frontdoor"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("decisions/", views.decisions, name="decisions"),
    path("contacts/new/", views.contact_new, name="contact-new"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact"),
    path("contacts/<int:pk>/link/", views.contact_link, name="contact-link"),
    path("contacts/<int:pk>/new-person/", views.contact_new_person, name="contact-new-person"),
    path("contacts/<int:pk>/screen/", views.contact_screen, name="contact-screen"),
    path("contacts/<int:pk>/checks/", views.contact_checks, name="contact-checks"),
    path(
        "contacts/<int:pk>/checks/<int:check_pk>/return/",
        views.check_return,
        name="check-return",
    ),
    path("contacts/<int:pk>/recommend/", views.contact_recommend, name="contact-recommend"),
    path("contacts/<int:pk>/decide/", views.contact_decide, name="contact-decide"),
    path("partner/", views.partner_contact, name="partner-contact"),
    path("report/", views.public_contact, name="public-contact"),
    path("sent/", views.contact_sent, name="contact-sent"),
    path("early-help/", views.early_help_list, name="early-help-list"),
    path("early-help/new/<int:person_pk>/", views.early_help_new, name="early-help-new"),
    path("early-help/<int:pk>/", views.early_help_detail, name="early-help"),
    path("step-down/<int:episode_pk>/", views.step_down, name="step-down"),
]
