"""Site paths for every kind of page, in unaccented Vietnamese."""
from __future__ import annotations

import posixpath
from urllib.parse import unquote, urlsplit

SECTION_PATH = {"resolution": "nghi-quyet", "programme": "chuong-trinh", "post": "tin-tuc"}

HOME = "/"
RESOLUTIONS = "/nghi-quyet/"
PROGRAMMES = "/chuong-trinh/"
POSTS = "/tin-tuc/"
ORGANISATIONS = "/co-quan/"
TAGS = "/chu-de/"
TARGETS = "/chi-tieu/"
METHOD = "/chi-tieu/cach-tinh/"
SEARCH = "/tim-kiem/"
DATA = "/du-lieu/"


def document(section: str, doc_id: str) -> str:
    return f"/{SECTION_PATH[section]}/{doc_id}/"


def post(post_id: str) -> str:
    return f"/tin-tuc/{post_id}/"


def organisation(org_id: str) -> str:
    return f"/co-quan/{org_id}/"


def tag(slug: str) -> str:
    return f"/chu-de/{slug}/"


def target_year(year: int) -> str:
    return f"/chi-tieu/{year}/"


def relative(target: str, page: str) -> str:
    """Link from page path `page` to site path `target`, without assuming the domain root."""
    depth = page.strip("/").count("/") + 1 if page.strip("/") else 0
    if page.endswith(".html") or page.endswith(".xml"):
        depth -= 1
    prefix = "../" * depth
    rel = prefix + target.lstrip("/")
    return rel or "./"


def output_file(path: str) -> str:
    """File name inside site/ for a site path."""
    return path.lstrip("/") + "index.html" if path.endswith("/") else path.lstrip("/")


SOURCE_FOLDERS = {"resolutions": "resolution", "programmes": "programme", "posts": "post"}
SECTION_FOLDER = {section: folder for folder, section in SOURCE_FOLDERS.items()}
SAFE_SCHEMES = ("http", "https", "mailto", "tel")


def site_path(raw: str, source_dir: str) -> str | None:
    """The site path a body link means: '/x/' as written, 'other.md' as that file's page,
    'files/...' as an attachment; None when it means nothing on the site."""
    if raw.startswith("/"):
        return raw if raw.endswith("/") or "." in raw.rsplit("/", 1)[-1] else raw + "/"
    joined = posixpath.normpath(posixpath.join(source_dir, raw))
    if joined.startswith(".."):
        return None
    if joined.endswith(".md"):  # a link to another source file: its page
        folder, _, name = joined.rpartition("/")
        section = SOURCE_FOLDERS.get(folder)
        return (document(section, name[:-3]) if section != "post" else post(name[:-3])) if section else None
    if joined.startswith("files/"):
        return "/" + joined
    return None


def rewrite(href: str, source_dir: str) -> str:
    """A body link as written in a page two folders deep ('../../nghi-quyet/x/').

    Purely syntactic; whether the target exists is checked by the link stage."""
    parts = urlsplit(href)
    if parts.scheme or href.startswith("//"):
        return href if parts.scheme in SAFE_SCHEMES else "#"
    if not parts.path:
        return href
    target = site_path(unquote(parts.path), source_dir)
    if target is None:
        return "#"
    return "../.." + target + (f"#{parts.fragment}" if parts.fragment else "")
