"""Tranches on the manager's grant page: made due, approved by someone else, paid."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grants import policies
from grants.forms.grants import (
    TranchePayForm,
)
from grants.selectors.grants import (
    grant_for_staff,
    tranche_for_staff,
)
from grants.services import grants as grants_services
from grants.views.manage.grants import _grant_redirect, _render_grant
from workflows.exceptions import NotPermitted, TransitionConflict
from workflows.permissions import require
from workflows.refusals import refusal_as_message, refusal_on_form


@login_required
@require_POST
def tranche_make_due(request: HttpRequest, tranche_id: int) -> HttpResponse:
    tranche = tranche_for_staff(request.user, tranche_id)
    require(
        policies.is_programme_manager, user=request.user, programme_id=tranche.grant.programme_id
    )
    with refusal_as_message(request, TransitionConflict, NotPermitted):
        grants_services.tranche_make_due(tranche=tranche, actor=request.user)
        messages.success(
            request,
            _("Tranche %(n)s is due; someone else approves it for payment.")
            % {"n": tranche.number},
        )
    return _grant_redirect(tranche.grant_id, "tranches")


@login_required
@require_POST
def tranche_approve(request: HttpRequest, tranche_id: int) -> HttpResponse:
    tranche = tranche_for_staff(request.user, tranche_id)
    require(policies.can_finance_grant, user=request.user, grant=tranche.grant)
    with refusal_as_message(request, TransitionConflict, NotPermitted):
        grants_services.tranche_approve(tranche=tranche, actor=request.user)
        messages.success(
            request, _("Tranche %(n)s is approved for payment.") % {"n": tranche.number}
        )
    return _grant_redirect(tranche.grant_id, "tranches")


@login_required
@require_POST
def tranche_pay(request: HttpRequest, tranche_id: int) -> HttpResponse:
    tranche = tranche_for_staff(request.user, tranche_id)
    require(policies.can_finance_grant, user=request.user, grant=tranche.grant)
    form = TranchePayForm(request.POST, auto_id="pay_%s")
    if form.is_valid():
        with (
            refusal_as_message(request, TransitionConflict, NotPermitted) as refused,
            refusal_on_form(form),
        ):
            grants_services.tranche_pay(
                tranche=tranche,
                actor=request.user,
                paid_on=form.cleaned_data["paid_on"],
                amount=form.cleaned_data["amount"],
                reference=form.cleaned_data["reference"],
            )
            messages.success(
                request, _("Payment of tranche %(n)s recorded.") % {"n": tranche.number}
            )
            return _grant_redirect(tranche.grant_id, "tranches")
        if refused:
            return _grant_redirect(tranche.grant_id, "tranches")
    grant = grant_for_staff(request.user, tranche.grant_id)
    return _render_grant(request, grant, pay_form=form, pay_tranche_id=tranche.pk)
