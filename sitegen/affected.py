"""Which pages a change touches: the dependency rules behind incremental rebuilds.

A document's page shows its relations (both ways), its implementation chain up and
down, the posts about it, its organisation and tags; lists, dashboards and the home
page show every document. So a changed document re-renders exactly those pages.
"""
from __future__ import annotations

from dataclasses import replace

from .link import Model
from .model import RELATIONS
from .text import slugify

GLOBAL_SPECS = [("home", ""), ("organisations", ""), ("tags", ""), ("section", "resolution"),
                ("section", "programme"), ("posts", ""), ("dashboard", ""), ("years", ""), ("search", "")]


def _chain(model: Model, doc_id: str) -> set[str]:
    """Every document above and below `doc_id` in its implementation chain."""
    found: set[str] = set()
    for direction in (model.outgoing, model.incoming):
        queue = list(direction.get(doc_id, {}).get("implements", []))
        while queue:
            current = queue.pop()
            if current not in found:
                found.add(current)
                queue.extend(direction.get(current, {}).get("implements", []))
    return found


def _document_neighbours(model: Model, doc_id: str) -> set[tuple[str, str]]:
    if doc_id not in model.documents:
        return set()
    specs = {("document", doc_id)}
    for relation in RELATIONS:
        for other in model.outgoing[doc_id][relation] + model.incoming[doc_id][relation]:
            specs.add(("document", other))
    specs |= {("document", d) for d in _chain(model, doc_id)}
    specs |= {("post", p) for p in model.document_posts.get(doc_id, [])}
    doc = model.documents[doc_id]
    specs.add(("organisation", doc.issuer.value))
    specs |= {("tag", slugify(name)) for name in doc.tags}
    return specs


def _own_pages(model: Model, doc_id: str) -> set[tuple[str, str]]:
    """A document's own page and the lists it is on by its own fields (its issuer's, its tags')."""
    doc = model.documents[doc_id]
    return {("document", doc_id), ("organisation", doc.issuer.value)} | {("tag", slugify(name)) for name in doc.tags}


def _post_neighbours(model: Model, post_id: str) -> set[tuple[str, str]]:
    if post_id not in model.posts:
        return set()
    specs = {("post", post_id)}
    specs |= {("document", d) for d in model.post_documents.get(post_id, [])}
    specs |= {("tag", slugify(name)) for name in model.posts[post_id].tags}
    return specs


def changed_items(old: Model, new: Model) -> tuple[set[str], set[str]]:
    """Document and post ids whose content, body or results differ between two models."""
    results_docs = {key[0] for key in old.results.changed_keys(new.results)}
    docs = {d for d in set(old.documents) | set(new.documents)
            if d in results_docs or _differ(old.documents.get(d), new.documents.get(d))
            or (d in new.documents and _body_differs(old, new, f"{new.documents[d].section}:{d}"))}
    posts = {p for p in set(old.posts) | set(new.posts)
             if _differ(old.posts.get(p), new.posts.get(p)) or _body_differs(old, new, f"post:{p}")}
    return docs, posts


def _differ(old, new) -> bool:
    return old is not new and old != new


def _body_differs(old: Model, new: Model, key: str) -> bool:
    """Whether a body differs between two models (read only when they may hold different ones;
    not at all when they hold the same bodies, as after an edit of no body)."""
    return old.bodies is not new.bodies and not old.bodies.holds_same(new.bodies, key) and \
        old.bodies.get(key) != new.bodies.get(key)


def _own_page_only(old: Model, new: Model, doc_id: str) -> bool:
    """True when a published document kept every field but those only its own page shows (its
    body and tags): the pages of the documents and posts around it show it as they did."""
    before, after = old.documents.get(doc_id), new.documents.get(doc_id)
    return before is not None and after is not None and before.published and after.published and \
        replace(before, body="", body_line=0, tags=()) == replace(after, body="", body_line=0, tags=())


def _same_but_body(old: Model, new: Model, doc_id: str) -> bool:
    """True when a published document kept every field and heading (its body text may differ)."""
    before, after = old.documents.get(doc_id), new.documents.get(doc_id)
    return before is not None and after is not None and after.published and \
        replace(before, body="") == replace(after, body="")


def _renamed_tags(old: Model, new: Model) -> set[tuple[str, str]]:
    """The pages of every item carrying a tag whose shown name changed (it is the first of its
    spellings: one document's spelling can rename the tag on every page that shows it)."""
    specs: set[tuple[str, str]] = set()
    for slug in set(old.tags) | set(new.tags):
        before, after = old.tags.get(slug), new.tags.get(slug)
        if before is not None and after is not None and before.name == after.name:
            continue
        for tag in (before, after):
            if tag is not None:
                specs |= {("document", d) for d in tag.documents} | {("post", p) for p in tag.posts}
                specs.add(("tag", slug))
    return specs


