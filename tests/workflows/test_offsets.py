"""Reminder offsets: read from text, written back, validated by kind, inherited call →
programme → defaults."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from workflows import offsets
from workflows.offsets import (
    CALL_CLOSING,
    CALL_KINDS,
    DEFAULTS,
    MANAGER,
    OWNER,
    PROGRAMME_KINDS,
    REPORT_DUE,
    REVIEW_DUE,
    clean,
    effective,
    format_offsets,
    parse,
)

# parse ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "-14, -7, -1, +1, +7 manager",
            ((-14, OWNER), (-7, OWNER), (-1, OWNER), (1, OWNER), (7, MANAGER)),
        ),
        ("+3 manager; -1\n-7", ((-7, OWNER), (-1, OWNER), (3, MANAGER))),  # any separator, sorted
        ("0", ((0, OWNER),)),
        ("5", ((5, OWNER),)),  # no sign: after
        ("-7d, 2 MANAGERS", ((-7, OWNER), (2, MANAGER))),
        ("-3 owner, -3 manager", ((-3, MANAGER), (-3, OWNER))),  # same day, two audiences
        ("-30, +30", ((-30, OWNER), (30, OWNER))),  # the limits themselves
        ("", ()),
        (" , ,", ()),
    ],
)
def test_parse_reads_what_people_write(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text, code, named",
    [
        ("-7, soon", "offset_invalid", "soon"),
        ("-7 boss", "offset_invalid", "-7 boss"),
        ("1.5", "offset_invalid", "1.5"),
        ("-31", "offset_too_far", "-31"),
        ("+45 manager", "offset_too_far", "+45 manager"),
        ("-7, -1, -7", "offset_duplicate", None),
    ],
)
def test_parse_names_what_it_cannot_read(text, code, named):
    with pytest.raises(ValidationError) as raised:
        parse(text)
    assert raised.value.code == code
    if named:
        assert f"“{named}”" in raised.value.messages[0]


# format_offsets ------------------------------------------------------------------------


def test_format_writes_signs_and_the_manager_audience():
    assert format_offsets(((-7, OWNER), (0, OWNER), (3, MANAGER))) == "-7, 0, +3 manager"
    assert format_offsets([[-14, "owner"], [7, "manager"]]) == "-14, +7 manager"
    assert format_offsets(()) == ""


@pytest.mark.parametrize("kind", PROGRAMME_KINDS)
def test_format_and_parse_are_inverse_on_the_defaults(kind):
    assert parse(format_offsets(DEFAULTS[kind])) == DEFAULTS[kind]


# clean -----------------------------------------------------------------------------------


def test_clean_normalises_lists_and_text_to_sorted_pairs():
    assert clean({REPORT_DUE: "+7 manager, -14", REVIEW_DUE: [[1, "owner"], [-3, "owner"]]}) == {
        REPORT_DUE: [[-14, OWNER], [7, MANAGER]],
        REVIEW_DUE: [[-3, OWNER], [1, OWNER]],
    }


@pytest.mark.parametrize("empty", [None, {}, ""])
def test_clean_accepts_nothing_configured(empty):
    assert clean(empty) == {}


def test_clean_reports_every_bad_kind_by_name():
    with pytest.raises(ValidationError) as raised:
        clean(
            {
                CALL_CLOSING: "-7, -99",
                REVIEW_DUE: [[1, "owner"]],
                REPORT_DUE: "-1",  # valid for a programme, not for a call
                "payday": "-1",
            },
            CALL_KINDS,
        )
    errors = raised.value.message_dict
    assert set(errors) == {CALL_CLOSING, REPORT_DUE, "payday"}
    assert "“-99” is too far" in errors[CALL_CLOSING][0]
    assert "Unknown deadline kind" in errors[REPORT_DUE][0]


@pytest.mark.parametrize(
    "value", [[[1]], [["a", "owner"]], [1, 2], 7, [[1, "owner", "x"]], {"days": -1}]
)
def test_clean_refuses_malformed_pairs_with_a_message(value):
    with pytest.raises(ValidationError) as raised:
        clean({REVIEW_DUE: value})
    assert "[days, audience]" in raised.value.message_dict[REVIEW_DUE][0]


def test_clean_refuses_an_unknown_audience_in_a_pair():
    with pytest.raises(ValidationError) as raised:
        clean({REVIEW_DUE: [[1, "boss"]]})
    assert "is not an offset" in raised.value.message_dict[REVIEW_DUE][0]


def test_clean_refuses_something_that_is_not_a_mapping():
    with pytest.raises(ValidationError) as raised:
        clean([[CALL_CLOSING, "-1"]])
    assert "keyed by deadline kind" in raised.value.messages[0]


# effective -------------------------------------------------------------------------------


def holder(**configured):
    return SimpleNamespace(reminder_offsets=configured)


def test_effective_takes_the_call_then_the_programme_then_the_defaults():
    programme = holder(call_closing=[[-10, "owner"]], review_due=[[-5, "owner"]])
    call = holder(call_closing=[[-3, "owner"], [1, "manager"]])
    assert effective(CALL_CLOSING, programme=programme, call=call) == (
        (-3, OWNER),
        (1, MANAGER),
    )
    assert effective(REVIEW_DUE, programme=programme, call=call) == ((-5, OWNER),)
    assert effective(REPORT_DUE, programme=programme, call=call) == DEFAULTS[REPORT_DUE]
    assert effective(REPORT_DUE) == DEFAULTS[REPORT_DUE]


def test_effective_treats_an_empty_list_or_mapping_as_inherited():
    programme = holder(call_closing=[[-10, "owner"]])
    assert effective(CALL_CLOSING, programme=programme, call=holder(call_closing=[])) == (
        (-10, OWNER),
    )
    assert (
        effective(CALL_CLOSING, programme=SimpleNamespace(reminder_offsets=None), call=holder())
        == (DEFAULTS[CALL_CLOSING])
    )


def test_the_call_kinds_are_a_subset_of_the_programme_kinds_and_all_labelled():
    assert set(CALL_KINDS) <= set(PROGRAMME_KINDS)
    assert set(offsets.LABELS) == set(PROGRAMME_KINDS)
