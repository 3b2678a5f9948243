"""Command line: build, check (and later serve, new). Exit 0 ok, 1 invalid content, 2 usage."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from .diagnostics import ContentError
from .pipeline import build, check
from .views import Settings


def _parser(project: Path) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python build.py",
                                     description="Dựng trang web nghị quyết, chương trình và chỉ tiêu.")
    parser.add_argument("command", nargs="?", default="build", choices=["build", "check"],
                        help="build (mặc định): kiểm tra rồi dựng site/; check: chỉ kiểm tra")
    parser.add_argument("--content", type=Path, default=project / "content", help="thư mục nội dung")
    parser.add_argument("--out", type=Path, default=project / "site", help="thư mục kết quả")
    parser.add_argument("--templates", type=Path, default=project / "templates", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", default="", help="địa chỉ gốc khi xuất bản (ghi đè site.yaml)")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None,
                        help="ngày dùng để tính trạng thái chỉ tiêu, dạng NNNN-TT-NN (mặc định: hôm nay)")
    parser.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    return parser


def _report(error: ContentError) -> int:
    for diagnostic in error.diagnostics:
        print(diagnostic, file=sys.stderr)
    count = len(error.diagnostics)
    print(f"Có {count} lỗi trong nội dung; trang web chưa được cập nhật.", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None, project: Path | None = None) -> int:
    project = project or Path.cwd()
    args = _parser(project).parse_args(argv)
    base_url = args.base_url.rstrip("/") + "/" if args.base_url else ""
    settings = Settings(current_year=(args.today or dt.date.today()).year, base_url=base_url)
    try:
        if args.command == "check":
            model = check(args.content)
            docs = model.published()
            print(f"Nội dung hợp lệ: {len(docs)} văn bản, {sum(len(d.targets) for d in docs)} chỉ tiêu.")
            return 0
        summary = build(args.content, args.out, args.templates, settings)
    except ContentError as error:
        return _report(error)
    except OSError as error:
        print(f"{error.filename or ''}: không đọc hoặc ghi được tệp ({error.strerror})", file=sys.stderr)
        return 1
    except Exception as error:  # a defect in the generator, not in the content
        if args.debug:
            raise
        print(f"Lỗi nội bộ của chương trình ({type(error).__name__}: {error}). Trang web chưa được cập nhật; "
              "chạy lại với --debug để xem chi tiết và báo cho nhóm phát triển.", file=sys.stderr)
        return 3
    slowest = sorted(summary.stages.items(), key=lambda kv: kv[1], reverse=True)[:2]
    stages = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in slowest)
    print(f"Đã dựng {summary.documents} văn bản, {summary.targets} chỉ tiêu, {summary.pages} trang "
          f"trong {summary.seconds:.2f} giây ({stages}) → {args.out}")
    return 0
