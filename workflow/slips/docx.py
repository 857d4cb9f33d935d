"""The editable slip: a Word document (``.docx``) built with python-docx from the same filled HTML template as
the HTML page and the PDF (QT 15; DESIGN 5.4, 6).

The HTML is parsed by tinyhtml5 (the WHATWG parser WeasyPrint uses, so the Word document has the structure the
PDF has) and walked once, mapping what the slip templates use onto python-docx calls:

- paragraphs, headings and ``div`` blocks (alignment, bold, italic, underline, upper case, size), line breaks;
- lists, numbered as text (``1. ``, ``- ``);
- tables: borders for ``class="grid"`` (or ``border``), widths from ``style="width: N%"``, ``colspan``;
  ``class="header"`` (the national header, 12 pt) and ``class="signatures"`` cells are centred;
- ``<hr>`` as a bottom border (``class="short"``: the middle third, under a heading);
  ``<div class="sign-space">`` as room to sign;
- PNG/JPEG data-URI images (the QR code: 26 mm).

CSS beyond these is ignored (see :data:`~workflow.slips.vocabulary.CSS_CLASSES`). A4 page, Times New Roman
13 pt (the font of Vietnamese administrative documents); Word and LibreOffice open it for editing.
"""

import base64
import binascii
import re
from io import BytesIO
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

import tinyhtml5
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.image.exceptions import UnrecognizedImageError
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Pt, Twips

PAGE_W, PAGE_H = 11906, 16838  # A4 in twentieths of a point
MARGINS = {"top": 1021, "right": 1021, "bottom": 1021, "left": 1701}  # 1.8 cm, 1.8 cm, 1.8 cm, 3 cm
TEXT_WIDTH = PAGE_W - MARGINS["left"] - MARGINS["right"]
FONT = "Times New Roman"

_SKIP = {"head", "style", "script", "title", "svg", "template", "noscript", "meta", "link"}
_BLOCK = {
    *("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section", "header", "footer", "article"),
    *("main", "address", "center", "figure", "figcaption", "dl", "dt", "dd", "pre", "li"),
}
_BLOCKS = _BLOCK | {"table", "hr", "ul", "ol"}  # what starts a new paragraph
_ALIGN = {
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
}
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SPACES = re.compile(r"[ \t\n\r\f]+")


# --- the HTML side ---------------------------------------------------------------------------------


def _children(node):
    """The text and the elements inside ``node``, in document order (comments left out)."""
    if node.text:
        yield node.text
    for child in node:
        if isinstance(child.tag, str):
            yield child
        if child.tail:
            yield child.tail


def _classes(node):
    return set((node.get("class") or "").split())


def _css(node, name):
    for declaration in (node.get("style") or "").split(";"):
        key, _sep, value = declaration.partition(":")
        if key.strip().lower() == name:
            return value.strip().lower()
    return ""


def _half_points(value):
    """A CSS font size in pt (``12pt``, ``16px``) as Word half-points, or None."""
    match = re.match(r"([\d.]+)\s*(pt|px)?", value or "")
    if not match:
        return None
    size = float(match.group(1)) * (0.75 if match.group(2) == "px" else 1)
    return max(2, round(size * 2))


def _emu(value, default):
    match = re.match(r"([\d.]+)\s*(px|mm|cm|pt|in)?", value or "")
    if not match:
        return default
    number, unit = float(match.group(1)), match.group(2) or "px"
    return int(number * {"px": 9525, "pt": 12700, "mm": 36000, "cm": 360000, "in": 914400}[unit])


def _run_style(node, style):
    """The character style inherited down the tree: ``b``, ``i``, ``u``, ``caps``, ``sz`` (half-points)."""
    style = dict(style)
    classes, weight = _classes(node), _css(node, "font-weight")
    if (
        node.tag in ("b", "strong", "th")
        or classes & {"bold", "title"}
        or weight in ("bold", "bolder", "600", "700", "800", "900")
    ):
        style["b"] = True
    if weight in ("normal", "400"):
        style["b"] = False
    if node.tag in ("i", "em", "cite") or "italic" in classes or _css(node, "font-style") == "italic":
        style["i"] = True
    if _css(node, "font-style") == "normal":
        style["i"] = False
    if node.tag == "u" or "underline" in _css(node, "text-decoration"):
        style["u"] = True
    if node.tag in ("h1", "h2") or "title" in classes:
        style["sz"] = 28
    elif node.tag in ("h3", "h4"):
        style["sz"] = 26
    if node.tag == "small" or classes & {"small", "note"}:
        style["sz"] = 22
    if _css(node, "font-size"):
        style["sz"] = _half_points(_css(node, "font-size")) or style.get("sz")
    if _css(node, "text-transform") == "uppercase":
        style["caps"] = True
    return style


