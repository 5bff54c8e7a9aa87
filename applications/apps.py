from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = "Applications"

    def ready(self) -> None:
        from applications import notifications
        from applications.selectors.applications import application_counts_by_call
        from grants.selectors.calls import register_application_counts

        register_application_counts(application_counts_by_call)
        notifications.register()
