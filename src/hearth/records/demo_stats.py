"""This app's section of `manage.py council_stats`: case notes by kind, how many are significant,
restricted and withdrawn, the children with notes, and documents with their versions."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from hearth.core.models import Council
from hearth.demo.stats import register_stats

from .codes import RecordStatus
from .models import CaseNote, Document, DocumentVersion


@register_stats("records")
def records_figures(council: Council | None) -> dict[str, Any]:
    notes = CaseNote.objects.all()
    by_kind = dict(
        notes.order_by().values_list("kind").annotate(n=Count("pk")).values_list("kind", "n")
    )
    total = sum(by_kind.values())
    significant = notes.filter(significant=True).count()
    return {
        "case_notes": total,
        "case_notes_by_kind": dict(sorted(by_kind.items())),
        "significant": significant,
        "significant_share": round(significant / total, 4) if total else 0.0,
        "restricted": notes.filter(restricted=True).count(),
        "withdrawn": notes.filter(status=RecordStatus.WITHDRAWN).count(),
        "children_with_notes": notes.values("person_id").distinct().count(),
        "documents": Document.objects.count(),
        "document_versions": DocumentVersion.objects.count(),
    }
