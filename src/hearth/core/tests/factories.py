"""factory_boy factories for staff and teams. Synthetic people only (Faker en_GB)."""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from hearth.core.choices import ServiceArea
from hearth.core.models import Role, Team, TeamMembership, User

PASSWORD = "correct-horse-battery-staple"

factory.Faker._DEFAULT_LOCALE = "en_GB"


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"staff{n}@council.example")
    employment_start = dt.date(2020, 1, 6)
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create and extracted:
            self.roles.set(Role.objects.filter(code__in=extracted))


class TeamFactory(DjangoModelFactory[Team]):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Assessment team {n}")
    service_area = ServiceArea.ASSESSMENT


class TeamMembershipFactory(DjangoModelFactory[TeamMembership]):
    class Meta:
        model = TeamMembership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    start_date = dt.date(2021, 4, 1)
