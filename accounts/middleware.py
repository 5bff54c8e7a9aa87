"""A signed-in person sees Regrant in their own language and time zone, on any browser."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone, translation

LANGUAGES = {code for code, _name in settings.LANGUAGES}


class UserPreferencesMiddleware:
    """After authentication: the user's language wins over the browser's (LocaleMiddleware
    has guessed from the cookie or Accept-Language), and times show in the user's zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.language in LANGUAGES and user.language != request.LANGUAGE_CODE:
                translation.activate(user.language)
                request.LANGUAGE_CODE = translation.get_language()
            try:
                timezone.activate(ZoneInfo(user.timezone))
            except (KeyError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)
