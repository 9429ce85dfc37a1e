from django.urls import path

from . import views

app_name = "case_audits"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("templates/", views.template_list, name="templates"),
    path("templates/new/", views.template_new, name="template-new"),
    path("templates/<int:pk>/", views.template_detail, name="template"),
    path("templates/<int:pk>/supersede/", views.template_supersede, name="template-supersede"),
    path("templates/<int:pk>/retire/", views.template_retire, name="template-retire"),
    path("programmes/", views.programme_list, name="programmes"),
    path("programmes/new/", views.programme_new, name="programme-new"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme"),
    path("audits/<int:pk>/", views.audit_detail, name="audit"),
    path("audits/<int:pk>/findings/", views.finding_add, name="finding-add"),
    path(
        "audits/<int:pk>/findings/<int:finding_pk>/remove/",
        views.finding_remove,
        name="finding-remove",
    ),
    path("audits/<int:pk>/actions/", views.action_add, name="action-add"),
    path("audits/<int:pk>/moderate/", views.moderate, name="moderate"),
    path("audits/<int:pk>/reassign/", views.reassign, name="reassign"),
    path("audits/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("actions/", views.action_list, name="actions"),
    path("actions/<int:pk>/", views.action_detail, name="action"),
    path("summary/", views.summary, name="summary"),
]
