"""The grant agreement as a PDF, generated from the grant (reportlab, no template files).

Both sides download the same document: the parties, the project, the money, the budget, the
tranche and reporting schedules and the obligations the call sets. Text is written with
DejaVu Sans when the system has it, because names in the region carry ć, č, đ, which the
PDF base fonts cannot show; ASCII stays readable in the file either way (reportlab keeps
ASCII codes in its font subsets), and pages are not compressed, so tests find the text.
"""

from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import KeepTogether

from grants.models import Grant, Tranche
from grants.templatetags.money import format_money, plain

FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu")


def _fonts() -> tuple[str, str]:
    """Regular and bold font names: DejaVu Sans if installed, else Helvetica."""
    if "RegrantSans" in pdfmetrics.getRegisteredFontNames():
        return "RegrantSans", "RegrantSans-Bold"
    for folder in FONT_DIRS:
        regular, bold = Path(folder, "DejaVuSans.ttf"), Path(folder, "DejaVuSans-Bold.ttf")
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont("RegrantSans", str(regular)))
            pdfmetrics.registerFont(TTFont("RegrantSans-Bold", str(bold)))
            return "RegrantSans", "RegrantSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def _day(value) -> str:
    return date_format(value, "j F Y") if value else "—"


def trigger_in_words(tranche: Tranche) -> str:
    if tranche.trigger == Tranche.Trigger.SIGNATURE:
        return _("On signature of this agreement")
    if tranche.trigger == Tranche.Trigger.REPORT and tranche.trigger_report_id:
        report = tranche.trigger_report
        return _("On approval of the %(kind)s no. %(n)s (period %(start)s – %(end)s)") % {
            "kind": report.get_kind_display().lower(),
            "n": report.number,
            "start": _day(report.period_start),
            "end": _day(report.period_end),
        }
    if tranche.trigger == Tranche.Trigger.REPORT:
        return _("On approval of a report")
    return _("When the programme decides to release it")


def _party(organisation) -> str:
    if organisation is None:
        return "—"
    parts = [f"<b>{escape(organisation.legal_name)}</b>"]
    if organisation.short_name:
        parts[0] += f" ({escape(organisation.short_name)})"
    details = [organisation.get_country_display()]
    if getattr(organisation, "city", ""):
        details.insert(0, organisation.city)
    if organisation.registration_number:
        details.append(_("reg. no. %(n)s") % {"n": organisation.registration_number})
    parts.append(escape(", ".join(str(d) for d in details)))
    return "<br/>".join(parts)


