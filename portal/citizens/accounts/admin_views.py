"""Admin screen for the list of personal document types (registered from :mod:`portal.citizens.models`)."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.views.snippets import SnippetViewSet


class DocumentTypeViewSet(SnippetViewSet):
    icon = "doc-full"
    menu_label = _("Personal document types")
    list_display = ["name", "sort_order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    add_to_admin_menu = False
