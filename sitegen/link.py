"""Stage 3: link the validated records into one model.

Resolves references (ids or numbers), derives inverse relations and chains,
merges tags, renders Markdown bodies (checking their links) and attaches
reported results to targets.
"""
from __future__ import annotations

import posixpath
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Callable, Iterable, Mapping
from urllib.parse import unquote, urlsplit

from . import urls
from .diagnostics import Collector, suggest
from .markdown import Body, render
from .model import RELATIONS, Content, Document, Organisation, Post, Ref, Result, Target, Unread
from .records import Parted
from .text import fold, slugify, sort_key

RELATION_LABELS = {
    "implements": ("Thực hiện", "Văn bản thực hiện"),
    "based_on": ("Căn cứ", "Là căn cứ của"),
    "guides": ("Hướng dẫn", "Được hướng dẫn bởi"),
    "amends": ("Sửa đổi, bổ sung", "Được sửa đổi, bổ sung bởi"),
    "replaces": ("Thay thế", "Bị thay thế bởi"),
    "repeals": ("Bãi bỏ", "Bị bãi bỏ bởi"),
}


@dataclass
class Tag:
    slug: str
    name: str
    spellings: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    posts: list[str] = field(default_factory=list)


@dataclass
class Model:
    """Everything the render and export stages need, already linked."""

    content: Content  # as read, but for its results: `results` holds those that were linked
    organisations: dict[str, Organisation]
    documents: dict[str, Document]  # every document, published or not
    posts: dict[str, Post]  # published posts
    outgoing: dict[str, dict[str, tuple[str, ...]]]  # doc -> relation -> doc ids
    incoming: dict[str, dict[str, tuple[str, ...]]]  # doc -> relation -> doc ids (inverse)
    post_documents: dict[str, list[str]]
    document_posts: dict[str, list[str]]
    tags: dict[str, Tag]
    bodies: Parted  # "resolution:id" / "post:id" -> Body
    results: Parted  # (doc, target) -> year -> result
    files: dict
    result_years: frozenset[int] = frozenset()  # the years with a result of a published document

    @property
    def site(self):
        return self.content.site

    def published(self) -> tuple[Document, ...]:
        """The published documents, in the documents' order (worked out once: a linked model is
        not changed, edits make another)."""
        found = self.__dict__.get("_published")
        if found is None:
            found = self.__dict__["_published"] = tuple(d for d in self.documents.values() if d.published)
        return found

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_published", None)
        return state

    def url(self, doc: Document) -> str:
        return urls.document(doc.section, doc.id)

    def is_public(self, doc_id: str) -> bool:
        return self.documents[doc_id].published


class _Resolver:
    """Finds a document by id, or by number when the number names one document."""

    def __init__(self, documents: dict[str, Document], unread: Unread = Unread()):
        self.documents = documents
        self._unread = unread

    @cached_property
    def by_number(self) -> dict[str, list[str]]:
        """Document ids by number (worked out when a reference is first not an id)."""
        found: dict[str, list[str]] = defaultdict(list)
        for doc in self.documents.values():
            if doc.number:
                found[_number_key(doc.number)].append(doc.id)
        return found

    @cached_property
    def unread(self) -> set[str]:
        return {_number_key(name) for name in self._unread.documents}

    def find(self, ref: Ref, path: str, problems: Collector) -> str | None:
        if ref.value in self.documents:
            return ref.value
        matches = self.by_number.get(_number_key(ref.value), [])
        if len(matches) == 1:
            return matches[0]
        if matches:
            ids = ", ".join(sorted(matches))
            problems.add(path, ref.line, f'số ký hiệu "{ref.value}" ứng với nhiều văn bản ({ids}); '
                                         "hãy ghi mã văn bản (tên tệp) thay cho số ký hiệu")
            return None
        if _number_key(ref.value) in self.unread:
            return None  # a document whose own errors are already reported
        names = list(self.documents) + [d.number for d in self.documents.values() if d.number]
        problems.add(path, ref.line, f'không tìm thấy văn bản "{ref.value}"; ghi mã văn bản (tên tệp '
                                     f"không có .md) hoặc số ký hiệu đúng{suggest(ref.value, names)}")
        return None


def _number_key(number: str) -> str:
    return fold(number).replace(" ", "")


