"""`python build.py new …`: named, fully pre-filled files that validate as written."""
from __future__ import annotations

import re
from pathlib import Path

from conftest import build, copy_sample, page, run_cli

from sitegen import schema
from sitegen.load import split_front_matter
from sitegen.scaffold import document_id, short_slug
from sitegen.yamlsource import parse_yaml

TODAY = "2026-03-05"


def new(content: Path, *args: str):
    return run_cli("new", *args, "--content", str(content), "--today", TODAY)


def front_matter(path: Path) -> dict:
    parts = split_front_matter(path.read_text(encoding="utf-8"))
    assert not isinstance(parts, str), parts
    data, problems = parse_yaml(parts[0], str(path))
    assert not problems
    return data


def minimal_tree(root: Path) -> Path:
    root.mkdir()
    (root / "site.yaml").write_text("title: Thử\n", encoding="utf-8")
    (root / "organisations.yaml").write_text(
        "- id: van-phong\n  name: Văn phòng\n- id: ban-to-chuc\n  name: Ban Tổ chức\n", encoding="utf-8")
    return root


def uncomment_examples(text: str) -> str:
    """Do what the comments tell an editor: drop '# ' before the example lines."""
    return re.sub(r"^# (   ?[- ] \w+:.*)$", r"\1", text, flags=re.M)


def test_ids_follow_the_number_and_year():
    assert document_id("15-KH/ĐUK", "", 2026) == "15-kh-duk-2026"
    assert document_id("05/2021/NQ-HĐND", "", 2021) == "05-2021-nq-hdnd"
    assert document_id("", "Về công tác cán bộ", 2026) == "ve-cong-tac-can-bo"
    long = short_slug("Về xây dựng và phát triển tỉnh Thanh Hóa đến năm 2030, tầm nhìn đến năm 2045")
    assert len(long) <= 60 and not long.endswith("-") and long.startswith("ve-xay-dung")


def test_new_programme_is_named_from_its_number_prefilled_and_valid(tmp_path):
    content = copy_sample(tmp_path / "content")
    result = new(content, "programme", "--number", "15-KH/ĐUK", "--year", "2026")
    assert result.code == 0, result.err
    path = content / "programmes" / "15-kh-duk-2026.md"
    assert "Đã tạo" in result.out and "15-kh-duk-2026.md" in result.out
    data = front_matter(path)
    assert list(data) == [f.name for f in schema.DOCUMENT]  # every field, in schema order
    assert data["number"] == "15-KH/ĐUK"
    assert data["kind"] == "Kế hoạch"  # suggested from "KH"
    assert data["issuer"] == "dang-uy-khoi"  # the organisation whose short name is ĐUK
    assert data["issued"] == TODAY
    text = path.read_text(encoding="utf-8")
    for f in schema.DOCUMENT + schema.TARGET + schema.ATTACHMENT:
        assert f.help in text, f.name  # help text straight from schema.py
    checked = run_cli("check", "--content", str(content))
    assert checked.code == 0, checked.err


def test_every_kind_validates_and_builds_as_written(tmp_path):
    content = minimal_tree(tmp_path / "content")
    for args in (["resolution", "--number", "03-NQ/VP", "--title", "Về công tác văn phòng"],
                 ["programme", "--title", "Chương trình thực hiện Nghị quyết 03"],
                 ["post", "--title", "Hội nghị: quán triệt \"Nghị quyết 03\" #1"],
                 ["results", "--year", "2026"]):
        result = new(content, *args)
        assert result.code == 0, (args, result.err)
    names = sorted(p.relative_to(content).as_posix() for p in content.rglob("*.*")
                   if p.parent != content)
    assert names == ["posts/hoi-nghi-quan-triet-nghi-quyet-03-1.md",
                     "programmes/chuong-trinh-thuc-hien-nghi-quyet-03.md",
                     "resolutions/03-nq-vp-2026.md", "results/2026.yaml"]
    post = front_matter(content / "posts" / "hoi-nghi-quan-triet-nghi-quyet-03-1.md")
    assert list(post) == [f.name for f in schema.POST]
    assert post["title"] == "Hội nghị: quán triệt \"Nghị quyết 03\" #1"  # quoted where YAML needs it
    resolution = content / "resolutions" / "03-nq-vp-2026.md"
    assert front_matter(resolution)["issuer"] == "van-phong"  # first organisation, marked as a guess
    assert "ĐÃ ĐIỀN TẠM" in resolution.read_text(encoding="utf-8")
    site = tmp_path / "site"
    built = build(content, site)
    assert built.code == 0, built.err
    assert page(site, "/nghi-quyet/03-nq-vp-2026/").h1.get_text(strip=True) == "Về công tác văn phòng"


