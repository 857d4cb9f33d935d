"""Spreadsheet layout of the catalog (agencies, sectors, procedures).

The columns follow the national procedure database (CSDLQG về TTHC): one row
per record, Vietnamese headers, procedure documents and fees written as lines
inside one cell. The layout is defined ONCE here (the ``*Columns`` classes and
the value labels below) and described for editors in
``docs/import-layout.md``; the import and the export both read it, so an
exported file imports back as a no-op.

The resources are django-import-export ``ModelResource`` classes with a few
catalog-specific rules:

* the code column is the key (``import_id_fields``); an identical row is
  reported as "skip" (unchanged) and nothing is written, not even history;
* "unchanged" compares every column present in the file, *including* the
  procedure's agencies, documents and fees, in their spreadsheet form;
* every cell error is a ``ValueError``/``ValidationError`` with a translatable
  English message, collected per column, so a row reports all its problems;
* columns missing from the file are left alone (only the required columns
  must be present).

The service layer (``catalog.services``) reads the file, maps the headers,
tracks spreadsheet row numbers and runs the import inside one transaction.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser
from typing import NamedTuple

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import resources
from import_export.fields import Field
from import_export.instance_loaders import CachedInstanceLoader
from import_export.widgets import Widget

from catalog.models import (
    Agency,
    AgencyLevel,
    FeeKind,
    OnlineLevel,
    Procedure,
    ProcedureDocument,
    ProcedureFee,
    ProcedureLevel,
    ProcedureStatus,
    Sector,
    TimeUnit,
)
from catalog.search import fold

# ---------------------------------------------------------------------------
# The layout: column headers (one class per sheet) and value labels
# ---------------------------------------------------------------------------


class AgencyColumns:
    CODE = "Mã cơ quan"
    NAME = "Tên cơ quan"
    SHORT_NAME = "Tên viết tắt"
    LEVEL = "Cấp"
    PARENT_CODE = "Mã cơ quan cấp trên"
    ADDRESS = "Địa chỉ"
    PHONE = "Điện thoại"
    EMAIL = "Thư điện tử"
    HOTLINE = "Đường dây nóng"
    WORKING_HOURS = "Thời gian làm việc"

    ORDER = (CODE, NAME, SHORT_NAME, LEVEL, PARENT_CODE, ADDRESS, PHONE, EMAIL, HOTLINE, WORKING_HOURS)
    REQUIRED = (CODE, NAME)
    KEY = CODE
    #: Other headers accepted on import (exports of the national database, common spellings).
    ALIASES = {
        CODE: ("Mã định danh", "Mã đơn vị", "Mã định danh cơ quan"),
        NAME: ("Tên đơn vị", "Cơ quan"),
        LEVEL: ("Cấp cơ quan", "Cấp hành chính"),
        PARENT_CODE: ("Cơ quan cấp trên", "Mã đơn vị cấp trên", "Đơn vị cấp trên"),
        EMAIL: ("Email", "E-mail"),
    }


class SectorColumns:
    CODE = "Mã lĩnh vực"
    NAME = "Tên lĩnh vực"

    ORDER = (CODE, NAME)
    REQUIRED = (CODE, NAME)
    KEY = CODE
    ALIASES = {CODE: ("Mã số lĩnh vực",), NAME: ("Lĩnh vực",)}


class ProcedureColumns:
    CODE = "Mã thủ tục"
    NAME = "Tên thủ tục"
    SECTOR_CODE = "Mã lĩnh vực"
    AGENCY_CODES = "Mã cơ quan thực hiện"
    LEVEL = "Cấp thực hiện"
    ONLINE_LEVEL = "Mức độ DVC"
    PROCESSING_TIME = "Thời hạn giải quyết"
    TIME_UNIT = "Đơn vị thời gian"
    TIME_NOTE = "Ghi chú thời hạn"
    APPLICANTS = "Đối tượng thực hiện"
    STEPS = "Trình tự thực hiện"
    REQUIREMENTS = "Yêu cầu, điều kiện"
    CHANNELS = "Cách thức thực hiện"
    POSTAL_RETURN = "Trả kết quả qua bưu chính"
    RESULT = "Kết quả thực hiện"
    LEGAL_BASIS = "Căn cứ pháp lý"
    PUBLISHING_DECISION = "Quyết định công bố"
    STATUS = "Tình trạng"
    FEES = "Phí, lệ phí"
    DOCUMENTS = "Thành phần hồ sơ"

    ORDER = (
        CODE,
        NAME,
        SECTOR_CODE,
        AGENCY_CODES,
        LEVEL,
        ONLINE_LEVEL,
        PROCESSING_TIME,
        TIME_UNIT,
        TIME_NOTE,
        APPLICANTS,
        STEPS,
        REQUIREMENTS,
        CHANNELS,
        POSTAL_RETURN,
        RESULT,
        LEGAL_BASIS,
        PUBLISHING_DECISION,
        STATUS,
        FEES,
        DOCUMENTS,
    )
    REQUIRED = (CODE, NAME, SECTOR_CODE, AGENCY_CODES, PROCESSING_TIME)
    KEY = CODE
    #: Other headers accepted on import: the national database's (CSDLQG) and common synonyms. Sector and
    #: agency columns may hold names instead of codes.
    ALIASES = {
        CODE: ("Mã TTHC", "Mã số TTHC", "Mã số TTHC trên CSDLQG", "Mã thủ tục hành chính", "Mã số thủ tục"),
        NAME: ("Tên TTHC", "Tên thủ tục hành chính"),
        SECTOR_CODE: ("Lĩnh vực", "Tên lĩnh vực", "Mã lĩnh vực TTHC"),
        AGENCY_CODES: ("Cơ quan thực hiện", "Cơ quan giải quyết", "Tên cơ quan thực hiện", "Mã cơ quan"),
        LEVEL: ("Cấp", "Cấp thực hiện TTHC", "Cấp giải quyết"),
        ONLINE_LEVEL: ("Mức độ", "Mức độ dịch vụ công", "Mức độ DVCTT", "Dịch vụ công trực tuyến"),
        PROCESSING_TIME: ("Thời gian giải quyết", "Thời hạn"),
        APPLICANTS: ("Đối tượng",),
        STEPS: ("Trình tự",),
        REQUIREMENTS: ("Yêu cầu điều kiện", "Điều kiện thực hiện"),
        CHANNELS: ("Hình thức nộp", "Cách thức"),
        RESULT: ("Kết quả", "Kết quả giải quyết"),
        LEGAL_BASIS: ("Căn cứ pháp lý của TTHC", "Cơ sở pháp lý"),
        STATUS: ("Trạng thái", "Tình trạng hiệu lực"),
        FEES: ("Lệ phí", "Phí lệ phí", "Phí và lệ phí"),
        DOCUMENTS: ("Hồ sơ", "Thành phần, số lượng hồ sơ"),
    }


#: Separator between codes in "Mã cơ quan thực hiện" and between channels.
LIST_SEPARATOR = ";"
#: Separator between the parts of a "Thành phần hồ sơ" line.
DOCUMENT_PART_SEPARATOR = "|"

YES = "Có"
NO = "Không"
MANDATORY = "Bắt buộc"
OPTIONAL = "Không bắt buộc"

AGENCY_LEVEL_LABELS = {AgencyLevel.PROVINCE: "Tỉnh", AgencyLevel.COMMUNE: "Xã"}
PROCEDURE_LEVEL_LABELS = {
    ProcedureLevel.PROVINCE: "Tỉnh",
    ProcedureLevel.COMMUNE: "Xã",
    ProcedureLevel.BOTH: "Tỉnh, Xã",
}
ONLINE_LEVEL_LABELS = {OnlineLevel.FULL: "Toàn trình", OnlineLevel.PARTIAL: "Một phần", OnlineLevel.NONE: "Không"}
TIME_UNIT_LABELS = {TimeUnit.DAY: "Ngày làm việc", TimeUnit.HOUR: "Giờ làm việc"}
STATUS_LABELS = {
    ProcedureStatus.IN_FORCE: "Còn hiệu lực",
    ProcedureStatus.AMENDED: "Được sửa đổi",
    ProcedureStatus.ABOLISHED: "Bãi bỏ",
}
FEE_KIND_LABELS = {FeeKind.FEE: "Phí", FeeKind.CHARGE: "Lệ phí"}
#: (model field, label, folded words that select it) for "Cách thức thực hiện".
CHANNELS = (
    ("submit_online", "Trực tuyến", ("truc tuyen", "online", "dich vu cong")),
    ("submit_counter", "Trực tiếp", ("truc tiep", "counter", "mot cua")),
    ("submit_post", "Bưu chính", ("buu chinh", "buu dien", "post")),
)

# Extra spellings accepted on import (compared after folding: no accents, lower case).
AGENCY_LEVEL_ALIASES = {
    AgencyLevel.PROVINCE: ("cap tinh", "province"),
    AgencyLevel.COMMUNE: ("cap xa", "phuong", "xa phuong", "dac khu", "commune"),
}
PROCEDURE_LEVEL_ALIASES = {
    ProcedureLevel.PROVINCE: ("cap tinh", "province"),
    ProcedureLevel.COMMUNE: ("cap xa", "xa phuong", "commune"),
    ProcedureLevel.BOTH: ("tinh xa", "xa tinh", "cap tinh cap xa", "tinh va xa", "both"),
}
ONLINE_LEVEL_ALIASES = {
    OnlineLevel.FULL: ("dvc toan trinh", "dich vu cong truc tuyen toan trinh", "muc do 4", "full"),
    OnlineLevel.PARTIAL: ("dvc mot phan", "dich vu cong truc tuyen mot phan", "muc do 3", "partial"),
    OnlineLevel.NONE: ("cung cap thong tin", "muc do 2", "muc do 1", "none"),
}
TIME_UNIT_ALIASES = {TimeUnit.DAY: ("ngay", "day", "days"), TimeUnit.HOUR: ("gio", "hour", "hours")}
STATUS_ALIASES = {
    ProcedureStatus.IN_FORCE: ("hieu luc", "dang hieu luc", "in force"),
    ProcedureStatus.AMENDED: ("sua doi", "sua doi bo sung", "duoc sua doi bo sung", "amended"),
    ProcedureStatus.ABOLISHED: ("da bai bo", "het hieu luc", "abolished"),
}
NO_FEE_WORDS = {"khong", "khong co", "khong thu", "mien phi", "khong quy dinh"}

# ---------------------------------------------------------------------------
# Cell text helpers
# ---------------------------------------------------------------------------


def cell_text(value, *, multiline=True) -> str:
    """Normalised text of a spreadsheet cell (xlsx cells may be numbers, dates, booleans)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (int, Decimal)):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    # Composed Unicode (NFC): files from other systems often carry decomposed Vietnamese (NFD).
    text = unicodedata.normalize("NFC", str(value)).replace("_x000D_", "")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    if not multiline:
        text = " ".join(part.strip() for part in text.split("\n") if part.strip())
    return text.strip()