def _check_ids(content: Content, problems: Collector) -> dict[str, Document]:
    documents: dict[str, Document] = {}
    for doc in content.documents:
        if doc.id in documents:
            problems.add(doc.path, 1, f'mã văn bản "{doc.id}" trùng với {documents[doc.id].path}; '
                                      "hãy đổi tên một trong hai tệp")
            continue
        documents[doc.id] = doc
    return documents


def _unknown_organisation(org_id: str, orgs: dict, unread: Unread) -> bool:
    """True when `org_id` should be reported as missing (not merely unreadable)."""
    return org_id not in orgs and not unread.all_organisations and org_id not in unread.organisations


def _link_organisations(content: Content, problems: Collector) -> dict[str, Organisation]:
    orgs = {o.id: o for o in content.organisations}
    for org in orgs.values():
        if org.parent and _unknown_organisation(org.parent, orgs, content.unread):
            problems.add(org.path, org.line, f'không tìm thấy cơ quan cấp trên "{org.parent}" '
                                             f"trong organisations.yaml{suggest(org.parent, orgs)}")
        seen, current = {org.id}, org.parent
        while current in orgs:
            if current in seen:
                problems.add(org.path, org.line, f'cơ quan "{org.id}" nằm trong một vòng cấp trên lặp lại; '
                                                 'hãy sửa trường "parent"')
                break
            seen.add(current)
            current = orgs[current].parent
    return orgs


def _link_relations(documents, resolver, orgs, unread, problems):
    outgoing = {d: {r: [] for r in RELATIONS} for d in documents}
    incoming = {d: {r: [] for r in RELATIONS} for d in documents}
    for doc in documents.values():
        for relation, targets in _doc_relations(doc, resolver, orgs, unread, problems).items():
            outgoing[doc.id][relation] = targets
            for target in targets:
                incoming[target][relation].append(doc.id)
    for relation in RELATIONS:
        _report_cycles(documents, outgoing, relation, problems)
    return _frozen(outgoing), _frozen(incoming)


def _doc_relations(doc: Document, resolver: _Resolver, orgs, unread, problems) -> dict[str, list[str]]:
    """The documents one document names in each relation (each once, in the order written), its
    issuer and references checked."""
    if _unknown_organisation(doc.issuer.value, orgs, unread):
        problems.add(doc.path, doc.issuer.line, f'không tìm thấy cơ quan ban hành "{doc.issuer.value}" '
                                                f"trong organisations.yaml{suggest(doc.issuer.value, orgs)}")
    found: dict[str, list[str]] = {}
    for relation in RELATIONS:
        targets = found[relation] = []
        for ref in doc.relations.get(relation, ()):
            target = resolver.find(ref, doc.path, problems)
            if target is None:
                continue
            if target == doc.id:
                problems.add(doc.path, ref.line, f'văn bản không thể tự tham chiếu chính nó ở trường "{relation}"')
                continue
            if target not in targets:
                targets.append(target)
    return found


def _relinked_relations(documents, resolver, orgs, unread, problems, last: Model) -> tuple | None:
    """`_link_relations` after some documents were edited, from the relations of `last` (a model
    linked without problems): only the edited documents' references are resolved, and only cycles
    through them looked for. None when more than their references may have changed (a document
    added, removed or renumbered, the organisations or the unread content changed)."""
    if list(documents) != list(last.documents) or orgs != last.organisations or unread != last.content.unread:
        return None
    edited = [doc for doc in documents.values() if last.documents[doc.id] is not doc]
    if any(doc.number != last.documents[doc.id].number for doc in edited):
        return None  # references by number elsewhere may name another document now
    outgoing, incoming = dict(last.outgoing), dict(last.incoming)
    place = {doc_id: index for index, doc_id in enumerate(documents)}
    for doc in edited:
        now = _doc_relations(doc, resolver, orgs, unread, problems)
        before = outgoing[doc.id]
        outgoing[doc.id] = {relation: tuple(now[relation]) for relation in RELATIONS}
        for relation in RELATIONS:
            for target in set(before[relation]) ^ set(now[relation]):
                named = set(incoming[target][relation]) ^ {doc.id}
                incoming[target] = {**incoming[target], relation: tuple(sorted(named, key=place.__getitem__))}
    for relation in RELATIONS:
        if any(_reaches(outgoing, relation, doc.id) for doc in edited):
            _report_cycles(documents, outgoing, relation, problems)  # (reported as a full link reports it)
    return outgoing, incoming


