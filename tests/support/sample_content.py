"""A small, valid content set (3 procedures, 2 FAQ entries, 2 services, 3 counters) for tests."""

from __future__ import annotations

from datetime import date

from content.model import ContentSet


def small_content() -> ContentSet:
    """Three procedures, two FAQ entries, two services and three counters."""
    base = {
        "documents": ["Tờ khai theo mẫu", "Căn cước của người đi đăng ký"],
        "fee": {"text": "Miễn lệ phí", "amount_vnd": 0},
        "processing_time": {"text": "Trong ngày", "working_days": 0.5},
        "online": {
            "available": True,
            "level": "full",
            "url": "https://dichvucong.gov.vn",
            "text": "Nộp trực tuyến",
        },
        "legal_basis": ["Luật Hộ tịch 2014"],
        "source_url": "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh.html",
        "verified_on": date(2026, 1, 5),
    }
    return ContentSet.model_validate(
        {
            "site": {
                "name": "Điểm phục vụ phường Thử",
                "address": "Số 1 phố Thử",
                "opening_hours": "8 giờ đến 17 giờ",
                "wifi_name": "PhuongThu",
                "wifi_password": "matkhau-wifi-123",
            },
            "procedures": [
                {
                    **base,
                    "id": "khai_sinh",
                    "name": "Đăng ký khai sinh",
                    "field": "ho_tich",
                    "aliases": ["làm giấy khai sinh", "giấy khai sinh"],
                    "summary": "Đăng ký khai sinh cho trẻ.",
                    "where": {"text": "Quầy hộ tịch", "service_id": "ho_tich"},
                },
                {
                    **base,
                    "id": "ket_hon",
                    "name": "Đăng ký kết hôn",
                    "field": "ho_tich",
                    "summary": "Đăng ký kết hôn.",
                    "where": {"text": "Quầy hộ tịch", "service_id": "ho_tich"},
                },
                {
                    **base,
                    "id": "cap_so_do",
                    "name": "Cấp giấy chứng nhận quyền sử dụng đất lần đầu",
                    "field": "dat_dai",
                    "aliases": ["sổ đỏ", "làm sổ đỏ"],
                    "summary": "Cấp sổ đỏ lần đầu.",
                    "where": {"text": "Quầy đất đai", "service_id": "dat_dai"},
                    "fee": {"text": "Theo quy định của tỉnh", "amount_vnd": None},
                },
            ],
            "faq": [
                {
                    "key": "wifi",
                    "question": "Mật khẩu wifi là gì?",
                    "variants": ["wifi", "mật khẩu wifi", "pass wifi", "mạng", "internet"],
                    "answer": "Mạng {wifi_name}, mật khẩu {wifi_password}.",
                },
                {
                    "key": "gio_lam_viec",
                    "question": "Giờ làm việc thế nào?",
                    "variants": [
                        "mấy giờ mở cửa",
                        "giờ làm việc",
                        "giờ mở cửa",
                        "khi nào đóng cửa",
                        "lịch làm việc",
                    ],
                    "answer": "Làm việc {opening_hours}.",
                },
            ],
            "services": {
                "services": [
                    {
                        "id": "ho_tich",
                        "letter": "A",
                        "name": "Hộ tịch",
                        "fields": ["ho_tich", "chung_thuc"],
                        "procedures": ["khai_sinh", "ket_hon"],
                        "counters": ["quay_1", "quay_2"],
                    },
                    {
                        "id": "dat_dai",
                        "letter": "B",
                        "name": "Đất đai",
                        "fields": ["dat_dai"],
                        "procedures": ["cap_so_do"],
                        "counters": ["quay_3"],
                    },
                ],
                "counters": [
                    {"id": "quay_1", "number": 1, "name": "Quầy 1"},
                    {"id": "quay_2", "number": 2, "name": "Quầy 2"},
                    {"id": "quay_3", "number": 3, "name": "Quầy 3"},
                ],
            },
        }
    )