def _para_style(node, style):
    """The paragraph style inherited down the tree: ``jc`` (alignment), ``before`` / ``after`` (twips)."""
    style = dict(style)
    classes = _classes(node)
    align = _css(node, "text-align") or (node.get("align") or "").lower()
    for name in ("center", "right", "justify", "left"):
        if name in classes or f"text-{name}" in classes:
            align = name
    if node.tag in ("h1", "h2", "center") or "title" in classes:
        align = align or "center"
    if align in _ALIGN:
        style["jc"] = align
    if node.tag in ("h1", "h2", "h3") or "title" in classes:
        style["before"], style["after"] = 120, 60
    return style


def _collapse(runs):
    """Collapse white space like a browser: inside text, and none at the start, the end or around line breaks."""
    items = []
    for item in runs:
        if item[0] == "text":
            text = _SPACES.sub(" ", _INVALID_XML.sub("", item[1]))
            if items and items[-1][0] == "text" and items[-1][1].endswith(" ") and text.startswith(" "):
                text = text[1:]
            if (not items or items[-1][0] == "br") and text.startswith(" "):
                text = text[1:]
            if text:
                items.append(("text", text, item[2]))
        else:
            if item[0] == "br" and items and items[-1][0] == "text":
                items[-1] = ("text", items[-1][1].rstrip(" "), items[-1][2])
            items.append(item)
    while items and items[-1][0] == "text" and items[-1][1].endswith(" "):
        stripped = items[-1][1].rstrip(" ")
        if stripped:
            items[-1] = ("text", stripped, items[-1][2])
            break
        items.pop()
    return items


def _image(node):
    """``("img", bytes, width, height)`` (EMU) of a PNG/JPEG data-URI image, or None."""
    match = re.match(r"data:image/(png|jpeg|jpg);base64,(.*)$", (node.get("src") or "").strip(), re.S)
    if not match:
        return None
    try:
        data = base64.b64decode(match.group(2), validate=False)
    except (binascii.Error, ValueError):
        return None
    default = 26 * 36000 if "qr" in _classes(node) else 96 * 9525  # the QR: 26 mm
    width = _emu(_css(node, "width") or node.get("width"), default)
    return ("img", data, width, _emu(_css(node, "height") or node.get("height"), width))


# --- the Word side ---------------------------------------------------------------------------------


def _element(tag, **attrs):
    element = OxmlElement(tag)
    for name, value in attrs.items():
        element.set(qn(f"w:{name}"), str(value))
    return element


def _format_paragraph(paragraph, pstyle):
    """Alignment, spacing, indents, a bottom rule and the size of the paragraph mark."""
    if pstyle.get("border_bottom"):
        borders = _element("w:pBdr")
        borders.append(_element("w:bottom", val="single", sz=6, space=1, color="000000"))
        paragraph._p.get_or_add_pPr().append(borders)
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after = Twips(pstyle.get("before", 0)), Twips(pstyle.get("after", 40))
    if pstyle.get("ind") or pstyle.get("ind_right"):
        fmt.left_indent, fmt.right_indent = Twips(pstyle.get("ind", 0)), Twips(pstyle.get("ind_right", 0))
    if pstyle.get("jc"):
        paragraph.alignment = _ALIGN[pstyle["jc"]]
    if pstyle.get("sz"):  # the paragraph mark: a thin rule takes no line of text
        mark = _element("w:rPr")
        mark.append(_element("w:sz", val=pstyle["sz"]))
        paragraph._p.get_or_add_pPr().append(mark)


def _format_run(run, rstyle):
    font = run.font
    if rstyle.get("b"):
        font.bold = True
    if rstyle.get("i"):
        font.italic = True
    if rstyle.get("caps"):
        font.all_caps = True
    if rstyle.get("u"):
        font.underline = True
    if rstyle.get("sz"):
        font.size = Pt(rstyle["sz"] / 2)