def comparable(value):
    """Form of an exported value used to decide whether a row changed."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    if value is None:
        return ""
    return value


_BULLET = re.compile(r"^\s*[-+•*]\s+")


def cell_lines(text: str) -> list[str]:
    """Non-empty lines of a multi-line cell, with leading list bullets removed."""
    return [_BULLET.sub("", line).strip() for line in text.split("\n") if line.strip()]


class _HtmlText(HTMLParser):
    BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "br", "ul", "ol", "table"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines = [""]
        self.lists = []

    def _break(self):
        if self.lines[-1].strip():
            self.lines.append("")

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self._break()
        if tag in ("ul", "ol"):
            self.lists.append([tag, 0])
        elif tag == "li":
            if self.lists and self.lists[-1][0] == "ol":
                self.lists[-1][1] += 1
                self.lines[-1] += f"{self.lists[-1][1]}. "
            else:
                self.lines[-1] += "- "

    def handle_startendtag(self, tag, attrs):
        if tag in self.BLOCKS:
            self._break()

    def handle_endtag(self, tag):
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        if tag in self.BLOCKS:
            self._break()

    def handle_data(self, data):
        self.lines[-1] += data


def html_to_text(value: str) -> str:
    """Plain-text form of a rich-text field: one line per paragraph or list item."""
    if not value:
        return ""
    parser = _HtmlText()
    parser.feed(value)
    parser.close()
    return normalise_text_block("\n".join(parser.lines))


def normalise_text_block(text: str) -> str:
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line and line not in ("-",))


def text_to_html(text: str) -> str:
    """Rich-text HTML for plain text from a spreadsheet: one paragraph per line."""
    return "".join(f"<p>{html.escape(line, quote=False)}</p>" for line in text.split("\n") if line)


# ---------------------------------------------------------------------------
# Widgets: cell <-> Python value. Errors are ValueError with a clear message.
# ---------------------------------------------------------------------------


class TextWidget(Widget):
    def __init__(self, multiline=False, upper=False):
        super().__init__(coerce_to_string=True)
        self.multiline = multiline
        self.upper = upper

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value, multiline=self.multiline)
        return text.upper() if self.upper else text

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return cell_text(value, multiline=self.multiline)


class NationalCodeWidget(TextWidget):
    """``1.001612``; Excel may have turned the code into the number 1.001612."""

    def __init__(self):
        super().__init__(multiline=False, upper=True)

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, float):
            return f"{value:.6f}"
        return super().clean(value, row=row, **kwargs)


class RichTextWidget(TextWidget):
    def __init__(self):
        super().__init__(multiline=True)

    def clean(self, value, row=None, **kwargs):
        return normalise_text_block(cell_text(value))

    def render(self, value, obj=None, **kwargs):
        return html_to_text(value or "")


class ChoiceWidget(Widget):
    """A model choice written as its Vietnamese label (``labels``); blank means ``default``."""

    def __init__(self, labels, aliases=None, default=None):
        super().__init__(coerce_to_string=True)
        self.labels = labels
        self.default = default
        self.lookup = {}
        for value, label in labels.items():
            self.lookup[fold(label)] = value
            self.lookup[fold(str(value))] = value
        for value, words in (aliases or {}).items():
            for word in words:
                self.lookup.setdefault(word, value)

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value, multiline=False)
        if not text:
            return self.default
        try:
            return self.lookup[fold(text)]
        except KeyError:
            raise ValueError(
                _("Unknown value “%(value)s”; use one of: %(choices)s.")
                % {"value": text, "choices": " / ".join(self.labels.values())}
            ) from None

    def render(self, value, obj=None, **kwargs):
        return self.labels.get(value, value or "")


class YesNoWidget(Widget):
    TRUE = {"co", "x", "1", "true", "yes", "dung", "c"}
    FALSE = {"khong", "0", "false", "no", "k", ""}

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value, multiline=False)
        folded = fold(text)
        if folded in self.TRUE:
            return True
        if folded in self.FALSE:
            return False
        raise ValueError(_("Use “%(yes)s” or “%(no)s”, not “%(value)s”.") % {"yes": YES, "no": NO, "value": text})

    def render(self, value, obj=None, **kwargs):
        return YES if value else NO


class ProcessingTimeWidget(Widget):
    NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            value = cell_text(value)
        if isinstance(value, (int, float, Decimal)):
            try:
                return Decimal(str(value))
            except InvalidOperation:  # NaN, inf
                value = str(value)
        text = cell_text(value, multiline=False)
        if not text:
            raise ValueError(_("The processing time is required."))
        if not self.NUMBER.match(text):
            raise ValueError(
                _("The processing time must be a number such as 15 or 0.5, not “%(value)s”.") % {"value": text}
            )
        return Decimal(text.replace(",", "."))

    def render(self, value, obj=None, **kwargs):
        if value in (None, ""):
            return ""
        value = Decimal(value)
        if value == value.to_integral_value():
            return int(value)
        return float(value)


class CodeLookupWidget(Widget):
    """A foreign key written as the related row's ``code``."""

    def __init__(self, model, *, unknown_message, required_message=None, upper=False):
        super().__init__(coerce_to_string=True)
        self.model = model
        self.unknown_message = unknown_message
        self.required_message = required_message
        self.upper = upper
        self.cache = {}

    def normalise(self, value):
        text = cell_text(value, multiline=False)
        return text.upper() if self.upper else text

    def prepare(self):
        """Load every row once before an import, so no row of the file costs a query."""
        self.cache = {obj.code: obj for obj in self.model.objects.all()}
        self.by_name = None

    def by_folded_name(self, text):
        """Rows whose name matches ``text`` ignoring case, accents and Unicode form (a cell may hold a name)."""
        if getattr(self, "by_name", None) is None:
            self.by_name = defaultdict(list)
            for obj in self.cache.values() or self.model.objects.all():
                self.by_name[fold(obj.name)].append(obj)
        return self.by_name.get(fold(text), [])

    def resolve(self, text):
        """The row a cell names, by code or else by name; None if unknown; ValueError if the name is ambiguous."""
        obj = self.get(self.upper and text.upper() or text)
        if obj is not None:
            return obj
        found = self.by_folded_name(text)
        if len(found) > 1:
            raise ValueError(
                _("“%(name)s” is the name of several rows (%(codes)s): write the code instead.")
                % {"name": text, "codes": ", ".join(sorted(obj.code for obj in found))}
            )
        return found[0] if found else None

    def get(self, code):
        if code not in self.cache:
            obj = self.model.objects.filter(code=code).first()
            if obj is None:
                return None
            self.cache[code] = obj
        return self.cache[code]

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value, multiline=False)
        code = self.normalise(value)
        if not code:
            if self.required_message:
                raise ValueError(str(self.required_message))
            return None
        obj = self.resolve(text)
        if obj is None:
            raise ValueError(str(self.unknown_message) % {"code": code})
        return obj

    def render(self, value, obj=None, **kwargs):
        return value.code if value is not None else ""


