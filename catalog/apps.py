from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Procedure catalog")

    def ready(self):
        from catalog import signals

        signals.connect()
