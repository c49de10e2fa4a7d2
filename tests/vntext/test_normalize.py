import unicodedata

import pytest

from vntext.dossier_code import DossierCodeError, canonical_dossier_code, find_dossier_code, mask_dossier_code
from vntext.normalize import (
    ABBREVIATIONS,
    OFFICIAL_ABBREVIATIONS,
    SHORTHAND,
    expand_abbreviations,
    fold,
    nfc,
    standard_words,
)


def test_fold_removes_diacritics_and_case() -> None:
    assert fold("Đăng ký KHAI SINH") == "dang ky khai sinh"
    assert fold("Sổ đỏ") == fold("so do")


def test_nfd_input_becomes_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Giấy khai sinh")
    assert nfc(decomposed) == "Giấy khai sinh"
    assert fold(decomposed) == "giay khai sinh"


def test_abbreviations_are_expanded() -> None:
    assert expand_abbreviations("Làm LLPT ko dc à") == "Làm lý lịch tư pháp không được à"
    assert expand_abbreviations("đăng ký dkkd") == "đăng ký đăng ký kinh doanh"


def test_one_table_of_abbreviations_read_aloud_and_typed() -> None:
    # The abbreviations the assistant reads aloud are the ones citizens type, in any case,
    # with or without diacritics; chat shorthand is only typed.
    for printed, expansion in OFFICIAL_ABBREVIATIONS.items():
        word = printed.rstrip(".")
        assert expand_abbreviations(word) == expansion
        assert expand_abbreviations(word.lower()) == expansion
        assert expand_abbreviations(fold(word)) == expansion
    assert expand_abbreviations("QSDĐ qsdd Sđt") == "quyền sử dụng đất quyền sử dụng đất số điện thoại"
    assert set(SHORTHAND) <= set(ABBREVIATIONS)
    assert not {key.lower() for key in OFFICIAL_ABBREVIATIONS} & set(SHORTHAND)


@pytest.mark.parametrize(
    "typed",
    ["000.00.31.H26-251121-0003", "000.00.31.h26-251121-0003", " 000 . 00 . 31 . H 26 - 251121 - 0003 "],
)
def test_typed_codes_become_canonical(typed: str) -> None:
    assert canonical_dossier_code(typed) == "000.00.31.H26-251121-0003"


def test_code_is_found_inside_a_sentence() -> None:
    assert find_dossier_code("mã của tôi là 000.00.31.h26-251121-0003 nhé") == "000.00.31.H26-251121-0003"
    assert find_dossier_code("tôi chưa có mã") is None


def test_malformed_code_is_rejected_without_echoing_it() -> None:
    with pytest.raises(DossierCodeError) as raised:
        canonical_dossier_code("000.00.31-251121-0003")
    assert "251121" not in str(raised.value)
    assert mask_dossier_code("000.00.31.H26-251121-0003") == "***03"


def test_only_ascii_digits_make_a_code() -> None:
    arabic_indic_zero = "\u0660"
    with pytest.raises(DossierCodeError):
        canonical_dossier_code(f"000.00.00.A0{arabic_indic_zero}-000000-0000")


@pytest.mark.parametrize(
    ("said", "standard"),
    [
        ("răng mà lâu rứa", "sao mà lâu thế"),  # Central
        ("phòng tư pháp ở mô", "phòng tư pháp ở đâu"),
        ("tui muốn mần giấy khai sinh thì cần chi", "tôi muốn làm giấy khai sinh thì cần gì"),
        ("hông có giấy tờ thì sao", "không có giấy tờ thì sao"),  # Southern
        ("cho tui xin số nghen", "cho tôi xin số nhé"),
        ("lệ phí nhiêu", "lệ phí bao nhiêu"),
        ("ổng dìa rồi", "ông ấy về rồi"),
        # words that only look regional stay as they are
        ("xem chi tiết", "xem chi tiết"),
        ("chi phí bao nhiêu", "chi phí bao nhiêu"),
        ("xem chi tiet", "xem chi tiet"),
        ("mở cửa mấy giờ", "mở cửa mấy giờ"),
        ("nói rằng", "nói rằng"),
        ("có nhiều người không", "có nhiều người không"),
    ],
)
def test_regional_words_become_the_standard_word(said: str, standard: str) -> None:
    assert standard_words(said) == standard
