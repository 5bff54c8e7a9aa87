"""org-id.guide register codes and the organisation identifiers built from them."""

import pytest
from django.core.exceptions import ValidationError

from grants.registries import WESTERN_BALKAN_REGISTRIES, org_id, validate_registry


@pytest.mark.parametrize(
    "code",
    ["RS-APR", "XK-CR", "BA-JIB", "GB-CHC", "XI-IATI", "BE-BCE_KBO", "CA_BC-BRC_CBR"],
)
def test_it_accepts_list_codes_from_anywhere(code):
    validate_registry(code)


@pytest.mark.parametrize(
    "code", ["rs-apr", "RS", "RS-", "RSAPR", "SRB-APR", "RS APR", "RS-APR-", " RS-APR", "RS-ĆR"]
)
def test_it_refuses_what_is_not_a_list_code(code):
    with pytest.raises(ValidationError) as error:
        validate_registry(code)
    assert "org-id.guide" in str(error.value) and "RS-APR" in str(error.value)


def test_the_western_balkan_registers_are_valid_and_cover_the_region():
    for code, name in WESTERN_BALKAN_REGISTRIES:
        validate_registry(code)
        assert name
    assert {code[:2] for code, _name in WESTERN_BALKAN_REGISTRIES} == {
        "AL",
        "BA",
        "ME",
        "MK",
        "RS",
        "XK",
    }


def test_the_org_id_is_the_code_and_the_number_without_spaces():
    assert org_id("RS-APR", " 1712 3456 ") == "RS-APR-17123456"
    assert org_id("RS-APR", "") == ""
    assert org_id("", "17123456") == ""
