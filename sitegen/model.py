"""Validated content: plain frozen records, produced by `validate`."""
from __future__ import annotations

import datetime as dt
from dataclasses import field
from decimal import Decimal

from .records import record

RELATIONS = ("implements", "based_on", "guides", "amends", "replaces", "repeals")


@record(order=True, shared=True)
class Day:
    """A date that may be known only to the month or the year (ISO 8601 reduced precision)."""

    year: int
    month: int = 0  # 0: unknown
    day: int = 0  # 0: unknown

    @property
    def date(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    def isoformat(self) -> str:
        parts = [f"{self.year:04d}"] + [f"{v:02d}" for v in (self.month, self.day) if v]
        return "-".join(parts)


@record
class Site:
    title: str
    description: str = ""
    base_url: str = ""
    language: str = "vi"


@record
class Organisation:
    id: str
    name: str
    short: str = ""
    parent: str = ""
    path: str = ""
    line: int = 1


@record(shared=True)
class Goal:
    op: str  # "=", ">=", ">", "<=", "<"
    value: Decimal


@record
class Target:
    id: str
    text: str
    group: str = ""
    goal: Goal | None = None
    unit: str = ""
    period: str = "term"  # annual | term
    line: int = 1

    @property
    def numeric(self) -> bool:
        return self.goal is not None


@record
class AttachmentRef:
    file: str
    title: str
    line: int = 1


@record(shared=True)
class Ref:
    """A reference written by an editor (an id or a document number)."""

    value: str
    line: int


@record
class Document:
    id: str
    section: str  # resolution | programme
    path: str
    title: str
    kind: str
    issuer: Ref
    issued: Day
    number: str = ""
    place: str = ""
    signer: str = ""
    effective: dt.date | None = None
    expires: dt.date | None = None
    status: str = "in-force"
    term: tuple[int, int] | None = None
    relations: dict[str, tuple[Ref, ...]] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    restricted: bool = False
    draft: bool = False
    attachments: tuple[AttachmentRef, ...] = ()
    targets: tuple[Target, ...] = ()
    body: str = ""  # the Markdown source; emptied once rendered (the model's `bodies` hold the result)
    body_line: int = 1

    @property
    def published(self) -> bool:
        return not (self.restricted or self.draft)


@record
class Post:
    id: str
    path: str
    title: str
    date: Day
    author: str = ""
    source: str = ""
    documents: tuple[Ref, ...] = ()
    tags: tuple[str, ...] = ()
    draft: bool = False
    body: str = ""  # the Markdown source; emptied once rendered (the model's `bodies` hold the result)
    body_line: int = 1


def by_date(item: Document | Post) -> tuple:
    """A sort key: by date (a document's issue date, a post's date), then id. As (Day, id) sorts,
    but through plain tuples, compared without a call to `Day`'s ordering for each pair."""
    day = item.issued if isinstance(item, Document) else item.date
    return day.year, day.month, day.day, item.id


@record
class Result:
    """One reported value of one target for one year."""

    document: Ref
    target: str
    year: int
    value: Decimal | None  # numeric targets
    done: bool | None  # qualitative targets
    note: str
    source: str
    path: str
    line: int


@record
class Unread:
    """What exists in the content but could not be read. Its own problems are reported once;
    a reference to it is then not reported again as "not found"."""

    documents: frozenset[str] = frozenset()  # ids and numbers
    pages: frozenset[str] = frozenset()  # site paths of those documents and of such posts
    organisations: frozenset[str] = frozenset()
    all_organisations: bool = False  # organisations.yaml itself could not be read


@record
class Content:
    site: Site
    organisations: tuple[Organisation, ...]
    documents: tuple[Document, ...]
    posts: tuple[Post, ...]
    results: tuple[Result, ...]
    files: dict  # rel path -> load.Attachment
    unread: Unread = Unread()
