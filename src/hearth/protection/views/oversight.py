"""Oversight pages: the conference chair's page (conferences to record and coming up, reviews
due, plans over the legal gateway threshold, escalations raised) and the service's list of
children on child protection plans (category, duration, next review)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone

from hearth.core.access import requires, requires_any
from hearth.core.models import User

from .. import policies
from ..codes import LEGAL_GATEWAY_MONTHS, CategoryOfAbuse
from ..selectors import oversight

PAGE_SIZE = 50


def _viewer(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@requires(policies.VIEW, policies.CHAIR)
def chair(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    page = oversight.chair_page(viewer, timezone.localdate())
    return render(
        request,
        "protection/oversight/chair.html",
        {"page": page, "months": LEGAL_GATEWAY_MONTHS},
    )


@requires_any("core.manage_allocations", policies.CHAIR, policies.PERFORMANCE)
def children_on_plans(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    if not policies.may_see_service_lists(viewer):
        raise PermissionDenied
    on = timezone.localdate()
    category = request.GET.get("category", "")
    team = request.GET.get("team", "")
    filters = oversight.PlanFilters(
        category=category if category in CategoryOfAbuse.values else "",
        team=int(team) if team.isdigit() else None,
        over_threshold=request.GET.get("long") == "1",
        review_overdue=request.GET.get("overdue") == "1",
    )
    listing = oversight.children_on_plans(viewer, on, filters)
    page = Paginator(listing.plans, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = oversight.decorate(list(page.object_list), on)
    return render(
        request,
        "protection/oversight/plans.html",
        {
            "listing": listing,
            "page_obj": page,
            "filters": filters,
            "categories": CategoryOfAbuse.choices,
            "months": LEGAL_GATEWAY_MONTHS,
        },
    )


urlpatterns: list[URLPattern] = [
    path("chair/", chair, name="chair"),
    path("plans/", children_on_plans, name="plans"),
]
