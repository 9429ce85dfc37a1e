"""Auditors and administrators search the audit trail and export what they find."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from .. import audit, selectors
from ..access import requires
from ..choices import AuditAction
from ..forms.audit import AuditSearchForm
from ..models import AuditEvent, User

CSV_COLUMNS = [
    "occurred_at",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "person_id",
    "changes",
    "detail",
    "request_id",
    "ip_address",
]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(events: Iterator[AuditEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for e in events:
        row = [getattr(e, c) for c in CSV_COLUMNS]
        row[0] = e.occurred_at.isoformat()
        # Neutralise spreadsheet formulae in free text (CSV injection).
        yield writer.writerow(
            ["'" + v if isinstance(v, str) and v[:1] in "=+-@" else v for v in row]
        )


@requires("core.view_audit")
def audit_search(request: HttpRequest) -> HttpResponseBase:
    viewer: User = request.user  # type: ignore[assignment]
    filters = request.GET.copy()
    for key in ("page", "format"):
        filters.pop(key, None)
    form = AuditSearchForm(filters or None)
    events = None
    if not form.is_bound:
        events = selectors.audit_search(viewer=viewer, f=selectors.AuditFilter())  # latest first
    elif form.is_valid():
        f = selectors.AuditFilter(
            **{k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        )
        events = selectors.audit_search(viewer=viewer, f=f)
    if events is not None and request.GET.get("format") == "csv":
        audit.record(
            actor=viewer,
            action=AuditAction.EXPORT,
            object_type="core.auditevent",
            detail=f"Audit trail export: {filters.urlencode()}"[:500],
        )
        rows = _csv_rows(events.iterator(chunk_size=2000))
        response = StreamingHttpResponse(rows, content_type="text/csv")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="hearth-audit-{stamp}.csv"'
        return response
    page = Paginator(events, 50).get_page(request.GET.get("page")) if events is not None else None
    query = filters.copy()
    query["format"] = "csv"
    return render(
        request,
        "core/audit/search.html",
        {"form": form, "page_obj": page, "csv_query": query.urlencode()},
    )
