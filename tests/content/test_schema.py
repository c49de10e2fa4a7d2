"""content/schema.json: up to date with the models, and it accepts the real files and rejects broken ones."""

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import yaml

from content.cli import schema_text
from content.files import default_content_dir

LETAN = str(Path(sys.executable).parent / "letan")
SCHEMA_FILE = default_content_dir() / "schema.json"


def validator_for(definition: str) -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    sub = {"$defs": schema["$defs"], "$ref": f"#/$defs/{definition}"}
    return jsonschema.Draft202012Validator(sub, format_checker=jsonschema.FormatChecker())


def test_schema_json_is_up_to_date() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), "run: letan content schema"
    result = subprocess.run([LETAN, "content", "schema", "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_real_files_validate_against_the_schema() -> None:
    root = default_content_dir()
    procedure = validator_for("Procedure")
    faq = validator_for("FaqEntry")

    def as_json(path: Path) -> object:
        # YAML dates become strings, as they are in JSON documents.
        return json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))

    for path in sorted((root / "procedures").glob("*.yml")):
        procedure.validate(as_json(path))
    for path in sorted((root / "faq").glob("*.yml")):
        faq.validate(as_json(path))
    validator_for("Site").validate(as_json(root / "site.yml"))
    validator_for("ServicesFile").validate(as_json(root / "services.yml"))


def test_schema_rejects_unknown_keys_and_field_ids() -> None:
    text = (default_content_dir() / "procedures" / "khai_sinh.yml").read_text(encoding="utf-8")
    # YAML dates (at any depth) become strings, as they are in JSON documents.
    data = json.loads(json.dumps(yaml.safe_load(text), default=str))
    validator = validator_for("Procedure")
    assert validator.is_valid(data)
    assert not validator.is_valid({**data, "le_phi": 1})
    assert not validator.is_valid({**data, "field": "hai_quan"})
    assert not validator.is_valid({**data, "source_url": "http://example.org"})
