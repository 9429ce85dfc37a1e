"""Core groups: recorded against an open child protection plan within its dates, their clocks
(the first meets core-group-first, later ones the 6-weekly standard), progress on this plan's own
actions only, each status set on the action itself; corrections with a version; the pages with an
allow and a deny each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from hearth.core.models import AuditEvent, User
from hearth.core.services import ConcurrentEditError
from hearth.plans import services as plan_services
from hearth.plans.codes import ActionStatus, PlanKind
from hearth.plans.models import Plan, PlanAction
from hearth.protection.models import CoreGroup, CoreGroupActionProgress
from hearth.protection.services import core_groups as services
from hearth.timescales.models import ClockEvent, Deadline

from .factories import ProtectionSetting, days_ago, make_cp_plan, make_protection_setting, today
from .test_conference_support import date_fields, plan_with_action, restrict

pytestmark = pytest.mark.django_db
Client = Callable[[User], Any]
MEMBERS = [
    {"agency": "social_care", "name": "Will Worker", "attended": True},
    {"agency": "health", "name": "Nurse Hana Health", "attended": True},
    {"agency": "education", "name": "Ms Head Teacher", "attended": False},
]


@pytest.fixture
def setting(make_user: Callable[..., User]) -> ProtectionSetting:
    return make_protection_setting(make_user)


@pytest.fixture
def plan(setting: ProtectionSetting) -> Plan:
    return make_cp_plan(setting, started=30)


@pytest.fixture
def action(setting: ProtectionSetting, plan: Plan) -> PlanAction:
    return plan_with_action(plan, setting.worker)


def refused(exc: pytest.ExceptionInfo[ValidationError], field: str) -> str:
    return " ".join(exc.value.message_dict[field])


def meet(setting: ProtectionSetting, plan: Plan, days: int, **extra: Any) -> CoreGroup:
    values: dict[str, Any] = {
        "held_on": days_ago(days),
        "summary": "The group went through the plan.",
        "attendees": MEMBERS,
    }
    values.update(extra)
    return services.core_group_record(actor=setting.worker, plan=plan, **values)


# --- services ------------------------------------------------------------------------------------


def test_record_a_core_group_sets_the_actions_status(
    setting: ProtectionSetting, plan: Plan, action: PlanAction
) -> None:
    group = meet(
        setting,
        plan,
        25,
        child_views="I like it when mum picks me up.",
        next_meeting_on=days_ago(1),
        progress=[{"action": action.pk, "status": ActionStatus.DONE, "note": "Attending."}],
    )
    assert group.recorded_by == setting.worker
    assert group.attendees.count() == 3
    assert not group.attendees.get(name="Ms Head Teacher").attended
    row = CoreGroupActionProgress.objects.get(core_group=group)
    assert (row.action, row.status, row.note) == (action, ActionStatus.DONE, "Attending.")
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.completed_on == days_ago(25)
    assert AuditEvent.objects.filter(
        object_type="plans.planaction", object_id=str(action.pk), action="update"
    ).exists()
    assert AuditEvent.objects.filter(
        object_type="protection.coregroup", action="create", object_id=str(group.pk)
    ).exists()


def test_the_core_group_clocks(setting: ProtectionSetting, plan: Plan) -> None:
    def deadline(rule: str, sequence: int = 1) -> Deadline:
        # Deadlines are derived afresh from the events each time: read them again.
        return Deadline.objects.get(subject_id=setting.child.pk, rule_code=rule, sequence=sequence)

    assert deadline("core-group-first").state == "open"
    group = meet(setting, plan, 25)
    first = deadline("core-group-first")
    assert first.state == "met" and first.met_on == days_ago(25)
    cycle = deadline("core-group")
    assert cycle.starts_on == days_ago(25) and cycle.state == "open"
    meet(setting, plan, 5)
    cycle = deadline("core-group")
    assert cycle.state == "met" and cycle.met_on == days_ago(5)
    assert ClockEvent.objects.filter(
        source=services.clock_source(group), name="core-group", occurred_on=days_ago(25)
    ).exists()
    # A corrected date is recorded again under the same source.
    services.core_group_update(
        actor=setting.worker, core_group=group, data={"held_on": days_ago(24)}
    )
    assert ClockEvent.objects.get(source=services.clock_source(group)).occurred_on == days_ago(24)


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"held_on": days_ago(40)}, "held_on", "cannot have met before then"),
        ({"held_on": today().replace(year=today().year + 1)}, "held_on", "before it meets"),
        ({"summary": " "}, "summary", "discussed and agreed"),
        ({"next_meeting_on": days_ago(20)}, "next_meeting_on", "after this one"),
        ({"attendees": []}, "attendees", "who attended"),
        ({"attendees": [{"agency": "martians", "name": "X"}]}, "attendees", "agency"),
    ],
)
def test_core_group_refusals_save_nothing(
    setting: ProtectionSetting, plan: Plan, overrides: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        meet(setting, plan, 20, **overrides)
    assert words in refused(exc, field)
    assert not CoreGroup.objects.exists()
    assert not ClockEvent.objects.filter(name="core-group").exists()


def test_progress_only_on_this_plans_actions(
    setting: ProtectionSetting, plan: Plan, action: PlanAction
) -> None:
    plan_services.plan_end(actor=None, plan=plan, end_date=days_ago(2), reason="Ended")
    other = make_cp_plan(setting, started=1)
    with pytest.raises(ValidationError) as exc:
        meet(setting, other, 1, progress=[{"action": action.pk, "status": "done"}])
    assert "this plan's own actions" in refused(exc, "progress")
    action.refresh_from_db()
    assert action.status == ActionStatus.NOT_STARTED
    assert not CoreGroup.objects.exists()


def test_only_an_open_cp_plan_has_core_groups(setting: ProtectionSetting, plan: Plan) -> None:
    cin = Plan.objects.create(
        kind=PlanKind.CIN,
        person=setting.child,
        episode=setting.episode,
        start_date=days_ago(90),
        end_date=days_ago(40),
    )
    with pytest.raises(ValidationError, match="belongs to a child protection plan"):
        meet(setting, cin, 20)
    plan_services.plan_end(actor=None, plan=plan, end_date=days_ago(2), reason="Ended")
    with pytest.raises(ValidationError, match="ended on"):
        meet(setting, plan, 20)


def test_core_group_update_needs_the_current_version(
    setting: ProtectionSetting, plan: Plan
) -> None:
    group = meet(setting, plan, 20)
    saved = services.core_group_update(
        actor=setting.worker,
        core_group=group,
        data={"summary": "Corrected summary."},
        expected_version=group.version,
    )
    assert saved.summary == "Corrected summary." and saved.version == group.version + 1
    with pytest.raises(ConcurrentEditError):
        services.core_group_update(
            actor=setting.worker,
            core_group=saved,
            data={"summary": "Again."},
            expected_version=group.version,
        )
    with pytest.raises(ValidationError, match="cannot be changed here"):
        services.core_group_update(actor=setting.worker, core_group=saved, data={"plan": plan})


# --- pages ---------------------------------------------------------------------------------------


def test_record_a_core_group_page(
    setting: ProtectionSetting, plan: Plan, action: PlanAction, client_for: Client
) -> None:
    url = reverse("protection:core-group-new", args=[plan.pk])
    client = client_for(setting.worker)
    form = client.get(url)
    assert form.status_code == 200
    assert "Mum attends the alcohol service every week" in form.content.decode()
    response = client.post(
        url,
        {
            **date_fields("held_on", days_ago(20)),
            "member_1": "social_care",
            "member_1_name": "Will Worker",
            "member_1_attended": "yes",
            "member_2": "health",
            "member_2_name": "Nurse Hana Health",
            "member_2_attended": "no",
            "summary": "Agreed the detailed plan.",
            f"action_{action.pk}_status": "in_progress",
            f"action_{action.pk}_note": "First session booked.",
        },
    )
    group = CoreGroup.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("protection:core-group-detail", args=[group.pk])
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Sent apologies" in html and "First session booked." in html
    assert AuditEvent.objects.filter(
        action="view", object_type="protection.coregroup", object_id=str(group.pk)
    ).exists()


def test_record_a_core_group_page_refusal(
    setting: ProtectionSetting, plan: Plan, client_for: Client
) -> None:
    response = client_for(setting.worker).post(
        reverse("protection:core-group-new", args=[plan.pk]),
        {**date_fields("held_on", days_ago(40)), "member_1": "health", "member_1_name": "N"},
    )
    assert response.status_code == 400
    assert not CoreGroup.objects.exists()


def test_core_group_pages_deny(
    setting: ProtectionSetting, plan: Plan, client_for: Client, make_user: Callable[..., User]
) -> None:
    group = meet(setting, plan, 20)
    new = reverse("protection:core-group-new", args=[plan.pk])
    detail = reverse("protection:core-group-detail", args=[group.pk])
    change = reverse("protection:core-group-change", args=[group.pk])
    outsider, viewer_only = make_user("performance_analyst"), make_user("business_support")
    for url in (new, detail, change):
        assert client_for(outsider).get(url).status_code == 403
    assert client_for(viewer_only).get(detail).status_code == 200
    for url in (new, change):
        assert client_for(viewer_only).get(url).status_code == 403
    # A child in need plan has no core groups.
    cin = Plan.objects.create(
        kind=PlanKind.CIN, person=setting.child, episode=setting.episode, start_date=days_ago(90)
    )
    assert (
        client_for(setting.worker)
        .get(reverse("protection:core-group-new", args=[cin.pk]))
        .status_code
        == 404
    )
    restrict(setting)
    for url in (new, detail, change):
        assert client_for(setting.worker).get(url).status_code == 404


def test_correct_a_core_group_page(
    setting: ProtectionSetting, plan: Plan, client_for: Client
) -> None:
    group = meet(setting, plan, 20)
    url = reverse("protection:core-group-change", args=[group.pk])
    client = client_for(setting.worker)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "version": str(group.version),
            **date_fields("held_on", days_ago(19)),
            "summary": "Corrected.",
            "child_views": "",
        },
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.held_on == days_ago(19) and group.summary == "Corrected."