def _set_table_borders(table, bordered):
    """Single black borders on every side and inside (``class="grid"``), or none; 1 mm cell margins."""
    properties = table._tbl.tblPr
    borders = _element("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        attrs = {"val": "single", "sz": 4, "space": 0, "color": "000000"} if bordered else {"val": "nil"}
        borders.append(_element(f"w:{side}", **attrs))
    properties.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption")
    margins = _element("w:tblCellMar")
    for side in ("left", "right"):
        margins.append(_element(f"w:{side}", w=57, type="dxa"))
    properties.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription")


class _Writer:
    """Adds the blocks of an HTML tree to a python-docx container (the document or a table cell)."""

    def __init__(self):
        self.written = 0  # paragraphs and tables added so far

    def blocks(self, node, container, pstyle, rstyle, width, prefix=None):
        """Paragraphs and tables for the children of ``node``; returns how many were added."""
        runs, start = ([("text", prefix, rstyle)] if prefix else []), self.written

        def flush():
            self.paragraph(container, runs, pstyle)
            runs.clear()

        for child in _children(node):
            if isinstance(child, str) or not (child.tag in _BLOCKS or "sign-space" in _classes(child)):
                self.inline(child, runs, rstyle)
                continue
            flush()
            tag = child.tag
            if tag == "table":
                self.table(child, container, pstyle, rstyle, width)
            elif tag == "hr":  # a bottom border; class="short" keeps the middle third, under a heading
                side = width // 3 if "short" in _classes(child) else 0
                rule = {"border_bottom": True, "ind": side, "ind_right": side, "after": 80, "sz": 4}
                self.paragraph(container, [], rule, True)
            elif tag in ("ul", "ol"):
                self.list(child, container, pstyle, rstyle, width)
            elif "sign-space" in _classes(child):
                for _line in range(3):
                    self.paragraph(container, [], pstyle, True)
            else:
                child_p, child_r = _para_style(child, pstyle), _run_style(child, rstyle)
                if not self.blocks(child, container, child_p, child_r, width) and tag == "p":
                    self.paragraph(container, [], child_p, True)
        flush()
        return self.written - start

    def inline(self, node, runs, rstyle):
        """The runs of an inline ``node``: text, a line break, an image, or an element styling its content."""
        if isinstance(node, str):
            runs.append(("text", node, rstyle))
        elif node.tag == "br":
            runs.append(("br",))
        elif node.tag == "img":
            if image := _image(node):
                runs.append(image)
        elif node.tag not in _SKIP:
            child_r = _run_style(node, rstyle)
            for child in _children(node):
                self.inline(child, runs, child_r)

    def paragraph(self, container, runs, pstyle, force=False):
        items = _collapse(runs)
        if not items and not force:
            return
        self.written += 1
        paragraph = container.add_paragraph()
        _format_paragraph(paragraph, pstyle)
        for item in items:
            if item[0] == "text":
                _format_run(paragraph.add_run(item[1]), item[2])
            elif item[0] == "br":
                paragraph.add_run().add_break()
            else:
                try:
                    paragraph.add_run().add_picture(BytesIO(item[1]), width=Emu(item[2]), height=Emu(item[3]))
                except (UnrecognizedImageError, ValueError):  # not an image after all: left out
                    pass

    def list(self, node, container, pstyle, rstyle, width):
        number = int(node.get("start") or 1) if node.tag == "ol" else None
        for item in node:
            if not isinstance(item.tag, str) or item.tag in _SKIP:
                continue
            mark = f"{number}. " if number is not None else "- "
            item_p, item_r = {**_para_style(item, pstyle), "ind": 284}, _run_style(item, rstyle)
            if not self.blocks(item, container, item_p, item_r, width, prefix=mark):
                self.paragraph(container, [("text", mark, rstyle)], item_p, True)
            if number is not None:
                number += 1

    def table(self, node, container, pstyle, rstyle, width):
        sections = [node, *(part for part in node if part.tag in ("thead", "tbody", "tfoot"))]
        rows = [row for part in sections for row in part if row.tag == "tr"]  # not the rows of nested tables
        grid = [[cell for cell in row if cell.tag in ("td", "th")] for row in rows]
        grid = [cells for cells in grid if cells]
        if not grid:
            self.paragraph(container, [], {}, True)
            return

        def span(cell):
            try:
                return max(1, int(cell.get("colspan") or 1))
            except ValueError:
                return 1

        columns = max(sum(span(c) for c in cells) for cells in grid)
        # Column widths: from the first row that has as many cells as columns (style="width: N%").
        widths = [None] * columns
        for cells in grid:
            if len(cells) == columns:
                for index, cell in enumerate(cells):
                    match = re.match(r"([\d.]+)\s*%", _css(cell, "width") or cell.get("width") or "")
                    if match:
                        widths[index] = int(width * float(match.group(1)) / 100)
                break
        known = sum(w for w in widths if w)
        unknown = [i for i, w in enumerate(widths) if not w]
        for index in unknown:
            widths[index] = max(200, (width - known) // len(unknown))

        self.written += 1
        table = container.add_table(rows=len(grid), cols=columns)
        table.autofit = False
        bordered = "grid" in _classes(node) or (node.get("border") not in (None, "", "0"))
        _set_table_borders(table, bordered)
        for column, column_width in zip(table.columns, widths, strict=True):
            column.width = Twips(column_width)
        for row_index, cells in enumerate(grid):
            table.rows[row_index]._tr.get_or_add_trPr().append(_element("w:cantSplit"))
            column = 0
            for cell in cells:
                if column >= columns:
                    break
                cspan = min(span(cell), columns - column)
                target = table.cell(row_index, column)
                if cspan > 1:
                    target = target.merge(table.cell(row_index, column + cspan - 1))
                cell_width = sum(widths[column : column + cspan])
                target.width = Twips(cell_width)
                column += cspan
                cell_p = {k: v for k, v in pstyle.items() if k == "jc"}
                cell_r = dict(rstyle)
                if _classes(node) & {"header", "signatures"} or cell.tag == "th":
                    cell_p["jc"] = "center"
                if "header" in _classes(node):
                    cell_r["sz"] = 24  # the national header: 12 pt
                self.cell(cell, target, _para_style(cell, cell_p), _run_style(cell, cell_r), cell_width - 114)
            if column < columns:  # a short row: one empty cell fills it, so the grid stays rectangular
                rest = table.cell(row_index, column).merge(table.cell(row_index, columns - 1))
                rest.width = Twips(sum(widths[column:]))

    def cell(self, node, cell, pstyle, rstyle, width):
        """Fill a table cell; python-docx gives it one empty paragraph, kept only when nothing else is there
        (a cell must end with a paragraph: python-docx adds one after a nested table)."""
        first = cell.paragraphs[0]
        if self.blocks(node, cell, pstyle, rstyle, width):
            cell._tc.remove(first._p)
        else:
            _format_paragraph(first, pstyle)


# --- the document --------------------------------------------------------------------------------


def _new_document(title):
    document = Document()
    package = document.part.package
    for rid, relationship in list(package.rels.items()):
        if relationship.reltype == RELATIONSHIP_TYPE.THUMBNAIL:  # python-docx's own picture: no part of a slip
            package.rels.pop(rid)
    properties = document.core_properties
    properties.title, properties.language = title, "vi-VN"
    properties.author = properties.last_modified_by = properties.comments = ""
    section = document.sections[0]
    section.page_width, section.page_height = Twips(PAGE_W), Twips(PAGE_H)
    section.top_margin, section.right_margin = Twips(MARGINS["top"]), Twips(MARGINS["right"])
    section.bottom_margin, section.left_margin = Twips(MARGINS["bottom"]), Twips(MARGINS["left"])
    section.header_distance = section.footer_distance = Twips(567)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(13)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("eastAsia", "cs"):
        fonts.set(qn(f"w:{attribute}"), FONT)
    normal.element.get_or_add_rPr().append(_element("w:lang", val="vi-VN", eastAsia="vi-VN"))
    normal.paragraph_format.space_after, normal.paragraph_format.line_spacing = Twips(40), 1.1
    return document


def _package_bytes(document) -> bytes:
    """The saved package with fixed dates in the zip: the same slip gives the same bytes."""
    saved, fixed = BytesIO(), BytesIO()
    document.save(saved)
    with ZipFile(saved) as source, ZipFile(fixed, "w", ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(ZipInfo(info.filename, date_time=(2020, 1, 1, 0, 0, 0)), source.read(info), ZIP_DEFLATED)
    return fixed.getvalue()


def html_to_docx(html: str, title: str = "") -> bytes:
    """A ``.docx`` package from an HTML fragment (the filled body of a slip template; see the module)."""
    document = _new_document(title)
    document._body.clear_content()  # the default template's body: one empty paragraph (the section stays)
    body = tinyhtml5.parse(f"<!DOCTYPE html>{html}", namespace_html_elements=False).find("body")
    _Writer().blocks(body, document, {}, {}, TEXT_WIDTH)
    blocks = document.element.body.xpath("./w:p | ./w:tbl")
    if not blocks or blocks[-1].tag == qn("w:tbl"):
        document.add_paragraph()  # the body ends with a paragraph, as Word writes it
    return _package_bytes(document)