class AgencyCodesWidget(CodeLookupWidget):
    """``000.00.15.H12; 000.00.01.H12`` -> list of agencies."""

    SPLIT = re.compile(r"[;\n]+")

    def __init__(self):
        super().__init__(Agency, unknown_message="", upper=True)

    def clean(self, value, row=None, **kwargs):
        agencies, unknown = [], []
        for part in self.SPLIT.split(cell_text(value)):
            part = part.strip()
            if not part:
                continue
            found = self.resolve(part)
            if found is not None:
                found = [found]
            else:  # codes separated by commas ("000.00.15.H12, 000.01.20.H12")
                pieces = [piece.strip() for piece in part.split(",") if piece.strip()]
                found = [self.resolve(piece) for piece in pieces] if len(pieces) > 1 else [None]
                unknown.extend(piece for piece, agency in zip(pieces or [part], found) if agency is None)
                found = [agency for agency in found if agency is not None]
            agencies.extend(agency for agency in found if agency not in agencies)
        if unknown:
            raise ValueError(_("Unknown agency code(s): %(codes)s.") % {"codes": ", ".join(c.upper() for c in unknown)})
        if not agencies:
            raise ValueError(_("At least one implementing agency code is required."))
        return agencies

    def render(self, value, obj=None, **kwargs):
        return f"{LIST_SEPARATOR} ".join(sorted(agency.code for agency in value or ()))


