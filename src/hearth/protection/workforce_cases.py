"""Child protection in queues and caseloads: a child on a plan is a "child protection" case, and
the allocation queue marks a child with an open section 47 enquiry or on a plan."""

from __future__ import annotations

from hearth.workforce.cases import (
    CaseTypeRule,
    RiskMarker,
    register_case_type,
    register_risk_marker,
)
from hearth.workforce.codes import CaseType

from .person_tags import on_cp_plan, s47_open

register_case_type(CaseTypeRule(CaseType.CHILD_PROTECTION, priority=40, matches=on_cp_plan))
register_risk_marker(RiskMarker("s47", "Section 47 enquiry open", s47_open))
register_risk_marker(RiskMarker("cp_plan", "Child protection plan", on_cp_plan))
