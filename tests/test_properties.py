"""Property-based tests (Hypothesis): slugs, Vietnamese folding, goals and statuses, the front
matter splitter, and a fuzz run of the whole loader over mutated sample content."""
from __future__ import annotations

import operator
import re
import shutil
import tempfile
import unicodedata
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from conftest import SAMPLE
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from sitegen.diagnostics import Collector, ContentError
from sitegen.load import split_front_matter
from sitegen.model import Goal, Ref, Result, Target
from sitegen.pipeline import check
from sitegen.schema import TARGET
from sitegen.status import IN_PROGRESS, MET, NO_DATA, NOT_MET, evaluate, satisfies
from sitegen.text import fold, slugify
from sitegen.validate import INVALID, _Checker

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
VOWELS = "aăâeêioôơuưy"
TONES = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")  # ngang, huyền, sắc, ngã, hỏi, nặng
LETTERS = sorted({unicodedata.normalize("NFC", v + t) for v in VOWELS for t in TONES} | set("bcdđghklmnpqrstvx"))
vietnamese_word = st.text(st.sampled_from(LETTERS + [c.upper() for c in LETTERS]), min_size=1, max_size=12)
vietnamese_text = st.lists(vietnamese_word, min_size=1, max_size=6).map(" ".join)
any_text = st.one_of(st.text(max_size=40), vietnamese_text,
                     st.text(st.sampled_from(LETTERS + list(" -_/.,:;!?()[]{}'\"\t0123456789")), max_size=40))


# --- slugs and folding ----------------------------------------------------------------------

@given(any_text)
@example("Đảng ủy")
@example("  --Xây dựng   Đảng--  ")
@example("!!!")
@example("İstanbul ß ǅ Σ")
def test_slug_has_the_url_shape_or_is_empty(text):
    slug = slugify(text)
    assert slug == "" or SLUG.match(slug)


@given(any_text)
def test_slug_is_stable_and_idempotent(text):
    assert slugify(text) == slugify(text)
    assert slugify(slugify(text)) == slugify(text)


@given(any_text)
def test_nfc_and_nfd_give_the_same_slug_and_fold(text):
    nfc, nfd = unicodedata.normalize("NFC", text), unicodedata.normalize("NFD", text)
    assert slugify(nfc) == slugify(nfd)
    assert fold(nfc) == fold(nfd)


@given(vietnamese_text)
@example("Đảng ủy")
def test_vietnamese_folds_to_plain_ascii_letter_by_letter(text):
    folded = fold(text)
    assert re.fullmatch(r"[a-z ]+", folded)
    assert len(folded) == len(unicodedata.normalize("NFC", text))
    assert folded == fold(text.upper()) == fold(text.lower())
    assert fold(folded) == folded


@given(vietnamese_text)
def test_slug_of_vietnamese_is_its_folded_words_joined_by_hyphens(text):
    assert slugify(text) == "-".join(fold(text).split())


def test_known_slugs():
    assert slugify("Đảng ủy") == slugify("dang uy") == slugify("ĐẢNG ỦY") == "dang-uy"
    assert slugify("Phát triển kinh tế - xã hội") == "phat-trien-kinh-te-xa-hoi"
    assert slugify("Ưu tiên") == "uu-tien"


# --- goals: parsing and comparison ----------------------------------------------------------

OPS = {"=": operator.eq, ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}
numbers = st.decimals(min_value=-10**6, max_value=10**6, places=3, allow_nan=False, allow_infinity=False)


def parse_goal(raw):
    problems = Collector()
    goal = _Checker("t.md", problems).convert(next(f for f in TARGET if f.name == "goal"), raw, 3)
    return goal, problems.items


@given(st.sampled_from(["=", ">=", ">", "<=", "<", "≥", "≤", ""]), numbers,
       st.sampled_from(["", " ", "  "]), st.sampled_from(["", "%", " %"]))
