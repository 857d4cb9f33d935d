from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("Dossier processing")

    def ready(self):
        from workflow import signals

        signals.connect(self)
