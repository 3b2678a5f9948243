"""Site paths for every kind of page, in unaccented Vietnamese."""
from __future__ import annotations

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
