"""VietQR bank-transfer payloads: build them, read them back, draw them.

A VietQR code is an EMVCo QR Code Specification for Payment Systems, Merchant-Presented Mode (EMV QRCPS MPM
v1.1) payload whose merchant account information (id 38) follows the NAPAS 247 VietQR specification
(GUID ``A000000727``, service ``QRIBFTTA`` = transfer to an account). Every field is a TLV: a 2-digit id, a
2-digit length and the value; the last field (63) is a CRC-16/CCITT-FALSE over everything before its value.

The reference goes in the transfer note (62/08, "purpose of transaction"), which is what reconciliation
matches incoming transfers by.
"""

import re
import unicodedata

import segno

NAPAS_GUID = "A000000727"
TRANSFER_TO_ACCOUNT = "QRIBFTTA"
VND = "704"
REFERENCE_MAX_LENGTH = 25
CRC_TAG = "6304"

# Bank apps strip or mangle anything else in a transfer note (diacritics, dots, slashes), and what reaches
# the statement must be exactly what reconciliation looks for; so only what survives every app is accepted.
_REFERENCE = re.compile(rf"[A-Za-z0-9 -]{{1,{REFERENCE_MAX_LENGTH}}}")
_BIN = re.compile(r"[0-9]{6}")
_ACCOUNT = re.compile(r"[A-Za-z0-9]{1,19}")
_PRINTABLE_ASCII = re.compile(r"[ -~]*")
_AMOUNT_MAX = 10**13 - 1
_INITIATION = {"11": "static", "12": "dynamic"}


def crc16_ccitt(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def ascii_reference(text: str, max_length: int = REFERENCE_MAX_LENGTH) -> str:
    """``text`` as a transfer note :func:`build_payload` accepts ("Lệ phí" → "Le phi").

    Other characters are dropped, not replaced by a space: a dossier code such as ``000.00.15.H99-…`` stays
    one word, which survives apps that re-space notes, and saves room in 25 characters. When the text is
    still too long, leading words go first, since the unique part of a note (the code) comes last.
    """
    # đ/Đ is a letter of its own, not d with a mark, so NFKD would not take it apart.
    folded = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    kept = "".join(ch for ch in folded if ch.isascii() and (ch.isalnum() or ch in " -"))
    words = kept.split()
    while len(words) > 1 and len(" ".join(words)) > max_length:
        words.pop(0)
    return " ".join(words)[-max_length:]


def build_payload(
    *,
    bank_bin: str,
    account: str,
    amount: int | None,
    reference: str,
    merchant_name: str = "",
    city: str = "",
    dynamic: bool = True,
) -> str:
    """The VietQR payload for a transfer of ``amount`` VND to ``account`` at the bank ``bank_bin``."""
    _check_transfer(bank_bin, account, amount, reference, dynamic)
    _check_ascii("merchant_name", merchant_name, 25)
    _check_ascii("city", city, 15)
    beneficiary = _tlv("00", bank_bin) + _tlv("01", account)
    fields = [
        _tlv("00", "01"),
        _tlv("01", "12" if dynamic else "11"),
        _tlv("38", _tlv("00", NAPAS_GUID) + _tlv("01", beneficiary) + _tlv("02", TRANSFER_TO_ACCOUNT)),
        _tlv("53", VND),
        _tlv("54", str(amount)) if amount is not None else "",
        _tlv("58", "VN"),
        _tlv("59", merchant_name) if merchant_name else "",
        _tlv("60", city) if city else "",
        _tlv("62", _tlv("08", reference)),
    ]
    body = "".join(fields) + CRC_TAG
    return body + f"{crc16_ccitt(body.encode('ascii')):04X}"


def parse_payload(text: str) -> dict:
    """The fields of a VietQR payload; ``ValueError`` if it is malformed, not NAPAS, or its CRC is wrong."""
    fields = _read_tlvs(text)
    if list(fields)[-1:] != ["63"] or not text.endswith(CRC_TAG + fields["63"]):
        raise ValueError("CRC field (63) missing or not last")
    if fields["63"].upper() != f"{crc16_ccitt(text[:-4].encode('utf-8')):04X}":
        raise ValueError("CRC mismatch")
    if fields.get("01") not in _INITIATION:
        raise ValueError("Point of initiation (01) must be 11 or 12")
    merchant = _read_tlvs(fields.get("38", ""))
    if merchant.get("00") != NAPAS_GUID:
        raise ValueError("Merchant account information (38) is not NAPAS VietQR")
    beneficiary = _read_tlvs(merchant.get("01", ""))
    amount = fields.get("54")
    if amount is not None and not amount.isdigit():
        raise ValueError("Amount (54) must be whole VND")
    return {
        "payload_format": fields.get("00"),
        "initiation": _INITIATION[fields["01"]],
        "bank_bin": beneficiary.get("00"),
        "account": beneficiary.get("01"),
        "service": merchant.get("02"),
        "currency": fields.get("53"),
        "amount": int(amount) if amount is not None else None,
        "country": fields.get("58"),
        "merchant_name": fields.get("59", ""),
        "city": fields.get("60", ""),
        "reference": _read_tlvs(fields.get("62", "")).get("08", ""),
        "crc": fields["63"],
    }


def qr_svg(payload: str, title: str = "VietQR bank transfer code") -> str:
    """An inline SVG of ``payload`` as a QR code, named by ``title`` for screen readers."""
    qr = segno.make(payload, error="m", micro=False)
    return qr.svg_inline(scale=4, border=4, omitsize=True, title=title).replace("<svg ", '<svg role="img" ', 1)


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(f"Field {tag} is longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def _read_tlvs(text: str) -> dict[str, str]:
    fields, position = {}, 0
    while position < len(text):
        header = text[position : position + 4]
        if len(header) < 4 or not header.isdigit():
            raise ValueError(f"Malformed field header at position {position}")
        length = int(header[2:])
        value = text[position + 4 : position + 4 + length]
        if len(value) < length:
            raise ValueError(f"Field {header[:2]} is truncated")
        fields[header[:2]] = value
        position += 4 + length
    return fields


def _check_transfer(bank_bin, account, amount, reference, dynamic) -> None:
    if not isinstance(bank_bin, str) or not _BIN.fullmatch(bank_bin):
        raise ValueError("bank_bin must be the bank's 6-digit NAPAS BIN")
    if not isinstance(account, str) or not _ACCOUNT.fullmatch(account):
        raise ValueError("account must be 1 to 19 letters or digits")
    if amount is not None and (type(amount) is not int or not 0 < amount <= _AMOUNT_MAX):
        raise ValueError("amount must be a positive whole number of VND with at most 13 digits")
    # A dynamic code is for one payment, so it carries its amount; a static one is printed and reused.
    if dynamic and amount is None:
        raise ValueError("A dynamic payload needs an amount")
    if not dynamic and amount is not None:
        raise ValueError("A static payload cannot carry an amount")
    if not isinstance(reference, str) or not _REFERENCE.fullmatch(reference):
        raise ValueError("reference must be 1 to 25 characters of A-Z, a-z, 0-9, space or hyphen")


def _check_ascii(name: str, value: str, max_length: int) -> None:
    if len(value) > max_length or not _PRINTABLE_ASCII.fullmatch(value):
        raise ValueError(f"{name} must be printable ASCII of at most {max_length} characters")