def _reaches(outgoing, relation: str, doc_id: str) -> bool:
    """Whether `doc_id` is reached again by following `relation` from it: a cycle through it."""
    seen: set[str] = set()
    todo = list(outgoing[doc_id][relation])
    while todo:
        current = todo.pop()
        if current == doc_id:
            return True
        if current not in seen:
            seen.add(current)
            todo.extend(outgoing[current][relation])
    return False


def _frozen(links: dict[str, dict[str, list[str]]]) -> dict[str, dict[str, tuple[str, ...]]]:
    """The relations as tuples: most are empty, and every empty tuple is the same object, where
    each empty list is one more object to keep and to load with a saved state."""
    return {doc: {relation: tuple(ids) for relation, ids in relations.items()} for doc, relations in links.items()}


def _report_cycles(documents, outgoing, relation, problems) -> None:
    """Colour DFS over one relation; a back edge is a cycle."""
    state: dict[str, int] = {}
    for start in documents:
        if state.get(start):
            continue
        stack = [(start, iter(outgoing[start][relation]))]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
                continue
            if state.get(child) == 1:
                doc = documents[node]
                names = {_number_key(child), _number_key(documents[child].number or child)}
                line = next((r.line for r in doc.relations[relation] if _number_key(r.value) in names), 1)
                path = [n for n, _ in stack]
                loop = " → ".join(path[path.index(child):] + [child])
                problems.add(doc.path, line, f'vòng tham chiếu ở trường "{relation}": {loop}; '
                                             "hãy bỏ một trong các liên kết này")
            elif not state.get(child):
                state[child] = 1
                stack.append((child, iter(outgoing[child][relation])))


def _link_tags(documents, posts, problems) -> dict[str, Tag]:
    tags: dict[str, Tag] = {}
    slugs: dict[str, str] = {}  # name -> slug (a few hundred names, written tens of thousands of times)
    for bucket, items in (("documents", [d for d in documents.values() if d.published]), ("posts", posts.values())):
        for item in items:
            for name in item.tags:
                slug = slugs.get(name)
                if slug is None:
                    slug = slugs[name] = slugify(name)
                if not slug:  # reported by validate, with its line
                    continue
                tag = tags.get(slug)
                if tag is None:
                    tag = tags[slug] = Tag(slug, name)
                if name not in tag.spellings:
                    tag.spellings.append(name)
                listed = tag.documents if bucket == "documents" else tag.posts
                if not listed or listed[-1] != item.id:  # (listed once, however many of its names the tag has)
                    listed.append(item.id)
    for tag in tags.values():
        # The spelling with diacritics wins ("Đảng ủy" over "dang uy"); ties by collation.
        tag.spellings.sort(key=lambda s: (fold(s) == s.lower(), sort_key(s)))
        tag.name = tag.spellings[0]
    return tags


def _page_paths(documents, posts, orgs, tags) -> set[str]:
    paths = {urls.HOME, urls.RESOLUTIONS, urls.PROGRAMMES, urls.POSTS, urls.ORGANISATIONS,
             urls.TAGS, urls.TARGETS, urls.METHOD, urls.SEARCH, urls.DATA}
    paths |= {urls.document(d.section, d.id) for d in documents.values() if d.published}
    paths |= {urls.post(p) for p in posts}
    paths |= {urls.organisation(o) for o in orgs}
    paths |= {urls.tag(t) for t in tags}
    paths |= {urls.DATA + name for name in ("targets.csv", "results.csv", "documents.json", "chi-tieu.xlsx")}
    return paths




