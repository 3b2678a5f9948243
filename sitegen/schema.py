"""Field definitions: the one source of truth for validation, JSON Schemas and templates."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # text | date | day | bool | ref | refs | words | enum | term | year | url | attachments | targets | goal | results
    required: bool = False
    help: str = ""  # Vietnamese, for editors
    choices: tuple[str, ...] = ()
    default: object = None


SITE = (
    Field("title", "text", True, "Tên trang web"),
    Field("description", "text", False, "Mô tả ngắn, hiện khi chia sẻ liên kết"),
    Field("base_url", "url", False, "Địa chỉ gốc khi xuất bản, ví dụ https://example.org/vanban/"),
    Field("language", "enum", False, "Ngôn ngữ của trang", ("vi",), "vi"),
)

ORGANISATION = (
    Field("id", "slug", True, "Mã cơ quan: chữ thường không dấu, số và dấu -"),
    Field("name", "text", True, "Tên đầy đủ của cơ quan ban hành"),
    Field("short", "text", False, "Tên viết tắt"),
    Field("parent", "ref", False, "Mã cơ quan cấp trên"),
)

STATUSES = ("in-force", "partly-expired", "expired")
PERIODS = ("annual", "term")

DOCUMENT = (
    Field("number", "text", False, "Số ký hiệu, ghi đúng như trên văn bản (ví dụ 58-NQ/TW)"),
    Field("title", "text", True, "Trích yếu nội dung"),
    Field("kind", "text", False, "Loại văn bản (Nghị quyết, Chỉ thị, Chương trình hành động, Kế hoạch…)"),
    Field("issuer", "ref", True, "Mã cơ quan ban hành trong organisations.yaml"),
    Field("issued", "day", True, "Ngày ban hành, dạng NNNN-TT-NN; nếu chỉ biết tháng hoặc năm: NNNN-TT hoặc NNNN"),
    Field("place", "text", False, "Địa danh"),
    Field("signer", "text", False, "Người ký, kèm chức vụ"),
    Field("effective", "date", False, "Ngày có hiệu lực"),
    Field("expires", "date", False, "Ngày hết hiệu lực"),
    Field("status", "enum", False, "Tình trạng hiệu lực", STATUSES, "in-force"),
    Field("term", "term", False, "Nhiệm kỳ hoặc giai đoạn mà các chỉ tiêu bao trùm, dạng 2020-2025"),
    Field("implements", "refs", False, "Các văn bản mà văn bản này thực hiện (mã hoặc số ký hiệu)"),
    Field("based_on", "refs", False, "Căn cứ ban hành"),
    Field("guides", "refs", False, "Các văn bản được hướng dẫn"),
    Field("amends", "refs", False, "Các văn bản được sửa đổi, bổ sung"),
    Field("replaces", "refs", False, "Các văn bản bị thay thế"),
    Field("repeals", "refs", False, "Các văn bản bị bãi bỏ"),
    Field("tags", "words", False, "Chủ đề"),
    Field("restricted", "bool", False, "true nếu văn bản mật hoặc lưu hành nội bộ: không bao giờ được xuất bản", default=False),
    Field("draft", "bool", False, "true nếu là bản nháp: không xuất bản", default=False),
    Field("attachments", "attachments", False, "Tệp đính kèm"),
    Field("targets", "targets", False, "Các chỉ tiêu của văn bản"),
)

ATTACHMENT = (
    Field("file", "text", True, "Đường dẫn tệp, bắt đầu bằng files/"),
    Field("title", "text", False, "Tên hiển thị của tệp"),
)

TARGET = (
    Field("id", "slug", True, "Mã chỉ tiêu, duy nhất trong văn bản: chữ thường không dấu, số và dấu -"),
    Field("text", "text", True, "Nội dung chỉ tiêu"),
    Field("group", "text", False, "Nhóm chỉ tiêu"),
    Field("goal", "goal", False, 'Mục tiêu: "= N", ">= N", "> N", "<= N" hoặc "< N"; bỏ trống nếu là chỉ tiêu định tính'),
    Field("unit", "text", False, "Đơn vị tính; dùng % cho tỷ lệ phần trăm"),
    Field("period", "enum", False, "annual: đạt mỗi năm; term: đạt vào cuối nhiệm kỳ", PERIODS, "term"),
)

POST = (
    Field("title", "text", True, "Tiêu đề bài viết"),
    Field("date", "day", True, "Ngày đăng, dạng NNNN-TT-NN; nếu chỉ biết tháng hoặc năm: NNNN-TT hoặc NNNN"),
    Field("author", "text", False, "Tác giả"),
    Field("source", "url", False, "Địa chỉ bài gốc"),
    Field("documents", "refs", False, "Các văn bản mà bài viết đề cập (mã hoặc số ký hiệu)"),
    Field("tags", "words", False, "Chủ đề"),
    Field("draft", "bool", False, "true nếu là bản nháp: không xuất bản", default=False),
)

RESULTS = (
    Field("year", "year", True, "Năm báo cáo; phải trùng với tên tệp"),
    Field("source", "text", False, "Nguồn số liệu, hiện cùng mọi giá trị trong tệp"),
    Field("results", "results", True, "Kết quả theo văn bản, rồi theo mã chỉ tiêu"),
)

RESULT_VALUE = (
    Field("value", "value", True, "Giá trị: số, hoặc done / not-done với chỉ tiêu định tính"),
    Field("note", "text", False, "Ghi chú"),
    Field("source", "text", False, "Nguồn số liệu riêng cho giá trị này"),
)

DEFAULT_KIND = {"resolution": "Nghị quyết", "programme": "Chương trình hành động"}
