"""Reads for review results: per-criterion means, weighted totals, the ranking with its funding
line, the reviewer normalisation analysis and the CSV export. The arithmetic runs in the
database (aggregations and subqueries); Python only walks the already ranked rows."""

from __future__ import annotations

import csv
import io
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Avg,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Round
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.models import Application, BudgetLine, ConsensusScore, ReviewAssignment, Score
from applications.selectors.awards import awarded_total
from grants.models import Call, Criterion
from grants.templatetags.money import plain
from workflows.exports import csv_cell

NUMBER = DecimalField(max_digits=20, decimal_places=6)
TWO = Decimal("0.01")

RANKED_STATES = [
    Application.State.REVIEWED,
    Application.State.SHORTLISTED,
    Application.State.RESERVE,
    Application.State.AWARDED,
    Application.State.REJECTED,
]
PENDING_STATES = [Application.State.IN_REVIEW, Application.State.MODERATION]

TIE_BREAK = gettext_lazy(
    "Equal totals (to the two decimals shown) are ordered by the score on the most heavily weighted criterion, then the "
    "next criteria by weight, then the smaller requested amount, then the earlier submission."
)


def _q(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(TWO, rounding=ROUND_HALF_UP)


@dataclass
class RankRow:
    application: Application
    requested: Decimal
    scores: dict[int, Decimal | None]
    consensus: set[int]
    review_count: int
    total: Decimal | None = None
    failed: list[str] = field(default_factory=list)
    rank: int | None = None
    proposal: str = ""  # award | reserve | reject | awarded | pending

    @property
    def passed(self) -> bool:
        return self.total is not None and not self.failed


@dataclass
class Ranking:
    call: Call
    criteria: list[Criterion]
    rows: list[RankRow]
    budget: Decimal
    already_awarded: Decimal
    proposed_total: Decimal
    tie_break: str = TIE_BREAK

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.already_awarded - self.proposed_total


def _submitted_scores():
    return Score.objects.filter(
        review__assignment__application=OuterRef("pk"),
        review__assignment__state=ReviewAssignment.State.SUBMITTED,
    )


def call_ranking(call: Call) -> Ranking:
    """The ranked applications of a call with the funding line. Three queries: criteria,
    the ranked applications, the amount already awarded."""

    criteria = list(call.criteria.order_by("-weight", "order", "pk"))
    total_weight = sum((c.weight for c in criteria), Decimal(0)) or Decimal(1)
    annotations = {}
    weighted = []
    for c in criteria:
        mean = Subquery(
            _submitted_scores()
            .filter(criterion=c)
            .values("criterion")
            .annotate(m=Avg("score"))
            .values("m")[:1],
            output_field=NUMBER,
        )
        consensus = Subquery(
            ConsensusScore.objects.filter(application=OuterRef("pk"), criterion=c).values("score")[
                :1
            ],
            output_field=NUMBER,
        )
        annotations[f"k{c.pk}"] = consensus
        annotations[f"c{c.pk}"] = Coalesce(consensus, mean, output_field=NUMBER)
        weighted.append(F(f"c{c.pk}") * Value(c.weight / c.max_score * 100 / total_weight))
    requested = Subquery(
        BudgetLine.objects.filter(application=OuterRef("pk"))
        .values("application")
        .annotate(s=Sum("amount_requested"))
        .values("s")[:1],
        output_field=NUMBER,
    )
    reviews = Subquery(
        ReviewAssignment.objects.filter(
            application=OuterRef("pk"), state=ReviewAssignment.State.SUBMITTED
        )
        .values("application")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    queryset = (
        Application.objects.filter(call=call, state__in=RANKED_STATES + PENDING_STATES)
        .select_related("organisation")
        .annotate(**annotations)
        .annotate(
            requested=Coalesce(requested, Value(Decimal(0)), output_field=NUMBER),
            review_count=Coalesce(reviews, Value(0)),
        )
    )
    if weighted:
        expression = weighted[0]
        for term in weighted[1:]:
            expression = expression + term
        # Rounded as shown (two decimals), so that totals that look equal are equal and the
        # documented tie-break decides — not a difference in the 20th digit of a division.
        queryset = queryset.annotate(
            total=Round(ExpressionWrapper(expression, output_field=NUMBER), 2, output_field=NUMBER)
        )
        ordering = [F("total").desc(nulls_last=True)]
        ordering += [F(f"c{c.pk}").desc(nulls_last=True) for c in criteria]
    else:
        queryset = queryset.annotate(total=Value(None, output_field=NUMBER))
        ordering = []
    queryset = queryset.order_by(*ordering, "requested", "submitted_at", "pk")

    already = awarded_total(call)
    remaining = call.budget - already
    proposed = Decimal(0)
    rows: list[RankRow] = []
    rank = 0
    for app in queryset:
        row = RankRow(
            application=app,
            requested=_q(app.requested),
            scores={c.pk: _q(getattr(app, f"c{c.pk}")) for c in criteria},
            consensus={c.pk for c in criteria if getattr(app, f"k{c.pk}") is not None},
            review_count=app.review_count,
        )
        if app.state in PENDING_STATES or app.total is None:
            row.proposal = "pending"
            rows.append(row)
            continue
        row.total = _q(app.total)
        row.failed = [
            c.title
            for c in criteria
            if c.pass_threshold is not None and row.scores[c.pk] < c.pass_threshold
        ]
        if row.total < call.pass_threshold:
            row.failed.append(_("overall pass mark"))
        rank += 1
        row.rank = rank
        if app.state == Application.State.AWARDED:
            row.proposal = "awarded"
        elif app.state == Application.State.REJECTED or not row.passed:
            row.proposal = "reject"
        elif row.requested <= remaining:
            row.proposal = "award"
            remaining -= row.requested
            proposed += row.requested
        else:
            row.proposal = "reserve"
        rows.append(row)
    return Ranking(
        call=call,
        criteria=criteria,
        rows=rows,
        budget=call.budget,
        already_awarded=already,
        proposed_total=proposed,
    )


def criterion_means(application_id: int) -> dict[int, Decimal]:
    """Mean of the submitted reviews per criterion, for one application."""
    return {
        row["criterion_id"]: Decimal(row["mean"])
        for row in Score.objects.filter(
            review__assignment__application_id=application_id,
            review__assignment__state=ReviewAssignment.State.SUBMITTED,
            score__isnull=False,
        )
        .values("criterion_id")
        .annotate(mean=Avg("score", output_field=NUMBER))
    }


def review_totals_for(*, application_ids=None, call: Call | None = None) -> list[dict]:
    """Weighted total (0–100) of each submitted review, computed in one aggregate query."""
    scores = Score.objects.filter(
        review__assignment__state=ReviewAssignment.State.SUBMITTED, score__isnull=False
    )
    if application_ids is not None:
        scores = scores.filter(review__assignment__application_id__in=application_ids)
    if call is not None:
        scores = scores.filter(review__assignment__application__call=call)
    rows = (
        scores.values(
            "review_id",
            reviewer_id=F("review__assignment__reviewer_id"),
            application_id=F("review__assignment__application_id"),
        )
        .annotate(
            # As floats: SQLite stores whole-number decimals as integers and would divide
            # them as integers. The totals are rounded to 0.01 below.
            weighted=Sum(
                Cast("score", FloatField())
                * Cast("criterion__weight", FloatField())
                / Cast("criterion__max_score", FloatField()),
                output_field=FloatField(),
            ),
            weights=Sum(Cast("criterion__weight", FloatField()), output_field=FloatField()),
        )
        .order_by("review_id")
    )
    return [
        {
            "review_id": r["review_id"],
            "reviewer_id": r["reviewer_id"],
            "application_id": r["application_id"],
            "total": _q(Decimal(str(r["weighted"] * 100 / r["weights"]))),
        }
        for r in rows
    ]


@dataclass
class NormalisedRow:
    application_id: int
    raw_mean: Decimal
    normalised_mean: Decimal
    shift: Decimal


@dataclass
class ReviewerProfile:
    reviewer_id: int
    reviews: int
    mean: Decimal
    stdev: Decimal
    tendency: str  # harsh | lenient | neutral


def reviewer_normalisation(call: Call) -> tuple[list[ReviewerProfile], list[NormalisedRow]]:
    """Analysis only — never changes the official ranking. Each review's total becomes a
    z-score over that reviewer's own reviews, mapped back onto the scale of all reviews."""
    totals = review_totals_for(call=call)
    if len(totals) < 2:
        return [], []
    everything = [float(t["total"]) for t in totals]
    grand_mean = statistics.fmean(everything)
    grand_sd = statistics.pstdev(everything) or 1.0
    by_reviewer: dict[int, list[float]] = defaultdict(list)
    for t in totals:
        by_reviewer[t["reviewer_id"]].append(float(t["total"]))
    profiles = []
    stats = {}
    for reviewer_id, values in sorted(by_reviewer.items()):
        mean = statistics.fmean(values)
        sd = statistics.pstdev(values) if len(values) > 1 else 0.0
        stats[reviewer_id] = (mean, sd)
        tendency = "neutral"
        if mean < grand_mean - grand_sd / 2:
            tendency = "harsh"
        elif mean > grand_mean + grand_sd / 2:
            tendency = "lenient"
        profiles.append(ReviewerProfile(reviewer_id, len(values), _q(mean), _q(sd), tendency))
    per_app: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for t in totals:
        mean, sd = stats[t["reviewer_id"]]
        z = (float(t["total"]) - mean) / sd if sd else 0.0
        per_app[t["application_id"]].append((float(t["total"]), grand_mean + z * grand_sd))
    rows = [
        NormalisedRow(
            app_id,
            _q(statistics.fmean(v[0] for v in values)),
            _q(statistics.fmean(v[1] for v in values)),
            _q(statistics.fmean(v[1] - v[0] for v in values)),
        )
        for app_id, values in sorted(per_app.items())
    ]
    return profiles, rows


def review_comments(call: Call) -> dict[int, list[tuple[int, str, str]]]:
    """(criterion id, comment, overall comment) of every submitted review, per application."""
    comments: dict[int, list] = defaultdict(list)
    for app_id, criterion_id, comment in Score.objects.filter(
        review__assignment__application__call=call,
        review__assignment__state=ReviewAssignment.State.SUBMITTED,
    ).values_list("review__assignment__application_id", "criterion_id", "comment"):
        if comment:
            comments[app_id].append((criterion_id, comment))
    return comments


def evaluation_summary(
    row: RankRow, criteria: list[Criterion] | None = None, comments: dict | None = None
) -> str:
    """What the applicant reads: scores per criterion and the reviewers' comments, without
    their names. Consensus justifications replace the comments where a moderator decided."""
    lines = []
    if row.total is not None:
        lines.append(_("Total score: %(t)s / 100.") % {"t": row.total})
    application = row.application
    justifications = {
        c.criterion_id: c.justification
        for c in ConsensusScore.objects.filter(application=application)
    }
    for criterion in criteria or application.call.criteria.all():
        score = row.scores.get(criterion.pk)
        lines.append(
            f"{criterion.title}: {score if score is not None else '—'} / {plain(criterion.max_score)}"
        )
        if criterion.pk in justifications:
            lines.append(f"  {justifications[criterion.pk]}")
        else:
            for criterion_id, comment in (comments or {}).get(application.pk, []):
                if criterion_id == criterion.pk:
                    lines.append(f"  – {comment}")
    return "\n".join(lines)


def ranking_csv(ranking: Ranking) -> str:
    """One row per application and reviewer, with every reviewer's score per criterion, and a
    row with the values the ranking used (mean or consensus)."""
    criteria = ranking.criteria
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "rank",
            "reference",
            "applicant",
            "country",
            "requested",
            "total",
            "proposal",
            "row",
            "reviewer",
        ]
        + [c.title for c in criteria]
        + ["recommendation"]
    )
    app_ids = [row.application.pk for row in ranking.rows]
    per_review: dict[int, dict] = defaultdict(dict)
    meta: dict[int, tuple] = {}
    for review_id, app_id, email, criterion_id, score, recommendation in (
        Score.objects.filter(
            review__assignment__application_id__in=app_ids,
            review__assignment__state=ReviewAssignment.State.SUBMITTED,
        )
        .values_list(
            "review_id",
            "review__assignment__application_id",
            "review__assignment__reviewer__email",
            "criterion_id",
            "score",
            "review__recommendation",
        )
        .order_by("review_id")
    ):
        per_review[review_id][criterion_id] = score
        meta[review_id] = (app_id, email, recommendation)
    reviews_by_app: dict[int, list[int]] = defaultdict(list)
    for review_id, (app_id, _email, _rec) in meta.items():
        reviews_by_app[app_id].append(review_id)
    for row in ranking.rows:
        app = row.application
        base = [
            row.rank or "",
            csv_cell(app.reference),
            csv_cell(app.organisation.legal_name),
            app.organisation.country,
            row.requested,
            row.total if row.total is not None else "",
            row.proposal,
        ]
        writer.writerow(
            base
            + ["ranking", ""]
            + [
                f"{row.scores[c.pk]}{' (consensus)' if c.pk in row.consensus else ''}"
                if row.scores[c.pk] is not None
                else ""
                for c in criteria
            ]
            + [""]
        )
        for review_id in reviews_by_app[app.pk]:
            _app, email, recommendation = meta[review_id]
            writer.writerow(
                base
                + ["review", email]
                + [per_review[review_id].get(c.pk, "") for c in criteria]
                + [recommendation]
            )
    return buffer.getvalue()
