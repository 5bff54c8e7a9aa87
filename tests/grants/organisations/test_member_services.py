"""The people of an organisation: who may invite, change roles and remove, the rule that an
organisation always keeps an administrator — also when two administrators act at once — and
consent: an existing account is invited, and becomes a member only if its owner accepts."""

import contextlib
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation

from accounts import invitations
from accounts.models import User
from applications.services.applications import application_submit
from applications.services.review import assignment_create
from applications.services.screening import application_screen
from grants import policies
from grants.models import Membership, MembershipInvitation
from grants.services import organisations as organisation_services
from grants.services.organisations import (
    _admin_ids,
    membership_change_role,
    membership_invitation_accept,
    membership_invitation_decline,
    membership_invitation_resend,
    membership_invitation_withdraw,
    membership_invite,
    membership_remove,
)
from tests import factories as f
from workflows.exceptions import NotPermitted, RuleViolation, TransitionConflict
from workflows.models import Notification


def membership_of(user, organisation) -> Membership:
    return Membership.objects.get(user=user, organisation=organisation)


def is_member(user, organisation) -> bool:
    return Membership.objects.filter(user=user, organisation=organisation).exists()


def fresh(user) -> User:
    """The user as a new request would see them (no roles cached)."""
    return User.objects.get(pk=user.pk)