class _LinkChecker:
    """Checks the links written in Markdown bodies against the pages and files that exist."""

    def __init__(self, pages: set[str], unpublished: set[str], files: dict, unread: Unread):
        self.pages = pages
        self.files = files
        self.unpublished = unpublished
        self.unread = unread.pages

    def covers(self, other: _LinkChecker) -> bool:
        """Whether every link `other` finds valid is valid here too (no page or file is gone)."""
        return self.pages >= other.pages and self.files.keys() >= other.files.keys() and \
            self.unread >= other.unread

    def check(self, body: Body, source_dir: str, path: str, problems: Collector) -> None:
        for href, line in body.links:
            problem = self._problem(href, source_dir)
            if problem:
                problems.add(path, line, f'liên kết "{unquote(href)}" {problem}')

    def _problem(self, href: str, source_dir: str) -> str:
        parts = urlsplit(href)
        if parts.scheme or href.startswith("//"):
            if parts.scheme in urls.SAFE_SCHEMES:
                return ""
            return "dùng giao thức không được phép; chỉ dùng http://, https://, mailto: hoặc tel:"
        if not parts.path:
            return ""  # "#anchor" on the same page
        target = urls.site_path(unquote(parts.path), source_dir)
        if target in self.unread:
            return ""  # that file's own errors are already reported
        if target is not None and (target in self.pages or target.lstrip("/") in self.files):
            return ""
        if target in self.unpublished:
            why = "trỏ tới văn bản mật hoặc bản nháp, không được xuất bản"
        elif target and target.startswith("/files/"):
            why = "trỏ tới tệp không có trong thư mục files/"
        else:
            why = "trỏ tới trang không tồn tại"
        return f"{why}; hãy sửa hoặc bỏ liên kết"


def body_key(section: str, item_id: str) -> str:
    return f"{section}:{item_id}"


def render_body(item: Document | Post) -> Body:
    """A published document's or post's Markdown body, rendered for its page."""
    folder = urls.SECTION_FOLDER[getattr(item, "section", "post")]
    return render(item.body, item.body_line, lambda href: urls.rewrite(href, folder))


def _bodies(documents, posts, given: Mapping[str, Body] | None, checker: _LinkChecker, problems,
            last: Model | None = None) -> Parted:
    """Bodies of what is published (rendered here unless given, or taken from the `last` model),
    with their links checked. The last model's bodies are not checked again while every page and
    file they could link to is still there and all it published still is."""
    items = {body_key(getattr(item, "section", "post"), item.id): item
             for item in [d for d in documents.values() if d.published] + list(posts.values())}
    given = given or {}
    if last is not None and items.keys() >= (known := _body_keys(last)) and checker.covers(body_checker(last)):
        # nothing published before is gone: only the edited and new bodies are checked
        edited = {key: given[key] if key in given else render_body(items[key])
                  for key in (given.keys() & items.keys()) | (items.keys() - known)}
        for key in (key for key in items if key in edited):  # in the order a whole check reports
            checker.check(edited[key], urls.SECTION_FOLDER[key.partition(":")[0]], items[key].path, problems)
        return last.bodies.updated(edited) if edited else last.bodies
    bodies = {}
    for key, item in items.items():
        section = key.partition(":")[0]
        body = given[key] if key in given else last.bodies[key] if last is not None and key in last.bodies \
            else render_body(item)
        checker.check(body, urls.SECTION_FOLDER[section], item.path, problems)
        bodies[key] = body
    return Parted(bodies, _own_part)


def _body_keys(model: Model) -> set[str]:
    """The keys of a model's bodies (those of what it publishes), without reading them."""
    return {body_key(d.section, d.id) for d in model.documents.values() if d.published} | \
        {body_key("post", p) for p in model.posts}


def _check_attachments(documents, files, problems) -> None:
    for doc in documents.values():
        for att in doc.attachments:
            norm = posixpath.normpath(att.file)
            if att.file.startswith("/") or norm.startswith("..") or not norm.startswith("files/"):
                problems.add(doc.path, att.line, f'tệp đính kèm "{att.file}" phải nằm trong thư mục files/ '
                                                 "của nội dung (ví dụ files/ctr-58.pdf)")
            elif norm not in files:
                problems.add(doc.path, att.line, f'không tìm thấy tệp đính kèm "{att.file}"'
                                                 f"{suggest(norm, files)}; hãy chép tệp vào thư mục files/")


def _link_results(given: Iterable[Result], documents, resolver, problems):
    results: dict[tuple[str, str], dict[int, Result]] = defaultdict(dict)
    for result in given:
        doc_id = resolver.find(result.document, result.path, problems)
        if doc_id is None:
            continue
        doc = documents[doc_id]
        target = next((t for t in doc.targets if t.id == result.target), None)
        if target is None:
            problems.add(result.path, result.line, f'văn bản "{doc_id}" không có chỉ tiêu "{result.target}"'
                                                   f"{suggest(result.target, [t.id for t in doc.targets])}")
            continue
        if not _result_fits(result, doc, target, problems):
            continue
        earlier = results[(doc_id, target.id)].get(result.year)
        if earlier:
            _given_twice(result, target.id, earlier, problems)
            continue
        results[(doc_id, target.id)][result.year] = result
    return dict(results)


