"""Countries an organisation can be registered in.

The six Western Balkan countries come first; Kosovo uses the user-assigned code XK,
as the EU and the World Bank do.
"""

from django.utils.translation import gettext_lazy as _

WESTERN_BALKANS = ["AL", "BA", "ME", "MK", "RS", "XK"]

COUNTRIES = [
    ("AL", _("Albania")),
    ("BA", _("Bosnia and Herzegovina")),
    ("ME", _("Montenegro")),
    ("MK", _("North Macedonia")),
    ("RS", _("Serbia")),
    ("XK", _("Kosovo")),
    ("AT", _("Austria")),
    ("BE", _("Belgium")),
    ("BG", _("Bulgaria")),
    ("CH", _("Switzerland")),
    ("CY", _("Cyprus")),
    ("CZ", _("Czechia")),
    ("DE", _("Germany")),
    ("DK", _("Denmark")),
    ("EE", _("Estonia")),
    ("ES", _("Spain")),
    ("FI", _("Finland")),
    ("FR", _("France")),
    ("GB", _("United Kingdom")),
    ("GR", _("Greece")),
    ("HR", _("Croatia")),
    ("HU", _("Hungary")),
    ("IE", _("Ireland")),
    ("IT", _("Italy")),
    ("LT", _("Lithuania")),
    ("LU", _("Luxembourg")),
    ("LV", _("Latvia")),
    ("MD", _("Moldova")),
    ("MT", _("Malta")),
    ("NL", _("Netherlands")),
    ("NO", _("Norway")),
    ("PL", _("Poland")),
    ("PT", _("Portugal")),
    ("RO", _("Romania")),
    ("SE", _("Sweden")),
    ("SI", _("Slovenia")),
    ("SK", _("Slovakia")),
    ("TR", _("Türkiye")),
    ("UA", _("Ukraine")),
    ("US", _("United States")),
]
COUNTRY_CODES = {code for code, _name in COUNTRIES}

CURRENCIES = [
    ("EUR", "EUR"),
    ("USD", "USD"),
    ("CHF", "CHF"),
    ("RSD", "RSD"),
    ("BAM", "BAM"),
    ("MKD", "MKD"),
    ("ALL", "ALL"),
    ("GBP", "GBP"),
    ("SEK", "SEK"),
    ("NOK", "NOK"),
    ("DKK", "DKK"),
]