def affected_specs(old: Model | None, new: Model, changed: tuple[set[str], set[str]] | None = None
                   ) -> set[tuple[str, str]] | None:
    """Page specs to render again after a change; None means every page. `changed`:
    `changed_items(old, new)`, when worked out already."""
    if old is None or old.site != new.site or old.organisations != new.organisations or old.files != new.files:
        return None
    docs, posts = changed or changed_items(old, new)
    if not docs and not posts:
        return set()
    revalued = {key[0] for key in old.results.changed_keys(new.results)}
    # Only bodies changed, and no result: only their own pages show them (lists and dashboards show
    # fields and results).
    if not posts and revalued.isdisjoint(docs) and all(_same_but_body(old, new, d) for d in docs):
        return {("document", d) for d in docs}
    specs = set(GLOBAL_SPECS) | _renamed_tags(old, new)
    own = {d for d in docs if d not in revalued and _own_page_only(old, new, d)}
    for model in (old, new):
        for doc_id in docs:
            specs |= _document_neighbours(model, doc_id) if doc_id not in own else _own_pages(model, doc_id)
        for post_id in posts:
            specs |= _post_neighbours(model, post_id)
    return specs



def shown_fields_specs(model: Model, doc_ids: set[str], listed: dict[str, set[tuple[tuple[str, str], str]]],
                       filters: bool) -> tuple[set[tuple[str, str]], dict[tuple[str, str], set[str]]]:
    """The pages to render again after documents changed only fields shown as written (no order,
    count or status changed): each one's own page and its neighbours' (`_document_neighbours`), the
    home page, the search page when a kind or status changed (`filters`: its filters list them),
    and of the lists, dashboard and year pages only those that show it (`listed`:
    `Views.listed_on`). Returns the specs, and for the specs rendered in part, the paths of their
    pages to render."""
    specs = {("home", "")} | ({("search", "")} if filters else set())
    for doc_id in doc_ids:
        specs |= {spec for spec in _document_neighbours(model, doc_id) if spec[0] in ("document", "post")}
    only = _listing(doc_ids, listed, lambda spec: True)
    return specs | set(only), only


def _listing(doc_ids: set[str], listed: dict[str, set[tuple[tuple[str, str], str]]], kept
             ) -> dict[tuple[str, str], set[str]]:
    """The list pages showing these documents (`listed`: `Views.listed_on`) whose spec is `kept`:
    spec -> their paths."""
    only: dict[tuple[str, str], set[str]] = {}
    for doc_id in doc_ids:
        for spec, path in listed.get(doc_id, ()):
            if kept(spec):
                only.setdefault(spec, set()).add(path)
    return only


def row_changed(old, new, docs: set[str]) -> set[str]:
    """Of the changed documents `docs`, those whose target rows (dashboard, year pages) differ
    between the views `old` and `new`. A row shows its document's link (`Views.ref`), its target,
    and the results and status of the target: a document whose tags or relations alone changed
    shows the same rows."""
    before, after = old.model, new.model
    revalued = {key[0] for key in before.results.changed_keys(after.results)}
    return {d for d in docs if d in revalued or not _same_rows(old, new, d)}


def _same_rows(old, new, doc_id: str) -> bool:
    """Whether a document's rows are as they were: its link (`_same_ref`), targets and term."""
    if not _same_ref(old, new, doc_id):
        return False
    before, after = old.model.documents.get(doc_id), new.model.documents.get(doc_id)
    return before is None or not before.published or (before.targets == after.targets and before.term == after.term)


def _same_ref(old, new, doc_id: str) -> bool:
    """Whether a document is shown in lists as it was (`Views.ref`): published in both views with
    the same link, heading, title, date and issuer, or in neither."""
    before, after = old.model.documents.get(doc_id), new.model.documents.get(doc_id)
    shown = [doc is not None and doc.published for doc in (before, after)]
    if not all(shown):
        return not any(shown)
    return old.ref(doc_id) == new.ref(doc_id)


