"""Who may see and act on which contact. A contact about a child the user may not see is a 404."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from hearth.core.models import User
from hearth.people.models import RestrictedAccess
from hearth.people.policies import persons_visible_to

from .models import AgencyCheck, Contact, EarlyHelpEpisode

VIEW = "core.view_case_records"
EDIT = "core.edit_case_records"
DECIDE = "core.manage_allocations"
PARTNER = "core.submit_partner_contacts"
ACTIONS = {"view": VIEW, "screen": EDIT, "decide": DECIDE}


def contacts_visible_to(user: User) -> QuerySet[Contact]:
    """MASH staff: every contact except those about a restricted child they are not named for.
    Partner agencies: only what they sent."""
    if user.has_perm(VIEW):
        # persons_visible_to's rule written as a join, not `person__in` a subquery over every
        # person: PostgreSQL then filters the few undecided contacts first.
        named = RestrictedAccess.objects.filter(
            person=OuterRef("person_id"), user=user, ended_at__isnull=True
        )
        return Contact.objects.filter(
            Q(person__isnull=True)
            | Q(person__merged_into__isnull=True) & (Q(person__is_restricted=False) | Exists(named))
        )
    if user.has_perm(PARTNER):
        return Contact.objects.filter(submission__submitted_by=user)
    return Contact.objects.none()


def contact_for(user: User, pk: int, action: str = "view") -> Contact:
    perm = ACTIONS[action]
    if not user.has_perm(perm):
        raise PermissionDenied
    return get_object_or_404(
        contacts_visible_to(user).select_related("submission", "person"), pk=pk
    )


def check_for(user: User, contact: Contact, pk: int) -> AgencyCheck:
    if not user.has_perm(EDIT):
        raise PermissionDenied
    return get_object_or_404(AgencyCheck, pk=pk, contact=contact)


def early_help_visible_to(user: User) -> QuerySet[EarlyHelpEpisode]:
    if not user.has_perm(VIEW):
        return EarlyHelpEpisode.objects.none()
    return EarlyHelpEpisode.objects.filter(person__in=persons_visible_to(user))


def early_help_for(user: User, pk: int, action: str = "view") -> EarlyHelpEpisode:
    if not user.has_perm(EDIT if action == "edit" else VIEW):
        raise PermissionDenied
    return get_object_or_404(early_help_visible_to(user).select_related("person"), pk=pk)