def test_goal_text_parses_to_operator_and_value(op, value, space, percent):
    text = f"{op}{space}{value}{percent}"
    goal, problems = parse_goal(text)
    assert not problems, text
    assert goal.op == {"≥": ">=", "≤": "<=", "": "="}.get(op, op)
    assert goal.value == value


@given(st.one_of(st.text(max_size=20), st.integers(), st.floats(allow_nan=True), st.booleans(),
                 st.lists(st.integers(), max_size=2)))
@example("ít nhất 300")
@example(">= 1,5")
@example(">= 1e5")
@example("=> 3")
def test_goal_parsing_never_raises(raw):
    goal, problems = parse_goal(raw)
    if goal is INVALID:
        assert len(problems) == 1 and problems[0].line == 3 and "mục tiêu không hợp lệ" in problems[0].message
    else:
        assert isinstance(goal, Goal) and goal.op in OPS and not problems


@given(st.sampled_from(sorted(OPS)), numbers, numbers)
def test_satisfies_agrees_with_exact_fractions(op, goal, value):
    expected = OPS[op](Fraction(str(value)), Fraction(str(goal)))
    assert satisfies(value, Goal(op, goal)) is expected


# --- statuses against an oracle written from the methodology page ----------------------------

def oracle(goal, period, term, values, current):
    """The rules of /chi-tieu/cach-tinh/, restated independently."""
    start, end = term

    def achieved(value):
        return value == "done" if goal is None else OPS[goal[0]](Fraction(str(value)), Fraction(str(goal[1])))

    years = {}
    for year in range(start, end + 1):
        if year not in values:
            years[year] = NO_DATA if year <= current else ""
        elif achieved(values[year]):
            years[year] = MET
        else:
            years[year] = NOT_MET if period == "annual" or year == end else IN_PROGRESS
    if not values:
        return NO_DATA, years
    if period == "annual":
        return (NOT_MET if any(not achieved(v) for v in values.values()) else MET), years
    last = max(values)
    if achieved(values[last]):
        return MET, years
    return (NOT_MET if last == end or current > end else IN_PROGRESS), years


@st.composite
def scenarios(draw):
    start = draw(st.integers(2000, 2030))
    term = (start, start + draw(st.integers(0, 6)))
    period = draw(st.sampled_from(["annual", "term"]))
    qualitative = draw(st.booleans())
    goal = None if qualitative else (draw(st.sampled_from(sorted(OPS))), draw(st.integers(-5, 20)))
    value = st.sampled_from(["done", "not-done"]) if qualitative else st.integers(-5, 20)
    years = draw(st.lists(st.integers(*term), unique=True, max_size=term[1] - term[0] + 1))
    values = {year: draw(value) for year in years}
    current = draw(st.integers(term[0] - 3, term[1] + 3))
    return goal, period, term, values, current


@settings(max_examples=300)
@given(scenarios())
def test_evaluate_agrees_with_the_methodology(scenario):
    goal, period, term, values, current = scenario
    target = Target("t", "Chỉ tiêu", goal=Goal(goal[0], Decimal(goal[1])) if goal else None, period=period)
    results = {y: Result(Ref("d", 1), "t", y, None if goal is None else Decimal(v),
                         (v == "done") if goal is None else None, "", "", "r.yaml", 1)
               for y, v in values.items()}
    status = evaluate(target, term, results, current)
    overall, years = oracle(goal, period, term, values, current)
    assert status.overall == overall
    assert status.years == years
    assert (status.latest.year if status.latest else None) == (max(values) if values else None)


# --- the front matter splitter --------------------------------------------------------------

yaml_line = st.text(st.characters(blacklist_characters="\n\r", blacklist_categories=("Cs",)), max_size=30) \
    .filter(lambda line: line.rstrip() not in ("---", "..."))
body_line = st.text(st.characters(blacklist_characters="\n\r", blacklist_categories=("Cs",)), max_size=30)