def agreement_pdf(grant: Grant) -> bytes:
    """The agreement of `grant` as PDF bytes."""
    regular, bold = _fonts()
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontName=regular, fontSize=10)
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=11)
    title = ParagraphStyle("title", parent=styles["Title"], fontName=bold, fontSize=17)
    heading = ParagraphStyle(
        "heading", parent=styles["Heading2"], fontName=bold, fontSize=12, spaceBefore=10
    )

    programme = grant.programme
    owner = programme.owner if programme else None
    call = grant.application.call if grant.application_id else None
    currency = grant.currency

    def p(text: str, style=body) -> Paragraph:
        return Paragraph(text, style)

    def table(rows: list[list], widths: list[float], numeric: tuple[int, ...] = ()) -> Table:
        cells = [[p(str(c), small) if isinstance(c, str) else c for c in row] for row in rows]
        t = Table(cells, colWidths=widths, repeatRows=1)
        style = [
            ("FONTNAME", (0, 0), (-1, -1), regular),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edf2")),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        t.setStyle(TableStyle(style))
        return t

    story = [
        p(_("Grant agreement"), title),
        p(
            escape(
                _("Reference %(ref)s · generated on %(day)s")
                % {"ref": grant.reference or f"#{grant.pk}", "day": _day(timezone.localdate())}
            ),
            small,
        ),
        Spacer(1, 4 * mm),
        p(_("1. The parties"), heading),
        table(
            [
                [_("Awarding organisation"), _("Grantee")],
                [p(_party(owner), small), p(_party(grant.organisation), small)],
            ],
            [85 * mm, 85 * mm],
        ),
        Spacer(1, 2 * mm),
        p(
            escape(
                _(
                    "The awarding organisation runs the programme “%(programme)s” and awards "
                    "the grant below to the grantee, on the terms of this agreement."
                )
                % {"programme": programme.title if programme else "—"}
            )
        ),
        p(_("2. The project and the grant"), heading),
    ]
    facts = [
        [_("Project"), escape(grant.title)],
        [_("Partners"), escape(_partners(grant))],
        [_("Reference"), escape(grant.reference or f"#{grant.pk}")],
        [_("Grant amount"), format_money(grant.amount, currency)],
        [_("Own contribution"), format_money(grant.own_contribution, currency)],
        [_("Total project cost"), format_money(grant.amount + grant.own_contribution, currency)],
        [_("Period"), f"{_day(grant.start_date)} – {_day(grant.end_date)}"],
    ]
    if call is not None:
        facts.insert(1, [_("Call"), escape(call.title)])
        facts.append(
            [
                _("Budget flexibility"),
                _("Each budget line may be exceeded by at most %(p)s %% without an amendment.")
                % {"p": plain(call.budget_flexibility_percent)},
            ]
        )
    story.append(table([[_("Item"), _("Value")], *facts], [45 * mm, 125 * mm]))

    lines = list(grant.budget_lines.all())
    story += [p(_("3. Budget"), heading)]
    rows = [[_("No."), _("Category"), _("Description"), _("Grant"), _("Own contribution")]]
    for i, line in enumerate(lines, 1):
        rows.append(
            [
                str(i),
                escape(line.category_label),
                escape(line.description),
                format_money(line.amount, currency),
                format_money(line.own_contribution, currency),
            ]
        )
    rows.append(
        [
            "",
            "",
            _("Total"),
            format_money(sum((x.amount for x in lines), 0), currency),
            format_money(sum((x.own_contribution for x in lines), 0), currency),
        ]
    )
    story.append(table(rows, [12 * mm, 28 * mm, 60 * mm, 35 * mm, 35 * mm]))

    story += [p(_("4. Payment in tranches"), heading)]
    rows = [[_("No."), _("Share"), _("Amount"), _("Paid when")]]
    for tranche in grant.tranches.select_related("trigger_report"):
        rows.append(
            [
                str(tranche.number),
                f"{plain(tranche.percent)} %",
                format_money(tranche.amount, currency),
                escape(trigger_in_words(tranche)),
            ]
        )
    story.append(table(rows, [12 * mm, 20 * mm, 35 * mm, 103 * mm]))
    story.append(
        p(
            escape(_("Payments never exceed the grant amount in total.")),
            small,
        )
    )

    story += [p(_("5. Reporting"), heading)]
    rows = [[_("No."), _("Report"), _("Period"), _("Due")]]
    for report in grant.reports.all():
        rows.append(
            [
                str(report.number),
                str(report.get_kind_display()),
                f"{_day(report.period_start)} – {_day(report.period_end)}",
                _day(report.due_date),
            ]
        )
    story.append(table(rows, [12 * mm, 40 * mm, 78 * mm, 40 * mm]))
    story.append(
        p(
            escape(
                _(
                    "Each report holds a narrative, a financial statement per budget line and "
                    "the values of the programme's indicators, with supporting documents."
                )
            ),
            small,
        )
    )

    story += [p(_("6. Obligations of the grantee"), heading)]
    obligations = (call.obligations if call is not None else "").strip()
    if obligations:
        for paragraph in obligations.split("\n\n"):
            story.append(p(escape(paragraph).replace("\n", "<br/>")))
    else:
        story.append(p(escape(_("No obligations beyond this agreement were set by the call."))))

    signed = (
        _("Accepted on %(day)s by %(who)s for the grantee.")
        % {"day": _day(timezone.localtime(grant.signed_at)), "who": grant.signed_by.display_name}
        if grant.signed_at and grant.signed_by_id
        else _("Not signed yet.")
    )
    story += [
        KeepTogether(
            [
                p(_("7. Signature"), heading),
                p(escape(signed)),
                Spacer(1, 10 * mm),
                table(
                    [
                        [_("For the awarding organisation"), _("For the grantee")],
                        [
                            "<br/><br/><br/>" + _("Name, date, signature"),
                            _("Name, date, signature"),
                        ],
                    ],
                    [85 * mm, 85 * mm],
                ),
            ]
        )
    ]

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=_("Grant agreement %(ref)s") % {"ref": grant.reference or grant.pk},
        author=owner.legal_name if owner else "Regrant",
        subject=grant.title,
        creator="Regrant",
        invariant=1,
        pageCompression=0,
    )

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.drawString(
            20 * mm,
            10 * mm,
            _("%(ref)s · page %(n)s") % {"ref": grant.reference or grant.pk, "n": doc.page},
        )
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _partners(grant) -> str:
    if not grant.application_id:
        return "—"
    names = [
        f"{p.organisation.legal_name} ({p.organisation.country})"
        for p in grant.application.partners.select_related("organisation")
    ]
    return "; ".join(names) or _("none")
