from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.timezones import timezone_choices


class PlainLabels:
    """Labels without the trailing colon: "E-mail", not "E-mail:"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class LoginForm(PlainLabels, AuthenticationForm):
    """Log in with the e-mail address. Addresses are stored lower-case, so compare them so."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("E-mail")
        self.fields["username"].widget.input_type = "email"
        self.fields["username"].widget.attrs.update({"autocomplete": "email"})
        self.fields["password"].label = _("Password")

    def clean_username(self) -> str:
        return (self.cleaned_data.get("username") or "").strip().lower()


class RegistrationForm(PlainLabels, BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")
        labels = {"email": _("E-mail"), "full_name": _("Full name")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_name"].required = True
        self.fields["email"].widget.attrs.update({"autocomplete": "email"})
        self.fields["full_name"].widget.attrs.update({"autocomplete": "name"})
        self.fields["password1"].label = _("Password")
        self.fields["password2"].label = _("Password (again)")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("An account with this e-mail address already exists. Log in instead.")
            )
        return email


def language_choices() -> list[tuple[str, str]]:
    """Each language also in its own words, so a person can find theirs in any interface."""
    choices = []
    for code, name in settings.LANGUAGES:
        try:
            own = get_language_info(code)["name_local"]
        except KeyError:
            own = ""
        label = str(name) if not own or own == str(name) else f"{own} — {name}"
        choices.append((code, label))
    return choices


def hour_choices() -> list[tuple[int, str]]:
    return [(hour, f"{hour:02d}:00") for hour in range(24)]


class UserSettingsForm(PlainLabels, forms.ModelForm):
    """A person's own settings. The e-mail address and the password are not changed here."""

    language = forms.ChoiceField(label=_("Language"), choices=language_choices)
    timezone = forms.ChoiceField(
        label=_("Time zone"),
        choices=timezone_choices,
        help_text=_("Dates and deadlines are shown, and the digest sent, in this time zone."),
    )
    digest_hour = forms.TypedChoiceField(
        label=_("Send the daily digest at"),
        choices=hour_choices,
        coerce=int,
        help_text=_("In your time zone. Used only if you choose the daily digest."),
    )

    class Meta:
        model = User
        fields = ("full_name", "language", "timezone", "notification_email", "digest_hour")
        labels = {
            "full_name": _("Full name"),
            "notification_email": _("E-mail about news"),
        }
        help_texts = {
            "full_name": _("Shown to your colleagues and to the programme's staff."),
            "notification_email": _(
                "News: a decision on an application, a comment, a status that changed. "
                "Everything is also in your inbox."
            ),
        }
        widgets = {"notification_email": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_name"].widget.attrs.update({"autocomplete": "name"})
