"""/api/v1/notifications/: a person's own inbox — what reached them, newest first."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from workflows.models import Notification
from workflows.rest import error_responses
from workflows.selectors import inbox_of


class NotificationSerializer(serializers.ModelSerializer):
    is_reminder = serializers.BooleanField(read_only=True)
    url = serializers.SerializerMethodField(help_text="The page it is about, relative to the site.")

    class Meta:
        model = Notification
        fields = ["id", "kind", "subject", "url", "is_reminder", "due_at", "sent_at", "read_at"]
        read_only_fields = fields

    def get_url(self, obj: Notification) -> str:
        return obj.url


class ReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many were unread and are now read.")


@extend_schema_view(
    list=extend_schema(
        summary="Your notifications, newest first",
        parameters=[
            OpenApiParameter("unread", bool, description="Only the unread ones (true)."),
        ],
        responses={200: NotificationSerializer(many=True), **error_responses(401)},
    ),
    retrieve=extend_schema(
        summary="One of your notifications",
        responses={200: NotificationSerializer, **error_responses(401, 404)},
    ),
)
@extend_schema(tags=["notifications"])
class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Deadline reminders and news, as in the inbox. Someone else's are 404."""

    serializer_class = NotificationSerializer
    filter_backends: list = []

    queryset = Notification.objects.none()  # for the schema; get_queryset scopes to the user

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        queryset = inbox_of(self.request.user).order_by("-due_at", "-pk")
        if self.request.query_params.get("unread") in ("true", "1"):
            queryset = queryset.filter(read_at__isnull=True)
        return queryset

    @extend_schema(
        summary="Mark one as read",
        request=None,
        responses={200: NotificationSerializer, **error_responses(401, 404)},
    )
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str) -> Response:
        notification = self.get_object()
        if notification.read_at is None:
            notification.read_at = timezone.now()
            inbox_of(request.user).filter(pk=notification.pk, read_at__isnull=True).update(
                read_at=notification.read_at
            )
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        summary="Mark all as read",
        request=None,
        responses={200: ReadAllSerializer, **error_responses(401)},
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        marked = inbox_of(request.user).filter(read_at__isnull=True).update(read_at=timezone.now())
        return Response({"marked": marked})