def _given_twice(result: Result, target_id: str, earlier: Result, problems: Collector) -> None:
    problems.add(result.path, result.line, f'kết quả năm {result.year} của chỉ tiêu "{target_id}" '
                                           f"đã có ở {earlier.path}:{earlier.line}; chỉ giữ một giá trị")


def link_results(model: Model, results: Iterable[Result], problems: Collector) -> dict[tuple[str, str], dict]:
    """Results read again (those of one file), linked to the model's documents and targets as
    `link` links them: (document, target) -> year -> result."""
    resolver = _Resolver(model.documents, model.content.unread)
    return _link_results(results, model.documents, resolver, problems)


def keeps_results(last: Model, items: Iterable[Document | Post], removed: Iterable[str] = ()) -> bool:
    """Whether `link` can take the results of `last` (`link`'s `last`), but for those of the
    edited results files, when these documents and posts are put in place of theirs or added and
    the documents `removed` (ids) taken out: every document keeps its number (results may name it
    by number) and whether it is published (the years shown depend on it), and no result names a
    document taken out (it would be reported)."""
    for doc in (item for item in items if isinstance(item, Document)):
        before = last.documents.get(doc.id)
        if before is None:
            continue  # a new document: no result of `last` could name it (it would not have linked)
        if (before.number, before.published) != (doc.number, doc.published):
            return False
    return not any(last.results.holds_part(_document_part((doc_id, ""))) for doc_id in removed)


def as_read(result: Result) -> tuple:
    """What tells a result read again from one read before: its fields as written (91 and 91.0
    are equal decimals, printed apart), made of strings and numbers (quick to compare)."""
    return (result.path, result.line, result.document.value, result.document.line, result.target, result.year,
            str(result.value), result.done, result.note, result.source)


def results_read_from(model: Model, files: frozenset[str]) -> dict[tuple, tuple[tuple[str, str], Result]]:
    """The results `model` linked from the results files `files` (by path), each by `as_read`,
    with the (document, target) it was linked to."""
    return {as_read(result): (key, result) for key, by_year in model.results.items()
            for result in by_year.values() if result.path in files}


def read_otherwise(old: Mapping[tuple, tuple], results: Iterable[Result]) -> tuple[list[Result], list[tuple]]:
    """Of results read again from results files, those read otherwise than before (`old`:
    `results_read_from` the files), and the `as_read` of those of `old` no longer read. Each
    result is compared with the one read from its file and line before (a line holds one result),
    not looked up by its whole `as_read` (hashing 20,000 of them took longer than reading them)."""
    at = {read[:2]: read for read in old}  # (path, line) -> as read
    if len(at) != len(old):  # (two results on one line: not as a results file is read)
        given = [(as_read(result), result) for result in results]
        now = {read for read, _ in given}
        return [result for read, result in given if read not in old], [read for read in old if read not in now]
    fresh, kept = [], set()
    for result in results:
        place = (result.path, result.line)
        before = at.get(place)
        if before is not None and before == as_read(result):
            kept.add(place)
        else:
            fresh.append(result)
    return fresh, [read for place, read in at.items() if place not in kept]


