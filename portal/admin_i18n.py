"""Wagtail admin labels that follow the reader's language (issue 14 item 17).

Wagtail 8 translates a few admin labels once, with the non-lazy ``gettext``, when a module is imported, a form
class is built or the admin URLs are first loaded: the chooser widget's buttons (``ChooserViewSet``'s
``choose_one_text`` / ``choose_another_text`` / ``edit_item_text``, ``AdminSnippetChooser``'s "Choose …",
"Choose another …", "Edit this …") and the snippet screens' breadcrumbs (``SnippetViewSet.breadcrumbs_items``:
"Home", "Snippets"). They stay in the language active at that moment — Vietnamese at start-up, or whatever the
first request used — so an English reader saw "Chọn", "Trang chủ" and a Vietnamese reader could see "Home".
:func:`make_wagtail_labels_lazy` (called from ``PortalConfig.ready``, before any viewset or form is built)
replaces them with lazy translations, resolved when each page is rendered in its reader's language.
"""

from django.conf import settings
from django.urls import reverse_lazy
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy
from wagtail.admin.ui.fields import BaseFieldDisplay


def _lazy_format(message, **values):
    """``gettext(message) % values``, translated when the text is used rather than when it is built."""
    return lazy(lambda: gettext(message) % {key: str(value) for key, value in values.items()}, str)()


def _snippet_breadcrumbs_items(viewset):
    items = [{"url": reverse_lazy("wagtailadmin_home"), "label": gettext_lazy("Home")}]
    if getattr(settings, "WAGTAILSNIPPETS_MENU_SHOW_ALL", False) or not viewset.get_menu_item_is_registered():
        items.append({"url": reverse_lazy("wagtailsnippets:index"), "label": gettext_lazy("Snippets")})
    return items


def make_wagtail_labels_lazy():
    from wagtail.admin.viewsets.chooser import ChooserViewSet
    from wagtail.snippets.views.snippets import SnippetViewSet
    from wagtail.snippets.widgets import AdminSnippetChooser

    ChooserViewSet.choose_one_text = gettext_lazy("Choose")
    ChooserViewSet.choose_another_text = gettext_lazy("Choose another")
    ChooserViewSet.edit_item_text = gettext_lazy("Edit")
    SnippetViewSet.breadcrumbs_items = property(_snippet_breadcrumbs_items)

    def snippet_chooser_init(self, model=None, **kwargs):
        if model is not None:
            self.model = model
        name = self.model._meta.verbose_name
        self.choose_one_text = _lazy_format("Choose %(object)s", object=name)
        self.choose_another_text = _lazy_format("Choose another %(object)s", object=name)
        self.link_to_chosen_text = _lazy_format("Edit this %(object)s", object=name)
        super(AdminSnippetChooser, self).__init__(**kwargs)

    AdminSnippetChooser.__init__ = snippet_chooser_init


class YesNoDisplay(BaseFieldDisplay):
    """A yes/no field on an inspect screen as "Có" / "Không" (Wagtail prints the raw ``True`` / ``False``)."""

    def render_html(self, parent_context=None):
        if self.value is None:
            return gettext("Unknown")
        return gettext("Yes") if self.value else gettext("No")
