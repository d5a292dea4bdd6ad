"""Registration numbers, as properties: every well-formed number passes, every one-digit typo is caught."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import example, given
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.iso7064 import mod_11_10

from partners.validators import normalise_registration_number

eight_digits = st.text(alphabet="0123456789", min_size=8, max_size=8)


def with_one_digit_changed(number: str, data) -> str:
    position = data.draw(st.integers(min_value=0, max_value=len(number) - 1), label="position")
    replacement = data.draw(st.sampled_from([d for d in "0123456789" if d != number[position]]), label="digit")
    return number[:position] + replacement + number[position + 1 :]


@given(body=eight_digits)
@example(body="73282932")
def test_any_siren_with_its_luhn_key_is_accepted_for_a_french_company(body):
    number = body + luhn.calc_check_digit(body)
    assert normalise_registration_number("FR", number) == number
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    assert normalise_registration_number("fr", spaced) == number


@given(body=eight_digits, data=st.data())
def test_a_siren_with_one_digit_changed_is_refused_naming_siren(body, data):
    typo = with_one_digit_changed(body + luhn.calc_check_digit(body), data)
    with pytest.raises(ValidationError) as caught:
        normalise_registration_number("FR", typo)
    [message] = caught.value.messages
    assert "SIREN" in message
    assert typo in message


# German VAT numbers: 9 digits, the first not zero, the last an ISO 7064 MOD 11,10 check digit.
german_vat_body = st.tuples(st.sampled_from("123456789"), st.text(alphabet="0123456789", min_size=7, max_size=7))


@given(parts=german_vat_body, prefixed=st.booleans())
def test_any_german_vat_number_is_accepted_and_stored_with_its_prefix(parts, prefixed):
    body = "".join(parts)
    number = body + mod_11_10.calc_check_digit(body)
    given_as = f"DE{number}" if prefixed else number
    assert normalise_registration_number("DE", given_as) == f"DE{number}"


@given(parts=german_vat_body, data=st.data())
def test_a_german_vat_number_with_one_digit_changed_is_refused(parts, data):
    body = "".join(parts)
    typo = with_one_digit_changed(body + mod_11_10.calc_check_digit(body), data)
    with pytest.raises(ValidationError) as caught:
        normalise_registration_number("DE", typo)
    assert "is not a valid EU VAT number" in caught.value.messages[0]


@pytest.mark.parametrize(
    ("country", "number", "stored"),
    [
        ("BE", "0403.019.261", "BE0403019261"),
        ("IT", "IT 00743110157", "IT00743110157"),
        ("NL", "004495445B01", "NL004495445B01"),
        ("GR", "094259216", "EL094259216"),  # Greece's VAT prefix is EL
        ("FR", "FR40303265045", "FR40303265045"),
    ],
)
def test_eu_vat_numbers_of_other_member_states(country, number, stored):
    assert normalise_registration_number(country, number) == stored


def test_outside_the_eu_the_number_is_kept_as_given():
    assert normalise_registration_number("US", " EIN 12-3456789 ") == "EIN 12-3456789"


@pytest.mark.parametrize("number", ["", "   ", None])
def test_a_missing_number_is_asked_for(number):
    with pytest.raises(ValidationError) as caught:
        normalise_registration_number("FR", number)
    assert caught.value.messages == ["Enter the company's registration number."]
