from django.apps import AppConfig


class GrantsConfig(AppConfig):
    name = "grants"
    verbose_name = "Programmes, calls and grants"

    def ready(self) -> None:
        from grants import notifications
        from grants.services.calls import calls_close_due
        from grants.services.reports import reports_open_due
        from workflows.registry import register_sweep_step

        notifications.register()
        register_sweep_step("calls_closed", "calls closed", calls_close_due)
        register_sweep_step("reports_opened", "reports opened", reports_open_due)
