from django.core.management.base import BaseCommand

from accounts.models import User
from config.demo.data import PERSONAS, demo_password


class Command(BaseCommand):
    """Print where the site is and who can log in to the demo (see `seed_demo`)."""

    help = "Print the site's address and the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--url",
            default="http://127.0.0.1:8000/",
            help="The site's address (default: %(default)s).",
        )

    def handle(self, *args, url: str, **options):
        url = url.rstrip("/") + "/"
        password = demo_password()
        write = self.stdout.write
        write(f"Regrant:   {url}")
        write(f"Admin:     {url}admin/  (operators)")
        write(f"API docs:  {url}api/docs/  (schema: {url}api/schema/)")
        write("")
        rows = [("persona", "e-mail", "password", "try first")]
        rows += [(p.label, p.email, password, p.try_first) for p in PERSONAS]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for index, (label, email, secret, try_first) in enumerate(rows):
            write(f"{label:<{widths[0]}}  {email:<{widths[1]}}  {secret:<{widths[2]}}  {try_first}")
            if index == 0:
                write("  ".join("-" * w for w in [*widths, len("try first")]))
        loaded = User.objects.filter(email__in=[p.email for p in PERSONAS]).count()
        if loaded < len(PERSONAS):
            write("")
            write(self.style.WARNING("The demo is not loaded yet: run `manage.py seed_demo`."))
