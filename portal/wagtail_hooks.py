"""What the site puts in the Wagtail admin, registered here and only here."""

from wagtail.snippets.models import register_snippet

from portal.citizens.models import DocumentType

# The kinds of personal documents citizens keep in their data store (portal/citizens/accounts/admin_views.py).
register_snippet(DocumentType, viewset="portal.citizens.accounts.admin_views.DocumentTypeViewSet")
