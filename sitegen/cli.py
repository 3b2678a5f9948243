"""Command line: build, check, serve, new. Exit 0 ok, 1 invalid content, 2 usage, 3 internal error.

Each command imports what it needs when it runs, so `--help` and an unchanged build start quickly."""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from . import scaffold
from .diagnostics import ContentError
from .progress import Progress

if TYPE_CHECKING:
    from .pipeline import Summary
    from .views import Settings

COMMANDS = ("build", "check")


def _common(project: Path) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--content", type=Path, default=project / "content", help="thư mục nội dung")
    common.add_argument("--out", type=Path, default=project / "site", help="thư mục kết quả")
    common.add_argument("--templates", type=Path, default=project / "templates", help=argparse.SUPPRESS)
    common.add_argument("--base-url", default="", help="địa chỉ gốc khi xuất bản (ghi đè site.yaml)")
    common.add_argument("--today", type=dt.date.fromisoformat, default=None,
                        help="ngày dùng để tính trạng thái chỉ tiêu, dạng NNNN-TT-NN (mặc định: hôm nay)")
    common.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    return common


def _parser(project: Path) -> argparse.ArgumentParser:
    common = _common(project)
    parser = argparse.ArgumentParser(prog="python build.py",
                                     description="Dựng trang web nghị quyết, chương trình và chỉ tiêu.")
    commands = parser.add_subparsers(dest="command", metavar="LỆNH")
    build_cmd = commands.add_parser("build", parents=[common], help="kiểm tra rồi dựng site/ (mặc định)")
    build_cmd.add_argument("--no-cache", action="store_true",
                           help="không dùng bộ nhớ đệm .cache/ (dựng lại mọi thứ từ đầu)")
    check_cmd = commands.add_parser("check", parents=[common], help="kiểm tra nội dung và liên kết, không ghi gì")
    check_cmd.add_argument("--external", action="store_true",
                           help="kiểm tra cả liên kết ra ngoài (cần mạng; không dùng trong CI)")
    scaffold.add_parser(commands, project)
    serve = commands.add_parser("serve", parents=[common], help="xem trước: dựng, phục vụ và tự dựng lại khi sửa")
    serve.add_argument("--port", type=int, default=8000, help="cổng (mặc định 8000; 0: cổng trống bất kỳ)")
    serve.add_argument("--host", default="127.0.0.1", help="địa chỉ lắng nghe (mặc định chỉ máy này: 127.0.0.1)")
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    from .views import Settings

    base_url = args.base_url.rstrip("/") + "/" if args.base_url else ""
    return Settings(current_year=(args.today or dt.date.today()).year, base_url=base_url)


def report(error: ContentError) -> int:
    """Print every diagnostic as `path:line: message`; return exit code 1."""
    for diagnostic in error.diagnostics:
        print(diagnostic, file=sys.stderr)
    print(f"Có {len(error.diagnostics)} lỗi trong nội dung; trang web chưa được cập nhật.", file=sys.stderr)
    return 1


def _check(args: argparse.Namespace) -> int:
    from . import linkcheck
    from .cache import FileCache, cache_folder
    from .history import load_history
    from .incremental import pending_site
    from .pipeline import check, published_files, render_site

    settings = settings_from(args)
    # From the last build into --out when it can: what changed since is rendered, the rest of the
    # pages read from the output (`check` writes nothing, so no cache or state is saved).
    site = pending_site(args.content, args.out, args.templates, settings)
    if site is not None:
        pages = linkcheck.scan_all(site.read, site.pages)
        names, model = site.names, site.model
    else:
        # Files unchanged since the last build into --out are read from its cache (read only).
        cached = cache_folder(args.out) / "front.pickle"
        model = check(args.content, settings.current_year, FileCache(cached) if cached.is_file() else None)
        history = load_history(args.content)  # as a build shows it (its section has an id)
        pages, others = render_site(model, args.templates, settings, linkcheck.scan, history)  # scanned where rendered
        names = set(pages) | others | set(published_files(model, args.content))
    broken = [str(b) for b in linkcheck.check_pages(pages, names)]
    if args.external:
        found = linkcheck.external_links(pages)
        broken += [f"{found[url][0]}: liên kết ngoài {url} {problem}"
                   for url, problem in linkcheck.check_external(list(found)).items()]
    for line in broken:
        print(line, file=sys.stderr)
    if broken:
        print(f"Có {len(broken)} liên kết hỏng.", file=sys.stderr)
        return 1
    docs = model.published()
    print(f"Nội dung hợp lệ: {len(docs)} văn bản, {sum(len(d.targets) for d in docs)} chỉ tiêu; "
          "mọi liên kết nội bộ đều đúng.")
    return 0


