"""The casework API: episodes and assessments listed, read, recorded, sent, authorised, returned,
closed; 403 without the permission, 404 for a child the caller may not see, 400 with the
messages by field, 409 for a stale version; the whole workflow over the API."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from hearth.casework import services
from hearth.casework.models import Assessment, ChildInNeedEpisode
from hearth.core.models import AuditEvent, User
from hearth.core.tests.api_client import Api, api_for
from hearth.people.models import Person
from hearth.people.services import restriction_set
from hearth.people.tests.factories import make_child
from hearth.timescales.models import Deadline, DeadlineState

from .factories import (
    ANALYSIS,
    NFA_REASON,
    RATIONALE,
    REASON,
    SUMMARY,
    VIEWS,
    Setting,
    authorised_assessment,
    days_ago,
    make_assessment,
    make_setting,
    submitted_assessment,
    today,
)

pytestmark = pytest.mark.django_db
EPISODES = "/api/episodes/"
ASSESSMENTS = "/api/assessments/"


def episode_url(episode: ChildInNeedEpisode, action: str = "") -> str:
    return f"{EPISODES}{episode.pk}/" + (f"{action}/" if action else "")


def assessment_url(assessment: Assessment, action: str = "") -> str:
    return f"{ASSESSMENTS}{assessment.pk}/" + (f"{action}/" if action else "")


def patch(caller: Api, path: str, body: dict[str, Any]) -> Any:
    return caller.client.patch(
        path, json.dumps(body), content_type="application/json", **caller.header
    )


def views_of(user: User, person: Person) -> int:
    return AuditEvent.objects.filter(actor=user, action="view", person_id=str(person.pk)).count()


@pytest.fixture
def setting(make_user: Callable[..., User]) -> Setting:
    return make_setting(make_user)


@pytest.fixture
def api(client: Client) -> Callable[[User], Api]:
    return lambda user: api_for(client, user)


@pytest.fixture
def restricted(setting: Setting, make_user: Callable[..., User]) -> Person:
    """A restricted child with an open episode; only the setting's manager and worker are
    named."""
    child = make_child(forename="Isla", surname="Restricted")
    services.episode_open(
        actor=None,
        person=child,
        referral_date=days_ago(30),
        referral_source="6",
        primary_need="N1",
    )
    return restriction_set(
        actor=setting.manager,
        person=child,
        restricted=True,
        reason="A member of staff's relative.",
        named_staff=[setting.worker],
        expected_version=child.version,
    )


# --- episodes ------------------------------------------------------------------------------------


def test_episodes_list_is_scoped_filtered_and_logged(
    setting: Setting,
    restricted: Person,
    api: Callable[[User], Api],
    make_user: Callable[..., User],
) -> None:
    stranger = make_user("social_worker")
    caller = api(stranger)
    rows = caller.get(EPISODES).json()["results"]
    assert [r["id"] for r in rows] == [setting.episode.pk]  # not the restricted child's
    assert views_of(stranger, setting.child) == 1
    mine = api(setting.worker).get(EPISODES, {"person": str(restricted.pk)})
    assert mine.status_code == 200 and len(mine.json()["results"]) == 1
    assert caller.get(EPISODES, {"person": str(restricted.pk)}).status_code == 404
    assert AuditEvent.objects.filter(
        actor=stranger, action="access_denied", person_id=str(restricted.pk)
    ).exists()
    assert caller.get(EPISODES, {"open": "false"}).json()["results"] == []
    assert caller.get(EPISODES, {"person": "x"}).status_code == 400
    assert api(make_user("performance_analyst")).get(EPISODES).status_code == 403
    assert api(make_user("partner_agency")).get(EPISODES).status_code == 403


def test_record_a_referral(
    setting: Setting, api: Callable[[User], Api], make_user: Callable[..., User]
) -> None:
    child = make_child()
    body = {
        "person": child.pk,
        "referral_date": days_ago(3).isoformat(),
        "referral_source": "2A",
        "primary_need": "N4",
    }
    response = api(setting.worker).post(EPISODES, body)
    assert response.status_code == 201, response.json()
    created = response.json()
    episode = ChildInNeedEpisode.objects.get(person=child)
    assert created["id"] == episode.pk and created["is_open"] and created["assessments"] == []
    assert response["Location"] == episode_url(episode)
    assert Deadline.objects.filter(
        subject_id=child.pk, rule_code="assessment", state=DeadlineState.OPEN
    ).exists()
    # The census rules come back as 400 with the message under its field.
    again = api(setting.worker).post(EPISODES, body)
    assert again.status_code == 400 and "8815" in again.json()["referral_date"][0]
    assert ChildInNeedEpisode.objects.filter(person=child).count() == 1


def test_recording_a_referral_is_refused_without_permission_or_for_a_hidden_child(
    setting: Setting,
    restricted: Person,
    api: Callable[[User], Api],
    make_user: Callable[..., User],
) -> None:
    child = make_child()
    body = {
        "person": child.pk,
        "referral_date": days_ago(3).isoformat(),
        "referral_source": "2A",
        "primary_need": "N4",
    }
    assert api(make_user("business_support")).post(EPISODES, body).status_code == 403
    assert api(make_user("partner_agency")).post(EPISODES, body).status_code == 403
    hidden = api(make_user("social_worker")).post(EPISODES, {**body, "person": restricted.pk})
    assert hidden.status_code == 400 and hidden.json() == {
        "person": ["No child record with this id"]
    }
    bad = api(setting.worker).post(EPISODES, {"person": child.pk, "referral_source": "99"})
    assert bad.status_code == 400
    assert set(bad.json()) == {"referral_date", "referral_source", "primary_need"}
    assert not ChildInNeedEpisode.objects.filter(person=child).exists()


def test_read_an_episode_with_its_assessments(
    setting: Setting,
    restricted: Person,
    api: Callable[[User], Api],
    make_user: Callable[..., User],
) -> None:
    assessment = submitted_assessment(setting.episode, setting.worker)
    response = api(setting.manager).get(episode_url(setting.episode))
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == setting.episode.version
    assert body["referral_source"] == "6" and body["primary_need"] == "N1"
    assert body["assessments"] == [
        {
            "id": assessment.pk,
            "start_date": assessment.start_date.isoformat(),
            "status": "awaiting_authorisation",
            "outcome": "cin_plan",
            "authorised_on": None,
            "worker_name": setting.worker.full_name,
        }
    ]
    assert views_of(setting.manager, setting.child) == 1
    hidden = ChildInNeedEpisode.objects.get(person=restricted)
    assert api(make_user("team_manager")).get(episode_url(hidden)).status_code == 404
    assert api(setting.worker).get(episode_url(hidden)).status_code == 200
    assert api(setting.worker).get(f"{EPISODES}999999/").status_code == 404
    assert api(make_user("partner_agency")).get(episode_url(setting.episode)).status_code == 403


def test_close_an_episode(
    setting: Setting,
    restricted: Person,
    api: Callable[[User], Api],
    make_user: Callable[..., User],
) -> None:
    url = episode_url(setting.episode, "close")
    body = {
        "closure_date": today().isoformat(),
        "closure_reason": "RC7",
        "summary": SUMMARY,
        "version": setting.episode.version,
    }
    manager = api(setting.manager)
    unfinished = make_assessment(setting.episode, setting.worker)
    response = manager.post(url, body)
    assert response.status_code == 400 and "8867" in response.json()["non_field_errors"][0]
    assert manager.post(url, {**body, "closure_reason": "RC99"}).status_code == 400
    Assessment.objects.filter(pk=unfinished.pk).delete()
    authorised_assessment(setting.episode, setting.worker, setting.manager)
    short = manager.post(url, {**body, "summary": "Done."})
    assert short.status_code == 400 and "at least 10 words" in short.json()["summary"][0]
    assert api(setting.worker).post(url, body).status_code == 403
    assert manager.post(url, {**body, "version": body["version"] + 1}).status_code == 409
    assert ChildInNeedEpisode.objects.get(pk=setting.episode.pk).is_open
    response = manager.post(url, body)
    assert response.status_code == 200, response.json()
    closed = response.json()
    assert not closed["is_open"] and closed["closure_reason"] == "RC7"
    assert closed["closure_summary"] == SUMMARY and closed["closed_by_id"] == setting.manager.pk
    hidden = ChildInNeedEpisode.objects.get(person=restricted)
    outsider = api(make_user("team_manager"))
    assert outsider.post(episode_url(hidden, "close"), body).status_code == 404


def test_no_further_action_on_a_referral(
    setting: Setting,
    restricted: Person,
    api: Callable[[User], Api],
    make_user: Callable[..., User],
) -> None:
    url = episode_url(setting.episode, "no-further-action")
    body = {"on": days_ago(59).isoformat(), "reason": NFA_REASON, "version": 1}
    body["version"] = setting.episode.version
    assert api(setting.worker).post(url, body).status_code == 403
    manager = api(setting.manager)
    early = manager.post(url, {**body, "on": days_ago(61).isoformat()})
    assert early.status_code == 400 and "before the referral" in early.json()["on"][0]
    assert manager.post(url, {**body, "version": body["version"] + 1}).status_code == 409
    assert manager.post(url, {"on": body["on"]}).json().keys() == {"reason", "version"}
    response = manager.post(url, body)
    assert response.status_code == 200
    assert response.json()["referral_nfa"] and response.json()["closure_reason"] == "RC7"
    hidden = ChildInNeedEpisode.objects.get(person=restricted)
    outsider = api(make_user("team_manager"))
    assert outsider.post(episode_url(hidden, "no-further-action"), body).status_code == 404


# --- assessments ---------------------------------------------------------------------------------


def test_assessments_list_filters_and_hides(
    setting: Setting,
    restricted: Person,
    api: Callable[[User], Api],
    make_user: Callable[..., User],
    django_assert_max_num_queries: Any,
) -> None:
    first = authorised_assessment(
        setting.episode, setting.worker, setting.manager, authorised_on=days_ago(40)
    )
    second = authorised_assessment(
        setting.episode,
        setting.worker,
        setting.manager,
        start_date=days_ago(40),
        authorised_on=days_ago(20),
    )
    third = make_assessment(setting.episode, setting.worker, start_date=days_ago(10))
    hidden_episode = ChildInNeedEpisode.objects.get(person=restricted)
    make_assessment(hidden_episode, setting.worker)
    stranger = make_user("social_worker")
    caller = api(stranger)
    with django_assert_max_num_queries(12):
        response = caller.get(ASSESSMENTS, {"person": str(setting.child.pk)})
    rows = response.json()["results"]
    assert [r["id"] for r in rows] == [third.pk, second.pk, first.pk]
    assert rows[0]["status"] == "in_progress" and rows[1]["status"] == "authorised"
    assert {f["code"] for f in rows[1]["factors"]} == {"3B", "4B"}
    assert views_of(stranger, setting.child) == 1
    assert len(caller.get(ASSESSMENTS).json()["results"]) == 3  # not the restricted child's
    done = caller.get(ASSESSMENTS, {"episode": str(setting.episode.pk), "status": "authorised"})
    assert [r["id"] for r in done.json()["results"]] == [second.pk, first.pk]
    assert caller.get(ASSESSMENTS, {"status": "finished"}).status_code == 400
    assert caller.get(ASSESSMENTS, {"person": str(restricted.pk)}).status_code == 404
    assert caller.get(ASSESSMENTS, {"episode": str(hidden_episode.pk)}).status_code == 404
    assert len(api(setting.worker).get(ASSESSMENTS).json()["results"]) == 4
    assert api(make_user("partner_agency")).get(ASSESSMENTS).status_code == 403


def test_start_an_assessment(
    setting: Setting,
    restricted: Person,
    api: Callable[[User], Api],
    make_user: Callable[..., User],
) -> None:
    body = {"episode": setting.episode.pk, "start_date": days_ago(59).isoformat()}
    assert api(make_user("business_support")).post(ASSESSMENTS, body).status_code == 403
    early = api(setting.worker).post(ASSESSMENTS, {**body, "start_date": days_ago(61).isoformat()})
    assert early.status_code == 400 and "1103" in early.json()["start_date"][0]
    response = api(setting.worker).post(ASSESSMENTS, body)
    assert response.status_code == 201
    created = response.json()
    assert created["status"] == "in_progress" and created["worker_name"] == "Will Worker"
    assert len(created["submission_problems"]) == 4
    again = api(setting.worker).post(ASSESSMENTS, body)
    assert again.status_code == 400 and "8896" in again.json()["non_field_errors"][0]
    hidden = ChildInNeedEpisode.objects.get(person=restricted)
    outsider = api(make_user("social_worker")).post(ASSESSMENTS, {**body, "episode": hidden.pk})
    assert outsider.status_code == 400 and "episode" in outsider.json()
    assert Assessment.objects.count() == 1


def test_read_an_assessment(
    setting: Setting,
    restricted: Person,
    api: Callable[[User], Api],
    make_user: Callable[..., User],
) -> None:
    assessment = make_assessment(setting.episode, setting.worker, factors=["21"])
    response = api(setting.manager).get(assessment_url(assessment))
    assert response.status_code == 200
    body = response.json()
    assert body["factors"] == [{"code": "21", "label": "No factors identified"}]
    assert body["status"] == "in_progress" and body["submission_problems"] == []
    assert body["child_views"] == VIEWS and body["analysis"] == ANALYSIS
    assert views_of(setting.manager, setting.child) == 1
    hidden = make_assessment(ChildInNeedEpisode.objects.get(person=restricted), setting.worker)
    assert api(make_user("team_manager")).get(assessment_url(hidden)).status_code == 404
    assert api(make_user("partner_agency")).get(assessment_url(assessment)).status_code == 403


def test_record_an_assessment(
    setting: Setting,
    restricted: Person,
    api: Callable[[User], Api],
    make_user: Callable[..., User],
) -> None:
    assessment = make_assessment(setting.episode, setting.worker, recorded=False)
    url = assessment_url(assessment)
    worker = api(setting.worker)
    body = {
        "version": assessment.version,
        "child_seen_on": days_ago(55).isoformat(),
        "seen_alone": True,
        "factors": ["16A", "4B"],
    }
    assert patch(api(make_user("business_support")), url, body).status_code == 403
    both = patch(worker, url, {**body, "factors": ["21", "4B"]})
    assert both.status_code == 400 and "8869" in both.json()["factors"][0]
    unknown = patch(worker, url, {**body, "factors": ["99Z"]})
    assert unknown.status_code == 400 and "factors" in unknown.json()
    assert patch(worker, url, {"analysis": "No version."}).json().keys() == {"version"}
    response = patch(worker, url, body)
    assert response.status_code == 200, response.json()
    saved = response.json()
    assert [f["code"] for f in saved["factors"]] == ["16A", "4B"]
    assert saved["seen_alone"] is True and saved["version"] == assessment.version + 1
    assert saved["analysis"] == ""  # fields not sent are not changed
    stale = patch(worker, url, {"version": assessment.version, "analysis": "Late change."})
    assert stale.status_code == 409 and "changed this record" in stale.json()["detail"]
    hidden = make_assessment(
        ChildInNeedEpisode.objects.get(person=restricted), setting.worker, recorded=False
    )
    outsider = patch(api(make_user("social_worker")), assessment_url(hidden), body)
    assert outsider.status_code == 404


def test_send_authorise_and_return_need_the_right_people(
    setting: Setting,
    restricted: Person,
    api: Callable[[User], Api],
    make_user: Callable[..., User],
) -> None:
    assessment = make_assessment(setting.episode, setting.worker)
    version = {"version": assessment.version}
    submit = assessment_url(assessment, "submit")
    assert api(make_user("business_support")).post(submit, version).status_code == 403
    sent = api(setting.worker).post(submit, version)
    assert sent.status_code == 200 and sent.json()["status"] == "awaiting_authorisation"
    version = {"version": sent.json()["version"]}
    authorise = {"authorised_on": today().isoformat(), "rationale": RATIONALE, **version}
    assert (
        api(setting.worker).post(assessment_url(assessment, "authorise"), authorise).status_code
        == 403
    )
    assert (
        api(setting.worker)
        .post(assessment_url(assessment, "return"), {"reason": REASON, **version})
        .status_code
        == 403
    )
    short = api(setting.manager).post(
        assessment_url(assessment, "authorise"), {**authorise, "rationale": "Fine."}
    )
    assert short.status_code == 400 and "at least 10 words" in short.json()["rationale"][0]
    deputy = make_user("senior_practitioner")
    own = submitted_assessment(ChildInNeedEpisode.objects.get(person=restricted), setting.worker)
    hidden = api(deputy).post(
        assessment_url(own, "authorise"), {**authorise, "version": own.version}
    )
    assert hidden.status_code == 404


def test_a_manager_cannot_authorise_their_own_assessment_over_the_api(
    setting: Setting, api: Callable[[User], Api], make_user: Callable[..., User]
) -> None:
    deputy = make_user("senior_practitioner")
    assessment = submitted_assessment(setting.episode, deputy)
    response = api(deputy).post(
        assessment_url(assessment, "authorise"),
        {"authorised_on": today().isoformat(), "rationale": RATIONALE, "version": 99},
    )
    assert response.status_code == 400
    assert "you completed" in response.json()["non_field_errors"][0]


def test_the_whole_workflow_over_the_api(setting: Setting, api: Callable[[User], Api]) -> None:
    child = make_child()
    worker, manager = api(setting.worker), api(setting.manager)
    episode = worker.post(
        EPISODES,
        {
            "person": child.pk,
            "referral_date": days_ago(20).isoformat(),
            "referral_source": "3A",
            "primary_need": "N3",
        },
    ).json()
    assessment = worker.post(
        ASSESSMENTS, {"episode": episode["id"], "start_date": days_ago(19).isoformat()}
    ).json()
    url = f"{ASSESSMENTS}{assessment['id']}/"
    recorded = patch(
        worker,
        url,
        {
            "version": assessment["version"],
            "child_seen_on": days_ago(18).isoformat(),
            "seen_alone": False,
            "child_views": VIEWS,
            "analysis": ANALYSIS,
            "outcome": "cin_plan",
            "factors": ["4B"],
        },
    ).json()
    assert recorded["submission_problems"] == []
    sent = worker.post(f"{url}submit/", {"version": recorded["version"]}).json()
    back = manager.post(f"{url}return/", {"reason": REASON, "version": sent["version"]})
    assert back.status_code == 200
    assert back.json()["status"] == "in_progress" and back.json()["return_reason"] == REASON
    sent = worker.post(f"{url}submit/", {"version": back.json()["version"]}).json()
    assert sent["return_reason"] == ""
    done = manager.post(
        f"{url}authorise/",
        {
            "authorised_on": days_ago(1).isoformat(),
            "rationale": RATIONALE,
            "version": sent["version"],
        },
    )
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "authorised"
    assert done.json()["authorised_by_id"] == setting.manager.pk
    clock = Deadline.objects.get(subject_id=child.pk, rule_code="assessment")
    assert clock.state == DeadlineState.MET and clock.met_on == days_ago(1)
    detail = manager.get(f"{EPISODES}{episode['id']}/").json()
    closed = manager.post(
        f"{EPISODES}{episode['id']}/close/",
        {
            "closure_date": today().isoformat(),
            "closure_reason": "RC5",
            "summary": SUMMARY,
            "version": detail["version"],
        },
    )
    assert closed.status_code == 200 and closed.json()["closure_reason"] == "RC5"
    assert closed.json()["assessments"][0]["status"] == "authorised"


def test_the_schema_describes_the_casework_endpoints(client: Client, social_worker: User) -> None:
    client.force_login(social_worker)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for path in (
        "/api/episodes/",
        "/api/episodes/{id}/",
        "/api/episodes/{id}/close/",
        "/api/episodes/{id}/no-further-action/",
        "/api/assessments/",
        "/api/assessments/{id}/",
        "/api/assessments/{id}/submit/",
        "/api/assessments/{id}/authorise/",
        "/api/assessments/{id}/return/",
    ):
        assert path in paths, path
    assert "patch" in paths["/api/assessments/{id}/"]
    assert "409" in paths["/api/assessments/{id}/authorise/"]["post"]["responses"]
