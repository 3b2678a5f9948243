"""Flat target rows shared by the dashboard, year pages and data exports."""
from __future__ import annotations

from . import formats, present, urls
from .link import Model
from .model import Document, Result, Target
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


def target_rows(model: Model, current_year: int) -> list[TargetRow]:
    """Every target of every published document, in document then target order."""
    rows = []
    for doc in sorted(model.published(), key=lambda d: (d.issued, d.id), reverse=True):
        rows += document_rows(model, doc, current_year)
    return rows


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
