"""What the site puts in the Wagtail admin, registered here and only here."""

from django.db import models
from wagtail.admin.ui.fields import register_display_class
from wagtail.snippets.models import register_snippet

from portal.admin_i18n import YesNoDisplay
from portal.citizens.models import DocumentType

# Yes/no fields on every inspect screen in words, in the reader's language.
register_display_class(models.BooleanField, display_class=YesNoDisplay)

# The kinds of personal documents citizens keep in their data store (portal/citizens/accounts/admin_views.py).
register_snippet(DocumentType, viewset="portal.citizens.accounts.admin_views.DocumentTypeViewSet")
