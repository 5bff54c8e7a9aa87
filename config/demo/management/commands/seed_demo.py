from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from config.demo.builder import DemoBuilder


class Command(BaseCommand):
    """Load the demo (config.demo.builder says how, config.demo.data says what)."""

    help = "Load the demo data and logins (idempotent). Refuses when DEBUG is off, unless --force."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. The demo logins share a printed password: never in production.",
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates logins that share a published password, so it runs only with "
                "DEBUG on. Use --force if this really is a throw-away installation."
            )
        created_calls, driven = DemoBuilder().load()
        if created_calls or driven:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo loaded: {len(created_calls)} calls with their applications, "
                    f"{driven} grants after the award."
                )
            )
        else:
            self.stdout.write("Demo already loaded: nothing to do.")
