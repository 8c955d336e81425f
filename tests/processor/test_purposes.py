"""One policy decides every use of participant data: essential purposes granted to the client, nothing else."""

from __future__ import annotations

import pytest

from processor import purposes
from processor.errors import ValidationFailed
from processor.purposes import PurposeRefused

MAILER = ["essential.service.notifications.email"]


@pytest.mark.parametrize(
    "purpose, granted, rule",
    [
        ("marketing.communications.email", ["essential"], "no-marketing-on-participant-data"),
        ("marketing", ["essential"], "no-marketing-on-participant-data"),
        ("analytics.reporting", ["essential"], "no-marketing-on-participant-data"),
        ("third_party_sharing.personalized_advertising", ["essential"], "no-marketing-on-participant-data"),
        ("essential.service.operations.support", MAILER, "purpose-not-granted"),
        ("essential.service", MAILER, "purpose-not-granted"),
    ],
)
def test_use_is_refused_naming_the_rule(purpose, granted, rule):
    decision = purposes.decide_participant_use(purpose, granted)
    assert (decision.allowed, decision.rule) == (False, rule)
    with pytest.raises(PurposeRefused) as refused:
        purposes.require_participant_use(purpose, granted)
    assert refused.value.status == 403
    assert refused.value.extra == {"rule": rule}


@pytest.mark.parametrize(
    "purpose, granted",
    [
        ("essential.service.notifications.email", MAILER),
        ("essential.service.notifications.email", ["essential.service"]),
        ("essential.legal_obligation", ["essential"]),
    ],
)
def test_essential_purpose_covered_by_a_grant_is_allowed(purpose, granted):
    assert purposes.decide_participant_use(purpose, granted).allowed


@pytest.mark.parametrize(
    "grant",
    [["marketing"], ["marketing.communications.email"], ["analytics"], ["essential.service", "third_party_sharing"]],
)
def test_a_never_allowed_purpose_cannot_be_granted(grant):
    with pytest.raises(PurposeRefused, match="cannot be granted"):
        purposes.validate_grant(grant)


@pytest.mark.parametrize("grant", [[], ["essential.nonsense"], [" "]])
def test_empty_or_unknown_grant_is_invalid(grant):
    with pytest.raises(ValidationFailed):
        purposes.validate_grant(grant)


def test_grant_is_deduplicated_and_sorted():
    assert purposes.validate_grant(["essential.service", " essential.legal_obligation", "essential.service"]) == [
        "essential.legal_obligation",
        "essential.service",
    ]


@pytest.mark.parametrize("value", [None, "", "essential.unknown"])
def test_missing_or_unknown_purpose_names_the_parameter(value):
    with pytest.raises(ValidationFailed) as invalid:
        purposes.check_known(value)
    assert invalid.value.errors[0]["parameter"] == "purpose"


def test_every_grantable_purpose_is_essential():
    assert purposes.GRANTABLE and all(p.startswith("essential") for p in purposes.GRANTABLE)
