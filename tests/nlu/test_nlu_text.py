"""Normalisation and entity matching used by the Rasa components (pure Python part)."""

import unicodedata

from nlu.components.text import (
    Alias,
    AliasMatcher,
    alias_key,
    find_spoken_code,
    pick_entities,
    split_words,
)
from vntext.dossier_code import find_typed_dossier_code


def test_words_are_normalised_and_keep_their_raw_span() -> None:
    text = "Làm LLPT ko?"
    words = split_words(text)
    assert [w.text for w in words] == ["làm", "lý", "lịch", "tư", "pháp", "không"]
    assert [w.folded for w in words][:5] == ["lam", "ly", "lich", "tu", "phap"]
    assert {text[w.start : w.end] for w in words[1:5]} == {"LLPT"}


def test_nfd_and_nfc_give_the_same_words() -> None:
    nfc = "Đăng ký tạm trú"
    nfd = unicodedata.normalize("NFD", nfc)
    assert [w.text for w in split_words(nfd)] == [w.text for w in split_words(nfc)]


MATCHER = AliasMatcher(
    {
        ("giay", "khai", "sinh"): Alias("procedure", "khai_sinh", weak=True),
        ("cai", "chinh"): Alias("procedure", "cai_chinh_ho_tich"),
        ("trich", "luc", "khai", "sinh"): Alias("procedure", "trich_luc_ho_tich"),
        ("khai", "sinh"): Alias("procedure", "khai_sinh"),
        ("ho", "tich"): Alias("field", "ho_tich"),
        ("dat", "dai"): Alias("field", "dat_dai"),
        alias_key("sửa ngày sinh"): Alias("procedure", "cai_chinh_ho_tich"),
        alias_key("cấp lại căn cước"): Alias("procedure", "can_cuoc"),
    }
)


def values(text: str) -> dict[str, object]:
    return {str(e["entity"]): e["value"] for e in pick_entities(text, MATCHER)}


def test_aliases_match_without_diacritics_and_longest_first() -> None:
    assert values("xin trich luc khai sinh") == {"procedure": "trich_luc_ho_tich"}
    assert values("làm khai sinh cho con") == {"procedure": "khai_sinh"}
    assert values("Quầy ĐẤT ĐAI ở đâu") == {"field": "dat_dai"}


def test_a_strong_alias_wins_over_a_document_name() -> None:
    assert values("giấy khai sinh bị sai muốn cải chính") == {"procedure": "cai_chinh_ho_tich"}
    assert values("làm giấy khai sinh") == {"procedure": "khai_sinh"}


def test_entity_span_points_into_the_raw_text() -> None:
    text = "Cần gì để làm KHAI SINH?"
    (entity,) = pick_entities(text, MATCHER)
    assert text[int(str(entity["start"])) : int(str(entity["end"]))] == "KHAI SINH"


def test_typed_codes_in_any_form() -> None:
    canonical = "000.00.31.H26-251121-0003"
    for typed in (
        canonical,
        canonical.lower(),
        "000 00 31 h26 251121 0003",
        "000.00.31.H 26 - 251121 - 0003",
    ):
        found = find_typed_dossier_code(f"hồ sơ {typed} xong chưa")
        assert found is not None and found[0] == canonical
    assert find_typed_dossier_code("số điện thoại 0912345678") is None


def test_spoken_codes() -> None:
    spoken = (
        "không không không chấm không không chấm ba mốt chấm hát hai sáu gạch "
        "hai năm một một hai một gạch không không không ba"
    )
    assert find_spoken_code(spoken) == "000.00.31.H26-251121-0003"
    assert find_spoken_code("tôi muốn lấy số") is None


def test_filler_words_inside_an_alias_are_skipped_but_never_confused() -> None:
    assert values("Sửa lại ngày sinh trong giấy khai sinh") == {"procedure": "cai_chinh_ho_tich"}
    assert values("cấp lại căn cước") == {"procedure": "can_cuoc"}
    assert values("cap lai can cuoc") == {"procedure": "can_cuoc"}
    # "cải" is not the filler "cái"
    assert values("cải chính cái tên") == {"procedure": "cai_chinh_ho_tich"}


def test_abbreviations_of_the_service_point() -> None:
    assert [w.text for w in split_words("Đk hộ kd")] == ["đăng", "ký", "hộ", "kinh", "doanh"]


def test_regional_words_reach_the_model_as_standard_words_with_the_span_said() -> None:
    text = "Tui mần khai sinh cần chi?"
    words = split_words(text)
    assert [w.text for w in words] == ["tôi", "làm", "khai", "sinh", "cần", "gì"]
    assert text[words[1].start : words[1].end] == "mần"
    assert [w.text for w in split_words("phí nhiêu")] == ["phí", "bao", "nhiêu"]
    assert [w.text for w in split_words("xem chi tiết")] == ["xem", "chi", "tiết"]
