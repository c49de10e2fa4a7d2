"""Reading and writing the content directory: models, line numbers, byte-stable YAML."""

from pathlib import Path

import pytest

from content.contract import CONTRACT_FAQ_KEYS, CONTRACT_PROCEDURE_IDS
from content.errors import ContentError
from content.files import dump_model, read_content_dir, write_content_dir
from content.model import Site, render_answer
from tests.content.content_helpers import REPO_CONTENT, edit


def test_repository_content_reads_into_models() -> None:
    content_set = read_content_dir()
    assert {p.id for p in content_set.procedures} >= set(CONTRACT_PROCEDURE_IDS)
    assert {f.key for f in content_set.faq} >= set(CONTRACT_FAQ_KEYS)
    khai_sinh = next(p for p in content_set.procedures if p.id == "khai_sinh")
    assert khai_sinh.field == "ho_tich"
    assert khai_sinh.where.service_id == "ho_tich_chung_thuc"
    assert "Điểm phục vụ" in content_set.site.name and "Demo" in content_set.site.name


def test_every_repository_file_is_in_the_stable_form() -> None:
    """read → write gives back the very bytes of every file in the repository."""
    content_set = read_content_dir()
    assert (REPO_CONTENT / "site.yml").read_text(encoding="utf-8") == dump_model(content_set.site)
    assert (REPO_CONTENT / "services.yml").read_text(encoding="utf-8") == dump_model(content_set.services)
    for procedure in content_set.procedures:
        on_disk = (REPO_CONTENT / "procedures" / f"{procedure.id}.yml").read_bytes()
        assert on_disk == dump_model(procedure).encode("utf-8"), procedure.id
    for entry in content_set.faq:
        on_disk = (REPO_CONTENT / "faq" / f"{entry.key}.yml").read_bytes()
        assert on_disk == dump_model(entry).encode("utf-8"), entry.key


def test_write_then_read_round_trips_byte_for_byte(tmp_path: Path) -> None:
    content_set = read_content_dir()
    written = write_content_dir(content_set, tmp_path / "out")
    assert len(written) == 2 + len(content_set.procedures) + len(content_set.faq) + len(content_set.sites)
    again = read_content_dir(tmp_path / "out")
    assert again == content_set
    assert write_content_dir(again, tmp_path / "out") == []  # nothing to change the second time
    for path in (tmp_path / "out").rglob("*.yml"):
        relative = path.relative_to(tmp_path / "out")
        assert path.read_bytes() == (REPO_CONTENT / relative).read_bytes(), relative


def test_yaml_is_readable_vietnamese_not_escapes() -> None:
    text = (REPO_CONTENT / "procedures" / "cap_so_do.yml").read_text(encoding="utf-8")
    assert "sổ đỏ" in text
    assert "\\u" not in text
    assert text.startswith("id: cap_so_do\nname: ")  # keys in the model's order


def test_write_removes_files_of_items_no_longer_in_the_set(tmp_path: Path) -> None:
    content_set = read_content_dir()
    write_content_dir(content_set, tmp_path)
    smaller = content_set.model_copy(update={"faq": [f for f in content_set.faq if f.key != "toilet"]})
    changed = write_content_dir(smaller, tmp_path)
    assert changed == [tmp_path / "faq" / "toilet.yml"]
    assert not (tmp_path / "faq" / "toilet.yml").exists()


def test_yaml_syntax_error_names_file_and_line(content_copy: Path) -> None:
    line = edit(content_copy / "procedures" / "khai_tu.yml", "name: Đăng ký khai tử", "name: [Đăng ký")
    with pytest.raises(ContentError) as caught:
        read_content_dir(content_copy)
    [problem] = caught.value.problems
    assert problem.file == "content/procedures/khai_tu.yml"
    assert problem.line >= line
    assert "cú pháp YAML" in problem.message


def test_duplicate_key_is_refused_with_its_line(content_copy: Path) -> None:
    path = content_copy / "faq" / "wifi.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "question: Lại một câu hỏi nữa?\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        read_content_dir(content_copy)
    [problem] = caught.value.problems
    assert (problem.file, problem.line) == ("content/faq/wifi.yml", text.count("\n") + 1)
    assert "lặp lại" in problem.message


def test_file_name_must_match_id(content_copy: Path) -> None:
    (content_copy / "procedures" / "khai_tu.yml").rename(content_copy / "procedures" / "bao_tu.yml")
    with pytest.raises(ContentError) as caught:
        read_content_dir(content_copy)
    assert [str(p) for p in caught.value.problems] == [
        "content/procedures/bao_tu.yml:1: id 'khai_tu' phải trùng tên tệp 'bao_tu'"
    ]


def test_render_answer_fills_site_fields_and_refuses_holes() -> None:
    site = Site(
        name="Điểm demo",
        address="Số 1",
        opening_hours="8 giờ đến 17 giờ",
        wifi_name="Demo",
        wifi_password="abc12345",
    )
    assert render_answer("Mật khẩu {wifi_password}, mở {opening_hours}.", site) == (
        "Mật khẩu abc12345, mở 8 giờ đến 17 giờ."
    )
    with pytest.raises(ContentError) as caught:
        render_answer("Gọi {hotline}", site)  # a Site field without a value
    assert caught.value.code == "content-unknown-placeholder"
    with pytest.raises(ContentError):
        render_answer("Mã {wifi_pass}", site)  # not a Site field
