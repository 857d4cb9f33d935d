"""The filled form as a PDF in the layout of the paper template (QN 16.3đ).

National header, form code in the top corner, the title, the answers in the
form's order (tables as tables), place and date, and the applicant's
signature block. Rendered by WeasyPrint with DejaVu fonts embedded, so the
Vietnamese diacritics survive on any reader. The document is Vietnamese
whatever language the applicant browses in.
"""

from django.template.loader import render_to_string
from django.utils import timezone, translation

from eforms import engine


def render_form_html(definition, values, *, applicant_name="", at=None) -> str:
    at = timezone.localtime(at or timezone.now())
    with translation.override("vi"):
        return render_to_string(
            "eforms/pdf/form.html",
            {
                "definition": definition,
                "sections": engine.display_sections(definition, values),
                "applicant_name": applicant_name,
                "at": at,
            },
        )


def render_form_pdf(definition, values, *, applicant_name="", at=None) -> bytes:
    from workflow.slips import html_to_pdf

    return html_to_pdf(render_form_html(definition, values, applicant_name=applicant_name, at=at))
