from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Procedure catalog")

    def ready(self):
        from catalog import signals
        from portal.core import names

        names.install()  # one display rule for a person's name (họ đệm tên) in the admin, slips and mails
        signals.connect()
