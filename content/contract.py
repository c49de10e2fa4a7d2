"""The ids that the NLU contract (`nlu-contract.md`) promises: every content set must have them."""

CONTRACT_PROCEDURE_IDS: tuple[str, ...] = (
    "khai_sinh",
    "khai_tu",
    "ket_hon",
    "xac_nhan_hon_nhan",
    "trich_luc_ho_tich",
    "cai_chinh_ho_tich",
    "nhan_cha_me_con",
    "chung_thuc_ban_sao",
    "chung_thuc_chu_ky",
    "chung_thuc_hop_dong",
    "ly_lich_tu_phap",
    "thuong_tru",
    "tam_tru",
    "tam_vang",
    "can_cuoc",
    "cap_so_do",
    "sang_ten_so_do",
    "giay_phep_xay_dung",
    "ho_kinh_doanh",
    "tro_cap_xa_hoi",
)

CONTRACT_FAQ_KEYS: tuple[str, ...] = (
    "wifi",
    "photocopy",
    "legal_advice",
    "opening_hours",
    "home_delivery",
    "payment",
    "priority",
    "toilet",
    "parking",
    "utilities",
    "digital_help",
)
