"""Forms of the review pages. They parse and present; the services decide.

Scores are taken as text and handed to the services untouched: blank stays blank (never 0),
and the range and step rules live in one place, `services.review._clean_score`.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from applications.models import Review
from grants.countries import COUNTRIES
from grants.models import Call, Criterion
from workflows.exceptions import RuleViolation


def plain_number(value: Decimal | None) -> str:
    """4.00 → "4", 2.50 → "2.5", 10 → "10" (not "1E+1")."""
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")


class Form(forms.Form):
    """Labels above their fields, without a trailing colon."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def add_rule_errors(self, exc: RuleViolation, aliases: dict[str, str] | None = None) -> None:
        """A service's errors by field; keys the form does not know become form errors."""
        aliases = aliases or {}
        for key, messages in exc.errors.items():
            name = aliases.get(key, key)
            self.add_error(name if name in self.fields else None, messages)


# The reviewer -------------------------------------------------------------------------


class DeclarationForm(Form):
    conflict = forms.ChoiceField(
        label=_("Your declaration"),
        choices=[
            ("no", _("I have no conflict of interest with this application")),
            ("yes", _("I have a conflict of interest")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one of the two declarations.")},
    )
    reason = forms.CharField(
        label=_("Describe the conflict"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Required if you have a conflict, for example: you work for, advise or are related "
            "to someone in the applicant or a partner organisation."
        ),
    )

    @property
    def has_conflict(self) -> bool:
        return self.cleaned_data["conflict"] == "yes"


class DeclineForm(Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _score_field(criterion: Criterion, call: Call) -> forms.CharField:
    return forms.CharField(
        label=_("Score"),
        required=False,
        max_length=20,
        widget=forms.NumberInput(
            attrs={
                "min": "0",
                "max": plain_number(criterion.max_score),
                "step": plain_number(call.score_step) or "any",
                "inputmode": "decimal",
                "class": "score",
            }
        ),
    )


class ReviewForm(Form):
    """A score and a comment per criterion (in the call's order), an overall comment and a
    recommendation. `version` is the review's version the form was opened on."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    overall_comment = forms.CharField(
        label=_("Overall comment"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    recommendation = forms.ChoiceField(
        label=_("Recommendation"),
        required=False,
        choices=[("", _("— choose —")), *Review.Recommendation.choices],
    )

    def __init__(self, *args, call: Call, criteria: Iterable[Criterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.call = call
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"score_{criterion.pk}"] = _score_field(criterion, call)
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment"),
                required=False,
                max_length=20000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("aria-describedby", f"errors-{name}")

    @classmethod
    def initial_for(cls, review: Review | None) -> dict:
        if review is None:
            return {"version": 1}
        initial = {
            "version": review.version,
            "overall_comment": review.overall_comment,
            "recommendation": review.recommendation,
        }
        for score in review.scores.all():
            initial[f"score_{score.criterion_id}"] = plain_number(score.score)
            initial[f"comment_{score.criterion_id}"] = score.comment
        return initial

    def rows(self) -> list[dict]:
        return [
            {
                "criterion": c,
                "max": plain_number(c.max_score),
                "score": self[f"score_{c.pk}"],
                "comment": self[f"comment_{c.pk}"],
            }
            for c in self.criteria
        ]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "scores": {
                c.pk: {
                    "score": data.get(f"score_{c.pk}", "").strip(),
                    "comment": data.get(f"comment_{c.pk}", ""),
                }
                for c in self.criteria
            },
            "overall_comment": data.get("overall_comment", ""),
            "recommendation": data.get("recommendation", ""),
            "version": data.get("version"),
        }

    def error_aliases(self) -> dict[str, str]:
        aliases = {}
        for c in self.criteria:
            aliases[f"scores.{c.pk}.score"] = f"score_{c.pk}"
            aliases[f"scores.{c.pk}.comment"] = f"comment_{c.pk}"
        return aliases


# The manager --------------------------------------------------------------------------


class ReviewerAddForm(Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    full_name = forms.CharField(
        label=_("Full name"),
        required=False,
        max_length=200,
        help_text=_("For someone without an account yet: they get an e-mail to set a password."),
    )
    country = forms.ChoiceField(
        label=_("Reviewer's country"),
        required=False,
        choices=[("", _("— not given —")), *COUNTRIES],
        help_text=_("Used when the call excludes reviewers from the applicant's country."),
    )
    capacity = forms.IntegerField(
        label=_("Maximum applications"),
        required=False,
        min_value=0,
        help_text=_("Empty: no limit."),
    )


class AssignForm(Form):
    application = forms.TypedChoiceField(label=_("Application"), coerce=int)
    reviewer = forms.TypedChoiceField(label=_("Reviewer"), coerce=int)

    def __init__(self, *args, applications=(), reviewers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].choices = [("", _("— choose —")), *applications]
        self.fields["reviewer"].choices = [("", _("— choose —")), *reviewers]


class ReopenForm(Form):
    comment = forms.CharField(
        label=_("Why reopen it (the reviewer sees this)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ConsensusForm(Form):
    """A consensus score per criterion; a justification where it differs from the mean."""

    def __init__(self, *args, call: Call, criteria: Iterable[Criterion], means: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        self.means = means
        for c in self.criteria:
            self.fields[f"score_{c.pk}"] = _score_field(c, call)
            self.fields[f"score_{c.pk}"].label = _("Consensus score")
            self.fields[f"justification_{c.pk}"] = forms.CharField(
                label=_("Justification"),
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("Required when the score differs from the mean of the reviews."),
            )
            if not self.is_bound:
                mean = means.get(c.pk)
                step = call.score_step or Decimal("0.01")
                if mean is not None and mean.quantize(Decimal("0.01")) % step == 0:
                    self.initial[f"score_{c.pk}"] = plain_number(mean.quantize(Decimal("0.01")))

    def rows(self) -> list[dict]:
        return [
            {
                "criterion": c,
                "mean": self.means.get(c.pk),
                "score": self[f"score_{c.pk}"],
                "justification": self[f"justification_{c.pk}"],
            }
            for c in self.criteria
        ]

    def scores(self) -> dict:
        data = self.cleaned_data
        return {
            c.pk: {
                "score": data.get(f"score_{c.pk}", "").strip(),
                "justification": data.get(f"justification_{c.pk}", ""),
            }
            for c in self.criteria
        }

    def error_aliases(self) -> dict[str, str]:
        aliases = {}
        for c in self.criteria:
            aliases[f"scores.{c.pk}.score"] = f"score_{c.pk}"
            aliases[f"scores.{c.pk}.justification"] = f"justification_{c.pk}"
        return aliases


class ProposeForm(Form):
    """The award list as the ranking proposes it; an awarded amount may be lowered with a
    reason (the service refuses a raise)."""

    comment = forms.CharField(
        label=_("Note for the approver (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, awarded_rows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.awarded_rows = list(awarded_rows)
        for row in self.awarded_rows:
            pk = row.application.pk
            self.fields[f"amount_{pk}"] = forms.CharField(
                label=_("Amount"),
                required=False,
                max_length=20,
                initial=f"{row.requested:.2f}",
                widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "amount"}),
            )
            self.fields[f"reason_{pk}"] = forms.CharField(
                label=_("Reason for a lower amount"), required=False, max_length=4000
            )

    def rows(self) -> list[dict]:
        return [
            {
                "row": row,
                "amount": self[f"amount_{row.application.pk}"],
                "reason": self[f"reason_{row.application.pk}"],
            }
            for row in self.awarded_rows
        ]

    def adjustments(self) -> dict[int, dict]:
        """Only the rows the manager changed: a blank amount means the requested one."""
        data = self.cleaned_data
        changes = {}
        for row in self.awarded_rows:
            pk = row.application.pk
            amount = (data.get(f"amount_{pk}") or "").strip()
            reason = data.get(f"reason_{pk}", "").strip()
            if not amount:
                continue
            try:
                same = Decimal(amount) == row.requested
            except ArithmeticError:
                same = False
            if not same or reason:
                changes[pk] = {"amount": amount, "reason": reason}
        return changes

    def error_aliases(self) -> dict[str, str]:
        return {
            f"adjustments.{r.application.pk}": f"amount_{r.application.pk}"
            for r in self.awarded_rows
        }


class DecisionCommentForm(Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