def test_a_document_without_title_gets_a_marked_placeholder(tmp_path):
    content = minimal_tree(tmp_path / "content")
    assert new(content, "resolution", "--number", "7-NQ/VP", "--year", "2024").code == 0
    data = front_matter(content / "resolutions" / "7-nq-vp-2024.md")
    assert "cần sửa" in data["title"]
    assert data["issued"] == "2024"  # another year than today's: only the year is known
    assert run_cli("check", "--content", str(content)).code == 0


def test_the_commented_target_example_works_once_uncommented(tmp_path):
    content = minimal_tree(tmp_path / "content")
    assert new(content, "programme", "--number", "2-CTr/VP").code == 0
    path = content / "programmes" / "2-ctr-vp-2026.md"
    text = uncomment_examples(path.read_text(encoding="utf-8")).replace("\nterm:\n", "\nterm: 2026-2030\n")
    text = re.sub(r"^(\s+- file: .*\n\s+title: .*\n)", "", text, flags=re.M)  # no such file: drop it
    path.write_text(text, encoding="utf-8")
    assert [t["id"] for t in front_matter(path)["targets"]] == ["ket-nap-dang-vien"]
    result = run_cli("check", "--content", str(content))
    assert result.code == 0, result.err


def test_new_results_lists_the_targets_of_the_year_and_validates_when_filled(tmp_path):
    content = copy_sample(tmp_path / "content")
    result = new(content, "results", "--year", "2025")
    assert result.code == 0, result.err
    path = content / "results" / "2025.yaml"
    text = path.read_text(encoding="utf-8")
    assert "#   12-ctr-duk-2021:" in text and "#     ket-nap-dang-vien:" in text
    assert "#     mo-hinh-hay:" in text  # the illustrative plan runs to 2030
    for f in schema.RESULTS + schema.RESULT_VALUE:
        assert f.help in text, f.name
    assert run_cli("check", "--content", str(content)).code == 0
    # as the comments say: drop {} and the '# ' of the lines to use, then write the values
    filled = text.replace("results: {}", "results:")
    filled = filled.replace("#   12-ctr-duk-2021:", "  12-ctr-duk-2021:")
    filled = re.sub(r"#     ket-nap-dang-vien:", "    ket-nap-dang-vien: 310", filled)
    path.write_text(filled, encoding="utf-8")
    checked = run_cli("check", "--content", str(content))
    assert checked.code == 0, checked.err


def test_new_refuses_to_overwrite(tmp_path):
    content = copy_sample(tmp_path / "content")
    before = (content / "results" / "2024.yaml").read_bytes()
    result = new(content, "results", "--year", "2024")
    assert result.code == 1
    assert "2024.yaml" in result.err and "không được ghi đè" in result.err
    assert (content / "results" / "2024.yaml").read_bytes() == before
    # one id space for resolutions and programmes: the same name in the other folder is refused too
    clash = new(content, "resolution", "--title", "CTr DUK thực hiện 58 NQ TW")
    assert clash.code == 1 and "programmes/ctr-duk-thuc-hien-58-nq-tw.md" in clash.err
    assert not (content / "resolutions" / "ctr-duk-thuc-hien-58-nq-tw.md").exists()


