"""The programme's portfolio of sub-grants (page and export) and the donor's consolidated
report, for the programme's staff."""

from __future__ import annotations

import csv
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from grants import policies
from grants.forms.grants import (
    DonorExportForm,
    PortfolioFilterForm,
    default_period,
)
from grants.models import (
    Grant,
    Programme,
)
from grants.selectors import cascade as cascade_selectors
from grants.selectors.cascade import (
    as_money,
    cofinancing_percent,
    donor_export_csv,
    donor_export_xlsx,
    public_grants,
    subgrant_within_donor_rules,
)
from grants.selectors.programmes import programme_for_staff
from workflows.exports import csv_cell


def _portfolio_rows(request: HttpRequest, programme: Programme) -> tuple[list[Grant], dict]:
    form = PortfolioFilterForm(request.GET)
    form.is_valid()  # an invalid filter is ignored; the valid ones still apply
    grants = list(
        cascade_selectors.portfolio(
            programme,
            viewer=request.user,
            state=form.cleaned_data.get("state") or None,
            overdue_only=bool(form.cleaned_data.get("overdue")),
        )
    )
    for grant in grants:
        grant.paid = as_money(grant.paid)
        grant.cofinancing = cofinancing_percent(grant)
        grant.donor_rule_violations = subgrant_within_donor_rules(
            programme, grant.amount, grant.cofinancing
        )
    return grants, {"form": form}


@login_required
def portfolio(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = programme_for_staff(request.user, programme_id)
    grants, listing = _portfolio_rows(request, programme)
    committed = sum((g.amount for g in grants), Decimal(0))
    paid = sum((g.paid for g in grants), Decimal(0))
    return render(
        request,
        "grants_manage/portfolio.html",
        {
            "programme": programme,
            "grants": grants,
            "committed": committed,
            "paid": paid,
            "unpaid": committed - paid,
            "overdue_total": sum(g.overdue_reports for g in grants),
            "export_query": request.GET.urlencode(),
            "i_manage": policies.is_programme_manager(user=request.user, programme_id=programme.pk),
            **listing,
        },
    )


@login_required
def portfolio_export(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = programme_for_staff(request.user, programme_id)
    grants, _listing = _portfolio_rows(request, programme)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="programme-{programme.pk}-grants.csv"'
    response.write("\ufeff")  # so spreadsheet programs read UTF-8
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Reference"),
            _("Recipient"),
            _("Country"),
            _("Project"),
            _("State"),
            _("Amount"),
            _("Paid"),
            _("Currency"),
            _("Next report due"),
            _("Overdue reports"),
            _("Donor rules"),
        ]
    )
    for g in grants:
        writer.writerow(
            [
                csv_cell(v)
                for v in (
                    g.reference,
                    g.organisation.legal_name,
                    g.organisation.country,
                    g.title,
                    g.get_state_display(),
                    g.amount,
                    g.paid,
                    g.currency,
                    g.next_deadline.isoformat() if g.next_deadline else "",
                    g.overdue_reports,
                    " ".join(g.donor_rule_violations),
                )
            ]
        )
    return response


@login_required
def donor_report(request: HttpRequest, programme_id: int) -> HttpResponse:
    """The form; with a valid period in the query string, the download."""
    programme = programme_for_staff(request.user, programme_id)
    form = DonorExportForm(request.GET or None, initial=default_period(programme))
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        name = f"programme-{programme.pk}-donor-report-{start:%Y%m%d}-{end:%Y%m%d}"
        if form.cleaned_data["format"] == "csv":
            body = donor_export_csv(programme, start, end, viewer=request.user)
            response = HttpResponse("\ufeff" + body, content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        else:
            body = donor_export_xlsx(programme, start, end, viewer=request.user)
            response = HttpResponse(
                body,
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    return render(
        request,
        "grants_manage/donor_report.html",
        {
            "programme": programme,
            "form": form,
            "open_data": public_grants(programme).exists(),
        },
        status=400 if form.is_bound else 200,
    )
