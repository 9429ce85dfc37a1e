"""Closing a child in need episode while its pre-proceedings are open is refused; once they have
ended (stepped down), the case may close."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from hearth.casework import services as casework
from hearth.legal import services
from hearth.legal.models import PreProceedings

from .conftest import Setting, days_ago

pytestmark = pytest.mark.django_db

SUMMARY = "Risks reduced after pre-proceedings; the family work with early help and school now."


def close(setting: Setting) -> None:
    casework.episode_close(
        actor=setting.manager,
        episode=setting.episode,
        closure_date=days_ago(1),
        closure_reason="RC4",
        summary=SUMMARY,
        expected_version=None,
    )


def test_open_pre_proceedings_stop_the_case_closing(setting: Setting, pp: PreProceedings) -> None:
    with pytest.raises(ValidationError) as caught:
        close(setting)
    assert any("Pre-proceedings from" in m and "have not ended" in m for m in caught.value.messages)
    setting.episode.refresh_from_db()
    assert setting.episode.closure_date is None


def test_pre_proceedings_that_stepped_down_let_the_case_close(
    setting: Setting, pp: PreProceedings
) -> None:
    services.pre_proceedings_update(
        actor=setting.worker,
        pre_proceedings=pp,
        data={"outcome": "step_down", "outcome_on": days_ago(5)},
    )
    close(setting)
    setting.episode.refresh_from_db()
    assert setting.episode.closure_date == days_ago(1)
