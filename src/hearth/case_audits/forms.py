"""Forms for case audits. Services check the rules that span records; these check each field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.utils import timezone

from hearth.core.forms.base import GovukForm
from hearth.core.forms.fields import GovukDateField
from hearth.core.forms.staff import VersionedForm
from hearth.core.models import Team, User

from .models import Answer, AuditDomain, AuditTemplate, CaseAudit, FindingKind, Grade, Theme
from .selectors import auditor_choices
from .services import DomainSpec, QuestionSpec, Selection

MAX_DOMAINS = 10
GUIDANCE_SEPARATOR = "|"


# --- templates -----------------------------------------------------------------------------------


def _questions_text(spec: DomainSpec) -> str:
    return "\n".join(
        f"{q.text} {GUIDANCE_SEPARATOR} {q.guidance}" if q.guidance else q.text
        for q in spec.questions
    )


def _parse_questions(text: str) -> list[QuestionSpec]:
    questions = []
    for line in text.splitlines():
        if not line.strip():
            continue
        question, _, guidance = line.partition(GUIDANCE_SEPARATOR)
        questions.append(QuestionSpec(question.strip(), guidance.strip()))
    return questions


class TemplateForm(GovukForm):
    """A template's name and up to ten domains, each with its questions typed one per line."""

    name = forms.CharField(label="Name of the template", max_length=150)
    description = forms.CharField(
        label="Description (optional)",
        help_text="What the template is for and when to use it.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, MAX_DOMAINS + 1):
            self.fields[f"domain_{n}_title"] = forms.CharField(
                label="Title", max_length=200, required=False
            )
            self.fields[f"domain_{n}_theme"] = forms.ChoiceField(
                label="Theme",
                choices=[("", "Choose a theme"), *Theme.choices],
                required=False,
                help_text="Findings are counted by theme in the summary.",
            )
            self.fields[f"domain_{n}_questions"] = forms.CharField(
                label="Questions (optional)",
                help_text=(
                    "One question per line. To add guidance for the auditor, put it after a "
                    f"vertical bar ( {GUIDANCE_SEPARATOR} ) on the same line."
                ),
                widget=forms.Textarea(attrs={"rows": 4}),
                required=False,
            )

    @staticmethod
    def initial_for(template: AuditTemplate, specs: list[DomainSpec]) -> dict[str, Any]:
        initial: dict[str, Any] = {"name": template.name, "description": template.description}
        for n, spec in enumerate(specs, start=1):
            initial[f"domain_{n}_title"] = spec.title
            initial[f"domain_{n}_theme"] = spec.theme
            initial[f"domain_{n}_questions"] = _questions_text(spec)
        return initial

    def slots(self) -> list[dict[str, Any]]:
        return [
            {
                "n": n,
                "title": self[f"domain_{n}_title"],
                "theme": self[f"domain_{n}_theme"],
                "questions": self[f"domain_{n}_questions"],
            }
            for n in range(1, MAX_DOMAINS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        domains: list[DomainSpec] = []
        for n in range(1, MAX_DOMAINS + 1):
            title = (data.get(f"domain_{n}_title") or "").strip()
            theme = data.get(f"domain_{n}_theme") or ""
            questions = _parse_questions(data.get(f"domain_{n}_questions") or "")
            if not (title or theme or questions):
                continue
            if not title:
                self.add_error(f"domain_{n}_title", f"Enter a title for domain {n}")
            if not theme:
                self.add_error(f"domain_{n}_theme", f"Select a theme for domain {n}")
            if any(len(q.text) > 300 for q in questions):
                self.add_error(
                    f"domain_{n}_questions", "Each question must be 300 characters or fewer"
                )
            domains.append(DomainSpec(title=title, theme=theme, questions=questions))
        if not domains:
            self.add_error("domain_1_title", "Enter at least one domain to grade")
        data["domains"] = domains
        return data


# --- programmes ----------------------------------------------------------------------------------


class ProgrammeForm(GovukForm):
    name = forms.CharField(
        label="Name of the programme",
        max_length=150,
        help_text="For example, Monthly case audit: November 2026.",
    )
    template = forms.ModelChoiceField(
        label="Audit template",
        queryset=AuditTemplate.objects.filter(active=True).order_by("name"),
        empty_label="Choose a template",
    )
    period_start = GovukDateField(label="Start of the period audited")
    period_end = GovukDateField(label="End of the period audited")
    due_by = GovukDateField(label="Audits due by")
    method = forms.ChoiceField(
        label="How are the cases chosen?",
        choices=[
            (Selection.SAMPLE, "A random sample of a team's open cases"),
            (Selection.TEAM, "Every open case of a team"),
            (Selection.NAMED, "Children I name by child ID"),
        ],
        widget=forms.RadioSelect,
    )
    team = forms.ModelChoiceField(
        label="Team (for a team's cases or a sample)",
        queryset=Team.objects.filter(is_active=True).order_by("name"),
        required=False,
        empty_label="Choose a team",
    )
    sample_size = forms.IntegerField(
        label="How many cases to sample",
        min_value=1,
        max_value=200,
        required=False,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
    )
    child_ids = forms.CharField(
        label="Child IDs (for children you name)",
        help_text="One child ID per line.",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    auditors = forms.ModelMultipleChoiceField(
        label="Auditors",
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=(
            "Cases are shared evenly between them. Nobody is given a case they hold, and a "
            "team's own manager only when no one else chosen can audit it."
        ),
        error_messages={"required": "Choose at least one auditor"},
    )
    notes = forms.CharField(
        label="Notes (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="The focus of this programme, for the auditors.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        queryset = auditor_choices()
        self.fields["auditors"].queryset = queryset  # type: ignore[attr-defined]
        self.fields["auditors"].label_from_instance = (  # type: ignore[attr-defined]
            lambda u: f"{u.full_name}, {u.job_title}" if u.job_title else u.full_name
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end, due = data.get("period_start"), data.get("period_end"), data.get("due_by")
        if start and end and end < start:
            self.add_error("period_end", "The end of the period must be on or after its start")
        if due and due < timezone.localdate():
            self.add_error("due_by", "The due date must be today or in the future")
        method = data.get("method")
        if method in (Selection.TEAM, Selection.SAMPLE) and not data.get("team"):
            self.add_error("team", "Select the team whose cases are audited")
        if method == Selection.SAMPLE and not data.get("sample_size"):
            self.add_error("sample_size", "Enter how many cases to sample")
        if method == Selection.NAMED and not (data.get("child_ids") or "").strip():
            self.add_error("child_ids", "Enter the child ID of at least one child")
        return data


def default_programme_dates(today: dt.date) -> dict[str, dt.date]:
    """Last month's work, due by the end of this month."""
    first_this_month = today.replace(day=1)
    last_month_end = first_this_month - dt.timedelta(days=1)
    next_month = (first_this_month + dt.timedelta(days=32)).replace(day=1)
    return {
        "period_start": last_month_end.replace(day=1),
        "period_end": last_month_end,
        "due_by": next_month - dt.timedelta(days=1),
    }


# --- the audit -----------------------------------------------------------------------------------


class GradeField(forms.ChoiceField):
    """A grade needed to submit the audit but not to save a draft: shown as required (no
    "(optional)" on its label) while an empty answer passes; the service refuses to submit
    without it, naming the field."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Grade.choices, widget=forms.RadioSelect, required=True, **kwargs)

    def validate(self, value: Any) -> None:
        if value in self.empty_values:
            return
        super().validate(value)


class AuditForm(VersionedForm):
    """A grade and commentary for each domain, an answer for each question, the overall grade."""

    overall_grade = GradeField(
        label="Overall grade for the case",
        help_text="Your judgement of the child's experience and progress, taking every domain "
        "into account.",
    )
    summary = forms.CharField(
        label="Summary",
        help_text="What this audit found, in a few sentences, for the worker and their manager.",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )

    def __init__(self, *args: Any, domains: list[AuditDomain], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.domains = domains
        for domain in domains:
            self.fields[f"domain_{domain.pk}_grade"] = GradeField(
                label=f"Grade for ‘{domain.title}’"
            )
            self.fields[f"domain_{domain.pk}_commentary"] = forms.CharField(
                label="Commentary",
                help_text="The evidence for the grade: what you saw on the record.",
                widget=forms.Textarea(attrs={"rows": 4}),
                required=False,
            )
            for question in domain.questions.all():
                self.fields[f"question_{question.pk}_answer"] = forms.ChoiceField(
                    label=question.text,
                    choices=[("", "Not answered"), *Answer.choices],
                    required=False,
                    help_text=question.guidance,
                )
                self.fields[f"question_{question.pk}_comment"] = forms.CharField(
                    label="Comment (optional)", max_length=2000, required=False
                )

    @staticmethod
    def initial_for(audit: CaseAudit) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "version": audit.version,
            "overall_grade": audit.overall_grade,
            "summary": audit.summary,
        }
        for g in audit.domain_grades.all():
            initial[f"domain_{g.domain_id}_grade"] = g.grade
            initial[f"domain_{g.domain_id}_commentary"] = g.commentary
        for a in audit.answers.all():
            initial[f"question_{a.question_id}_answer"] = a.answer
            initial[f"question_{a.question_id}_comment"] = a.comment
        return initial

    def sections(self) -> list[dict[str, Any]]:
        """Each domain with its bound fields, for laying out the form by domain."""
        out = []
        for domain in self.domains:
            questions: list[dict[str, BoundField]] = [
                {
                    "answer": self[f"question_{q.pk}_answer"],
                    "comment": self[f"question_{q.pk}_comment"],
                }
                for q in domain.questions.all()
            ]
            out.append(
                {
                    "domain": domain,
                    "grade": self[f"domain_{domain.pk}_grade"],
                    "commentary": self[f"domain_{domain.pk}_commentary"],
                    "questions": questions,
                }
            )
        return out


class FindingForm(GovukForm):
    kind = forms.ChoiceField(
        label="Strength or area for improvement?",
        choices=FindingKind.choices,
        widget=forms.RadioSelect,
    )
    theme = forms.ChoiceField(label="Theme", choices=[("", "Choose a theme"), *Theme.choices])
    text = forms.CharField(
        label="Finding",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the finding"},
    )


class ActionForm(GovukForm):
    description = forms.CharField(
        label="What needs to be done?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what needs to be done"},
    )
    owner = forms.TypedChoiceField(label="Owner", coerce=int, empty_value=None)
    due_on = GovukDateField(label="Due by")

    def __init__(self, *args: Any, owners: list[tuple[str, list[tuple[int, str]]]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "Choose who will do it"), *owners]  # type: ignore[attr-defined]
        self.fields["owner"].help_text = "The action shows on their list until they mark it done."


class ModerationForm(VersionedForm):
    agreed = forms.ChoiceField(
        label="Do you agree with the auditor's overall grade?",
        choices=[("yes", "Yes, I agree with the grade"), ("no", "No, the grade should change")],
        widget=forms.RadioSelect,
    )
    grade = forms.ChoiceField(
        label="If not, what should the grade be?",
        choices=Grade.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    commentary = forms.CharField(
        label="Your commentary",
        help_text="Why you agree or what changed your view: this is fed back to the auditor.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter your commentary on the audit"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("agreed") == "no" and not data.get("grade"):
            self.add_error("grade", "Select the grade the case should have")
        return data


class CompleteActionForm(VersionedForm):
    completed_on = GovukDateField(label="Date done")
    completion_note = forms.CharField(
        label="What was done?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what was done"},
    )


class CancelActionForm(VersionedForm):
    cancel_reason = forms.CharField(
        label="Why is the action no longer needed?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the action is no longer needed"},
    )


class ReassignForm(VersionedForm):
    auditor = forms.ModelChoiceField(
        label="New auditor", queryset=User.objects.none(), empty_label="Choose an auditor"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["auditor"].queryset = auditor_choices()  # type: ignore[attr-defined]


class WithdrawForm(VersionedForm):
    reason = forms.CharField(
        label="Why is this audit withdrawn?",
        help_text="For example, the case closed before it could be audited.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the audit is withdrawn"},
    )


class SummaryFilterForm(GovukForm):
    date_from = GovukDateField(label="Submitted from (optional)", required=False)
    date_to = GovukDateField(label="Submitted to (optional)", required=False)
    team = forms.ModelChoiceField(
        label="Team (optional)",
        queryset=Team.objects.order_by("name"),
        required=False,
        empty_label="All teams",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The ‘to’ date must be the same as or after the ‘from’ date")
        return data
