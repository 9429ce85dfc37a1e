from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from hearth.core.access import signed_in
from hearth.core.models import User

from . import selectors, services


@signed_in("everyone's own notifications; the list holds only theirs")
def notification_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    page = Paginator(selectors.notifications_for(user), 25).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page_obj": page})


@signed_in("marks only the user's own notifications read")
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.mark_read(user=request.user)  # type: ignore[arg-type]
    return redirect("notifications:list")
