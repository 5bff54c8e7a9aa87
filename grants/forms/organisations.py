"""The organisation profile form, with the register choices of the region."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import PlainLabels
from grants.models import Organisation
from grants.registries import WESTERN_BALKAN_REGISTRIES


def registry_choices(current: str = "") -> list[tuple[str, str]]:
    """The Western Balkan registers, and the organisation's own when it is another one (set
    through the API), so that saving the form keeps it."""
    choices = [("", _("Other register, or not known"))]
    choices += [(code, f"{code} — {name}") for code, name in WESTERN_BALKAN_REGISTRIES]
    if current and current not in dict(WESTERN_BALKAN_REGISTRIES):
        choices.append((current, current))
    return choices


class OrganisationForm(PlainLabels, forms.ModelForm):
    registry = forms.ChoiceField(
        label=_("Register"),
        required=False,
        help_text=_(
            "The register that gave the registration number. With both, the open data of "
            "your grants identifies your organisation by them (e.g. RS-APR-12345678), so the "
            "registration number is published there."
        ),
        error_messages={
            "invalid_choice": _(
                "Choose a register from the list, or “Other register, or not known”."
            )
        },
    )

    class Meta:
        model = Organisation
        fields = (
            "legal_name",
            "short_name",
            "country",
            "city",
            "registration_number",
            "registry",
            "org_type",
        )
        labels = {
            "legal_name": _("Legal name"),
            "short_name": _("Short name"),
            "country": _("Country"),
            "city": _("City"),
            "registration_number": _("Registration number"),
            "org_type": _("Type"),
        }
        help_texts = {
            "legal_name": _("As in the register of associations."),
            "short_name": _("An acronym or the name people know you by."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registry"].choices = registry_choices(self.instance.registry)
