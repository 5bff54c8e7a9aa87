from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo: data and a builder that loads it through every app's services. It sits in
    config, above the apps, because it composes all of them."""

    name = "config.demo"
    label = "demo"
    verbose_name = "Demo"
