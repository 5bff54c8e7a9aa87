from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string


@shared_task
def deadline_sweep() -> dict:
    """Periodic: close calls whose closing second has passed and open reports whose period
    has ended. See `manage.py deadline_sweep`."""
    from grants.reports import reports_open_due
    from grants.services import calls_close_due

    from .notifications import notifications_sweep

    closed, opened = calls_close_due(), reports_open_due()
    result = notifications_sweep()
    return {"calls_closed": closed, "reports_opened": opened, "reminders": result.inserted}


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_submission_receipt(application_id: int) -> int:
    """E-mail the receipt to every member of the applicant organisation."""
    from applications.models import Application

    application = Application.objects.select_related("call__programme", "organisation").get(
        pk=application_id
    )
    recipients = list(application.organisation.members.values_list("email", flat=True))
    if not recipients:
        return 0
    context = {"application": application, "site_url": settings.SITE_URL}
    return send_mail(
        subject=f"[Regrant] Application {application.reference} received",
        message=render_to_string("applications/email/receipt.txt", context),
        from_email=None,
        recipient_list=recipients,
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_application_event(application_id: int, event: str) -> int:
    """E-mail the applicant organisation about an event on its application (screening,
    clarification request)."""
    from applications.models import Application

    application = Application.objects.select_related("call__programme", "organisation").get(
        pk=application_id
    )
    recipients = list(application.organisation.members.values_list("email", flat=True))
    if not recipients:
        return 0
    context = {
        "application": application,
        "event": event,
        "clarification": application.clarifications.first(),
        "site_url": settings.SITE_URL,
    }
    return send_mail(
        subject=f"[Regrant] {application.reference}: {application.public_status}",
        message=render_to_string("applications/email/event.txt", context),
        from_email=None,
        recipient_list=recipients,
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_assignment_notice(assignment_ids: list[int]) -> int:
    """Tell each reviewer, once per batch, how many applications were assigned to them."""
    from applications.models import ReviewAssignment

    per_reviewer: dict[str, list] = {}
    for assignment in ReviewAssignment.objects.filter(pk__in=assignment_ids).select_related(
        "reviewer", "application__call"
    ):
        per_reviewer.setdefault(assignment.reviewer.email, []).append(assignment)
    sent = 0
    for email, assignments in per_reviewer.items():
        context = {"assignments": assignments, "site_url": settings.SITE_URL}
        sent += send_mail(
            subject=f"[Regrant] {len(assignments)} application(s) assigned to you for review",
            message=render_to_string("applications/email/assigned.txt", context),
            from_email=None,
            recipient_list=[email],
        )
    return sent


@shared_task(bind=True, max_retries=5)
def notification_send(self, notification_id: int) -> str:
    """Send one outbox row. The claim makes a duplicate delivery of this task harmless; a
    failure puts the row back to pending and retries with backoff."""
    from .models import Notification
    from .notifications import notification_deliver

    try:
        return notification_deliver(notification_id)
    except Exception as exc:
        state = (
            Notification.State.PENDING
            if self.request.retries < self.max_retries
            else Notification.State.FAILED
        )
        Notification.objects.filter(pk=notification_id, state=Notification.State.SENDING).update(
            state=state, error=repr(exc)[:2000]
        )
        if state == Notification.State.FAILED:
            raise
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc
