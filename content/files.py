"""Reading and writing the content directory.

Layout of a content directory::

    site.yml                 Site
    services.yml             ServicesFile (queue services and counters)
    sites/<id>.yml           SiteContent: another service point of the city (values, services, counters)
    procedures/<id>.yml      one Procedure each, the file named after its id
    faq/<key>.yml            one FaqEntry each, the file named after its key

Every problem is reported with its file and line (YAML node marks are kept for that), and the
files are written in one stable form (keys in model order, Unicode as is, no wrapping) so that
reading and writing again gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from content.errors import ContentError, Problem, display_path
from content.model import (
    ContentSet,
    FaqEntry,
    Procedure,
    ServicesFile,
    Site,
    SiteContent,
    field_location,
)

M = TypeVar("M", bound=BaseModel)

SITE_FILE = "site.yml"
SERVICES_FILE = "services.yml"
PROCEDURES_DIR = "procedures"
FAQ_DIR = "faq"
SITES_DIR = "sites"


def default_content_dir() -> Path:
    """The repository's `content/` directory (this package's own folder)."""
    return Path(__file__).resolve().parent


# --------------------------------------------------------------------------- reading


@dataclass
class SourceFile:
    """One YAML file as read: its data and its node tree, to find the line of any value."""

    path: Path
    name: str  # as shown in messages
    data: Any
    root: yaml.Node | None

    def line_of(self, loc: tuple[str | int, ...] = ()) -> int:
        """The 1-based line of the value at `loc` (keys and list indexes), or of the closest parent."""
        node = self.root
        if node is None:
            return 1
        for part in loc:
            child = _child(node, part)
            if child is None:
                break
            node = child
        return node.start_mark.line + 1

    def key_line(self, key: str) -> int:
        """The line of a top-level key itself (for a mapping), or 1."""
        if isinstance(self.root, yaml.MappingNode):
            for key_node, _ in self.root.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                    return key_node.start_mark.line + 1
        return 1

    def problem(self, loc: tuple[str | int, ...], message: str, *, warning: bool = False) -> Problem:
        return Problem(self.name, self.line_of(loc), message, warning)


def _child(node: yaml.Node, part: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                return value_node
    elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        child: yaml.Node = node.value[part]
        return child
    return None


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: faster


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe loader that refuses duplicate keys (a silent overwrite would lose staff edits)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"khóa {key!r} bị lặp lại", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path, base: Path | None = None) -> SourceFile:
    """Read one YAML file, keeping its nodes; raises ContentError with the line of a syntax error."""
    name = display_path(path, base)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise ContentError("content-not-utf8", [Problem(name, 1, f"tệp không phải UTF-8: {err}")]) from err
    except OSError as err:
        raise ContentError("content-unreadable", [Problem(name, 0, f"không đọc được tệp: {err}")]) from err
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise ContentError(
            "content-yaml-syntax", [Problem(name, line, f"lỗi cú pháp YAML: {err.problem or err}")]
        ) from err
    finally:
        loader.dispose()
    return SourceFile(path=path, name=name, data=data, root=root)


def validation_problems(source: SourceFile, err: ValidationError) -> list[Problem]:
    """Turn pydantic's errors into file:line problems with a readable message."""
    problems = []
    for item in err.errors():
        loc = field_location(tuple(item["loc"]))
        where = ".".join(str(part) for part in loc) or "(tệp)"
        kind = item["type"]
        if kind == "missing":
            message = f"thiếu trường bắt buộc '{where}'"
        elif kind == "extra_forbidden":
            message = f"trường không có trong lược đồ: '{where}'"
        else:
            message = f"'{where}': {item['msg']}"
        problems.append(source.problem(loc, message))
    return problems


def parse_model(source: SourceFile, model: type[M]) -> M:
    """Validate a file's data against `model`; raises ContentError with every problem found."""
    if not isinstance(source.data, dict):
        raise ContentError(
            "content-invalid",
            [Problem(source.name, 1, "tệp phải là một bảng khóa: giá trị (mapping YAML)")],
        )
    try:
        return model.model_validate(source.data)
    except ValidationError as err:
        raise ContentError("content-invalid", validation_problems(source, err)) from err


@dataclass
class ParsedDir:
    """A content directory parsed file by file: what could be read, and every problem met."""

    root: Path
    site: tuple[Site, SourceFile] | None = None
    services: tuple[ServicesFile, SourceFile] | None = None
    procedures: list[tuple[Procedure, SourceFile]] = field(default_factory=list)
    faq: list[tuple[FaqEntry, SourceFile]] = field(default_factory=list)
    sites: list[tuple[SiteContent, SourceFile]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Ids (file stems) of procedure and FAQ files that exist but could not be read: their problems
    # are already reported, so other checks must not call them missing as well.
    unreadable_procedures: set[str] = field(default_factory=set)
    unreadable_faq: set[str] = field(default_factory=set)

    def content_set(self) -> ContentSet:
        if self.problems or self.site is None or self.services is None:
            raise ContentError("content-invalid", self.problems)
        return ContentSet(
            site=self.site[0],
            procedures=[p for p, _ in self.procedures],
            faq=[f for f, _ in self.faq],
            services=self.services[0],
            sites=[s for s, _ in self.sites],
        )


def _yaml_files(folder: Path) -> Iterator[Path]:
    if folder.is_dir():
        yield from sorted(p for p in folder.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file())


def parse_content_dir(path: Path | None = None) -> ParsedDir:
    """Read and validate every file of a content directory, collecting problems instead of stopping."""
    root = Path(path) if path is not None else default_content_dir()
    parsed = ParsedDir(root=root)
    if not root.is_dir():
        parsed.problems.append(Problem(str(root), 0, "không tìm thấy thư mục nội dung"))
        return parsed

    def load(file: Path, model: type[M]) -> tuple[M, SourceFile] | None:
        try:
            source = read_yaml(file, root)
            return parse_model(source, model), source
        except ContentError as err:
            parsed.problems.extend(err.problems)
            return None

    for name, model, attr in ((SITE_FILE, Site, "site"), (SERVICES_FILE, ServicesFile, "services")):
        file = root / name
        if not file.is_file():
            parsed.problems.append(Problem(display_path(file, root), 0, "thiếu tệp bắt buộc"))
            continue
        setattr(parsed, attr, load(file, model))

    for file in _yaml_files(root / PROCEDURES_DIR):
        procedure = load(file, Procedure)
        if procedure is None:
            parsed.unreadable_procedures.add(file.stem)
        else:
            if procedure[0].id != file.stem:
                parsed.problems.append(
                    procedure[1].problem(("id",), f"id '{procedure[0].id}' phải trùng tên tệp '{file.stem}'")
                )
            parsed.procedures.append(procedure)
    for file in _yaml_files(root / FAQ_DIR):
        entry = load(file, FaqEntry)
        if entry is None:
            parsed.unreadable_faq.add(file.stem)
        else:
            if entry[0].key != file.stem:
                parsed.problems.append(
                    entry[1].problem(("key",), f"key '{entry[0].key}' phải trùng tên tệp '{file.stem}'")
                )
            parsed.faq.append(entry)
    for file in _yaml_files(root / SITES_DIR):
        other = load(file, SiteContent)
        if other is not None:
            if other[0].id != file.stem:
                parsed.problems.append(
                    other[1].problem(("id",), f"id '{other[0].id}' phải trùng tên tệp '{file.stem}'")
                )
            parsed.sites.append(other)
    return parsed


def read_content_dir(path: Path | None = None) -> ContentSet:
    """The content set of a directory (default: the repository's), or ContentError with file+line."""
    return parse_content_dir(path).content_set()


# --------------------------------------------------------------------------- writing


class _Dumper(yaml.SafeDumper):
    """Block style, list items indented under their key, multi-line text as literal blocks."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True  # a value used twice is written twice, never as an &anchor staff would not read


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(data: Any) -> str:
    """The one stable text form of the content files."""
    text: str = yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=10_000,
        indent=2,
    )
    return text


def dump_model(model: BaseModel) -> str:
    """A model as YAML: fields in the model's order, unset optional values (None) left out."""
    return dump_yaml(model.model_dump(mode="python", exclude_none=True))


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def write_content_dir(content_set: ContentSet, path: Path) -> list[Path]:
    """Write a content set as a content directory; returns the files written or removed.

    The directory becomes an exact mirror of the set: a procedure or FAQ file whose id is no
    longer in the set is removed (the repository's git history keeps it).
    """
    root = Path(path)
    changed: list[Path] = []

    def put(file: Path, text: str) -> None:
        before = file.read_text(encoding="utf-8") if file.is_file() else None
        if before != text:
            _write(file, text)
            changed.append(file)

    put(root / SITE_FILE, dump_model(content_set.site))
    put(root / SERVICES_FILE, dump_model(content_set.services))
    for folder, items in (
        (PROCEDURES_DIR, {p.id: p for p in content_set.procedures}),
        (FAQ_DIR, {f.key: f for f in content_set.faq}),
        (SITES_DIR, {s.id: s for s in content_set.sites}),
    ):
        for item_id, item in items.items():
            put(root / folder / f"{item_id}.yml", dump_model(item))
        for stale in _yaml_files(root / folder):
            if stale.stem not in items:
                stale.unlink()
                changed.append(stale)
    return changed