def _relinked_results(last: Model, documents: dict[str, Document], resolver, problems,
                      given: Iterable[Result] = (), files: frozenset[str] = frozenset(),
                      read_before: Mapping | None = None) -> tuple[Parted, frozenset[int]]:
    """The results of `last` linked to these documents, which differ from its own only by records
    that `keeps_results` allows, and the years with a result of a published document: only those
    of documents that are not the same records are linked again, and the parts of the others are
    kept as they are (read or not). `given`: the results of the results files `files` (by path),
    read again: they take the place of those read from them; those read as they were stay
    linked as they were (but for those of edited documents, as all of theirs). `read_before`:
    `results_read_from(last, files)`, when the caller has it."""
    edited = {doc_id for doc_id, doc in documents.items()
              if (before := last.documents.get(doc_id)) is not None and before is not doc}
    entries: dict[tuple[str, str], dict[int, Result]] = {}  # the keys whose entries change
    fresh = list(given)  # the results to link
    if files:
        old = results_read_from(last, files) if read_before is None else read_before
        fresh, gone = read_otherwise(old, fresh)  # (those kept of edited documents: linked again below)
        for read in gone:  # gone from its file, or read otherwise (then among `fresh`)
            key, result = old[read]
            entries.setdefault(key, dict(last.results[key])).pop(result.year, None)
    keys = [(doc_id, target.id) for doc_id in documents if doc_id in edited for target in last.documents[doc_id].targets]
    again = [result for key in keys for result in entries.get(key, last.results.get(key, {})).values()]
    linked = _link_results(again, documents, resolver, problems)
    entries.update((key, linked.get(key, {})) for key in keys)
    for key, by_year in _link_results(fresh, documents, resolver, problems).items():
        current = entries[key] if key in entries else dict(last.results.get(key, {}))
        for year, result in by_year.items():
            earlier = current.get(year)
            if earlier is not None:
                _given_twice(result, key[1], earlier, problems)
                continue
            current[year] = result
        entries[key] = current
    # A target whose results were read again as they were keeps them: its part of the saved state
    # is not pickled again, and the target is not taken as changed.
    changes = {key: by_year for key, by_year in entries.items() if not same_results(last.results.get(key), by_year)}
    results = last.results.updated({key: by_year for key, by_year in changes.items() if by_year},
                                   [key for key, by_year in changes.items() if not by_year])
    return results, _years_after(last, documents, results, changes) if files else last.result_years


def _years_after(last: Model, documents: dict[str, Document], results: Mapping,
                 changes: dict[tuple[str, str], dict]) -> frozenset[int]:
    """`_result_years` of `results`, which differ from those of `last` by `changes` (documents
    keep whether they are published: see `keeps_results`): all of them looked through only when
    a changed target lost a year it had."""
    lost, gained = set(), set()
    for key, by_year in changes.items():
        lost |= last.results.get(key, {}).keys() - by_year.keys()
        if documents[key[0]].published:
            gained |= by_year.keys()
    if lost - gained:
        return _result_years(documents, results)
    return last.result_years | gained


def same_results(old: dict | None, new: dict) -> bool:
    """Whether a target's results read again are those it had, written as they were (91 and 91.0
    are equal values, printed apart)."""
    return old is not None and old.keys() == new.keys() and \
        all(old[year] is new[year] or (old[year] == new[year] and str(old[year].value) == str(new[year].value))
            for year in old)


def _result_years(documents: dict[str, Document], results: Mapping) -> frozenset[int]:
    years: set[int] = set()
    for (doc_id, _), by_year in results.items():
        if documents[doc_id].published:
            years.update(by_year)
    return frozenset(years)


def _document_part(key) -> str:
    """The part of `Model.results` a key belongs to: its document's."""
    return key[0] if isinstance(key, tuple) and key else ""


def _own_part(key) -> str:
    """The part of `Model.bodies` a key belongs to: its own."""
    return key


def _result_fits(result: Result, doc: Document, target: Target, problems: Collector) -> bool:
    start, end = doc.term  # documents with targets always have a term
    if not start <= result.year <= end:
        problems.add(result.path, result.line, f"năm {result.year} nằm ngoài nhiệm kỳ {start}-{end} "
                                               f'của văn bản "{doc.id}"')
        return False
    if target.numeric and result.value is None:
        problems.add(result.path, result.line, f'chỉ tiêu "{target.id}" là chỉ tiêu định lượng: '
                                               "hãy ghi một con số, không ghi done/not-done")
        return False
    if not target.numeric and result.done is None:
        problems.add(result.path, result.line, f'chỉ tiêu "{target.id}" là chỉ tiêu định tính: '
                                               "chỉ ghi done (đã hoàn thành) hoặc not-done (chưa hoàn thành)")
        return False
    return True


def _checker(content: Content, documents, posts, orgs, tags, years: Iterable[int]) -> _LinkChecker:
    """The link checker of bodies: every page and file the linked content gives (`years`: those
    with a result of a published document)."""
    pages = _page_paths(documents, posts, orgs, tags)
    pages |= {urls.target_year(year) for year in years}
    unpublished = {urls.document(d.section, d.id) for d in documents.values() if not d.published}
    unpublished |= {urls.post(p.id) for p in content.posts if p.draft}
    return _LinkChecker(pages, unpublished, content.files, content.unread)


def body_checker(model: Model) -> _LinkChecker:
    """For incremental rebuilds: the checker `link` used for the bodies of `model`, made again from
    the linked model. `check(body, urls.SECTION_FOLDER[section], path, problems)` checks one body's
    links as `link` would (valid while the model's pages, files and unread content stay the same)."""
    return _checker(model.content, model.documents, model.posts, model.organisations, model.tags,
                    model.result_years)


