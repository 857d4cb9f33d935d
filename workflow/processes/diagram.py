"""The diagram of a process on its page in the designer: an inline SVG built here, no script and no CDN.

One box per step in order, left to right in rows of :data:`PER_ROW`, joined by arrows: the step's number and
name, its kind, who holds it (the officials named, else its group), the other agency of a hand-off step, and its
allowance in working hours. The picture is ``role="img"`` labelled by its ``<title>`` and described by a
``<desc>`` that reads the whole process as a sentence per step; the steps' table below it says the same for
screen readers that skip images. Text is wrapped here (an estimate of the glyphs' width, the admin's sans-serif
font), so the SVG needs no layout engine; the width fits the admin's content column at 1366 px.
"""

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from catalog.officials import roles
from portal.core.formatting import format_number
from portal.core.names import display_name
from workflow.models import StepKind

PER_ROW = 4
BOX_W, BOX_H = 226, 164
GAP_X, GAP_Y = 36, 52
PAD = 14
LINE = 19
#: kind -> (fill, stripe): light fills under dark text (contrast above 7:1), the kind also written in words.
COLOURS = {
    StepKind.RECEPTION: ("#e6f1fb", "#1d5f99"),
    StepKind.PROCESSING: ("#efeafb", "#5b3a9e"),
    StepKind.APPROVAL: ("#fdf3dc", "#8a5a00"),
    StepKind.HANDOFF: ("#e3f5e8", "#1f6b3a"),
    StepKind.RESULT: ("#eef1f4", "#3b4754"),
}
TEXT, MUTED = "#1b1f24", "#3d4650"


def _wrap(text, width_chars, max_lines):
    """Words in lines of at most ``width_chars`` characters, the last one cut with an ellipsis if need be."""
    words, lines, line = str(text).split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if len(candidate) <= width_chars or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width_chars - 1].rstrip() + "…"
    return [ln if len(ln) <= width_chars else ln[: width_chars - 1] + "…" for ln in lines]


def step_holder_text(step) -> str:
    """Who holds ``step``: the officials named, else its group (“Group: Specialist”)."""
    officials = list(step.officials.all())
    if officials:
        return _("Officials: %(names)s") % {"names": ", ".join(display_name(u) for u in officials)}
    return _("Group: %(group)s") % {"group": roles.LABELS.get(step.holder_role, step.get_holder_role_display())}


def step_hours_text(step) -> str:
    return _("%(hours)s working hours") % {"hours": format_number(step.allowance_hours)}


def step_sentence(step, process) -> str:
    """The step as the diagram's description reads it."""
    parts = [f"{step.sort_order + 1}. {step.name}", step.get_kind_display(), step_holder_text(step)]
    if step.agency_id and step.agency_id != process.agency_id:
        parts.append(_("at %(agency)s") % {"agency": step.agency.name})
    parts.append(step_hours_text(step))
    return ", ".join(parts)


def process_diagram(process, steps):
    """The SVG of ``process`` (``steps``: its steps in order, read with their agency and officials)."""
    steps = list(steps)
    if not steps:
        return ""
    columns = min(PER_ROW, len(steps))
    rows = (len(steps) + PER_ROW - 1) // PER_ROW
    width = columns * BOX_W + (columns - 1) * GAP_X + 2
    height = rows * BOX_H + (rows - 1) * GAP_Y + 2
    title = _("Diagram of the process “%(name)s”, version %(version)s: %(count)s steps") % {
        "name": process.name,
        "version": process.version,
        "count": len(steps),
    }
    desc = "; ".join(step_sentence(step, process) for step in steps) + "."
    parts = [
        format_html(
            '<svg class="process-diagram" role="img" aria-labelledby="process-diagram-title process-diagram-desc" '
            'viewBox="0 0 {} {}" width="{}" height="{}" xmlns="http://www.w3.org/2000/svg" '
            'style="max-width:100%;height:auto" font-family="inherit">'
            '<title id="process-diagram-title">{}</title><desc id="process-diagram-desc">{}</desc>'
            '<defs><marker id="process-diagram-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
            'markerHeight="8" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="{}"/></marker></defs>',
            width,
            height,
            width,
            height,
            title,
            desc,
            MUTED,
        )
    ]
    for index, step in enumerate(steps):
        row, column = divmod(index, PER_ROW)
        x, y = 1 + column * (BOX_W + GAP_X), 1 + row * (BOX_H + GAP_Y)
        parts.append(_box(step, process, x, y))
        if index + 1 < len(steps):
            parts.append(_arrow(index, x, y))
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(str(part) for part in parts))


def _arrow(index, x, y):
    style = f'fill="none" stroke="{MUTED}" stroke-width="2" marker-end="url(#process-diagram-arrow)"'
    if (index + 1) % PER_ROW:  # to the next box in the row
        middle = y + BOX_H / 2
        return mark_safe(f'<path d="M{x + BOX_W} {middle}H{x + BOX_W + GAP_X - 2}" {style}/>')
    # from the end of a row down to the first box of the next one
    bottom, turn = y + BOX_H, y + BOX_H + GAP_Y / 2
    first = 1 + BOX_W / 2
    return mark_safe(
        f'<path d="M{x + BOX_W / 2} {bottom}V{turn}H{first}V{y + BOX_H + GAP_Y - 2}" {style} stroke-dasharray="0"/>'
    )


def _box(step, process, x, y):
    fill, stripe = COLOURS.get(step.kind, COLOURS[StepKind.PROCESSING])
    lines = []  # (text, size, weight, colour)
    for text in _wrap(f"{step.sort_order + 1}. {step.name}", 20, 2):
        lines.append((text, 16, "700", TEXT))
    lines.append((step.get_kind_display(), 14, "400", MUTED))
    for text in _wrap(step_holder_text(step), 27, 2):
        lines.append((text, 14, "400", TEXT))
    if step.agency_id and step.agency_id != process.agency_id:
        for text in _wrap(_("At: %(agency)s") % {"agency": step.agency.name}, 27, 1):
            lines.append((text, 14, "600", TEXT))
    body = []
    baseline = y + PAD + 12
    for text, size, weight, colour in lines:
        body.append(
            f'<text x="{x + PAD + 6}" y="{baseline}" font-size="{size}" font-weight="{weight}" fill="{colour}">'
            f"{escape(text)}</text>"
        )
        baseline += LINE
    body.append(
        f'<text x="{x + PAD + 6}" y="{y + BOX_H - PAD + 2}" font-size="15" font-weight="700" fill="{TEXT}">'
        f"{escape(step_hours_text(step))}</text>"
    )
    return mark_safe(
        f'<g><rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="8" fill="{fill}" stroke="{stripe}" '
        f'stroke-width="1.5"/><rect x="{x}" y="{y}" width="7" height="{BOX_H}" rx="3" fill="{stripe}"/>'
        + "".join(body)
        + "</g>"
    )