def _build(args: argparse.Namespace) -> int:
    from .incremental import build
    from .pipeline import STAGES

    with Progress(STAGES) as progress:
        summary = build(args.content, args.out, args.templates, settings_from(args),
                        use_cache=not args.no_cache, on_stage=progress.stage_done)
    print(summary_line(summary, args.out, every_stage=os.environ.get(EVERY_STAGE) == "1"))
    return 0


EVERY_STAGE = "SITEGEN_EVERY_STAGE"  # "1": the summary line names every stage (for benchmarks)


def summary_line(summary: Summary, out: Path, every_stage: bool = False) -> str:
    """The line a build ends with: what it made, in how long, and its two slowest stages (with
    `every_stage`, all of them)."""
    if summary.unchanged:
        return (f"Không có gì thay đổi: {summary.documents} văn bản, {summary.targets} chỉ tiêu, {summary.pages} "
                f"trang giữ nguyên (kiểm tra trong {summary.seconds:.2f} giây) → {out}")
    slowest = sorted(summary.stages.items(), key=lambda kv: kv[1], reverse=True)[:None if every_stage else 2]
    stages = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in slowest)
    if summary.rendered is not None:
        return (f"Đã dựng lại {summary.rendered} trang, ghi {summary.written} tệp (trang web có {summary.documents} "
                f"văn bản, {summary.targets} chỉ tiêu, {summary.pages} trang) trong {summary.seconds:.2f} giây "
                f"({stages}) → {out}")
    return (f"Đã dựng {summary.documents} văn bản, {summary.targets} chỉ tiêu, {summary.pages} trang "
            f"trong {summary.seconds:.2f} giây ({stages}) → {out}")


HANDLERS = {"build": _build, "check": _check}
HANDLERS["new"] = scaffold.run


def _serve(args: argparse.Namespace) -> int:
    from .incremental import preview_builder
    from .serve import serve

    def start():
        return preview_builder(args.content, args.out, args.templates, settings_from(args))

    return serve(start, args.host, args.port, [args.content, args.templates])


HANDLERS["serve"] = _serve


def _file_error(error: OSError, args: argparse.Namespace) -> int:
    """A file that could not be read or written; a page template that is missing is named as such."""
    import jinja2

    if isinstance(error, jinja2.TemplateNotFound):
        from .render import missing_template

        folder = getattr(args, "templates", None) or Path("templates")
        print(f"{missing_template(folder, error)}; trang web chưa được cập nhật.", file=sys.stderr)
    else:
        print(f"{error.filename or ''}: không đọc hoặc ghi được tệp ({error.strerror})", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None, project: Path | None = None) -> int:
    project = project or Path.cwd()
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv.insert(0, "build")
    args = _parser(project).parse_args(argv)
    try:
        return HANDLERS[args.command](args)
    except ContentError as error:
        return report(error)
    except KeyboardInterrupt:
        print("Đã dừng; trang web cũ được giữ nguyên.", file=sys.stderr)
        return 130
    except OSError as error:
        return _file_error(error, args)
    except Exception as error:  # a defect in the generator, not in the content
        if args.debug:
            raise
        print(f"Lỗi nội bộ của chương trình ({type(error).__name__}: {error}). Trang web chưa được cập nhật; "
              "chạy lại với --debug để xem chi tiết và báo cho nhóm phát triển.", file=sys.stderr)
        return 3