def test_wrong_options_are_usage_errors(tmp_path):
    content = minimal_tree(tmp_path / "content")
    for args, words in ((["programme"], "--number"), (["post"], "--title"),
                        (["post", "--title", "A", "--number", "1-NQ/VP"], "số ký hiệu"),
                        (["results", "--title", "A"], "--year"),
                        (["results", "--year", "2027"], "chưa đến"),
                        (["resolution", "--title", "!!!"], "tên tệp")):
        result = new(content, *args)
        assert result.code == 2, args
        assert words in result.err, (args, result.err)
    assert run_cli("new", "memo", "--content", str(content)).code == 2
    assert sorted(p.name for p in content.iterdir()) == ["organisations.yaml", "site.yaml"]  # nothing written


def test_missing_content_folder(tmp_path):
    result = new(tmp_path / "nowhere", "post", "--title", "Tin")
    assert result.code == 1 and "không tìm thấy thư mục nội dung" in result.err


# --- the editors' guide ----------------------------------------------------------------------------
GUIDE = Path(__file__).resolve().parent.parent / "docs" / "huong-dan-bien-tap.md"
MESSAGE_MODULES = ("validate", "link", "load", "yamlsource")
_EDGES = " \"'(){}:;,.—-?"


def message_fragments(module: str) -> dict[str, int]:
    """The longest fixed part of every Vietnamese message a module can print -> its line."""
    import ast
    import importlib

    source = Path(importlib.import_module(f"sitegen.{module}").__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    labels = {label for pair in importlib.import_module("sitegen.link").RELATION_LABELS.values() for label in pair}
    skip = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant):
            skip.add(id(body[0].value))  # docstrings
        if isinstance(node, ast.JoinedStr):
            skip.update(id(v) for v in node.values)
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = [v.value for v in node.values if isinstance(v, ast.Constant)]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            parts = [node.value]
        else:
            continue
        if not re.search(r"[^\x00-\x7f]", "".join(parts)) or "".join(parts).startswith("^"):
            continue
        longest = max((" ".join(p.split()).strip(_EDGES) for p in parts), key=len)
        if len(longest) >= 16 and longest not in labels:
            found[longest] = node.lineno
    return found


def test_the_guide_explains_every_error_message():
    guide = " ".join(GUIDE.read_text(encoding="utf-8").split())
    missing = [f"sitegen/{module}.py:{line}: {fragment}" for module in MESSAGE_MODULES
               for fragment, line in message_fragments(module).items() if fragment not in guide]
    assert not missing, "explain these messages in docs/huong-dan-bien-tap.md:\n" + "\n".join(missing)
    assert len([f for m in MESSAGE_MODULES for f in message_fragments(m)]) > 60  # the scan finds them


def test_the_guide_covers_the_workflow_and_shows_the_screenshots():
    import unicodedata

    text = GUIDE.read_text(encoding="utf-8")
    assert text == unicodedata.normalize("NFC", text)
    for command in ("python build.py new resolution", "python build.py new programme",
                    "python build.py new post", "python build.py new results", "python build.py serve",
                    "python build.py check", "pre-commit install", ".github/workflows/pages.yml",
                    ".gitlab-ci.yml"):
        assert command in text, command
    images = re.findall(r"!\[[^\]]+\]\((img/[^)]+)\)", text)
    assert sorted(images) == ["img/loi.png", "img/xem-truoc.png"]  # the preview and the error overlay
    for image in images:
        assert (GUIDE.parent / image).is_file(), image
    # the table of contents points at the headings (GitHub-style anchors keep Vietnamese letters)
    headings = re.findall(r"^## (.+)$", text, flags=re.M)
    anchors = {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}
    links = re.findall(r"^\d+\. \[.+\]\(#(.+)\)$", text, flags=re.M)
    assert links and set(links) <= anchors
