"""`timescales list` prints the rules; `timescales due RULE START` works out one deadline.

Exit status 2 for an unknown rule, a malformed date, an unknown event or a missing required event.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from hearth.timescales import calendar as cal
from hearth.timescales.engine import (
    MissingEventError,
    MissingTimeError,
    format_date,
    iso,
    run_clock,
    sort_events,
)
from hearth.timescales.rules import EVENTS, RULES_IN_ORDER, Event, UnknownRuleError, get_rule
from hearth.timescales.selectors import local_periods, rule_reference, working_calendar


def _usage_error(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def parse_moment(text: str, what: str) -> dt.date | dt.datetime:
    """An ISO date, or an ISO date and time (a time without a zone is London time)."""
    try:
        if "T" in text or " " in text.strip():
            moment = dt.datetime.fromisoformat(text.strip())
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=cal.LONDON)
            return moment
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise _usage_error(
            f"{what} {text!r} is not a date: use YYYY-MM-DD, or YYYY-MM-DDTHH:MM for a time"
        ) from None


class Command(BaseCommand):
    help = "List the statutory and local timescales, or work out a due date."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="Every rule: code, title, status, period and source.")
        due = sub.add_parser("due", help="The due date of RULE for a clock that started on START.")
        due.add_argument("rule", help="A rule code, for example icpc (see `timescales list`).")
        due.add_argument(
            "start", help="When the clock started: YYYY-MM-DD (YYYY-MM-DDTHH:MM for hours)."
        )
        due.add_argument(
            "--event",
            action="append",
            default=[],
            metavar="NAME=DATE",
            help="Another event, for example cla-visit=2025-03-01 or birth=2021-06-30. Repeatable.",
        )
        due.add_argument(
            "--attribute",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="A detail of the starting event, for example long_term=yes for a placement.",
        )
        due.add_argument("--as-at", help="The date to give the status on (default today).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            self._list()
        else:
            self._due(options)

    def _list(self) -> None:
        for ref in rule_reference():
            rule = ref.rule
            periods = "; ".join(
                f"{period.describe()}" + (f" ({why})" if why and len(ref.cases) > 1 else "")
                for why, period, _ in ref.cases
            )
            if rule.then is not None:
                periods += f" then {rule.then.describe()}"
            self.stdout.write(
                f"{rule.code}\t{rule.title}\t{rule.status.label}\t{periods}\t{rule.source}"
            )

    def _due(self, options: dict[str, Any]) -> None:
        try:
            rule = get_rule(options["rule"])
        except UnknownRuleError:
            known = ", ".join(r.code for r in RULES_IN_ORDER)
            raise _usage_error(f"Unknown rule {options['rule']!r}. Rules: {known}") from None
        start_at = parse_moment(options["start"], "Start")
        attributes = dict(_pair(text, "--attribute") for text in options["attribute"])
        start = Event(
            rule.starts_on.event, start_at, attributes={k: _value(v) for k, v in attributes.items()}
        )
        others = []
        for text in options["event"]:
            name, value = _pair(text, "--event")
            if name not in EVENTS:
                raise _usage_error(f"Unknown event {name!r}. Events: {', '.join(EVENTS)}")
            others.append(Event(name, parse_moment(value, f"Event {name}")))
        events = sort_events([start, *others])
        restarted_from = None
        if rule.restarts:
            # "The last strategy discussion, if there were several": a later start replaces START.
            later = [e for e in others if e.name == rule.starts_on.event and e.at != start.at]
            later = [e for e in later if e.day >= start.day]
            if later:
                restarted_from, start = start, later[-1]
                events = [e for e in events if e is not restarted_from]
        closes = None
        if rule.window is not None:
            closes = next(
                (e for e in events if e.name in rule.window.closes and e.day >= start.day), None
            )
        try:
            occurrences = run_clock(
                rule, start, events, working_calendar(), local_periods(), closes=closes, strict=True
            )
        except (MissingEventError, MissingTimeError) as error:
            raise _usage_error(str(error)) from None
        as_at = (
            parse_moment(options["as_at"], "--as-at")
            if options.get("as_at")
            else timezone.localdate()
        )
        now = (
            as_at
            if isinstance(as_at, dt.datetime)
            else dt.datetime.combine(as_at, dt.time(12), tzinfo=cal.LONDON)
        )
        current = occurrences[-1]
        self.stdout.write(iso(current.due))
        self.stdout.write(current.explanation)
        if restarted_from is not None:
            self.stdout.write(
                f"Counted from the later {start.label.removeprefix('the ')} on "
                f"{format_date(start.day)}, which replaces the one on "
                f"{format_date(restarted_from.day)}."
            )
        self.stdout.write(
            f"Status on {format_date(now.date())}: {current.status(now).label.lower()}."
        )
        if len(occurrences) > 1:
            self.stdout.write("Earlier:")
            for earlier in occurrences[:-1]:
                self.stdout.write(f"  {earlier.explanation}")


def _pair(text: str, option: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name or not value:
        raise _usage_error(f"{option} {text!r} must look like NAME=VALUE")
    return name.strip(), value.strip()


def _value(text: str) -> object:
    lowered = text.lower()
    if lowered in {"yes", "true"}:
        return True
    if lowered in {"no", "false"}:
        return False
    return text
