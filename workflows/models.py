from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class TransitionLogQuerySet(models.QuerySet):
    def for_object(self, obj):
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
        ).select_related("actor")

    def update(self, **kwargs):
        raise TypeError("The transition log is append-only.")

    def delete(self):
        raise TypeError("The transition log is append-only.")


class TransitionLog(models.Model):
    """Who moved what from which state to which, when, with what comment. Append-only."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    transition = models.CharField(max_length=64)
    from_state = models.CharField(max_length=32)
    to_state = models.CharField(max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = TransitionLogQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.transition}: {self.from_state} → {self.to_state}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The transition log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The transition log is append-only.")


class Notification(models.Model):
    """The outbox: one row per (deadline, recipient, kind, offset). The unique constraint makes
    a rerun — or two sweeps at once — insert nothing new; a compare-and-swap on `state`
    decides which worker sends it."""

    class Kind(models.TextChoices):
        # Deadline reminders (the sweep).
        CALL_CLOSING = "call_closing", _("Call closing")
        CLARIFICATION_DUE = "clarification_due", _("Clarification due")
        REVIEW_DUE = "review_due", _("Review due")
        REPORT_DUE = "report_due", _("Report due")
        TRANCHE_DUE = "tranche_due", _("Tranche waiting")
        # Events (written in the same transaction as the change they tell about).
        APPLICATION_RECEIVED = "application_received", _("Application received")
        CLARIFICATION_REQUESTED = "clarification_requested", _("Clarification requested")
        ELIGIBILITY = "eligibility", _("Eligibility outcome")
        REVIEW_ASSIGNED = "review_assigned", _("Applications assigned for review")
        DECISION = "decision", _("Funding decision")
        CHANGES_REQUESTED = "changes_requested", _("Report changes requested")
        REPORT_APPROVED = "report_approved", _("Report approved")
        TRANCHE_PAID = "tranche_paid", _("Tranche paid")
        MEMBERSHIP_INVITED = "membership_invited", _("Invitation to join an organisation")

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        DIGEST = "digest", "In the inbox; e-mail waits for the daily digest"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    EVENT = "event"  # the offset of an event notification

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    deadline_key = models.CharField(max_length=60, help_text="e.g. report:12")
    deadline_at = models.DateTimeField()
    offset = models.CharField(max_length=20, help_text="e.g. -7d, +1d, or event")
    due_at = models.DateTimeField(db_index=True)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    url = models.CharField(max_length=255, blank=True)
    params = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField(null=True, blank=True, help_text="Handed to the broker.")
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="Reached the inbox.")
    emailed_at = models.DateTimeField(null=True, blank=True)
    claim = models.UUIDField(null=True, blank=True, help_text="The digest batch that took it.")
    read_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-due_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline_key", "deadline_at", "recipient", "kind", "offset"],
                name="notification_once_per_deadline_recipient_offset",
            )
        ]
        indexes = [
            models.Index(fields=["state", "due_at"]),
            models.Index(fields=["recipient", "read_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.offset} → {self.recipient_id}"

    @property
    def is_reminder(self) -> bool:
        return self.offset != self.EVENT

    @property
    def urgent(self) -> bool:
        """Deadline reminders and requests with a deadline of their own are e-mailed at once,
        whatever the recipient's preference."""
        return self.is_reminder or self.kind in URGENT_EVENTS


URGENT_EVENTS = {Notification.Kind.CLARIFICATION_REQUESTED, Notification.Kind.CHANGES_REQUESTED}