class ChannelsWidget(Widget):
    SPLIT = re.compile(r"[;,\n/+]+")

    def clean(self, value, row=None, **kwargs):
        flags = {attr: False for attr, _label, _words in CHANNELS}
        for token in self.SPLIT.split(cell_text(value)):
            folded = fold(token)
            if not folded:
                continue
            for attr, _label, words in CHANNELS:
                if any(word in folded for word in words):
                    flags[attr] = True
                    break
            else:
                choices = f"{LIST_SEPARATOR} ".join(label for _a, label, _w in CHANNELS)
                raise ValueError(
                    _("Unknown way of submission “%(value)s”; use %(choices)s.")
                    % {"value": token.strip(), "choices": choices}
                )
        return flags

    def render(self, value, obj=None, **kwargs):
        flags = dict(zip((attr for attr, _l, _w in CHANNELS), value or ()))
        return f"{LIST_SEPARATOR} ".join(label for attr, label, _w in CHANNELS if flags.get(attr))


class DocumentSpec(NamedTuple):
    name: str
    originals: int
    copies: int
    mandatory: bool


class FeeSpec(NamedTuple):
    kind: str
    name: str
    amount: int
    note: str


def _model_field_error(model, values, exclude):
    """Run the child model's field validation (lengths, ranges) for one cell line."""
    try:
        model(**values).clean_fields(exclude=exclude)
    except ValidationError as exc:
        return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return None


class DocumentsWidget(Widget):
    """``Tờ khai đăng ký | 1 | 0 | Bắt buộc`` one per line."""

    def clean(self, value, row=None, **kwargs):
        specs, errors = [], []
        for line in cell_lines(cell_text(value)):
            try:
                spec = self.parse_line(line)
            except ValueError as exc:
                errors.append(str(exc))
                continue
            problem = _model_field_error(
                ProcedureDocument, spec._asdict(), exclude=["procedure", "template", "sort_order", "id"]
            )
            if problem:
                errors.append(_("Bad document line “%(line)s”: %(reason)s") % {"line": line, "reason": problem})
                continue
            specs.append(spec)
        if errors:
            raise ValidationError(errors)
        return specs

    @staticmethod
    def parse_line(line):
        parts = [part.strip() for part in line.split(DOCUMENT_PART_SEPARATOR)]
        if len(parts) > 4:
            parts = [f" {DOCUMENT_PART_SEPARATOR} ".join(parts[:-3]), *parts[-3:]]
        name = parts[0]

        def bad(reason):
            return ValueError(_("Bad document line “%(line)s”: %(reason)s") % {"line": line, "reason": reason})

        if not name:
            raise bad(
                _("the document name is missing (expected “name | originals | copies | %(mandatory)s/%(optional)s”).")
                % {"mandatory": MANDATORY, "optional": OPTIONAL}
            )
        numbers = []
        for text, default, label in ((parts[1:2], 1, _("originals")), (parts[2:3], 0, _("copies"))):
            text = text[0] if text else ""
            if not text:
                numbers.append(default)
            elif text.isdigit():
                numbers.append(int(text))
            else:
                raise bad(
                    _("the number of %(what)s must be a whole number, not “%(value)s”.")
                    % {"what": label, "value": text}
                )
        mandatory = True
        if len(parts) > 3 and parts[3]:
            folded = fold(parts[3])
            if folded in ("bat buoc", "co", "x", "yes", "true", "1"):
                mandatory = True
            elif folded in ("khong bat buoc", "khong", "no", "false", "0", "tuy chon"):
                mandatory = False
            else:
                raise bad(
                    _("write “%(mandatory)s” or “%(optional)s”, not “%(value)s”.")
                    % {"mandatory": MANDATORY, "optional": OPTIONAL, "value": parts[3]}
                )
        return DocumentSpec(name, numbers[0], numbers[1], mandatory)

    def render(self, value, obj=None, **kwargs):
        return "\n".join(
            f" {DOCUMENT_PART_SEPARATOR} ".join(
                [spec.name, str(spec.originals), str(spec.copies), MANDATORY if spec.mandatory else OPTIONAL]
            )
            for spec in value or ()
        )


