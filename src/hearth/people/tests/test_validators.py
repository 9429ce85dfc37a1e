"""Identifier checks: NHS number check digit, UPN check letter (DfE rule), UK postcodes, child IDs.

The UPN examples are worked by hand from the DfE rule: characters 2 to 13 are weighted 2 to 13
(a letter in position 13 counts as its place in the 23-letter alphabet, A = 0), the sum is taken
modulo 23, and the remainder picks the check letter from A B C D E F G H J K L M N P Q R T U V W X
Y Z (no I, O or S).
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from hearth.people.validators import (
    UPN_LETTERS,
    normalise_nhs_number,
    normalise_postcode,
    normalise_upn,
    upn_check_letter,
    validate_child_id,
    validate_nhs_number,
    validate_postcode,
    validate_upn,
)


def messages(check: object, value: str) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        check(value)  # type: ignore[operator]
    return caught.value.messages


# --- NHS number ----------------------------------------------------------------------------------

# 9434765919: 9×10 + 4×9 + 3×8 + 4×7 + 7×6 + 6×5 + 5×4 + 9×3 + 1×2 = 299; 299 mod 11 = 2;
# 11 − 2 = 9, the last digit.


@pytest.mark.parametrize("value", ["9434765919", "943 476 5919", "943-476-5919", " 9434765919 "])
def test_valid_nhs_numbers(value: str) -> None:
    validate_nhs_number(value)
    assert normalise_nhs_number(value.strip()) == "9434765919"


@pytest.mark.parametrize(
    "value",
    [
        "9434765918",  # check digit should be 9
        "9434765910",
        # 9,4,3,4,7,6,5,9,6 sums to 297 + 12 = 309; 309 mod 11 = 1; 11 − 1 = 10: no valid digit
        "9434765960",
    ],
)
def test_nhs_numbers_with_a_wrong_check_digit(value: str) -> None:
    assert messages(validate_nhs_number, value) == [
        "Enter a valid NHS number: the last digit does not match the others"
    ]


@pytest.mark.parametrize("value", ["943476591", "94347659190", "94347659AB", ""])
def test_nhs_numbers_of_the_wrong_shape(value: str) -> None:
    assert messages(validate_nhs_number, value) == [
        "Enter an NHS number with 10 digits, like 485 777 3456"
    ]


# --- UPN -----------------------------------------------------------------------------------------

UPN_EXAMPLES = [
    # 2×1 + 3×2 + 4×3 + 5×4 + 6×5 + 7×6 + 8×7 + 9×8 + 10×9 + 11×0 + 12×1 + 13×2 = 368;
    # 368 = 16 × 23, remainder 0 -> A
    ("123456789012", "A"),
    # 13×1 = 13 -> the 14th letter, P
    ("000000000001", "P"),
    # 2×2 + 4×1 + 5×5 + 8×1 + 11×2 = 63; 63 − 46 = 17 -> U
    ("201500100200", "U"),
    # 2×8 + 4×1 + 5×2 + 10×1 + 13×1 = 53; 53 − 46 = 7 -> H
    ("801200001001", "H"),
    # A temporary UPN ends in a letter: 12×1 + 13×(B = 1) = 25; 25 − 23 = 2 -> C
    ("00000000001B", "C"),
]


@pytest.mark.parametrize(("last_twelve", "letter"), UPN_EXAMPLES)
def test_upn_check_letter_worked_examples(last_twelve: str, letter: str) -> None:
    assert upn_check_letter(last_twelve) == letter
    validate_upn(letter + last_twelve)


def test_the_upn_alphabet_has_23_letters_without_i_o_or_s() -> None:
    assert len(UPN_LETTERS) == 23
    assert not set("IOS") & set(UPN_LETTERS)


@pytest.mark.parametrize("value", ["a123456789012", "A123 4567 89012", " p000000000001 "])
def test_upn_is_normalised_before_checking(value: str) -> None:
    validate_upn(value)
    assert normalise_upn(value) in {"A123456789012", "P000000000001"}


@pytest.mark.parametrize("value", ["B123456789012", "Z123456789012", "A000000000001"])
def test_upn_with_the_wrong_check_letter(value: str) -> None:
    assert messages(validate_upn, value) == ["Enter a valid UPN: the check letter does not match"]


@pytest.mark.parametrize("value", ["A12345678901", "A1234567890123", ""])
def test_upn_of_the_wrong_length(value: str) -> None:
    assert messages(validate_upn, value) == ["Enter a UPN with 13 characters, like A123456789012"]


@pytest.mark.parametrize(
    "value",
    [
        "I123456789012",  # I is not used
        "O123456789012",  # nor O
        "S123456789012",  # nor S
        "A12345678901S",  # nor in position 13
        "AA23456789012",  # a letter where a digit belongs
        "1123456789012",  # the first character is a letter
    ],
)
def test_upn_with_letters_where_they_do_not_belong(value: str) -> None:
    assert messages(validate_upn, value) == [
        "Enter a UPN as a letter, 11 digits and a final digit or letter (not I, O or S)"
    ]


# --- postcodes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "normalised"),
    [
        ("SW1A 1AA", "SW1A 1AA"),
        ("sw1a1aa", "SW1A 1AA"),
        ("  ls1   4ap ", "LS1 4AP"),
        ("M1 1AE", "M1 1AE"),
        ("B338TH", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("W1A 0AX", "W1A 0AX"),
        ("GIR 0AA", "GIR 0AA"),
    ],
)
def test_valid_postcodes_are_normalised(value: str, normalised: str) -> None:
    validate_postcode(value)
    assert normalise_postcode(value) == normalised


@pytest.mark.parametrize(
    "value",
    [
        "",
        "SW1A",  # the outward code alone
        "12345",
        "Q1 1AA",  # Q never starts a postcode
        "SW1A 1AC",  # C is not used in the inward code
        "SW1A 1AI",
        "LS1 4A",
        "LS1 4APP",
        "LSS1 4AP",
    ],
)
def test_invalid_postcodes(value: str) -> None:
    assert messages(validate_postcode, value) == ["Enter a full UK postcode, like SW1A 1AA"]


# --- child ID ------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["H00000001", "93100000042", "A" * 20])
def test_valid_child_ids(value: str) -> None:
    validate_child_id(value)


@pytest.mark.parametrize("value", ["", "H-0001", "H 0001", "A" * 21])
def test_invalid_child_ids(value: str) -> None:
    assert messages(validate_child_id, value) == ["A child ID is 1 to 20 letters and digits"]
