"""Real PDF files for the demo's scans and results, so a demo user who downloads one can open it."""

from functools import cache
from html import escape

from workflow.slips.rendering import html_to_pdf


@cache
def demo_pdf(title: str) -> bytes:
    """A one-page PDF saying it stands in for ``title`` (rendered once per title)."""
    return html_to_pdf(
        "<html><body style='font-family: DejaVu Sans, sans-serif; margin: 3cm'>"
        f"<h1 style='font-size: 18pt'>{escape(title)}</h1>"
        "<p>Tệp minh hoạ của dữ liệu mẫu (bản chụp giả lập) — không có giá trị pháp lý.</p>"
        "</body></html>"
    )
