"""JSON Schemas: generated from schema.py, shipped in schemas/, agreeing with the validator."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from conftest import ROOT, SAMPLE, copy_sample, run_cli

from sitegen import jsonschema as generator
from sitegen.diagnostics import ContentError
from sitegen.load import split_front_matter
from sitegen.pipeline import check
from sitegen.yamlsource import parse_yaml

SHIPPED = ROOT / "schemas"
FOLDER_SCHEMA = {"resolutions": "document", "programmes": "document", "posts": "post"}


def validator(name: str) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(json.loads((SHIPPED / f"{name}.schema.json").read_text(encoding="utf-8")))


def load_yaml(text: str, path: str = "x"):
    data, problems = parse_yaml(text, path)
    assert not problems, problems
    return data


def content_files(root: Path) -> list[tuple[Path, str, object]]:
    """(path, schema name, data) for every content file, front matter taken out of the .md files."""
    out = [(root / "site.yaml", "site", None), (root / "organisations.yaml", "organisations", None)]
    out += [(p, "results", None) for p in sorted((root / "results").glob("*.yaml"))]
    out += [(p, FOLDER_SCHEMA[p.parent.name], None) for folder in FOLDER_SCHEMA
            for p in sorted((root / folder).glob("*.md"))]
    loaded = []
    for path, name, _ in out:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".md":
            parts = split_front_matter(text)
            assert not isinstance(parts, str), (path, parts)
            text = parts[0]
        loaded.append((path, name, load_yaml(text, str(path))))
    return loaded


def errors(name: str, data) -> list[str]:
    return [e.message for e in validator(name).iter_errors(data)]


def test_shipped_schemas_equal_freshly_generated_ones(tmp_path):
    fresh = {name: generator.dumps(node) for name, node in generator.schemas().items()}
    shipped = {p.name: p.read_text(encoding="utf-8") for p in SHIPPED.glob("*.schema.json")}
    assert shipped == fresh, "schemas/ is out of date: run python -m sitegen.jsonschema schemas"
    # the module's command writes the same files
    proc = subprocess.run([sys.executable, "-m", "sitegen.jsonschema", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert {p.name: p.read_text(encoding="utf-8") for p in tmp_path.iterdir()} == fresh


def test_the_command_needs_an_output_folder():
    proc = subprocess.run([sys.executable, "-m", "sitegen.jsonschema"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2 and "OUTDIR" in proc.stderr


@pytest.mark.parametrize("name", sorted(p.name for p in SHIPPED.glob("*.schema.json")))
def test_schemas_are_valid_draft7_with_vietnamese_descriptions_and_closed_objects(name):
    node = json.loads((SHIPPED / name).read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(node)
    assert node["$schema"] == "http://json-schema.org/draft-07/schema#"

    def objects(n):
        if isinstance(n, dict):
            if n.get("type") == "object" and "properties" in n:
                yield n
            for v in n.values():
                yield from objects(v)
        elif isinstance(n, list):
            for v in n:
                yield from objects(v)

    found = list(objects(node))
    assert found
    for obj in found:
        assert obj["additionalProperties"] is False
        for prop, spec in obj["properties"].items():
            assert spec["description"].strip(), (name, prop)


def test_sample_content_validates_against_the_schemas():
    files = content_files(SAMPLE)
    assert {name for _, name, _ in files} == {"site", "organisations", "results", "document", "post"}
    for path, name, data in files:
        assert errors(name, data) == [], path


def test_new_files_validate_against_the_schemas(tmp_path):
    content = copy_sample(tmp_path / "content")
    for args in (["resolution", "--number", "03-NQ/ĐUK", "--title", "Về công tác văn phòng"],
                 ["programme", "--number", "04-KH/ĐUK"], ["post", "--title", "Tin mới"],
                 ["results", "--year", "2025"]):
        assert run_cli("new", *args, "--content", str(content)).code == 0
    for path, name, data in content_files(content):
        assert errors(name, data) == [], path


def test_enums_patterns_and_descriptions_come_from_schema_py():
    document = validator("document").schema["properties"]
    assert document["status"]["enum"] == ["in-force", "partly-expired", "expired", None]
    assert "Còn hiệu lực" in document["status"]["description"]
    assert document["title"]["description"].startswith("Trích yếu nội dung")
    target = document["targets"]["items"]["properties"]
    assert target["period"]["enum"] == ["annual", "term", None]
    assert "id" in document["targets"]["items"]["required"]


GOOD_DOC = "title: Về công tác cán bộ\nissuer: dang-uy-khoi\nissued: 2024-05-02\n"


@pytest.mark.parametrize("extra, fragment", [
    ("", None),
    ("titel: x\n", "titel"),  # unknown field
    ("status: valid\n", "valid"),
    ("effective: 2021-13-01\n", "2021-13-01"),
    ("term: 2025\n", "2025"),
    ("term: 2020-2025\ntargets:\n  - id: Chỉ tiêu 1\n    text: A\n", "Chỉ tiêu 1"),
    ("term: 2020-2025\ntargets:\n  - id: a\n    text: A\n    goal: ít nhất 300\n", "ít nhất 300"),
    ("term: 2020-2025\ntargets:\n  - id: a\n    text: A\n    goal: '>= 300'\n    period: yearly\n", "yearly"),
    ("restricted: 'yes'\n", "yes"),
    ("attachments:\n  - file: files/a.pdf\n    name: A\n", "name"),
])
def test_schema_and_validator_agree_on_documents(tmp_path, extra, fragment):
    """A front matter the schema rejects is rejected by `check` too, and the other way round."""
    data = load_yaml(GOOD_DOC + extra)
    schema_errors = errors("document", data)
    content = copy_sample(tmp_path / "content")
    (content / "resolutions" / "thu.md").write_text(f"---\n{GOOD_DOC}{extra}---\nNội dung.\n", encoding="utf-8")
    try:
        check(content)
        problems = []
    except ContentError as error:
        problems = [d.message for d in error.diagnostics]
    if fragment is None:
        assert schema_errors == [] and problems == []
    else:
        assert any(fragment in e for e in schema_errors), schema_errors
        assert problems, f"validator accepted what the schema rejects: {extra!r}"


@pytest.mark.parametrize("text, ok", [
    ("year: 2024\nresults: {}\n", True),
    ("year: 2024\nresults:\n  12-CTr/ĐUK:\n    ket-nap-dang-vien: 310\n    van-hoa-kieu-mau: done\n", True),
    ("year: 2024\nresults:\n  x:\n    a: {value: 95.5, note: Ghi chú}\n", True),
    ("year: '2024'\nresults: {}\n", False),
    ("year: 2024\n", False),
    ("year: 2024\nresults:\n  x:\n    a: nhiều\n", False),
    ("year: 2024\nresults:\n  x:\n    a: {value: 1, ghi_chu: b}\n", False),
])
def test_results_schema(text, ok):
    assert (errors("results", load_yaml(text)) == []) is ok


def test_site_and_organisations_schemas():
    assert errors("site", load_yaml("title: A\nlanguage: vi\n")) == []
    assert errors("site", load_yaml("title: A\nbase_url: example.org\n"))
    assert errors("site", load_yaml("description: A\n"))
    assert errors("organisations", load_yaml("- id: van-phong\n  name: Văn phòng\n")) == []
    assert errors("organisations", load_yaml("- id: Văn phòng\n  name: Văn phòng\n"))
    assert errors("organisations", load_yaml("- id: a\n"))


def test_editor_settings_point_at_the_shipped_schemas():
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    mapping = settings["yaml.schemas"]
    for schema_path, pattern in mapping.items():
        assert (ROOT / schema_path).is_file(), schema_path
        assert pattern.startswith("/content/")
    assert set(Path(p).name for p in mapping) == {"site.schema.json", "organisations.schema.json",
                                                  "results.schema.json"}
    extensions = json.loads((ROOT / ".vscode" / "extensions.json").read_text(encoding="utf-8"))
    assert "redhat.vscode-yaml" in extensions["recommendations"]


def test_content_format_doc_lists_every_field_of_schema_py():
    from sitegen import schema

    doc = (ROOT / "docs" / "content-format.md").read_text(encoding="utf-8")
    for name in ("SITE", "ORGANISATION", "DOCUMENT", "ATTACHMENT", "TARGET", "POST", "RESULTS", "RESULT_VALUE"):
        table = generator.field_table(getattr(schema, name))
        assert table in doc, f"docs/content-format.md: replace the {name} table with:\n{table}"
    types = {f.type for name in dir(schema) if name.isupper()
             for f in getattr(schema, name) if isinstance(getattr(schema, name), tuple)
             and all(isinstance(x, schema.Field) for x in getattr(schema, name))}
    section = doc.split("## Field types", 1)[1].split("\n## ", 1)[0]
    for kind in types:
        assert f"\n| {kind} |" in section, f"field type {kind!r} is not explained in docs/content-format.md"
