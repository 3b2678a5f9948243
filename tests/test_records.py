"""Model records: frozen, without instance dicts, and pickled as their constructor's arguments."""
from __future__ import annotations

import dataclasses
import pickle
from decimal import Decimal

import pytest

from sitegen.model import Day, Document, Goal, Ref, Result, Target
from sitegen.records import Loader, record


def _document() -> Document:
    target = Target("ct-1", "Tỷ lệ hộ nghèo giảm", goal=Goal("<=", Decimal("2.5")), unit="%", line=12)
    return Document("58-nq-tw", "resolution", "nghi-quyet/58.md", "Nghị quyết số 58", "Nghị quyết",
                    Ref("bch-tw", 3), Day(2020, 8, 5), relations={"implements": (Ref("20-nq-tw", 9),)},
                    tags=("Thanh Hóa",), targets=(target,), body_line=20)


def test_a_document_survives_pickling_whole():
    doc = _document()
    copy = pickle.loads(pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL))
    assert copy == doc
    assert copy.targets[0].goal.value == Decimal("2.5")
    assert type(copy.issued) is Day and copy.issued < Day(2021)


def test_records_have_no_instance_dict_and_stay_frozen():
    doc = _document()
    result = Result(Ref("58-nq-tw", 4), "ct-1", 2021, Decimal("3"), None, "", "", "ket-qua.yaml", 4)
    for value in (doc, doc.issuer, doc.issued, doc.targets[0], result):
        assert not hasattr(value, "__dict__")
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.title = "khác"  # type: ignore[misc]


def test_a_record_needs_every_field_in_its_constructor():
    with pytest.raises(TypeError, match="constructor"):
        @record
        class Partial:
            shown: str
            hidden: int = dataclasses.field(default=0, init=False)


def _pickled(value) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def test_a_loader_shares_equal_values_between_everything_it_reads():
    loader = Loader()
    # two files' worth of records, pickled apart as the workers and the file cache do
    first = loader.loads(_pickled(_document()))
    second = loader.loads(_pickled(Result(Ref("58-nq-tw", 4), "ct-1", 2021, Decimal("2.5"), None, "", "", "k.yaml", 12)))
    assert first == _document()
    target = first.targets[0]
    assert second.target is target.id
    assert second.document.value is first.id
    assert second.value is target.goal.value
    assert second.line is target.line  # 12, an integer CPython does not share by itself
    assert pickle.loads(_pickled(_document())).targets[0].id is not second.target  # plain pickle: copies


def test_a_loader_keeps_decimals_that_print_apart_and_booleans_apart():
    loader = Loader()
    one = loader.loads(_pickled(Goal(">=", Decimal("1"))))
    one_point_zero = loader.loads(_pickled(Goal(">=", Decimal("1.0"))))
    assert str(one.value) == "1" and str(one_point_zero.value) == "1.0"
    done = loader.loads(_pickled(Result(Ref("x", 1), "ct-1", 1, None, True, "", "", "k.yaml", 1)))
    assert done.done is True and done.line == 1 and type(done.line) is int


def test_a_rendered_body_is_kept_compressed_and_read_back_whole():
    from sitegen.markdown import render

    source = "\n\n".join(f"## Phần {i}\n\nĐảng viên thực hiện **nghị quyết** số {i}, đạt và vượt chỉ tiêu đề ra."
                         for i in range(40))
    body = render(source, 1, lambda href: href)
    html = body.html
    assert html.count("<h2") == 40 and "<strong>nghị quyết</strong>" in html
    assert len(body.packed) * 3 < len(html.encode("utf-8"))
    assert pickle.loads(_pickled(body)).html == html


def test_a_loader_keeps_one_record_of_plain_values_per_distinct_value():
    loader = Loader()
    first, second = (loader.loads(_pickled(_document())) for _ in range(2))
    assert first is not second and first == second  # a document holds a dict: made anew
    assert first.issued is second.issued and first.issuer is second.issuer  # a date, a reference
    assert first.targets[0].goal is second.targets[0].goal
    assert first.relations["implements"][0] is second.relations["implements"][0]
    one, one_point_zero = (loader.loads(_pickled(Goal(">=", Decimal(text)))) for text in ("1", "1.0"))
    assert one is not one_point_zero and str(one_point_zero.value) == "1.0"
    assert loader.loads(_pickled(Ref("58-nq-tw", 4))) is not loader.loads(_pickled(Ref("58-nq-tw", 5)))


def test_a_saved_models_results_and_bodies_are_read_as_they_are_asked_for():
    from conftest import ROOT

    from sitegen.pipeline import check

    model = check(ROOT / "content")
    assert model.content.results == ()  # linked, they are the model's by target
    fresh = dict(model.results.items())
    assert fresh and list(fresh) == sorted(fresh)
    restored = pickle.loads(pickle.dumps(model.results, protocol=pickle.HIGHEST_PROTOCOL))
    doc, target = next(iter(fresh))
    assert restored[(doc, target)] == fresh[(doc, target)]
    unread = set(restored._parts)
    assert doc not in unread and unread == {d for d, _ in fresh} - {doc}  # only that document's part was read
    assert restored.get(("khong-co", "ct-1")) is None and ("khong-co", "ct-1") not in restored
    assert list(restored) == list(fresh) and dict(restored.items()) == fresh  # whole, in the same order
    again = pickle.loads(pickle.dumps(restored, protocol=pickle.HIGHEST_PROTOCOL))
    assert dict(again.items()) == fresh and len(again) == len(fresh)

    bodies = dict(model.bodies.items())
    restored = pickle.loads(pickle.dumps(model.bodies, protocol=pickle.HIGHEST_PROTOCOL))
    first, second = list(bodies)[:2]
    changed = restored.updated({second: bodies[first]})  # a part not read yet, replaced
    assert changed[second] == bodies[first] and restored[second] == bodies[second]
    assert changed[first] == bodies[first]
    assert len(restored._parts) == len(bodies) - 1 and len(changed._parts) == len(bodies) - 2  # each reads its own
    assert dict(changed.items()) == {**bodies, second: bodies[first]} and list(changed) == list(bodies)
    assert dict(restored.items()) == bodies
    # Keys taken out, parts unread kept unread, and entries told apart without reading them.
    restored = pickle.loads(pickle.dumps(model.bodies, protocol=pickle.HIGHEST_PROTOCOL))
    third = list(bodies)[2]
    fewer = restored.updated({}, removed=[first, "khong-co"])
    assert restored.holds_same(fewer, third) and third in restored._parts and third in fewer._parts
    assert not fewer.holds_same(restored, first)
    assert first not in fewer and first in restored and len(fewer) == len(bodies) - 1
    assert dict(fewer.items()) == {k: v for k, v in bodies.items() if k != first}
    assert not changed.holds_same(pickle.loads(pickle.dumps(changed)), third)  # other bytes: compared by value


class _Counted:
    loads = 0

    def __setstate__(self, state):
        type(self).loads += 1
        self.__dict__.update(state)


def test_a_deferred_value_is_unpickled_when_first_asked_for_and_pickles_the_same_again():
    from sitegen.records import Deferred

    value = _Counted()
    value.data = {"a": [1, 2], "b": "bốn"}
    held = pickle.loads(pickle.dumps({"held": Deferred(value)}))["held"]
    assert _Counted.loads == 0  # read along with what holds it: not unpickled
    again = pickle.loads(pickle.dumps(held))  # pickled again before being read: the same bytes kept
    assert _Counted.loads == 0
    assert held.get().data == {"a": [1, 2], "b": "bốn"} and held.get() is held.get()
    assert _Counted.loads == 1
    assert again.get().data == value.data