def changed_row_pages(old, new, docs: set[str], specs: set[tuple[str, str]]
                      ) -> tuple[dict[tuple[str, str], set[str]], dict[str, tuple[tuple[str, str], list, list]]]:
    """Of the dashboard and year pages (`specs`: those of ("dashboard", "") and ("years", "") to
    look at), those to render again after a change whose changed documents are `docs`
    (`changed_items`), between the views `old` and `new`; and those whose counts alone changed.

    A page whose rows are the same targets, none of a changed document, under the same pager, the
    same total and years, is not rendered: when its counts are the same it is left as it is, else
    it is given as path -> (its spec, its counts before, after), for the counts to be written in. A spec
    whose pages are not the same paths as before is left out: every page of it is rendered.
    Returns (spec -> the paths to render, the pages to write the counts in)."""
    old_layout, new_layout = old.row_layout(), new.row_layout()
    # With every document's rows where they were, a row is the same target at the same place: places
    # are compared as they are, and a changed document's rows are known by their places.
    placed = old_layout.docs == new_layout.docs and old_layout.starts == new_layout.starts
    touched: set[int] = set()
    if placed:
        firsts = new_layout.doc_starts()
        ends = dict(zip(new_layout.docs, new_layout.starts[1:] + [new_layout.total]))
        touched = {i for d in docs if d in firsts for i in range(firsts[d], ends[d])}

    owners = {} if placed else {id(layout): layout.owners() for layout in (old_layout, new_layout)}

    def rows_of(layout, chunk) -> list:
        if placed:
            return list(chunk)
        rows = owners[id(layout)]
        return [rows[i] for i in chunk]

    def shows_changed(chunk, rows) -> bool:
        return not touched.isdisjoint(chunk) if placed else any(d in docs for d, _ in rows)

    only: dict[tuple[str, str], set[str]] = {}
    recount: dict[str, tuple[tuple[str, str], list, list]] = {}
    for spec in sorted(specs):
        if spec == ("dashboard", ""):
            before, after = old.dashboard_chunks(), new.dashboard_chunks()
            # the pages of every target show the total, the counts and the years (those of a status: none)
            frame = (old_layout.total, sorted(old_layout.years)) == (new_layout.total, sorted(new_layout.years))
            counts = {"": (old_layout.counts, new_layout.counts)}
        elif spec == ("years", ""):
            before, after = (((url, chunk, pager, year) for year, url, chunk, pager in views.year_chunks())
                             for views in (old, new))
            frame = sorted(old_layout.years) == sorted(new_layout.years)  # every year page links the others
            counts = {year: (old_layout.year_counts.get(year), shown) for year, shown in new_layout.year_counts.items()}
        else:
            continue
        pages = {url: (pager, rows_of(old_layout, chunk)) for url, chunk, pager, _ in before}
        paths: set[str] = set()
        kept_counts: dict[str, tuple[tuple[str, str], list, list]] = {}
        for url, chunk, pager, key in after:
            if url not in pages:
                break  # a page more than before
            rows = rows_of(new_layout, chunk)
            if pages.pop(url) != (pager, rows) or (key in counts and not frame) or shows_changed(chunk, rows):
                paths.add(url)
            elif key in counts and counts[key][0] != counts[key][1]:
                kept_counts[url] = (spec, *counts[key])
        else:
            if not pages:  # (else a page less than before)
                only[spec] = paths
                recount.update(kept_counts)
    return only, recount


def changed_list_pages(old, new, changed: tuple[set[str], set[str]], specs: list[tuple[str, str]]
                       ) -> dict[tuple[str, str], set[str]]:
    """Of the list pages of `specs` (sections, organisations, tags), those to render again after a
    change (`changed`: `changed_items`), between the views `old` and `new`: a page that lists the
    same documents and posts under the same pager, none of them changed, is left as it is. A spec
    whose pages are not the same paths as before is left out: every page of it is rendered.
    Returns spec -> the paths to render."""
    edited = {("doc", d) for d in changed[0] if not _same_ref(old, new, d)} | {("post", p) for p in changed[1]}
    only: dict[tuple[str, str], set[str]] = {}
    for spec in specs:
        before, after = old.list_chunks(spec), new.list_chunks(spec)
        if before is None or after is None or [url for url, *_ in before] != [url for url, *_ in after]:
            continue
        only[spec] = {url for (url, listed, pager), (_, was, pager_was) in zip(after, before)
                      if listed != was or pager != pager_was or not edited.isdisjoint(listed)}
    return only


def revalued_specs(model: Model, doc_ids: set[str], listed: dict[str, set[tuple[tuple[str, str], str]]]
                   ) -> tuple[set[tuple[str, str]], dict[tuple[str, str], set[str]]]:
    """The pages to render again after results of documents changed in place (no status, count or
    row moved): each one's own page and those of the documents above and below it (their pages show
    its target table), and the dashboard and year pages with its rows (`listed`:
    `Views.listed_on`). Returns the specs, and for those rendered in part, the paths to render."""
    specs = {("document", d) for doc_id in doc_ids for d in _chain(model, doc_id) | {doc_id}
             if model.documents[d].published}
    only = _listing(doc_ids, listed, lambda spec: spec in (("dashboard", ""), ("years", "")))
    return specs | set(only), only
