"""Slips (phiếu) filled from a dossier: HTML, PDF and an editable Word document (QT 15; DESIGN 5.4, 6).

The six kinds (:class:`~workflow.models.SlipKind`): receipt and appointment
(giấy tiếp nhận hồ sơ và hẹn trả kết quả, laid out per the An Giang appendix),
guidance (phiếu hướng dẫn), supplement request (phiếu yêu cầu bổ sung, hoàn
thiện hồ sơ), refusal (phiếu từ chối tiếp nhận giải quyết hồ sơ), apology and
new appointment (phiếu xin lỗi và hẹn lại ngày trả kết quả) and withdrawal
confirmation (phiếu xác nhận rút hồ sơ).

Which template: the agency's own active :class:`~workflow.models.SlipTemplate`,
else the province-wide default one, else the file
``workflow/templates/workflow/slips/<kind>.html``. A template is the *body*
(a Django template string, HTML); it is wrapped in
``workflow/slips/_page.html``, which holds the print stylesheet (A4, DejaVu
fonts so Vietnamese diacritics render).

The context holds plain values only (dicts and strings, never model
objects), so a template edited in the admin cannot reach anything but what
:data:`~workflow.slips.vocabulary.VARIABLES` lists. Slips are Vietnamese documents: they are rendered
with Vietnamese active, whatever the official's interface language.

Public API::

    slip_context(dossier, kind, **extra) -> dict
    render_slip_html(dossier, kind, **extra) -> str
    render_slip_pdf(dossier, kind, **extra) -> bytes          # WeasyPrint
    render_slip_doc(dossier, kind, **extra) -> bytes          # .docx, python-docx (see slips.docx)
    render_slip(dossier, kind, fmt="pdf", **extra) -> RenderedSlip(content, content_type, filename)
    slip_upload(dossier, kind, *, fmt="pdf", **extra) -> services.Upload(kind=DocumentKind.SLIP)

``extra`` keywords understood by the built-in templates: ``comment``,
``reason``, ``missing_documents`` (list or text, one per line),
``new_appointment`` (aware datetime), ``old_appointment``, ``official`` (the
user issuing the slip: fills the signature block), ``sets``, ``issued_at``,
``register_book``, ``register_number``. Any other keyword is passed through to
the template as is.

The package: :mod:`~workflow.slips.vocabulary` (kinds' titles, variables, CSS classes),
:mod:`~workflow.slips.context` (what a template is filled with), :mod:`~workflow.slips.rendering` (which
template, HTML, PDF, the upload), :mod:`~workflow.slips.docx` (the Word document),
:mod:`~workflow.slips.samples` (the admin preview's dossier), :mod:`~workflow.slips.admin` (the template
screens, registered in :mod:`workflow.wagtail_hooks`), :mod:`~workflow.slips.views` and
:mod:`~workflow.slips.urls` (downloads).
"""

from workflow.slips.context import slip_context
from workflow.slips.docx import html_to_docx
from workflow.slips.rendering import (
    SlipTemplateError,
    default_template_source,
    html_to_pdf,
    render_slip,
    render_slip_doc,
    render_slip_html,
    render_slip_pdf,
    slip_upload,
)
from workflow.slips.samples import check_template_source, render_sample
from workflow.slips.vocabulary import SLIP_ACTIONS, SLIP_TITLES

__all__ = [
    "SLIP_ACTIONS",
    "SLIP_TITLES",
    "SlipTemplateError",
    "check_template_source",
    "default_template_source",
    "html_to_docx",
    "html_to_pdf",
    "render_sample",
    "render_slip",
    "render_slip_doc",
    "render_slip_html",
    "render_slip_pdf",
    "slip_context",
    "slip_upload",
]