def test_an_admin_invites_a_new_address_which_gets_an_account_and_a_link(
    org_a, applicant_a, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        result = membership_invite(
            organisation=org_a,
            actor=applicant_a,
            email="  Jelena@YINS.example ",
            full_name="Jelena Petrović",
            role="member",
        )
    newcomer = User.objects.get(email="jelena@yins.example")
    assert (result.membership.user, result.membership.role) == (newcomer, "member")
    assert result.account_created and result.password_link_sent and result.invitation is None
    assert result.email == "jelena@yins.example"
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
        membership_invite(organisation=org_a, actor=applicant_a, email="new@yins.example")
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
        membership_invite(organisation=org_a, actor=applicant_a, email="new@yins.example")
        result = membership_invite(organisation=org_a, actor=applicant_a, email="ana@roma.example")
    # An existing account, even one without a password, is invited, not added: the link lets
    # them log in to answer.
    assert not result.account_created and result.password_link_sent
    assert result.invitation.is_open and not is_member(macedonian, org_a)
    assert languages == ["en", "mk"]  # a new account's default; then the person's own


def test_an_existing_account_is_invited_not_added(
    org_a, applicant_a, applicant_b, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        result = membership_invite(
            organisation=org_a, actor=applicant_a, email=applicant_b.email.upper(), role="admin"
        )
    assert result.membership is None and not result.account_created
    assert not result.password_link_sent  # they can log in already
    assert result.email == applicant_b.email  # as given, normalised: nothing of the account
    # Not a member, not an administrator, nothing they could be excluded or barred by.
    assert not is_member(applicant_b, org_a)
    assert not policies.is_member(user=fresh(applicant_b), organisation_id=org_a.pk)
    assert not policies.is_org_admin(user=fresh(applicant_b), organisation_id=org_a.pk)
    invitation = MembershipInvitation.objects.get()
    assert (invitation.organisation, invitation.user, invitation.role) == (
        org_a,
        applicant_b,
        "admin",
    )
    assert (invitation.invited_by, invitation.answered_at, invitation.accepted) == (
        applicant_a,
        None,
        None,
    )
    assert result.invitation == invitation
    # One e-mail: the notification (no set-password link for someone who can log in).
    assert [m.to for m in mailoutbox] == [[applicant_b.email]]
    assert "/accounts/invitation/" not in mailoutbox[0].body


def test_the_invitee_is_told_through_the_outbox_with_a_link_to_the_dashboard(
    org_a, applicant_a, applicant_b, django_capture_on_commit_callbacks, mailoutbox
):
    User.objects.filter(pk=applicant_a.pk).update(full_name="Ana Jovanović")
    applicant_a.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        result = membership_invite(
            organisation=org_a, actor=applicant_a, email=applicant_b.email, role="admin"
        )
    row = Notification.objects.get(recipient=applicant_b)
    assert row.kind == Notification.Kind.MEMBERSHIP_INVITED == "membership_invited"
    assert (row.deadline_key, row.url, row.offset, row.state) == (
        f"invitation:{result.invitation.pk}",
        "/dashboard/",
        "event",
        "sent",
    )
    assert row.params == {"invitation": result.invitation.pk}
    [message] = mailoutbox
    assert message.to == [applicant_b.email]
    assert message.subject == "[Regrant] Invitation to join Youth Initiative Novi Sad"
    assert (
        "Ana Jovanović invited you to join Youth Initiative Novi Sad as an administrator."
        in message.body
    )
    assert "Answer the invitation" in message.body
    assert f"{settings.SITE_URL.rstrip('/')}/dashboard/" in message.body
    [(html, _mimetype)] = message.alternatives
    assert f'href="{settings.SITE_URL.rstrip("/")}/dashboard/"' in html


def test_the_notification_is_composed_at_delivery_even_if_the_inviter_is_gone(
    org_a, applicant_a, colleague_a, applicant_b, django_capture_on_commit_callbacks, mailoutbox
):
    Membership.objects.filter(user=colleague_a, organisation=org_a).update(role="admin")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation = membership_invite(
            organisation=org_a, actor=applicant_a, email=applicant_b.email
        ).invitation
    applicant_a.delete()  # before the broker delivers it
    for callback in callbacks:
        callback()
    invitation.refresh_from_db()
    assert invitation.invited_by is None and invitation.is_open
    [message] = mailoutbox
    assert "You are invited to join Youth Initiative Novi Sad as a member." in message.body


def test_accepting_makes_the_invitee_a_member_in_the_invited_role(org_a, applicant_a, applicant_b):
    invitation = membership_invite(
        organisation=org_a, actor=applicant_a, email=applicant_b.email, role="admin"
    ).invitation
    invitee = fresh(applicant_b)
    assert not policies.is_org_admin(
        user=invitee, organisation_id=org_a.pk
    )  # its roles are cached from now on
    membership = membership_invitation_accept(invitation=invitation, actor=invitee)
    assert (membership.user, membership.organisation, membership.role) == (
        applicant_b,
        org_a,
        "admin",
    )
    assert policies.is_org_admin(user=invitee, organisation_id=org_a.pk)  # the cache was dropped
    invitation.refresh_from_db()
    assert invitation.accepted is True and invitation.answered_at is not None
    assert not invitation.is_open
    # Only once.
    for answer in (membership_invitation_accept, membership_invitation_decline):
        with pytest.raises(TransitionConflict) as caught:
            answer(invitation=invitation, actor=invitee)
        assert caught.value.code == "invitation_answered"
    assert membership_of(applicant_b, org_a).role == "admin"


def test_declining_leaves_nothing_and_the_admin_may_ask_again(org_a, applicant_a, applicant_b):
    invitation = membership_invite(
        organisation=org_a, actor=applicant_a, email=applicant_b.email
    ).invitation
    membership_invitation_decline(invitation=invitation, actor=fresh(applicant_b))
    assert not is_member(applicant_b, org_a)
    invitation.refresh_from_db()
    assert invitation.accepted is False and invitation.answered_at is not None
    with pytest.raises(TransitionConflict) as caught:
        membership_invitation_accept(invitation=invitation, actor=fresh(applicant_b))
    assert caught.value.code == "invitation_answered"
    assert not is_member(applicant_b, org_a)
    # A declined invitation is closed: a new one may be sent.
    again = membership_invite(
        organisation=org_a, actor=applicant_a, email=applicant_b.email
    ).invitation
    assert again.pk != invitation.pk and again.is_open


def test_nobody_else_can_answer_an_invitation(org_a, applicant_a, colleague_a, applicant_b):
    invitation = membership_invite(
        organisation=org_a, actor=applicant_a, email=applicant_b.email, role="admin"
    ).invitation
    stranger = f.UserFactory()
    # Not the inviting administrator, not a member, not a stranger: it is not theirs (404).
    for who in (applicant_a, colleague_a, stranger):
        for answer in (
            membership_invitation_accept,
            membership_invitation_decline,
        ):
            with pytest.raises(MembershipInvitation.DoesNotExist):
                answer(invitation=invitation, actor=fresh(who))
    invitation.refresh_from_db()
    assert invitation.is_open
    assert not is_member(applicant_b, org_a) and not is_member(stranger, org_a)
    assert membership_of(colleague_a, org_a).role == "member"


def test_a_second_open_invitation_is_refused(org_a, applicant_a, applicant_b, mailoutbox):
    membership_invite(organisation=org_a, actor=applicant_a, email=applicant_b.email)
    with pytest.raises(RuleViolation) as caught:
        membership_invite(
            organisation=org_a, actor=applicant_a, email=applicant_b.email.upper(), role="admin"
        )
    assert caught.value.code == "already_invited"
    assert caught.value.errors == {
        "email": [f"{applicant_b.email} is already invited to YINS: they join once they accept."]
    }
    assert MembershipInvitation.objects.get().role == "member"  # unchanged
    assert Notification.objects.filter(recipient=applicant_b).count() == 1


def test_the_database_allows_one_open_invitation_per_person_and_organisation(
    org_a, applicant_a, applicant_b
):
    from django.db import IntegrityError, transaction

    invitation = MembershipInvitation.objects.create(organisation=org_a, user=applicant_b)
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipInvitation.objects.create(organisation=org_a, user=applicant_b)
    MembershipInvitation.objects.filter(pk=invitation.pk).update(answered_at="2027-01-01T00:00Z")
    MembershipInvitation.objects.create(organisation=org_a, user=applicant_b)  # answered: fine


def test_an_admin_withdraws_an_invitation_before_it_is_answered(
    org_a, applicant_a, colleague_a, applicant_b, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the broker has not sent it yet
        invitation = membership_invite(
            organisation=org_a, actor=applicant_a, email=applicant_b.email
        ).invitation
    # A plain member and another organisation's administrator may not.
    for who in (colleague_a, applicant_b):
        with pytest.raises(NotPermitted):
            membership_invitation_withdraw(invitation=invitation, actor=fresh(who))
    assert MembershipInvitation.objects.filter(pk=invitation.pk).exists()
    membership_invitation_withdraw(invitation=invitation, actor=applicant_a)
    assert not MembershipInvitation.objects.filter(pk=invitation.pk).exists()
    assert Notification.objects.get(recipient=applicant_b).state == "cancelled"  # never sent
    with pytest.raises(TransitionConflict) as caught:
        membership_invitation_accept(invitation=invitation, actor=fresh(applicant_b))
    assert caught.value.code == "invitation_withdrawn"
    assert not is_member(applicant_b, org_a)
    with pytest.raises(TransitionConflict) as caught:
        membership_invitation_withdraw(invitation=invitation, actor=applicant_a)
    assert caught.value.code == "invitation_withdrawn"


def test_an_answered_invitation_cannot_be_withdrawn(org_a, applicant_a, applicant_b):
    invitation = membership_invite(
        organisation=org_a, actor=applicant_a, email=applicant_b.email
    ).invitation
    membership_invitation_accept(invitation=invitation, actor=fresh(applicant_b))
    with pytest.raises(TransitionConflict) as caught:
        membership_invitation_withdraw(invitation=invitation, actor=applicant_a)
    assert caught.value.code == "invitation_answered"
    assert is_member(applicant_b, org_a)


@pytest.mark.parametrize("accepts", [False, True], ids=["invited", "accepted"])
def test_an_invited_reviewer_is_excluded_from_the_applicant_only_once_they_accept(
    accepts, org_a, applicant_a, draft, manager, reviewer
):
    """The attack: an applicant invites the reviewers it wants out of its review."""
    application_submit(application=draft, actor=applicant_a)
    application = application_screen(application=draft, actor=manager, eligible=True)
    invitation = membership_invite(
        organisation=org_a, actor=applicant_a, email=reviewer.email
    ).invitation
    if not accepts:
        assignment = assignment_create(application=application, reviewer=reviewer, actor=manager)
        assert assignment.reviewer == reviewer
        return
    membership_invitation_accept(invitation=invitation, actor=fresh(reviewer))
    with pytest.raises(RuleViolation) as caught:
        assignment_create(application=application, reviewer=reviewer, actor=manager)
    assert caught.value.errors == {
        "reviewer": ["The reviewer is a member of the applicant organisation."]
    }


def test_a_member_cannot_be_added_twice(org_a, applicant_a, colleague_a):
    with pytest.raises(RuleViolation) as caught:
        membership_invite(organisation=org_a, actor=applicant_a, email=colleague_a.email)
    assert caught.value.code == "already_member"
    assert caught.value.errors == {
        "email": [f"{colleague_a.email} is already a member of {org_a}."]
    }
    assert membership_of(colleague_a, org_a).role == "member"  # unchanged, not promoted
    assert not MembershipInvitation.objects.exists()


def test_bad_input_is_refused_field_by_field(org_a, applicant_a):
    with pytest.raises(RuleViolation) as caught:
        membership_invite(
            organisation=org_a, actor=applicant_a, email="not an address", role="owner"
        )
    assert set(caught.value.errors) == {"email", "role"}
    assert not User.objects.filter(email="not an address").exists()


def test_only_an_admin_manages_people(org_a, applicant_a, colleague_a, applicant_b):
    admin = membership_of(applicant_a, org_a)
    for who in (colleague_a, applicant_b):
        with pytest.raises(NotPermitted):
            membership_invite(organisation=org_a, actor=who, email="x@yins.example")
        with pytest.raises(NotPermitted):
            membership_invite(organisation=org_a, actor=who, email=who.email)
        with pytest.raises(NotPermitted):
            membership_change_role(membership=admin, actor=who, role="member")
        with pytest.raises(NotPermitted):
            membership_remove(membership=admin, actor=who)
    assert not User.objects.filter(email="x@yins.example").exists()
    assert not MembershipInvitation.objects.exists()
    assert membership_of(applicant_a, org_a).role == "admin"


def test_the_last_admin_can_be_neither_demoted_nor_removed(org_a, applicant_a, colleague_a):
    admin = membership_of(applicant_a, org_a)
    with pytest.raises(TransitionConflict) as caught:
        membership_change_role(membership=admin, actor=applicant_a, role="member")
    assert caught.value.code == "last_admin"
    assert "must keep at least one administrator" in caught.value.detail
    with pytest.raises(TransitionConflict) as caught:
        membership_remove(membership=admin, actor=applicant_a)
    assert caught.value.code == "last_admin"
    assert membership_of(applicant_a, org_a).role == "admin"


def test_with_a_second_admin_one_may_step_down_or_leave(org_a, applicant_a, colleague_a):
    membership_change_role(
        membership=membership_of(colleague_a, org_a), actor=applicant_a, role="admin"
    )
    membership_change_role(
        membership=membership_of(applicant_a, org_a), actor=applicant_a, role="member"
    )
    assert membership_of(applicant_a, org_a).role == "member"
    colleague = User.objects.get(pk=colleague_a.pk)
    membership_change_role(
        membership=membership_of(applicant_a, org_a), actor=colleague, role="admin"
    )
    membership_remove(membership=membership_of(applicant_a, org_a), actor=applicant_a)
    assert list(org_a.memberships.values_list("user__email", "role")) == [
        (colleague_a.email, "admin")
    ]


def test_an_admin_removes_a_member(org_a, applicant_a, colleague_a):
    membership_remove(membership=membership_of(colleague_a, org_a), actor=applicant_a)
    assert not Membership.objects.filter(user=colleague_a, organisation=org_a).exists()
    assert User.objects.filter(pk=colleague_a.pk).exists()  # the account stays


def test_an_admin_demoted_a_moment_ago_is_refused_despite_cached_roles(
    org_a, applicant_a, colleague_a
):
    membership_change_role(
        membership=membership_of(colleague_a, org_a), actor=applicant_a, role="admin"
    )
    stale = User.objects.get(pk=applicant_a.pk)
    assert policies.is_org_admin(
        user=stale, organisation_id=org_a.pk
    )  # its roles are cached from now on
    colleague = User.objects.get(pk=colleague_a.pk)
    membership_change_role(
        membership=membership_of(applicant_a, org_a), actor=colleague, role="member"
    )
    with pytest.raises(NotPermitted):
        membership_change_role(
            membership=membership_of(colleague_a, org_a), actor=stale, role="member"
        )
    assert membership_of(colleague_a, org_a).role == "admin"


def test_the_invitation_is_sent_again_only_to_someone_without_a_password(
    org_a, applicant_a, colleague_a, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        result = membership_invite(organisation=org_a, actor=applicant_a, email="late@yins.example")
        membership_invitation_resend(membership=result.membership, actor=applicant_a)
    assert [m.to for m in mailoutbox] == [["late@yins.example"]] * 2
    with pytest.raises(TransitionConflict) as caught:
        membership_invitation_resend(
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
    read_admins = _admin_ids

    def admins_read_together(organisation_id):
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return read_admins(organisation_id)

    monkeypatch.setattr(organisation_services, "_admin_ids", admins_read_together)
    outcomes = {}

    def act(actor_membership, target_membership):
        from django.db import connection as thread_connection

        actor = User.objects.get(pk=actor_membership.user_id)
        try:
            if change == "demote":
                membership_change_role(membership=target_membership, actor=actor, role="member")
            else:
                membership_remove(membership=target_membership, actor=actor)
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