@given(st.lists(yaml_line, max_size=8), st.lists(body_line, max_size=8), st.sampled_from(["---", "..."]))
def test_front_matter_round_trip(yaml_lines, body_lines, closing):
    text = "\n".join(["---", *yaml_lines, closing, *body_lines])
    yaml_text, yaml_first, body, body_first = split_front_matter(text)
    assert yaml_text == "\n".join(yaml_lines) + "\n"
    assert body == "\n".join(body_lines)
    assert yaml_first == 2 and body_first == len(yaml_lines) + 3
    lines = text.split("\n")
    if yaml_lines:
        assert lines[yaml_first - 1] == yaml_lines[0]
    if body_lines:
        assert lines[body_first - 1] == body_lines[0]


@given(st.lists(yaml_line, min_size=1, max_size=8))
def test_front_matter_never_closed_or_never_opened_is_a_message(lines):
    assume(any(line.strip() for line in lines))
    unclosed = split_front_matter("\n".join(["---", *lines]))
    assert isinstance(unclosed, str) and "chưa được đóng" in unclosed
    if lines[0].rstrip() != "---":
        assert "dòng đầu tiên phải là ---" in split_front_matter("\n".join(lines))


@given(st.text(max_size=200))
def test_front_matter_splitter_never_raises(text):
    parts = split_front_matter(text)
    assert isinstance(parts, (str, tuple))


# --- fuzzing the loader over mutated sample content ------------------------------------------

SAMPLE_FILES = sorted(p.relative_to(SAMPLE).as_posix() for p in SAMPLE.rglob("*")
                      if p.is_file() and p.suffix in (".md", ".yaml"))
INSERTS = [b"\t", b":", b": ", b'"', b"'", b"\x00", b"-", b"- ", b"---", b"[", b"]", b"{", b"}", b"#", b"&",
           b"*", b"!", b"|", b">", b"%", b"@", b"`", b"\n", b"\r", b"  ", b",", b"?", b"<<: ", b"2021-02-30",
           b"\xff", b"\xc3", b"\xe1\xba", b"\xef\xbb\xbf", "Đảng".encode(), "ủy".encode(), b"null", b"~",
           b".nan", b"12:30", b"0x1F", b"done", b"](../x.md)", b"<script>"]


@st.composite
def mutation(draw):
    file = draw(st.sampled_from(SAMPLE_FILES))
    kind = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "insert", "bytes", "truncate", "empty"]))
    return file, kind, draw(st.integers(0, 10**6)), draw(st.integers(0, 10**6)), \
        draw(st.one_of(st.sampled_from(INSERTS), st.binary(min_size=1, max_size=4)))


def mutate(data: bytes, kind: str, a: int, b: int, insert: bytes) -> bytes:
    lines = data.split(b"\n")
    i, j = a % len(lines), b % len(lines)
    if kind == "delete":
        del lines[i]
    elif kind == "duplicate":
        lines.insert(j, lines[i])
    elif kind == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "insert":
        at = b % (len(lines[i]) + 1)
        lines[i] = lines[i][:at] + insert + lines[i][at:]
    elif kind == "bytes":
        at = b % (len(data) + 1)
        return data[:at] + insert + data[at:]
    elif kind == "truncate":
        return data[: b % (len(data) + 1)]
    else:
        return b""
    return b"\n".join(lines)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutation(), min_size=1, max_size=4))
def test_loader_raises_nothing_but_content_errors(mutations):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "content"
        shutil.copytree(SAMPLE, root)
        for file, kind, a, b, insert in mutations:
            path = root / file
            path.write_bytes(mutate(path.read_bytes(), kind, a, b, insert))
        try:
            check(root, 2026)
        except ContentError as error:
            assert error.diagnostics
            for diagnostic in error.diagnostics:
                assert diagnostic.line >= 1 and diagnostic.message.strip()
                assert "\n" not in diagnostic.message
                assert diagnostic.message == unicodedata.normalize("NFC", diagnostic.message)
