"""Fixtures of the grant lifecycle tests; the grants themselves are in tests/grants/conftest.py."""

import pytest

from grants.services.grants import grant_change_state


@pytest.fixture
def active_grant(signed_grant, manager):
    return grant_change_state(grant=signed_grant, actor=manager, name="activate")
