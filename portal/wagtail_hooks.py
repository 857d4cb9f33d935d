"""What the site puts in the Wagtail admin, registered here and only here."""

import json

from django.db import models
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext
from wagtail import hooks
from wagtail.admin.ui.fields import register_display_class
from wagtail.snippets.models import register_snippet

from portal.admin_i18n import YesNoDisplay
from portal.citizens.models import DocumentType

# Yes/no fields on every inspect screen in words, in the reader's language.
register_display_class(models.BooleanField, display_class=YesNoDisplay)

# The kinds of personal documents citizens keep in their data store (portal/citizens/accounts/admin_views.py).
register_snippet(DocumentType, viewset="portal.citizens.accounts.admin_views.DocumentTypeViewSet")


@hooks.register("insert_global_admin_css")
def admin_styles():
    return format_html('<link rel="stylesheet" href="{}">', static("css/admin.css"))


@hooks.register("insert_global_admin_js")
def datetimepicker_button_names():
    """Names for the admin date-time picker's icon buttons, in the official's language."""
    labels = {
        "previousMonth": gettext("Previous month"),
        "nextMonth": gettext("Next month"),
        "today": gettext("Today"),
        "earlierTimes": gettext("Earlier times"),
        "laterTimes": gettext("Later times"),
    }
    return format_html(
        '<script src="{}" data-labels="{}" defer></script>',
        static("js/admin-datetimepicker-labels.js"),
        json.dumps(labels),
    )
