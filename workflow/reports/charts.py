"""Server-rendered SVG charts for reports and the public page: no JavaScript, no CDN.

Each function returns safe SVG markup with a <title> per mark (a tooltip and
the accessible name), and an optional link per bar (the drill-down). A chart whose bars are links is a
``role="group"`` (an ``img`` would hide its links from assistive technology: axe "nested-interactive").
"""

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from portal.core.formatting import format_percent

PALETTE = {
    "new": "#2563eb",
    "resolved": "#16a34a",
    "rate": "#b45309",
    "overdue": "#dc2626",
    "due_soon": "#f59e0b",
    "ok": "#16a34a",
    "paused": "#6b7280",
    "bar": "#2563eb",
}


def hbar_chart(items, *, title, value_format=format_percent, max_value=None, width=640, bar_height=18):
    """Horizontal bars: ``items`` = [(label, value or None, url or None)], values in [0, max_value]."""
    if not items:
        return ""
    max_value = max_value or max((v or 0) for _l, v, _u in items) or 1
    label_w, gap = 220, 6
    height = len(items) * (bar_height + gap) + 10
    plot = width - label_w - 70
    parts = [
        format_html(
            '<svg class="report-chart" role="{}" viewBox="0 0 {} {}" width="100%" '
            'aria-label="{}" xmlns="http://www.w3.org/2000/svg">',
            "group" if any(url for _l, _v, url in items) else "img",
            width,
            height,
            title,
        )
    ]
    for index, (label, value, url) in enumerate(items):
        y = 5 + index * (bar_height + gap)
        w = 0 if value is None else max(1, round(plot * value / max_value))
        short = label if len(label) <= 34 else label[:33] + "…"
        bar = format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>',
            label_w,
            y,
            w,
            bar_height,
            PALETTE["bar"],
            label,
            value_format(value),
        )
        if url:
            bar = format_html('<a href="{}">{}</a>', url, bar)
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="12" text-anchor="end">{}</text>', label_w - 6, y + bar_height - 5, short
            )
        )
        parts.append(bar)
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="12">{}</text>', label_w + w + 4, y + bar_height - 5, value_format(value)
            )
        )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(str(p) for p in parts))


def trend_chart(points, *, title, labels, width=640, height=240):
    """Columns of new and resolved dossiers per month, with the on-time rate as a line (right axis)."""
    if not points:
        return ""
    left, right, top, bottom = 40, 40, 10, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(max(p["new"], p["resolved"]) for p in points) or 1
    slot = plot_w / len(points)
    col = max(2, slot * 0.35)
    parts = [
        format_html(
            '<svg class="report-chart" role="img" viewBox="0 0 {} {}" width="100%" aria-label="{}" '
            'xmlns="http://www.w3.org/2000/svg">',
            width,
            height,
            title,
        ),
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#9ca3af"/>', left, top + plot_h, left + plot_w, top + plot_h
        ),
        format_html('<text x="4" y="{}" font-size="11">{}</text>', top + 10, peak),
        format_html('<text x="{}" y="{}" font-size="11">100%</text>', left + plot_w + 4, top + 10),
    ]
    line = []
    for index, p in enumerate(points):
        x = left + index * slot + slot * 0.1
        for offset, key in ((0, "new"), (col, "resolved")):
            h = round(plot_h * p[key] / peak, 1)
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{} {}: {}</title></rect>',
                    round(x + offset, 1),
                    round(top + plot_h - h, 1),
                    round(col, 1),
                    h,
                    PALETTE[key],
                    p["label"],
                    labels[key],
                    p[key],
                )
            )
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="10" text-anchor="middle">{}</text>',
                round(left + index * slot + slot / 2, 1),
                height - bottom + 14,
                p["label"],
            )
        )
        if p.get("on_time_rate") is not None:
            line.append((round(left + index * slot + slot / 2, 1), round(top + plot_h * (1 - p["on_time_rate"]), 1), p))
    if len(line) > 1:
        parts.append(
            format_html(
                '<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>',
                PALETTE["rate"],
                " ".join(f"{x},{y}" for x, y, _p in line),
            )
        )
    for x, y, p in line:
        parts.append(
            format_html(
                '<circle cx="{}" cy="{}" r="3" fill="{}"><title>{} {}: {}</title></circle>',
                x,
                y,
                PALETTE["rate"],
                p["label"],
                labels["rate"],
                format_percent(p["on_time_rate"]),
            )
        )
    legend_y = height - 8
    for index, key in enumerate(("new", "resolved", "rate")):
        x = left + index * 170
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="10" height="10" fill="{}"/><text x="{}" y="{}" font-size="11">{}</text>',
                x,
                legend_y - 9,
                PALETTE[key],
                x + 14,
                legend_y,
                labels[key],
            )
        )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(str(p) for p in parts))


def stacked_bar(segments, *, title, width=640, height=46):
    """One bar split by warning level: ``segments`` = [(key, label, count, url or None)]."""
    total = sum(count for _k, _l, count, _u in segments)
    parts = [
        format_html(
            '<svg class="report-chart" role="{}" viewBox="0 0 {} {}" width="100%" aria-label="{}" '
            'xmlns="http://www.w3.org/2000/svg">',
            "group" if any(url for _k, _l, _c, url in segments) else "img",
            width,
            height,
            title,
        )
    ]
    x = 0.0
    for key, label, count, url in segments:
        if not count:
            continue
        w = width * count / total
        rect = format_html(
            '<rect x="{}" y="0" width="{}" height="24" fill="{}"><title>{}: {}</title></rect>',
            round(x, 1),
            round(w, 1),
            PALETTE.get(key, "#999"),
            label,
            count,
        )
        parts.append(format_html('<a href="{}">{}</a>', url, rect) if url else rect)
        if w > 30:
            parts.append(
                format_html('<text x="{}" y="16" font-size="12" fill="#fff">{}</text>', round(x + 4, 1), count)
            )
        x += w
    lx = 0
    for key, label, count, _u in segments:
        parts.append(
            format_html(
                '<rect x="{}" y="31" width="10" height="10" fill="{}"/><text x="{}" y="40" '
                'font-size="11">{} ({})</text>',
                lx,
                PALETTE.get(key, "#999"),
                lx + 14,
                label,
                count,
            )
        )
        lx += 14 + 8 * len(escape(str(label))) + 40
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(str(p) for p in parts))
