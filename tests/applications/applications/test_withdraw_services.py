"""Withdrawing an application through the service."""

import pytest

from applications.services.applications import application_withdraw
from workflows.exceptions import NotPermitted, TransitionConflict


class TestWithdraw:
    def test_it_withdraws_before_a_decision(self, submitted, applicant_a):
        assert application_withdraw(application=submitted, actor=applicant_a).state == "withdrawn"

    def test_it_refuses_to_withdraw_twice(self, submitted, applicant_a):
        application_withdraw(application=submitted, actor=applicant_a)
        with pytest.raises(TransitionConflict):
            application_withdraw(application=submitted, actor=applicant_a)

    def test_the_manager_cannot_withdraw_for_the_applicant(self, submitted, manager):
        with pytest.raises(NotPermitted):
            application_withdraw(application=submitted, actor=manager)