class FeesWidget(Widget):
    """``Lệ phí: Cấp mới = 50000 (ghi chú)`` one per line."""

    LINE = re.compile(
        r"^(?P<kind>[^:=]+?)\s*:\s*(?P<name>.+)\s*=\s*(?P<amount>\d[\d., ]*?)\s*"
        r"(?:vnđ|vnd|đồng|đ)?\s*(?:\((?P<note>.*)\))?\s*$",
        re.IGNORECASE,
    )
    KINDS = {fold(label): kind for kind, label in FEE_KIND_LABELS.items()}

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if fold(text) in NO_FEE_WORDS:
            return []
        specs, errors = [], []
        for line in cell_lines(text):
            match = self.LINE.match(line)
            kind = self.KINDS.get(fold(match["kind"])) if match else None
            if not match or kind is None:
                errors.append(
                    _(
                        "Bad fee line “%(line)s”: expected “%(fee)s: name = amount” or “%(charge)s: name = amount”, "
                        "optionally followed by “(note)”."
                    )
                    % {"line": line, "fee": FEE_KIND_LABELS[FeeKind.FEE], "charge": FEE_KIND_LABELS[FeeKind.CHARGE]}
                )
                continue
            amount = int(re.sub(r"[., ]", "", match["amount"]))
            spec = FeeSpec(kind, match["name"].strip(), amount, (match["note"] or "").strip())
            problem = _model_field_error(ProcedureFee, spec._asdict(), exclude=["procedure", "sort_order", "id"])
            if problem:
                errors.append(_("Bad fee line “%(line)s”: %(reason)s") % {"line": line, "reason": problem})
                continue
            specs.append(spec)
        if errors:
            raise ValidationError(errors)
        return specs

    def render(self, value, obj=None, **kwargs):
        lines = []
        for spec in value or ():
            line = f"{FEE_KIND_LABELS.get(spec.kind, spec.kind)}: {spec.name} = {spec.amount}"
            if spec.note:
                line += f" ({spec.note})"
            lines.append(line)
        return "\n".join(lines)


# ---------------------------------------------------------------------------
# Fields with catalog-specific save / read rules
# ---------------------------------------------------------------------------


class RichTextColumn(Field):
    """Rich text written as plain lines; existing HTML is kept when the text did not change."""

    def save(self, instance, row, is_m2m=False, **kwargs):
        text = self.clean(row, **kwargs)
        current = getattr(instance, self.attribute) or ""
        if html_to_text(current) != text:
            setattr(instance, self.attribute, text_to_html(text))


class ChannelsColumn(Field):
    """One column for the three ``submit_*`` booleans."""

    attributes = tuple(attr for attr, _label, _words in CHANNELS)

    def save(self, instance, row, is_m2m=False, **kwargs):
        for attr, flag in self.clean(row, **kwargs).items():
            setattr(instance, attr, flag)

    def get_value(self, instance):
        return tuple(bool(getattr(instance, attr)) for attr in self.attributes)


class DeferredColumn(Field):
    """A column applied after the row's own instance is saved (M2M, child rows).

    On import the parsed value is parked on the instance; ``get_value`` returns
    it (so "unchanged" compares the file with the database), otherwise reads
    the database. ``commit_many`` writes them all once every row is saved.
    """

    PENDING = "_catalog_import_pending"

    def save(self, instance, row, is_m2m=False, **kwargs):
        instance.__dict__.setdefault(self.PENDING, {})[self.attribute] = self.clean(row, **kwargs)

    def has_pending(self, instance):
        return self.attribute in instance.__dict__.get(self.PENDING, {})

    def get_value(self, instance):
        pending = instance.__dict__.get(self.PENDING, {})
        if self.attribute in pending:
            return pending[self.attribute]
        if instance.pk is None:
            return []
        return self.read(instance)

    def read(self, instance):
        raise NotImplementedError

    def commit_many(self, entries, user=None):
        """Write the parked values of ``entries`` ([(instance, is_new)]), after every row is saved."""
        raise NotImplementedError


class AgenciesColumn(DeferredColumn):
    def read(self, instance):
        return list(instance.agencies.all())

    def commit_many(self, entries, user=None):
        """Set the agencies of every saved row at once: one read, one insert, deletes only where some went."""
        through = Procedure.agencies.through
        pending = [(instance, is_new) for instance, is_new in entries if self.has_pending(instance)]
        wanted = {instance.pk: [agency.pk for agency in self.get_value(instance)] for instance, _new in pending}
        current = defaultdict(set)
        existing_pks = [instance.pk for instance, is_new in pending if not is_new]
        for i in range(0, len(existing_pks), 500):
            chunk = through.objects.filter(procedure_id__in=existing_pks[i : i + 500])
            for procedure_id, agency_id in chunk.values_list("procedure_id", "agency_id"):
                current[procedure_id].add(agency_id)
        added = []
        for procedure_id, agency_ids in wanted.items():
            gone = current[procedure_id] - set(agency_ids)
            if gone:
                through.objects.filter(procedure_id=procedure_id, agency_id__in=gone).delete()
            added.extend(
                through(procedure_id=procedure_id, agency_id=agency_id)
                for agency_id in agency_ids
                if agency_id not in current[procedure_id]
            )
        through.objects.bulk_create(added, batch_size=1000)