def content_of(model: Model, items: dict[str, Document | Post], results: dict[str, tuple[Result, ...]],
               whole: bool = True, added: frozenset[str] = frozenset(), removed: frozenset[str] = frozenset(),
               order: Callable[[Document | Post], tuple] | None = None) -> Content | None:
    """The content `model` was linked from, with edited files' records in place of theirs: `items`,
    documents and posts by path; `results`, each results file's results by its path (not `whole`:
    only those, for `link` to keep the model's others). Results come in the order `link` is given
    them when the content is read: by file, then by line. `added`: the paths of `items` that are
    new files, put among the others by `order` (the key of their place in the content as it is
    read); `removed`: the paths of the model's documents and posts whose files are gone. None
    when an item's file is not one of the model's nor added, or a removed one is not the model's
    (`link` would then be given another content)."""
    by_file: dict[str, list[Result]] = {}
    if whole:
        for by_year in model.results.values():
            for result in by_year.values():
                by_file.setdefault(result.path, []).append(result)
        for found in by_file.values():
            found.sort(key=lambda result: result.line)
    by_file.update((path, list(found)) for path, found in results.items())
    kept = [item for item in model.content.documents + model.content.posts if item.path not in removed]
    if len(kept) + len(removed) != len(model.content.documents) + len(model.content.posts):
        return None
    replaced = {item.path for item in kept} & items.keys()
    if replaced & added or len(replaced) + len(added) != len(items):
        return None
    everything = [items.get(item.path, item) for item in kept]
    if added:
        if order is None:
            return None
        everything = sorted(everything + [items[path] for path in added], key=order)
    documents = tuple(item for item in everything if isinstance(item, Document))
    posts = tuple(item for item in everything if not isinstance(item, Document))
    ordered = tuple(result for path in sorted(by_file) for result in by_file[path])
    return replace(model.content, documents=documents, posts=posts, results=ordered)


def link(content: Content, problems: Collector, bodies: Mapping[str, Body] | None = None,
         last: Model | None = None, keep_results: bool = False, edited_results: frozenset[str] = frozenset(),
         read_before: Mapping | None = None) -> Model:
    """Resolve every reference; problems are collected, not raised.

    `bodies` may hold bodies already rendered (by `render_body`, keyed by `body_key`); `last`, a
    model linked without problems, whose bodies are those of the items `bodies` leaves out. With
    `keep_results`, the results are those of `last` (see `keeps_results`) but for those of the
    results files `edited_results` (paths), read again: `content` holds only theirs
    (`read_before`: `results_read_from(last, edited_results)`, when the caller has it)."""
    given = bodies
    orgs = _link_organisations(content, problems)
    documents = _check_ids(content, problems)
    resolver = _Resolver(documents, content.unread)
    relations = _relinked_relations(documents, resolver, orgs, content.unread, problems, last) if last else None
    outgoing, incoming = relations or _link_relations(documents, resolver, orgs, content.unread, problems)
    posts = {}
    for post in content.posts:
        if post.id in posts:
            problems.add(post.path, 1, f'mã bài viết "{post.id}" bị trùng')
        elif not post.draft:
            posts[post.id] = post
    post_documents, document_posts = {}, defaultdict(list)
    for post in posts.values():
        found = [d for d in (resolver.find(r, post.path, problems) for r in post.documents) if d]
        post_documents[post.id] = found
        for doc_id in found:
            document_posts[doc_id].append(post.id)
    tags = _link_tags(documents, posts, problems)
    _check_attachments(documents, content.files, problems)
    if last is not None and keep_results:
        results, years = _relinked_results(last, documents, resolver, problems, content.results, edited_results,
                                           read_before)
    else:
        linked = _link_results(content.results, documents, resolver, problems)
        results, years = Parted(linked, _document_part), _result_years(documents, linked)
    checker = _checker(content, documents, posts, orgs, tags, years)
    bodies = _bodies(documents, posts, given, checker, problems, last)
    # The results are the model's by target from here on: its content keeps none of them.
    return Model(replace(content, results=()), orgs, documents, posts, outgoing, incoming, post_documents,
                 dict(document_posts), tags, bodies, results, content.files, years)
