"""The people of the lead organisation (`lead_org`), who enter its incoming grants."""

import pytest

from tests import factories as f


@pytest.fixture
def lead_admin(lead_org):
    return f.MembershipFactory(organisation=lead_org, role="admin").user


@pytest.fixture
def lead_member(lead_org):
    return f.MembershipFactory(organisation=lead_org, role="member").user