class _ChildRowsColumn(DeferredColumn):
    """Documents / fees: matched to existing rows so unchanged children (and their template files) survive."""

    model = None
    related_name = None
    spec_class = None
    match_fields = ()

    def children(self, instance):
        # Model ordering is (sort_order, pk); .all() keeps a prefetch made by the export.
        return list(getattr(instance, self.related_name).all())

    def read(self, instance):
        fields = self.spec_class._fields
        return [self.spec_class(*(getattr(child, f) for f in fields)) for child in self.children(instance)]

    def commit_many(self, entries, user=None):
        """Write the children of every saved row in bulk (with their history rows); unchanged ones are not touched.

        Existing children come from the prefetch of the import's queryset; a new row has none."""
        fields = [*self.spec_class._fields, "sort_order"]
        created, updated, deleted = [], [], []
        for instance, is_new in entries:
            if not self.has_pending(instance):
                continue
            specs = list(self.get_value(instance))
            existing = [] if is_new else self.children(instance)
            if not is_new and self.read(instance) == specs:
                continue
            pool = defaultdict(list)
            for child in existing:
                pool[tuple(getattr(child, f) for f in self.match_fields)].append(child)
            kept = set()
            for index, spec in enumerate(specs):
                candidates = pool[tuple(getattr(spec, f) for f in self.match_fields)]
                values = {**spec._asdict(), "sort_order": index}
                if candidates:
                    child = candidates.pop(0)
                    kept.add(child.pk)
                    if any(getattr(child, k) != v for k, v in values.items()):
                        for key, val in values.items():
                            setattr(child, key, val)
                        updated.append(child)
                else:
                    created.append(self.model(procedure_id=instance.pk, **values))
            deleted.extend(child for child in existing if child.pk not in kept)
        for child in deleted:  # rare (a line removed from a cell); one by one so simple-history records each
            child._history_user = user
            child.delete()
        self.model.objects.bulk_create(created, batch_size=500)
        self.model.objects.bulk_update(updated, fields, batch_size=500)
        history = self.model.history
        history.bulk_history_create(created, batch_size=500, default_user=user)
        history.bulk_history_create(updated, batch_size=500, update=True, default_user=user)


class DocumentsColumn(_ChildRowsColumn):
    model = ProcedureDocument
    related_name = "documents"
    spec_class = DocumentSpec
    match_fields = ("name",)


class FeesColumn(_ChildRowsColumn):
    model = ProcedureFee
    related_name = "fees"
    spec_class = FeeSpec
    match_fields = ("kind", "name")


# ---------------------------------------------------------------------------
# Resources
# ---------------------------------------------------------------------------


