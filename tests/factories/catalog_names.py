"""A realistic generated province catalog: ~1,000 procedure names shaped like the national database's.

Names combine an action, an object and a qualifier the way real procedure names do ("Cấp lại giấy phép
hoạt động đối với cơ sở khám bệnh, chữa bệnh thuộc thẩm quyền cấp tỉnh"), so they share many words with
the real names a citizen looks for: a search test on this catalog meets the competition a real one does.
The real names are the demo catalog's (portal/demo/catalog_data.py).
"""

import random

ACTIONS = [
    "Cấp",
    "Cấp lại",
    "Cấp đổi",
    "Cấp bổ sung",
    "Gia hạn",
    "Điều chỉnh",
    "Thu hồi",
    "Đăng ký",
    "Đăng ký thay đổi",
    "Xác nhận",
    "Công nhận",
    "Thẩm định",
    "Phê duyệt",
    "Thông báo",
    "Giải quyết",
    "Chấm dứt",
]
OBJECTS = [
    "giấy phép hoạt động",
    "giấy phép kinh doanh",
    "giấy phép môi trường",
    "giấy phép khai thác khoáng sản",
    "giấy phép biểu diễn nghệ thuật",
    "giấy chứng nhận đủ điều kiện hoạt động",
    "giấy chứng nhận đăng ký hoạt động",
    "chứng chỉ hành nghề",
    "chứng chỉ năng lực hoạt động xây dựng",
    "hồ sơ thiết kế",
    "dự án đầu tư",
    "phương án sử dụng đất",
    "kế hoạch bảo vệ môi trường",
    "hợp đồng lao động",
    "thỏa ước lao động tập thể",
    "nội quy lao động",
    "hồ sơ hưởng chế độ",
    "trợ cấp xã hội hằng tháng",
    "hỗ trợ chi phí mai táng",
    "danh hiệu gia đình văn hóa",
    "quyết định giao rừng",
    "quyền khai thác tài nguyên nước",
    "cơ sở giáo dục mầm non",
    "trường trung học cơ sở",
    "câu lạc bộ thể thao",
    "hội nghề nghiệp",
    "quỹ xã hội, quỹ từ thiện",
    "đại lý bảo hiểm",
    "cửa hàng bán lẻ xăng dầu",
    "điểm kinh doanh dịch vụ karaoke",
    "phương tiện thủy nội địa",
    "biển số xe",
    "tàu cá",
    "giống cây trồng",
    "thuốc thú y",
]
QUALIFIERS = [
    "",
    "đối với tổ chức",
    "đối với cá nhân",
    "cho doanh nghiệp",
    "cho hợp tác xã",
    "thuộc thẩm quyền cấp tỉnh",
    "thuộc thẩm quyền cấp xã",
    "do bị mất, bị hỏng",
    "khi thay đổi nội dung",
    "có yếu tố nước ngoài",
    "trên địa bàn tỉnh",
    "trong khu công nghiệp",
    "lần đầu",
    "khi hết hạn",
    "theo đề nghị của tổ chức, cá nhân",
]


def generated_names(count=1000, seed=14):
    """``count`` distinct realistic names (deterministic for a seed)."""
    combos = [
        " ".join(part for part in (action, obj, qualifier) if part)
        for action in ACTIONS
        for obj in OBJECTS
        for qualifier in QUALIFIERS
    ]
    return random.Random(seed).sample(combos, count)


def generated_codes(count, taken, seed=14):
    """``count`` national codes not in ``taken``, spread over the same ranges as the real ones (so ordering by
    code gives the real names no head start)."""
    rng, codes, taken = random.Random(seed), [], set(taken)
    while len(codes) < count:
        code = f"{rng.choice('12')}.{rng.randint(0, 12999):06d}"
        if code not in taken:
            taken.add(code)
            codes.append(code)
    return codes


def build_search_catalog(count=1000):
    """The demo catalog's real procedures plus ``count`` generated ones, bulk-created (the search index is
    then rebuilt with ``manage.py rebuild_search_index``, as after any bulk load). Returns the real names by
    code."""
    from decimal import Decimal

    from django.core.management import call_command

    from catalog.models import Procedure, Sector
    from portal.demo.catalog_data import PROCEDURES

    seed = 14
    rng = random.Random(seed)
    sectors = [Sector.objects.get_or_create(code=f"TK{i:02d}", defaults={"name": f"Lĩnh vực {i}"})[0] for i in range(8)]
    real = {row[0]: row[1] for row in PROCEDURES}
    rows = list(real.items()) + list(zip(generated_codes(count, real, seed), generated_names(count, seed)))
    Procedure.objects.bulk_create(
        [
            Procedure(
                national_code=code,
                name=name,
                sector=rng.choice(sectors),
                processing_time=Decimal(rng.randint(1, 30)),
                level=rng.choice(["province", "commune", "both"]),
                online_level=rng.choice(["full", "partial", "none"]),
            )
            for code, name in rows
        ],
        batch_size=500,
    )
    call_command("rebuild_search_index", verbosity=0)
    return real
