"""Flat target rows shared by the dashboard, year pages and data exports."""
from __future__ import annotations

from collections.abc import Mapping

from . import formats, present, urls
from .link import Model
from .model import Document, Result, Target, by_date
from .records import record
from .status import LABELS, TargetStatus, evaluate


@record
class TargetRow:
    doc: Document
    target: Target
    status: TargetStatus
    results: dict[int, Result]
    issuer_name: str

    @property
    def anchor_url(self) -> str:
        return urls.document(self.doc.section, self.doc.id) + f"#ct-{self.target.id}"

    @property
    def latest_text(self) -> str:
        latest = self.status.latest
        return present.value_text(self.target, latest) if latest else ""

    @property
    def status_label(self) -> str:
        return LABELS[self.status.overall]


def target_rows(model: Model, current_year: int, kept: Mapping[str, list[TargetRow]] | None = None
                ) -> list[TargetRow]:
    """Every target of every published document, in document then target order. `kept`: rows
    made before (for the same year), by document, taken where they still hold (`_still`)."""
    rows = []
    for doc in row_order(model):
        before = kept.get(doc.id) if kept else None
        rows += before if before and _still(model, doc, before) else document_rows(model, doc, current_year)
    return rows


def row_order(model: Model) -> list[Document]:
    """The published documents in the order of their rows: newest first."""
    return sorted(model.published(), key=by_date, reverse=True)


def _still(model: Model, doc: Document, rows: list[TargetRow]) -> bool:
    """Whether a document's rows made from another model are what `document_rows` makes from
    this one: the same document record, results and issuer's name."""
    issuer = model.organisations.get(doc.issuer.value)
    return rows[0].doc is doc and rows[0].issuer_name == (issuer.name if issuer else doc.issuer.value) and \
        all(model.results.get((doc.id, row.target.id), {}) == row.results for row in rows)


def document_rows(model: Model, doc: Document, current_year: int) -> list[TargetRow]:
    """The target rows of one published document, in target order."""
    issuer = model.organisations.get(doc.issuer.value)
    issuer_name = issuer.name if issuer else doc.issuer.value
    rows = []
    for target in doc.targets:
        results = model.results.get((doc.id, target.id), {})
        rows.append(TargetRow(doc, target, evaluate(target, doc.term, results, current_year), results, issuer_name))
    return rows


def value_cell(target: Target, result: Result | None) -> str:
    return present.value_text(target, result) if result else ""


def plain_number(result: Result) -> str:
    return formats.number(result.value) if result.value is not None else ""
