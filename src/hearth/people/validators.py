"""Identifiers: NHS number (the `nhs-number` library), UPN check letter (DfE), UK postcode."""

from __future__ import annotations

import re

import nhs_number
from django.core.exceptions import ValidationError

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # 23 letters: no I, O or S
_UPN_SHAPE = re.compile(r"^[A-HJ-NP-RT-Z]\d{11}[0-9A-HJ-NP-RT-Z]$")
# GOV.UK's pattern for a full UK postcode (outward code, space optional, inward code), plus GIR 0AA.
_POSTCODE = re.compile(
    r"^(GIR ?0AA|[A-PR-UWYZ]"
    r"([0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPS-UW]|[A-HK-Y][0-9][ABEHMNPRV-Y])"
    r" ?[0-9][ABD-HJLNP-UW-Z]{2})$"
)


def normalise_nhs_number(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


def validate_nhs_number(value: str) -> None:
    digits = normalise_nhs_number(value)
    if not re.fullmatch(r"\d{10}", digits):
        raise ValidationError("Enter an NHS number with 10 digits, like 485 777 3456")
    if not nhs_number.is_valid(digits):
        raise ValidationError("Enter a valid NHS number: the last digit does not match the others")


def upn_check_letter(last_twelve: str) -> str:
    """The check letter for UPN characters 2–13: weights 2–13, sum mod 23 (rule 1510).

    A letter in position 13 (a temporary UPN) counts as its position in the 23-letter alphabet.
    """
    total = 0
    for weight, char in enumerate(last_twelve, start=2):
        value = int(char) if char.isdigit() else UPN_LETTERS.index(char)
        total += weight * value
    return UPN_LETTERS[total % 23]


def normalise_upn(value: str) -> str:
    return re.sub(r"\s", "", value or "").upper()


def validate_upn(value: str) -> None:
    upn = normalise_upn(value)
    if len(upn) != 13:
        raise ValidationError("Enter a UPN with 13 characters, like A123456789012")
    if not _UPN_SHAPE.match(upn):
        raise ValidationError(
            "Enter a UPN as a letter, 11 digits and a final digit or letter (not I, O or S)"
        )
    if upn[0] != upn_check_letter(upn[1:]):
        raise ValidationError("Enter a valid UPN: the check letter does not match")


def normalise_postcode(value: str) -> str:
    """Upper case with one space before the inward code: "sw1a1aa" → "SW1A 1AA"."""
    compact = re.sub(r"\s", "", value or "").upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def validate_postcode(value: str) -> None:
    if not _POSTCODE.match(normalise_postcode(value)):
        raise ValidationError("Enter a full UK postcode, like SW1A 1AA")


_CHILD_ID = re.compile(r"^[A-Za-z0-9]{1,20}$")


def validate_child_id(value: str) -> None:
    if not _CHILD_ID.match(value or ""):
        raise ValidationError("A child ID is 1 to 20 letters and digits")
