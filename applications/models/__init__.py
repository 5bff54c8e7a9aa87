"""The applications models, one module per sub-domain; import them from here."""

from applications.models.applications import (
    Answer,
    Application,
    Attachment,
    BudgetLine,
    ClarificationRequest,
    Partner,
    attachment_path,
    budget_totals,
)
from applications.models.awards import AwardList, AwardListItem
from applications.models.review import ConsensusScore, Review, ReviewAssignment, Score

__all__ = [
    "Answer",
    "Application",
    "Attachment",
    "AwardList",
    "AwardListItem",
    "BudgetLine",
    "ClarificationRequest",
    "ConsensusScore",
    "Partner",
    "Review",
    "ReviewAssignment",
    "Score",
    "attachment_path",
    "budget_totals",
]
