"""Public site pages (Wagtail) and site-wide settings."""

from django.core.paginator import Paginator
from django.db import models
from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index


@register_setting(icon="site")
class SupportSettings(BaseSiteSetting):
    """Support contacts shown in the footer and on the support page (BN 4.4, BN 8)."""

    hotline = models.CharField(_("hotline"), max_length=50, blank=True, default="1900 0000")
    email = models.EmailField(_("support e-mail"), blank=True, default="hotro@example.gov.vn")
    address = models.CharField(_("address"), max_length=255, blank=True)
    office_hours = models.CharField(_("office hours"), max_length=255, blank=True)

    panels = [FieldPanel("hotline"), FieldPanel("email"), FieldPanel("address"), FieldPanel("office_hours")]

    class Meta:
        verbose_name = _("support contacts")


class EnglishTitleMixin(models.Model):
    """A section page's title for readers who chose English (the site's UI language; content stays Vietnamese).

    The section pages (catalog, agencies, FAQ, news, terms, support) name parts of the site, so their titles are
    UI: in English mode the heading, the browser title and the links show ``title_en`` when the editor gave one.
    Templates use ``{% firstof page.translated_title page.title %}``.
    """

    title_en = models.CharField(
        _("title in English"),
        max_length=255,
        blank=True,
        help_text=_("Shown instead of the title to readers who chose English. Leave empty to show the title."),
    )

    class Meta:
        abstract = True

    @property
    def translated_title(self) -> str:
        """``title_en`` in English mode, else "" (the caller falls back to the title)."""
        return self.title_en if self.title_en and (get_language() or "").startswith("en") else ""


class HomePage(EnglishTitleMixin, Page):  # noqa: DJ008 - Page gives __str__ (the title)
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("title_en"), FieldPanel("intro")]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from catalog import selectors

        context = super().get_context(request, *args, **kwargs)
        context["sectors"] = selectors.sector_list_with_counts()
        context["popular_procedures"] = selectors.procedure_popular(limit=8)
        context["procedure_index"] = ProcedureIndexPage.objects.live().first()
        context["latest_news"] = NewsPage.objects.live().order_by("-first_published_at")[:3]
        return context


class ProcedureIndexPage(EnglishTitleMixin, RoutablePageMixin, Page):  # noqa: DJ008 - Page gives __str__ (the title)
    """Searchable catalog; each procedure is served under it by its national code."""

    intro = RichTextField(_("introduction"), blank=True)
    content_panels = Page.content_panels + [FieldPanel("title_en"), FieldPanel("intro")]
    max_count = 1

    class Meta:
        verbose_name = _("procedure catalog page")

    @path("")
    def index(self, request):
        from catalog import selectors
        from catalog.filters import ProcedureFilterForm

        form = ProcedureFilterForm(request.GET or None)
        if form.is_bound and form.is_valid():
            procedures = selectors.procedure_list(**form.cleaned_filters())
        else:
            procedures = selectors.procedure_list()
        paginator = Paginator(procedures, selectors.PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        query_without_page = request.GET.copy()
        query_without_page.pop("page", None)
        return self.render(
            request,
            context_overrides={
                "form": form,
                "page_obj": page,
                "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
                "procedures": page.object_list,
                "total": paginator.count,
                "querystring": query_without_page.urlencode(),
            },
        )

    @path("<str:national_code>/", name="procedure_detail")
    def procedure_detail(self, request, national_code):
        from catalog import selectors

        procedure = selectors.procedure_get(national_code)
        if procedure is None:
            raise Http404
        return self.render(
            request,
            context_overrides={"procedure": procedure, "faq_entries": procedure.faq_entries.filter(is_published=True)},
            template="portal/procedure_detail.html",
        )


class AgencyIndexPage(EnglishTitleMixin, Page):  # noqa: DJ008 - Page gives __str__ (the title)
    intro = RichTextField(_("introduction"), blank=True)
    content_panels = Page.content_panels + [FieldPanel("title_en"), FieldPanel("intro")]
    max_count = 1

    class Meta:
        verbose_name = _("agency directory page")

    def get_context(self, request, *args, **kwargs):
        from catalog import selectors

        context = super().get_context(request, *args, **kwargs)
        context["agency_groups"] = selectors.agency_directory()
        return context


class FaqIndexPage(EnglishTitleMixin, Page):  # noqa: DJ008 - Page gives __str__ (the title)
    intro = RichTextField(_("introduction"), blank=True)
    content_panels = Page.content_panels + [FieldPanel("title_en"), FieldPanel("intro")]
    max_count = 1

    class Meta:
        verbose_name = _("FAQ page")

    def get_context(self, request, *args, **kwargs):
        from catalog import selectors

        context = super().get_context(request, *args, **kwargs)
        context["sector_groups"] = selectors.faq_by_sector()
        return context


class NewsIndexPage(EnglishTitleMixin, Page):  # noqa: DJ008 - Page gives __str__ (the title)
    intro = RichTextField(_("introduction"), blank=True)
    content_panels = Page.content_panels + [FieldPanel("title_en"), FieldPanel("intro")]
    subpage_types = ["portal.NewsPage"]

    class Meta:
        verbose_name = _("news index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        news = NewsPage.objects.live().child_of(self).order_by("-date", "-first_published_at")
        context["page_obj"] = Paginator(news, 10).get_page(request.GET.get("page"))
        return context


class NewsPage(Page):
    date = models.DateField(_("date"))
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    body = RichTextField(_("body"))

    content_panels = Page.content_panels + [FieldPanel("date"), FieldPanel("summary"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["portal.NewsIndexPage"]

    class Meta:
        verbose_name = _("news article")


class StandardPage(EnglishTitleMixin, Page):  # noqa: DJ008 - Page gives __str__ (the title)
    """Plain content: terms of use, support, about."""

    body = RichTextField(_("body"))
    content_panels = Page.content_panels + [FieldPanel("title_en"), FieldPanel("body")]

    class Meta:
        verbose_name = _("standard page")


def procedure_url(procedure, request=None):
    index_page = ProcedureIndexPage.objects.live().first()
    if index_page is None:
        raise Http404
    return index_page.get_url(request) + index_page.reverse_subpage("procedure_detail", args=[procedure.national_code])


# Citizen accounts and the personal data store live in their own module (portal/citizens/models.py).
from portal.citizens.models import CitizenProfile, DocumentType, StoredDocument  # noqa: E402,F401
