"""The people of an organisation: who may invite, change roles and remove, and the rule that
an organisation always keeps an administrator — also when two administrators act at once."""

import contextlib
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation

from accounts import invitations
from accounts.models import User
from grants import policies, services
from grants.models import Membership
from tests import factories as f
from workflows.exceptions import NotPermitted, RuleViolation, TransitionConflict


def membership_of(user, organisation) -> Membership:
    return Membership.objects.get(user=user, organisation=organisation)


def test_an_admin_invites_a_new_address_which_gets_an_account_and_a_link(
    org_a, applicant_a, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        result = services.membership_invite(
            organisation=org_a,
            actor=applicant_a,
            email="  Jelena@YINS.example ",
            full_name="Jelena Petrović",
            role="member",
        )
    newcomer = User.objects.get(email="jelena@yins.example")
    assert (result.membership.user, result.membership.role) == (newcomer, "member")
    assert result.account_created and result.invitation_sent
    assert newcomer.full_name == "Jelena Petrović"
    assert not newcomer.has_usable_password()
    assert [m.to for m in mailoutbox] == [["jelena@yins.example"]]
    message = mailoutbox[0]
    assert org_a.legal_name in message.subject
    assert f"{settings.SITE_URL.rstrip('/')}/accounts/invitation/" in message.body
    assert applicant_a.display_name in message.body
    assert not message.alternatives  # plain text


def test_the_invitation_goes_out_only_once_the_transaction_commits(
    org_a, applicant_a, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.membership_invite(organisation=org_a, actor=applicant_a, email="new@yins.example")
    assert mailoutbox == [] and len(callbacks) == 1


def test_the_invitation_is_in_the_invitees_language(
    org_a, applicant_a, django_capture_on_commit_callbacks, monkeypatch
):
    languages = []
    monkeypatch.setattr(
        invitations.InvitationForm,
        "send_mail",
        lambda self, *args, **kwargs: languages.append(translation.get_language()),
    )
    # An account that exists but cannot log in yet (an invited reviewer, say) is invited too.
    macedonian = f.UserFactory(email="ana@roma.example", language="mk")
    macedonian.set_unusable_password()
    macedonian.save()
    with translation.override("sq"), django_capture_on_commit_callbacks(execute=True):
        services.membership_invite(organisation=org_a, actor=applicant_a, email="new@yins.example")
        result = services.membership_invite(
            organisation=org_a, actor=applicant_a, email="ana@roma.example"
        )
    assert not result.account_created and result.invitation_sent
    assert languages == ["en", "mk"]  # a new account's default; then the person's own


def test_an_existing_account_is_added_at_once_without_an_email(
    org_a, applicant_a, applicant_b, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        result = services.membership_invite(
            organisation=org_a, actor=applicant_a, email=applicant_b.email.upper(), role="admin"
        )
    assert (result.membership.user, result.membership.role) == (applicant_b, "admin")
    assert not result.account_created and not result.invitation_sent
    assert mailoutbox == []
    assert policies.is_org_admin(User.objects.get(pk=applicant_b.pk), org_a.pk)


def test_a_member_cannot_be_added_twice(org_a, applicant_a, colleague_a):
    with pytest.raises(RuleViolation) as caught:
        services.membership_invite(organisation=org_a, actor=applicant_a, email=colleague_a.email)
    assert caught.value.code == "already_member"
    assert caught.value.errors == {
        "email": [f"{colleague_a.email} is already a member of {org_a}."]
    }
    assert membership_of(colleague_a, org_a).role == "member"  # unchanged, not promoted
    with pytest.raises(RuleViolation):
        services.membership_add(
            organisation=org_a, actor=applicant_a, user=colleague_a, role="admin"
        )
    assert membership_of(colleague_a, org_a).role == "member"


def test_bad_input_is_refused_field_by_field(org_a, applicant_a):
    with pytest.raises(RuleViolation) as caught:
        services.membership_invite(
            organisation=org_a, actor=applicant_a, email="not an address", role="owner"
        )
    assert set(caught.value.errors) == {"email", "role"}
    assert not User.objects.filter(email="not an address").exists()


def test_only_an_admin_manages_people(org_a, applicant_a, colleague_a, applicant_b):
    admin = membership_of(applicant_a, org_a)
    for who in (colleague_a, applicant_b):
        with pytest.raises(NotPermitted):
            services.membership_invite(organisation=org_a, actor=who, email="x@yins.example")
        with pytest.raises(NotPermitted):
            services.membership_change_role(membership=admin, actor=who, role="member")
        with pytest.raises(NotPermitted):
            services.membership_remove(membership=admin, actor=who)
    assert not User.objects.filter(email="x@yins.example").exists()
    assert membership_of(applicant_a, org_a).role == "admin"


def test_the_last_admin_can_be_neither_demoted_nor_removed(org_a, applicant_a, colleague_a):
    admin = membership_of(applicant_a, org_a)
    with pytest.raises(TransitionConflict) as caught:
        services.membership_change_role(membership=admin, actor=applicant_a, role="member")
    assert caught.value.code == "last_admin"
    assert "must keep at least one administrator" in caught.value.detail
    with pytest.raises(TransitionConflict) as caught:
        services.membership_remove(membership=admin, actor=applicant_a)
    assert caught.value.code == "last_admin"
    assert membership_of(applicant_a, org_a).role == "admin"


def test_with_a_second_admin_one_may_step_down_or_leave(org_a, applicant_a, colleague_a):
    services.membership_change_role(
        membership=membership_of(colleague_a, org_a), actor=applicant_a, role="admin"
    )
    services.membership_change_role(
        membership=membership_of(applicant_a, org_a), actor=applicant_a, role="member"
    )
    assert membership_of(applicant_a, org_a).role == "member"
    colleague = User.objects.get(pk=colleague_a.pk)
    services.membership_change_role(
        membership=membership_of(applicant_a, org_a), actor=colleague, role="admin"
    )
    services.membership_remove(membership=membership_of(applicant_a, org_a), actor=applicant_a)
    assert list(org_a.memberships.values_list("user__email", "role")) == [
        (colleague_a.email, "admin")
    ]


def test_an_admin_removes_a_member(org_a, applicant_a, colleague_a):
    services.membership_remove(membership=membership_of(colleague_a, org_a), actor=applicant_a)
    assert not Membership.objects.filter(user=colleague_a, organisation=org_a).exists()
    assert User.objects.filter(pk=colleague_a.pk).exists()  # the account stays


def test_an_admin_demoted_a_moment_ago_is_refused_despite_cached_roles(
    org_a, applicant_a, colleague_a
):
    services.membership_change_role(
        membership=membership_of(colleague_a, org_a), actor=applicant_a, role="admin"
    )
    stale = User.objects.get(pk=applicant_a.pk)
    assert policies.is_org_admin(stale, org_a.pk)  # its roles are cached from now on
    colleague = User.objects.get(pk=colleague_a.pk)
    services.membership_change_role(
        membership=membership_of(applicant_a, org_a), actor=colleague, role="member"
    )
    with pytest.raises(NotPermitted):
        services.membership_change_role(
            membership=membership_of(colleague_a, org_a), actor=stale, role="member"
        )
    assert membership_of(colleague_a, org_a).role == "admin"


def test_the_invitation_is_sent_again_only_to_someone_without_a_password(
    org_a, applicant_a, colleague_a, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        result = services.membership_invite(
            organisation=org_a, actor=applicant_a, email="late@yins.example"
        )
        services.membership_invitation_resend(membership=result.membership, actor=applicant_a)
    assert [m.to for m in mailoutbox] == [["late@yins.example"]] * 2
    with pytest.raises(TransitionConflict) as caught:
        services.membership_invitation_resend(
            membership=membership_of(colleague_a, org_a), actor=applicant_a
        )
    assert caught.value.code == "already_active"


# Two administrators demoting (or removing) each other at the same moment. ---------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", ["demote", "remove"])
def test_two_admins_acting_on_each_other_at_once_leave_one_admin(change, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    organisation = f.OrganisationFactory()
    ana = f.MembershipFactory(organisation=organisation, role="admin")
    marko = f.MembershipFactory(organisation=organisation, role="admin")
    # Both threads read the administrators at the same moment — unless the lock makes the
    # second wait for the first to commit (the barrier then times out and it goes on).
    barrier = threading.Barrier(2, timeout=2)
    read_admins = services._admin_ids

    def admins_read_together(organisation_id):
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return read_admins(organisation_id)

    monkeypatch.setattr(services, "_admin_ids", admins_read_together)
    outcomes = {}

    def act(actor_membership, target_membership):
        from django.db import connection as thread_connection

        actor = User.objects.get(pk=actor_membership.user_id)
        try:
            if change == "demote":
                services.membership_change_role(
                    membership=target_membership, actor=actor, role="member"
                )
            else:
                services.membership_remove(membership=target_membership, actor=actor)
            outcomes[actor.pk] = "done"
        except (NotPermitted, TransitionConflict) as exc:
            outcomes[actor.pk] = type(exc).__name__
        except Exception as exc:  # the test fails below
            outcomes[actor.pk] = repr(exc)
        finally:
            thread_connection.close()

    threads = [
        threading.Thread(target=act, args=(ana, marko)),
        threading.Thread(target=act, args=(marko, ana)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # One went first; the second, no longer an administrator, was refused.
    assert sorted(outcomes.values()) == ["NotPermitted", "done"]
    assert Membership.objects.filter(organisation=organisation, role="admin").count() == 1
