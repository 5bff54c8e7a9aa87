"""Open data: the awarded grants of a public programme as 360Giving (JSON, CSV) and IATI
(XML) files.

Only what is already public goes out: the grants the public list shows
(`public_views.public_grants`), with what that page shows of them — recipient organisation
and country, project, summary, period and amount — plus identifiers, the lead organisation
that awards them, the programme, its donors and, in IATI, the tranches paid (date and
amount). Nothing personal, no e-mail, no payment reference.

The files are written in English whatever the visitor's language: they are data, read by
machines and aggregators, and their field names and codes are English anyway.

Identifiers start with settings.OPEN_DATA_ID_PREFIX (a registered 360Giving prefix once the
lead organisation has one):

- grant: ``<prefix>-<lead organisation pk>-<grant pk>``;
- organisation: its org-id.guide identifier, ``<registry>-<registration number>`` (e.g.
  ``RS-APR-12345678``, spaces taken out of the number), when it has recorded both its
  register (``Organisation.registry``) and its number; otherwise ``<prefix>-org-<pk>``, the
  internal identifier the 360Giving guidance asks for when no register identifier is known.
  The grant and IATI activity identifiers keep the internal form, so they do not change
  when an organisation records its register.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone, translation

from grants.countries import COUNTRIES
from grants.models import Amendment, Call, Grant, Organisation, Programme, Tranche
from grants.registries import org_id
from workflows.models import TransitionLog


def prefix() -> str:
    return settings.OPEN_DATA_ID_PREFIX


def organisation_id(organisation: Organisation) -> str:
    """The internal identifier (also the start of the IATI activity identifiers)."""
    return f"{prefix()}-org-{organisation.pk}"


def organisation_ref(organisation: Organisation) -> str:
    """How the files name an organisation: its org-id when known, else the internal one."""
    return org_id(organisation.registry, organisation.registration_number) or organisation_id(
        organisation
    )


def grant_id(grant: Grant, programme: Programme) -> str:
    return f"{prefix()}-{programme.owner_id}-{grant.pk}"


def programme_code(programme: Programme) -> str:
    return f"{prefix()}-programme-{programme.pk}"


def country_name(code: str) -> str:
    with translation.override("en"):
        return str(dict(COUNTRIES).get(code, code))


@dataclass(frozen=True)
class Payment:
    paid_on: dt.date
    amount: Decimal


@dataclass(frozen=True)
class PublicGrant:
    """One exported grant, the same for every format."""

    grant: Grant
    id: str
    title: str
    description: str
    currency: str
    amount: Decimal
    award_date: dt.date
    start_date: dt.date | None
    end_date: dt.date | None
    recipient: Organisation
    # Where the beneficiaries are, when we know: a national call's projects happen in the
    # grantee's country; for a regional call (or a grant without a call) we do not know.
    beneficiary_country: str | None
    modified: dt.datetime | None
    payments: list[Payment] = field(default_factory=list)


def _last_logged() -> Subquery:
    """The latest transition of the grant, one of its tranches or one of its amendments:
    the last time something the exports show (state, payments, changed dates) changed."""
    grant = OuterRef("pk")
    of_grant = OuterRef(OuterRef("pk"))
    logs = (
        TransitionLog.objects.filter(content_type__app_label="grants")
        .filter(
            Q(content_type__model="grant", object_id=grant)
            | Q(
                content_type__model="tranche",
                object_id__in=Tranche.objects.filter(grant=of_grant).values("pk"),
            )
            | Q(
                content_type__model="amendment",
                object_id__in=Amendment.objects.filter(grant=of_grant).values("pk"),
            )
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    return Subquery(logs)


def for_export(grants: QuerySet[Grant], *, with_payments: bool = False) -> QuerySet[Grant]:
    """The public grants with what the exports read, in a fixed number of queries."""
    grants = (
        grants.select_related("organisation", "application__call")
        .annotate(last_logged=_last_logged())
        .order_by("pk")
    )
    if with_payments:
        grants = grants.prefetch_related(
            Prefetch(
                "tranches",
                queryset=Tranche.objects.filter(state=Tranche.State.PAID).order_by(
                    "paid_on", "number"
                ),
                to_attr="paid_tranches",
            )
        )
    return grants


def _local_date(moment: dt.datetime, programme: Programme) -> dt.date:
    return timezone.localtime(moment, ZoneInfo(programme.timezone)).date()


def public_grant(grant: Grant, programme: Programme) -> PublicGrant:
    call = grant.application.call if grant.application_id else None
    national = call is not None and call.scope == Call.Scope.NATIONAL
    if grant.created_at is not None:
        award_date = _local_date(grant.created_at, programme)
    else:
        award_date = grant.start_date or programme.start_date
    changes = [
        moment
        for moment in (grant.created_at, grant.last_logged, grant.organisation.updated_at)
        if moment is not None
    ]
    return PublicGrant(
        grant=grant,
        id=grant_id(grant, programme),
        title=grant.title,
        description=grant.summary or grant.title,
        currency=grant.currency,
        amount=grant.amount,
        award_date=award_date,
        start_date=grant.start_date,
        end_date=grant.end_date,
        recipient=grant.organisation,
        beneficiary_country=grant.organisation.country if national else None,
        modified=max(changes) if changes else None,
        payments=[
            Payment(
                paid_on=t.paid_on, amount=t.paid_amount if t.paid_amount is not None else t.amount
            )
            for t in getattr(grant, "paid_tranches", [])
            if t.paid_on is not None
        ],
    )


def iso_datetime(moment: dt.datetime) -> str:
    """RFC 3339 in UTC, to the second: what both standards want for a date-time."""
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat()
