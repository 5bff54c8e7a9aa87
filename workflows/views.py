"""The in-app inbox: a person's notifications, newest first, with the unread ones marked."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from workflows.selectors import inbox_of


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    notifications = list(inbox_of(request.user).order_by("-due_at", "-pk")[:200])
    return render(request, "workflows/inbox.html", {"notifications": notifications})


@login_required
@require_POST
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark read and go to the exact page it is about."""
    notification = get_object_or_404(inbox_of(request.user), pk=notification_id)
    if notification.read_at is None:
        inbox_of(request.user).filter(pk=notification.pk).update(read_at=timezone.now())
    return redirect(notification.url or "inbox")


@login_required
@require_POST
def inbox_mark_all_read(request: HttpRequest) -> HttpResponse:
    inbox_of(request.user).filter(read_at__isnull=True).update(read_at=timezone.now())
    return redirect("inbox")