class CatalogResource(resources.ModelResource):
    """Behaviour shared by the three catalog sheets."""

    columns = None  # one of the *Columns classes
    key_field = "code"
    sheet_title = ""

    #: Whether the dry run saves each row (and rolls back): needed when a row refers to another row of the same
    #: file (an agency's parent). Otherwise the dry run only validates, which is much faster.
    dry_run_saves = True
    #: Report progress every this many rows.
    PROGRESS_EVERY = 50

    def __init__(self, user=None, sheet_rows=None, progress=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        #: ``progress(rows_done)``, called now and then while importing (the background job shows it).
        self.progress = progress
        self._dry_run = False
        #: Rows saved, with whether they were new: their M2M and child rows are written in bulk at the end.
        self._saved = []
        # Spreadsheet row of each dataset row (data row 1 is sheet row 2 unless told otherwise).
        self.sheet_rows = list(sheet_rows or [])
        self.present_columns = set(self.columns.ORDER)
        self._seen_keys = {}
        self._before = None
        self._changed = None
        #: Instances written by this import (for follow-up work after the commit).
        self.saved_instances = []

    # -- layout helpers --------------------------------------------------------
    @classmethod
    def column_for_error_key(cls, key):
        """Column header for a ValidationError key (a field attribute or a model field name)."""
        if key == NON_FIELD_ERRORS:
            return ""
        for name, field in cls.fields.items():
            if key in (name, field.attribute) or key in getattr(field, "attributes", ()):
                return field.column_name
        return key

    def sheet_row(self, row_number):
        if row_number is not None and 0 < row_number <= len(self.sheet_rows):
            return self.sheet_rows[row_number - 1]
        return (row_number or 0) + 1

    def export_queryset(self):
        return self.get_queryset()

    def order_rows(self, rows):
        """Reorder ``[(sheet_row, {header: value})]`` before import (e.g. parents first)."""
        return rows

    def render_values(self, instance):
        return {
            field.column_name: comparable(field.export(instance))
            for field in self.get_import_fields()
            if field.column_name in self.present_columns
        }

    # -- import hooks ----------------------------------------------------------
    def before_import(self, dataset, **kwargs):
        self.present_columns = set(dataset.headers or ())
        self._seen_keys = {}
        self._saved = []
        for field in self.get_import_fields():
            prepare = getattr(field.widget, "prepare", None)
            if prepare is not None:
                prepare()

    def after_import(self, dataset, result, **kwargs):
        """Write what was parked for every saved row (agencies, documents, fees) in bulk, then log the edits."""
        if self._dry_run or result.has_errors() or result.has_validation_errors():
            return
        for field in self.get_import_fields():
            if isinstance(field, DeferredColumn) and field.column_name in self.present_columns:
                field.commit_many(self._saved, user=self.user)
        self.log_actions(self._saved)

    def before_import_row(self, row, **kwargs):
        # import-export passes ``dry_run`` to the row hooks (not to ``before_import``).
        self._dry_run = bool(kwargs.get("dry_run"))
        self._before = None
        self._changed = None

    def after_init_instance(self, instance, new, row, **kwargs):
        self._before = None if new else self.render_values(instance)

    def import_instance(self, instance, row, **kwargs):
        errors = defaultdict(list)
        key_field = self.fields[self.key_field]
        key = key_field.clean(row)
        if key:
            here = self.sheet_row(kwargs.get("row_number"))
            first = self._seen_keys.setdefault(key, here)
            if first != here:
                errors[key_field.attribute].append(
                    _("The code “%(code)s” already appears in row %(row)s of this file.") % {"code": key, "row": first}
                )
        for field in self.get_import_fields():
            if field.column_name not in row or field.attribute in errors:
                continue
            try:
                self.import_field(field, instance, row, **kwargs)
            except ValidationError as exc:
                errors[field.attribute].extend(exc.messages)
            except ValueError as exc:
                errors[field.attribute].append(str(exc))
        self.check_instance(instance, row, errors)
        if errors:
            raise ValidationError(dict(errors))

    def check_instance(self, instance, row, errors):
        """Cross-column checks; append messages to ``errors[attribute]``."""

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or self._before is None:
            return False
        after = self.render_values(instance)
        self._changed = [column for column in self.columns.ORDER if self._before.get(column) != after.get(column)]
        return bool(self._meta.skip_unchanged and not self._changed)

    def after_import_row(self, row, row_result, **kwargs):
        row_result.changed_columns = list(self._changed or [])
        number = kwargs.get("row_number") or 0
        if self.progress is not None and number % self.PROGRESS_EVERY == 0:
            self.progress(number)

    def do_instance_save(self, instance, is_create):
        if self._dry_run and not self.dry_run_saves:
            return
        super().do_instance_save(instance, is_create)

    def before_save_instance(self, instance, row, **kwargs):
        instance._history_user = self.user

    def save_m2m(self, instance, row, **kwargs):
        if self._dry_run:
            return
        self._saved.append((instance, self._before is None))
        self.saved_instances.append(instance)

    def log_actions(self, entries):
        """Record the changes in Wagtail's audit log, like edits in the snippet screens (one insert for all)."""
        from django.contrib.contenttypes.models import ContentType
        from wagtail.models import ModelLogEntry

        if not entries:
            return
        content_type = ContentType.objects.get_for_model(self._meta.model, for_concrete_model=False)
        now = timezone.now()
        ModelLogEntry.objects.bulk_create(
            [
                ModelLogEntry(
                    content_type=content_type,
                    object_id=str(instance.pk),
                    label=str(instance)[:255],
                    action="wagtail.create" if is_new else "wagtail.edit",
                    user=self.user if getattr(self.user, "pk", None) else None,
                    timestamp=now,
                    data={},
                )
                for instance, is_new in entries
            ],
            batch_size=500,
        )


class SectorResource(CatalogResource):
    columns = SectorColumns
    sheet_title = "Lĩnh vực"

    code = Field(attribute="code", column_name=SectorColumns.CODE, widget=TextWidget())
    name = Field(attribute="name", column_name=SectorColumns.NAME, widget=TextWidget())

    class Meta:
        model = Sector
        fields = ("code", "name")
        import_order = export_order = fields
        import_id_fields = ("code",)
        instance_loader_class = CachedInstanceLoader
        skip_unchanged = True
        report_skipped = True
        skip_diff = True
        clean_model_instances = True
        use_transactions = True

    dry_run_saves = False

    def get_queryset(self):
        return Sector.objects.order_by("code")


class AgencyResource(CatalogResource):
    columns = AgencyColumns
    sheet_title = "Cơ quan"

    code = Field(attribute="code", column_name=AgencyColumns.CODE, widget=TextWidget(upper=True))
    name = Field(attribute="name", column_name=AgencyColumns.NAME, widget=TextWidget())
    short_name = Field(attribute="short_name", column_name=AgencyColumns.SHORT_NAME, widget=TextWidget())
    level = Field(
        attribute="level",
        column_name=AgencyColumns.LEVEL,
        widget=ChoiceWidget(AGENCY_LEVEL_LABELS, AGENCY_LEVEL_ALIASES, default=AgencyLevel.PROVINCE),
    )
    parent = Field(
        attribute="parent",
        column_name=AgencyColumns.PARENT_CODE,
        widget=CodeLookupWidget(
            Agency, unknown_message=gettext_lazy("Unknown parent agency code “%(code)s”."), upper=True
        ),
    )
    address = Field(attribute="address", column_name=AgencyColumns.ADDRESS, widget=TextWidget())
    phone = Field(attribute="phone", column_name=AgencyColumns.PHONE, widget=TextWidget())
    email = Field(attribute="email", column_name=AgencyColumns.EMAIL, widget=TextWidget())
    hotline = Field(attribute="hotline", column_name=AgencyColumns.HOTLINE, widget=TextWidget())
    working_hours_note = Field(
        attribute="working_hours_note", column_name=AgencyColumns.WORKING_HOURS, widget=TextWidget()
    )

    class Meta:
        model = Agency
        fields = (
            "code",
            "name",
            "short_name",
            "level",
            "parent",
            "address",
            "phone",
            "email",
            "hotline",
            "working_hours_note",
        )
        import_order = export_order = fields
        import_id_fields = ("code",)
        instance_loader_class = CachedInstanceLoader
        skip_unchanged = True
        report_skipped = True
        skip_diff = True
        clean_model_instances = True
        use_transactions = True

    def get_queryset(self):
        return Agency.objects.select_related("parent")

    def export_queryset(self):
        """Parents before their children (so the file imports in one pass), then by code."""
        agencies = list(self.get_queryset())
        by_pk = {agency.pk: agency for agency in agencies}

        def depth(agency):
            seen, level = set(), 0
            while agency.parent_id and agency.parent_id in by_pk and agency.pk not in seen:
                seen.add(agency.pk)
                agency, level = by_pk[agency.parent_id], level + 1
            return level

        return sorted(agencies, key=lambda agency: (depth(agency), agency.code))

    def order_rows(self, rows):
        """Rows whose parent is another row of the file go after that row (stable)."""
        code_of = {
            sheet_row: cell_text(values.get(AgencyColumns.CODE), multiline=False).upper() for sheet_row, values in rows
        }
        parent_of = {
            code_of[sheet_row]: cell_text(values.get(AgencyColumns.PARENT_CODE), multiline=False).upper()
            for sheet_row, values in rows
        }

        def depth(code):
            seen, level = set(), 0
            while parent_of.get(code) in parent_of and code not in seen and parent_of.get(code) != code:
                seen.add(code)
                code, level = parent_of[code], level + 1
            return level

        return sorted(rows, key=lambda item: depth(code_of[item[0]]))

    def check_instance(self, instance, row, errors):
        parent = instance.parent if "parent" not in errors else None
        if parent is None:
            return
        if parent.code == instance.code:
            errors["parent"].append(_("An agency cannot be its own parent."))
            return
        if instance.pk is None:
            return
        ancestor, steps = parent, 0
        while ancestor is not None and steps < 100:
            if ancestor.pk == instance.pk:
                errors["parent"].append(_("This parent would make a loop in the agency hierarchy."))
                return
            ancestor, steps = ancestor.parent, steps + 1


class ProcedureResource(CatalogResource):
    columns = ProcedureColumns
    key_field = "national_code"
    sheet_title = "Thủ tục"

    national_code = Field(attribute="national_code", column_name=ProcedureColumns.CODE, widget=NationalCodeWidget())
    name = Field(attribute="name", column_name=ProcedureColumns.NAME, widget=TextWidget())
    sector = Field(
        attribute="sector",
        column_name=ProcedureColumns.SECTOR_CODE,
        widget=CodeLookupWidget(
            Sector,
            unknown_message=gettext_lazy("Unknown sector code “%(code)s”."),
            required_message=gettext_lazy("The sector code is required."),
        ),
    )
    agencies = AgenciesColumn(
        attribute="agencies", column_name=ProcedureColumns.AGENCY_CODES, widget=AgencyCodesWidget()
    )
    level = Field(
        attribute="level",
        column_name=ProcedureColumns.LEVEL,
        widget=ChoiceWidget(PROCEDURE_LEVEL_LABELS, PROCEDURE_LEVEL_ALIASES, default=ProcedureLevel.PROVINCE),
    )
    online_level = Field(
        attribute="online_level",
        column_name=ProcedureColumns.ONLINE_LEVEL,
        widget=ChoiceWidget(ONLINE_LEVEL_LABELS, ONLINE_LEVEL_ALIASES, default=OnlineLevel.PARTIAL),
    )
    processing_time = Field(
        attribute="processing_time", column_name=ProcedureColumns.PROCESSING_TIME, widget=ProcessingTimeWidget()
    )
    processing_time_unit = Field(
        attribute="processing_time_unit",
        column_name=ProcedureColumns.TIME_UNIT,
        widget=ChoiceWidget(TIME_UNIT_LABELS, TIME_UNIT_ALIASES, default=TimeUnit.DAY),
    )
    processing_time_note = Field(
        attribute="processing_time_note", column_name=ProcedureColumns.TIME_NOTE, widget=TextWidget(multiline=True)
    )
    applicant_subjects = Field(
        attribute="applicant_subjects", column_name=ProcedureColumns.APPLICANTS, widget=TextWidget(multiline=True)
    )
    applicant_steps = RichTextColumn(
        attribute="applicant_steps", column_name=ProcedureColumns.STEPS, widget=RichTextWidget()
    )
    requirements = RichTextColumn(
        attribute="requirements", column_name=ProcedureColumns.REQUIREMENTS, widget=RichTextWidget()
    )
    channels = ChannelsColumn(attribute="channels", column_name=ProcedureColumns.CHANNELS, widget=ChannelsWidget())
    postal_return = Field(attribute="postal_return", column_name=ProcedureColumns.POSTAL_RETURN, widget=YesNoWidget())
    result_type = Field(attribute="result_type", column_name=ProcedureColumns.RESULT, widget=TextWidget(multiline=True))
    legal_basis = Field(
        attribute="legal_basis", column_name=ProcedureColumns.LEGAL_BASIS, widget=TextWidget(multiline=True)
    )
    publishing_decision = Field(
        attribute="publishing_decision",
        column_name=ProcedureColumns.PUBLISHING_DECISION,
        widget=TextWidget(multiline=True),
    )
    status = Field(
        attribute="status",
        column_name=ProcedureColumns.STATUS,
        widget=ChoiceWidget(STATUS_LABELS, STATUS_ALIASES, default=ProcedureStatus.IN_FORCE),
    )
    fees = FeesColumn(attribute="fees", column_name=ProcedureColumns.FEES, widget=FeesWidget())
    documents = DocumentsColumn(attribute="documents", column_name=ProcedureColumns.DOCUMENTS, widget=DocumentsWidget())

    class Meta:
        model = Procedure
        fields = (
            "national_code",
            "name",
            "sector",
            "agencies",
            "level",
            "online_level",
            "processing_time",
            "processing_time_unit",
            "processing_time_note",
            "applicant_subjects",
            "applicant_steps",
            "requirements",
            "channels",
            "postal_return",
            "result_type",
            "legal_basis",
            "publishing_decision",
            "status",
            "fees",
            "documents",
        )
        import_order = export_order = fields
        import_id_fields = ("national_code",)
        instance_loader_class = CachedInstanceLoader
        skip_unchanged = True
        report_skipped = True
        skip_diff = True
        clean_model_instances = True
        use_transactions = True

    dry_run_saves = False

    def check_instance(self, instance, row, errors):
        """The level must fit the agencies: a commune-level procedure is not implemented by a provincial agency,
        nor a provincial one by a commune."""
        if "level" in errors or "agencies" in errors or self.fields["agencies"].column_name not in row:
            return
        wrong_level = {ProcedureLevel.COMMUNE: AgencyLevel.PROVINCE, ProcedureLevel.PROVINCE: AgencyLevel.COMMUNE}
        bad = [a for a in self.fields["agencies"].get_value(instance) if a.level == wrong_level.get(instance.level)]
        if bad:
            message = (
                _("A commune-level procedure cannot be implemented by the provincial agency %(agencies)s.")
                if instance.level == ProcedureLevel.COMMUNE
                else _("A province-level procedure cannot be implemented by the commune agency %(agencies)s.")
            )
            names = ", ".join(f"{agency.name} ({agency.code})" for agency in bad)
            errors["agencies"].append(message % {"agencies": names})

    def get_queryset(self):
        # The import compares and rewrites agencies, documents and fees: read them with the rows, not per row.
        return Procedure.objects.select_related("sector").prefetch_related("agencies", "documents", "fees")

    def export_queryset(self):
        return self.get_queryset().order_by("national_code")


#: The sheets offered in the admin, by URL key.
RESOURCES = {
    "agencies": AgencyResource,
    "sectors": SectorResource,
    "procedures": ProcedureResource,
}
