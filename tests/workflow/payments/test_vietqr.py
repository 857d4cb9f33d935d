"""VietQR payloads (workflow.payments.vietqr): CRC, layout, round trip, validation, SVG."""

import binascii

import pytest

from workflow.payments.vietqr import ascii_reference, build_payload, crc16_ccitt, parse_payload, qr_svg

TRANSFER = dict(bank_bin="970436", account="0011001932418", amount=50000, reference="LP 0000015H99-261202-0003")

# The worked example, TLV by TLV (id, 2-digit length, value):
#   00 02 01                          payload format indicator
#   01 02 12                          point of initiation: dynamic
#   38 57                             merchant account information (NAPAS), 57 = 14 + 31 + 12:
#      00 10 A000000727                 GUID                                    (4 + 10 = 14)
#      01 27                            beneficiary organisation, 27 = 10 + 17  (4 + 27 = 31)
#         00 06 970436                    acquirer BIN
#         01 13 0011001932418             account number
#      02 08 QRIBFTTA                   service: transfer to account            (4 + 8 = 12)
#   53 03 704                         currency VND
#   54 05 50000                       amount
#   58 02 VN                          country
#   62 29                             additional data, 29 = 4 + 25:
#      08 25 LP 0000015H99-261202-0003  purpose of transaction
#   63 04 D6A3                        CRC over everything up to and including "6304"
WORKED_BODY = (
    "000201"
    "010212"
    "3857" "0010A000000727" "0127" "0006970436" "01130011001932418" "0208QRIBFTTA"
    "5303704"
    "540550000"
    "5802VN"
    "6229" "0825LP 0000015H99-261202-0003"
    "6304"
)  # fmt: skip


def test_crc_of_the_standard_check_string():
    assert crc16_ccitt(b"123456789") == 0x29B1
    assert crc16_ccitt(b"") == 0xFFFF


def test_worked_payload_matches_the_hand_derived_layout():
    # binascii.crc_hqx seeded with 0xFFFF is CRC-16/CCITT-FALSE: an independent check of our CRC.
    expected_crc = binascii.crc_hqx(WORKED_BODY.encode("ascii"), 0xFFFF)
    assert expected_crc == 0xD6A3
    assert build_payload(**TRANSFER) == WORKED_BODY + "D6A3"


def test_round_trip():
    payload = build_payload(**TRANSFER, merchant_name="UBND TINH LAO CAI", city="LAO CAI")
    assert "5917UBND TINH LAO CAI" in payload and "6007LAO CAI" in payload
    parsed = parse_payload(payload)
    assert parsed["bank_bin"] == "970436"
    assert parsed["account"] == "0011001932418"
    assert parsed["amount"] == 50000
    assert parsed["reference"] == "LP 0000015H99-261202-0003"
    assert parsed["currency"] == "704"
    assert parsed["country"] == "VN"
    assert parsed["initiation"] == "dynamic"
    assert parsed["service"] == "QRIBFTTA"
    assert (parsed["merchant_name"], parsed["city"]) == ("UBND TINH LAO CAI", "LAO CAI")


def test_name_and_city_are_left_out_when_not_given():
    fields = build_payload(**TRANSFER)
    assert "59" not in _top_level_ids(fields) and "60" not in _top_level_ids(fields)


def _top_level_ids(payload):
    ids, position = [], 0
    while position < len(payload):
        ids.append(payload[position : position + 2])
        position += 4 + int(payload[position + 2 : position + 4])
    return ids


def test_static_payload_has_no_amount():
    payload = build_payload(**{**TRANSFER, "amount": None}, dynamic=False)
    assert payload.startswith("000201010211")
    assert "54" not in _top_level_ids(payload)
    parsed = parse_payload(payload)
    assert parsed["initiation"] == "static"
    assert parsed["amount"] is None


def test_dynamic_payload_needs_an_amount_and_static_refuses_one():
    with pytest.raises(ValueError, match="dynamic payload needs an amount"):
        build_payload(**{**TRANSFER, "amount": None})
    with pytest.raises(ValueError, match="static payload cannot carry an amount"):
        build_payload(**TRANSFER, dynamic=False)


@pytest.mark.parametrize("position", [0, 20, 60, -1])
def test_one_changed_character_fails_the_crc(position):
    payload = build_payload(**TRANSFER)
    index = position % len(payload)
    changed = payload[:index] + ("1" if payload[index] != "1" else "2") + payload[index + 1 :]
    with pytest.raises(ValueError):
        parse_payload(changed)


def test_changed_amount_is_a_crc_mismatch():
    payload = build_payload(**TRANSFER).replace("540550000", "540590000")
    with pytest.raises(ValueError, match="CRC mismatch"):
        parse_payload(payload)


@pytest.mark.parametrize(
    "text",
    ["", "0002", "000201", "00020101021263041234", "000201010213" + "6304FFFF"],
)
def test_malformed_payloads_are_refused(text):
    with pytest.raises(ValueError):
        parse_payload(text)


def test_crc_field_must_be_last():
    payload = build_payload(**TRANSFER)
    with pytest.raises(ValueError, match="CRC field"):
        parse_payload(payload + "5802VN")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"bank_bin": "97043"}, "bank_bin"),
        ({"bank_bin": "97043A"}, "bank_bin"),
        ({"account": ""}, "account"),
        ({"account": "1" * 20}, "account"),
        ({"account": "0011-0019"}, "account"),
        ({"amount": 0}, "amount"),
        ({"amount": -5}, "amount"),
        ({"amount": 10**13}, "amount"),
        ({"amount": 500.0}, "amount"),
        ({"amount": True}, "amount"),
        ({"reference": ""}, "reference"),
        ({"reference": "A" * 26}, "reference"),
        ({"reference": "Lệ phí"}, "reference"),
        ({"reference": "000.00.15.H99"}, "reference"),
        ({"merchant_name": "A" * 26}, "merchant_name"),
        ({"merchant_name": "UBND Tỉnh"}, "merchant_name"),
        ({"city": "B" * 16}, "city"),
    ],
)
def test_bad_inputs_raise(change, message):
    with pytest.raises(ValueError, match=message):
        build_payload(**{**TRANSFER, **change})


def test_largest_amount_is_accepted():
    assert parse_payload(build_payload(**{**TRANSFER, "amount": 10**13 - 1}))["amount"] == 10**13 - 1


def test_ascii_reference_folds_vietnamese():
    assert ascii_reference("Lệ phí") == "Le phi"
    assert ascii_reference("Đăng ký đất đai") == "Dang ky dat dai"


def test_ascii_reference_of_a_dossier_note_is_accepted_by_build():
    # Dots are dropped (the code stays one word); leading words go so that the code, which comes last, fits.
    reference = ascii_reference("Lệ phí hồ sơ 000.00.15.H99-261202-0003")
    assert reference == "so 0000015H99-261202-0003"
    assert reference.isascii() and len(reference) <= 25
    assert parse_payload(build_payload(**{**TRANSFER, "reference": reference}))["reference"] == reference


def test_ascii_reference_keeps_a_short_note_whole():
    assert ascii_reference("  Phí   thẩm định / 2024 ") == "Phi tham dinh 2024"


def test_svg_has_a_title():
    svg = qr_svg(build_payload(**TRANSFER), title="Mã chuyển khoản <lệ phí>")
    assert svg.startswith("<svg")
    assert "<title>Mã chuyển khoản &lt;lệ phí&gt;</title>" in svg
    assert "<title>VietQR bank transfer code</title>" in qr_svg(build_payload(**TRANSFER))
