from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Public portal")

    def ready(self):
        import portal.context_processors  # noqa: F401 - connects the receivers emptying the navigation cache
        from portal import checks, signin_security  # noqa: F401 - registers the checks, connects the sign-in receivers
        from portal.admin_i18n import make_wagtail_labels_lazy

        make_wagtail_labels_lazy()
