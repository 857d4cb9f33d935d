"""The slip's template: which one (agency's, province-wide default, built-in file), compiled with the forbidden
tags refused, filled, wrapped in the print page, and rendered as HTML, PDF (WeasyPrint) or .docx (QT 15;
DESIGN 5.4, 6). See :mod:`workflow.slips` for the public API.
"""

import logging
from collections import namedtuple

from django.core.files.base import ContentFile
from django.template import TemplateSyntaxError, engines
from django.template.base import Lexer, TokenType
from django.template.loader import get_template, render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from workflow.models import DocumentKind, SlipKind, SlipTemplate
from workflow.slips.context import slip_context
from workflow.slips.docx import html_to_docx
from workflow.slips.vocabulary import FORMATS, SLIP_FILE_SLUGS

logger = logging.getLogger(__name__)

BLOCKED_TAGS = {"debug", "include", "extends", "load", "ssi"}


class SlipTemplateError(ValueError):
    """A slip template that does not compile or uses a forbidden tag."""


RenderedSlip = namedtuple("RenderedSlip", "content content_type filename")


def default_template_name(kind) -> str:
    return f"workflow/slips/{SlipKind(kind).value}.html"


def default_template_source(kind) -> str:
    """The text of the built-in template of ``kind`` (the starting point of an admin's own)."""
    return get_template(default_template_name(kind)).template.source


def template_source(kind, agency=None):
    """``(source, SlipTemplate or None)``: the agency's template, else the default one, else the built-in file."""
    template = SlipTemplate.objects.for_kind(kind, agency)
    if template is not None and template.body.strip():
        return template.body, template
    return default_template_source(kind), None


def compile_template(source):
    """The compiled template of ``source``; raises :class:`SlipTemplateError` (syntax, forbidden tags)."""
    for token in Lexer(source).tokenize():
        words = token.split_contents() if token.token_type == TokenType.BLOCK else []
        if words and words[0] in BLOCKED_TAGS:
            raise SlipTemplateError(_("The tag {%% %(tag)s %%} is not allowed in a slip template.") % {"tag": words[0]})
    try:
        return engines["django"].from_string(source)
    except TemplateSyntaxError as error:
        raise SlipTemplateError(_("Template error: %(error)s") % {"error": error}) from None


def render_body(source, context, db_template=None):
    """``source`` filled with ``context`` in Vietnamese; a broken database template falls back to the file."""
    try:
        template = compile_template(source)
    except SlipTemplateError:
        if db_template is None:
            raise
        # A broken edited template must not block issuing the slip: fall back to the built-in one.
        logger.exception("Slip template %s does not compile; using the built-in template", db_template.pk)
        template = compile_template(default_template_source(context["kind"]))
    with translation.override("vi"):
        return template.render(context)


def wrap_page(body, context):
    """The filled body in ``workflow/slips/_page.html`` (the print stylesheet): a complete HTML page."""
    with translation.override("vi"):
        return render_to_string(
            "workflow/slips/_page.html",
            {"body": mark_safe(body), "title": f"{context['slip_title']} – {context['code']}"},
        )


def render_slip_body(dossier, kind, **extra) -> str:
    """The filled body (an HTML fragment, without the page and its stylesheet)."""
    source, db_template = template_source(kind, dossier.agency)
    return render_body(source, slip_context(dossier, kind, **extra), db_template)


def render_slip_html(dossier, kind, **extra) -> str:
    """The slip as a complete HTML page (print stylesheet included)."""
    context = slip_context(dossier, kind, **extra)
    source, db_template = template_source(kind, dossier.agency)
    return wrap_page(render_body(source, context, db_template), context)


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Only inline data (the QR code): an edited template cannot make the server fetch URLs or read files.
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=fetcher).write_pdf()


def render_slip_pdf(dossier, kind, **extra) -> bytes:
    """The slip as PDF (A4, WeasyPrint, DejaVu fonts embedded)."""
    return html_to_pdf(render_slip_html(dossier, kind, **extra))


def render_slip_doc(dossier, kind, **extra) -> bytes:
    """The slip as an editable Word document (``.docx``), built with python-docx from the same filled template
    as the HTML and the PDF; :func:`~workflow.slips.docx.html_to_docx` says what of the HTML is kept."""
    context = slip_context(dossier, kind, **extra)
    source, db_template = template_source(kind, dossier.agency)
    body = render_body(source, context, db_template)
    return html_to_docx(body, title=f"{context['slip_title']} – {context['code']}")


def render_slip(dossier, kind, fmt="pdf", **extra) -> RenderedSlip:
    """Content, content type and file name of a slip in ``fmt`` (``pdf``, ``doc``/``docx`` or ``html``)."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown slip format: {fmt}")
    content_type, ext = FORMATS[fmt]
    if fmt == "pdf":
        content = render_slip_pdf(dossier, kind, **extra)
    elif ext == "docx":
        content = render_slip_doc(dossier, kind, **extra)
    else:
        content = render_slip_html(dossier, kind, **extra).encode("utf-8")
    return RenderedSlip(content, content_type, slip_file_name(dossier, kind, ext))


def slip_file_name(dossier, kind, ext="pdf") -> str:
    return f"{SLIP_FILE_SLUGS[SlipKind(kind)]}-{dossier.code}.{ext}"


def slip_upload(dossier, kind, *, fmt="pdf", **extra):
    """The filled slip as a :class:`workflow.dossiers.services.Upload` of kind SLIP, ready for an action's ``files``.

    ``slip_upload(dossier, "supplement", comment=..., official=request.user)`` →
    ``Upload("phieu-yeu-cau-bo-sung-<code>.pdf", <ContentFile>, DocumentKind.SLIP)``.
    """
    from workflow.dossiers.services import Upload

    rendered = render_slip(dossier, kind, fmt, **extra)
    return Upload(rendered.filename, ContentFile(rendered.content, name=rendered.filename), DocumentKind.SLIP)
