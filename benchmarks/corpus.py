"""A deterministic benchmark corpus in the site's content format.

    python3 benchmarks/corpus.py N OUTDIR [--seed S]

or, from Python, ``generate(n, out, seed=0)``. The same N and seed give a byte-identical
tree (on the same Python version), so everyone measures the same thing.

N is the number of documents: about 20% resolutions (nghị quyết), 60% programmes and
plans (chương trình hành động, kế hoạch) and 20% other kinds (chỉ thị, kết luận, quy
định, hướng dẫn, đề án); posts add about 10% of N. Bodies are 4-8 KB of Vietnamese
Markdown composed from phrase banks; documents form implementation chains
(resolution -> programme -> unit plans), every programme and plan has 5-10 targets and a
term, and results/<year>.yaml report values that are met, not met or missing.
The text is synthetic: realistic in shape, not in fact.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
import sys
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

MARKER = ".benchmark-corpus"
TODAY = dt.date(2026, 6, 30)
LAST_ISSUE = dt.date(2026, 6, 25)
LAST_RESULT_YEAR = 2025
OUR_ENTRIES = ("site.yaml", "organisations.yaml", "resolutions", "programmes", "posts", "results", "files")

# --------------------------------------------------------------------------------------
# Banks of names and phrases
# --------------------------------------------------------------------------------------

PROVINCES = [
    ("Thanh Hóa", ["Thọ Xuân", "Đông Sơn", "Quảng Xương", "Hoằng Hóa", "Nga Sơn", "Triệu Sơn", "Yên Định", "Ngọc Lặc"]),
    ("Nghệ An", ["Diễn Châu", "Quỳnh Lưu", "Nghi Lộc", "Hưng Nguyên", "Nam Đàn", "Thanh Chương", "Đô Lương"]),
    ("Hà Tĩnh", ["Can Lộc", "Đức Thọ", "Hương Sơn", "Thạch Hà", "Cẩm Xuyên", "Nghi Xuân", "Lộc Hà"]),
    ("Nam Định", ["Hải Hậu", "Giao Thủy", "Xuân Trường", "Ý Yên", "Nghĩa Hưng", "Trực Ninh", "Vụ Bản"]),
    ("Thái Bình", ["Đông Hưng", "Hưng Hà", "Kiến Xương", "Quỳnh Phụ", "Thái Thụy", "Tiền Hải", "Vũ Thư"]),
    ("Bắc Giang", ["Lục Nam", "Lục Ngạn", "Yên Thế", "Tân Yên", "Lạng Giang", "Hiệp Hòa", "Yên Dũng"]),
    ("Quảng Bình", ["Bố Trạch", "Quảng Trạch", "Lệ Thủy", "Quảng Ninh", "Tuyên Hóa", "Minh Hóa"]),
    ("Phú Thọ", ["Lâm Thao", "Phù Ninh", "Thanh Ba", "Cẩm Khê", "Hạ Hòa", "Tam Nông", "Thanh Sơn"]),
    ("Bình Định", ["Phù Cát", "Phù Mỹ", "Hoài Ân", "Tây Sơn", "Tuy Phước", "Vĩnh Thạnh", "An Lão"]),
    ("Quảng Nam", ["Duy Xuyên", "Thăng Bình", "Núi Thành", "Đại Lộc", "Quế Sơn", "Tiên Phước"]),
    ("An Giang", ["Châu Phú", "Chợ Mới", "Phú Tân", "Thoại Sơn", "Tri Tôn", "Tịnh Biên"]),
    ("Lào Cai", ["Bát Xát", "Bảo Thắng", "Bảo Yên", "Bắc Hà", "Mường Khương", "Văn Bàn", "Si Ma Cai"]),
    ("Đắk Lắk", ["Krông Pắc", "Ea Kar", "Krông Năng", "Buôn Đôn", "Lắk", "Krông Bông"]),
]

COMMUNES = ["Tân Phong", "Quang Trung", "Hòa Bình", "Đồng Tiến", "Minh Khai", "Thống Nhất", "Tân Lập",
            "Đông Hòa", "Xuân Phú", "Hưng Đạo", "Nghĩa Trung", "Hồng Phong", "Thanh Sơn", "Yên Lạc",
            "Phú Lộc", "An Bình", "Tiến Thắng", "Quyết Thắng", "Bình Minh", "Liên Hòa", "Trung Thành",
            "Tân Tiến", "Đại Đồng", "Vĩnh Hòa", "Hợp Thành", "Cẩm Tú", "Đức Hòa", "Phúc Lợi"]

UNITS = ["Sở Tài chính", "Sở Kế hoạch và Đầu tư", "Sở Giáo dục và Đào tạo", "Sở Y tế",
         "Sở Nông nghiệp và Phát triển nông thôn", "Sở Giao thông vận tải", "Sở Tài nguyên và Môi trường",
         "Sở Văn hóa, Thể thao và Du lịch", "Bệnh viện Đa khoa tỉnh", "Cục Thuế tỉnh", "Kho bạc Nhà nước tỉnh",
         "Bảo hiểm xã hội tỉnh", "Công ty Điện lực", "Bưu điện tỉnh", "Công ty Cổ phần Cấp nước",
         "Trường Cao đẳng Y tế", "Ngân hàng Nông nghiệp và Phát triển nông thôn chi nhánh tỉnh",
         "Công ty Cổ phần Môi trường và Công trình đô thị", "Đài Phát thanh và Truyền hình tỉnh"]

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
          "Dương", "Lý", "Trịnh", "Đinh", "Lương", "Mai", "Cao"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Hữu", "Quang", "Thanh", "Ngọc", "Xuân", "Hồng", "Đình", "Công",
          "Thu", "Kim", "Anh"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hùng", "Hương", "Lan", "Long", "Mai", "Nam", "Phong",
         "Quân", "Sơn", "Thắng", "Thủy", "Trung", "Tuấn", "Việt", "Yến", "Hạnh", "Khánh", "Linh", "Nga",
         "Phương", "Quyết", "Tâm", "Thảo", "Vinh"]
POSITIONS = ["Bí thư", "Phó Bí thư Thường trực", "Phó Bí thư", "Ủy viên Ban Thường vụ"]
SIGNERS = {  # who signs for an organisation of this role or level
    "central": ["Tổng Bí thư", "Thường trực Ban Bí thư"], "hdnd": ["Chủ tịch", "Phó Chủ tịch"],
    "ubnd": ["Chủ tịch", "Phó Chủ tịch"], "tuyengiao": ["Trưởng ban", "Phó Trưởng ban"],
    "tochuc": ["Trưởng ban", "Phó Trưởng ban"],
}

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV",
         "XVI", "XVII", "XVIII", "XIX", "XX", "XXI", "XXII", "XXIII", "XXIV", "XXV", "XXVI"]

# (phrase as it follows "Về", tags)
TOPICS = [
    ("tiếp tục xây dựng và chỉnh đốn Đảng, hệ thống chính trị trong sạch, vững mạnh", ["Xây dựng Đảng", "Chỉnh đốn Đảng"]),
    ("đẩy mạnh chuyển đổi số trong các cơ quan đảng, chính quyền và đoàn thể", ["Chuyển đổi số", "Cải cách hành chính"]),
    ("đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số", ["Khoa học, công nghệ", "Chuyển đổi số"]),
    ("phát triển kinh tế tư nhân", ["Kinh tế tư nhân", "Doanh nghiệp"]),
    ("xây dựng nông thôn mới nâng cao, nông thôn mới kiểu mẫu", ["Nông thôn mới", "Nông nghiệp, nông thôn"]),
    ("nâng cao chất lượng sinh hoạt chi bộ", ["Xây dựng Đảng", "Sinh hoạt chi bộ"]),
    ("tăng cường công tác kiểm tra, giám sát và kỷ luật đảng", ["Kiểm tra, giám sát", "Xây dựng Đảng"]),
    ("phòng, chống tham nhũng, lãng phí, tiêu cực", ["Phòng, chống tham nhũng"]),
    ("đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh", ["Học tập và làm theo Bác", "Tuyên truyền"]),
    ("công tác phát triển đảng viên trong doanh nghiệp ngoài khu vực nhà nước", ["Phát triển đảng viên", "Doanh nghiệp"]),
    ("nâng cao chất lượng nguồn nhân lực, đáp ứng yêu cầu phát triển", ["Nguồn nhân lực", "Giáo dục và đào tạo"]),
    ("phát triển du lịch trở thành ngành kinh tế mũi nhọn", ["Du lịch", "Phát triển kinh tế - xã hội"]),
    ("bảo vệ môi trường và chủ động ứng phó với biến đổi khí hậu", ["Môi trường", "Biến đổi khí hậu"]),
    ("xây dựng đội ngũ cán bộ các cấp đủ phẩm chất, năng lực và uy tín, ngang tầm nhiệm vụ", ["Công tác cán bộ"]),
    ("đổi mới căn bản, toàn diện giáo dục và đào tạo", ["Giáo dục và đào tạo"]),
    ("tăng cường công tác bảo vệ, chăm sóc và nâng cao sức khỏe Nhân dân", ["Y tế", "An sinh xã hội"]),
    ("xây dựng và phát huy giá trị văn hóa, con người", ["Văn hóa"]),
    ("bảo đảm quốc phòng, an ninh, giữ vững ổn định chính trị và trật tự an toàn xã hội", ["Quốc phòng, an ninh"]),
    ("thực hiện chính sách giảm nghèo bền vững", ["Giảm nghèo bền vững", "An sinh xã hội"]),
    ("phát triển hạ tầng giao thông đồng bộ, hiện đại", ["Hạ tầng giao thông", "Phát triển kinh tế - xã hội"]),
    ("cải thiện môi trường đầu tư, kinh doanh và nâng cao năng lực cạnh tranh cấp tỉnh", ["Thu hút đầu tư", "Cải cách hành chính"]),
    ("sắp xếp tổ chức bộ máy tinh gọn, hoạt động hiệu lực, hiệu quả", ["Tinh gọn bộ máy", "Xây dựng Đảng"]),
    ("phát huy vai trò của Mặt trận Tổ quốc và các đoàn thể chính trị - xã hội", ["Mặt trận Tổ quốc", "Dân vận"]),
    ("tăng cường và đổi mới công tác dân vận trong tình hình mới", ["Dân vận"]),
    ("phát triển bền vững kinh tế biển", ["Kinh tế biển", "Môi trường"]),
    ("phát triển công nghiệp chế biến, chế tạo", ["Công nghiệp", "Thu hút đầu tư"]),
    ("bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác các quan điểm sai trái, thù địch", ["Tuyên truyền", "Xây dựng Đảng"]),
    ("thực hiện dân chủ ở cơ sở", ["Dân chủ ở cơ sở", "Dân vận"]),
    ("tăng cường sự lãnh đạo của Đảng đối với công tác thanh niên", ["Đoàn thanh niên", "Nguồn nhân lực"]),
    ("phát triển nông nghiệp hàng hóa tập trung, quy mô lớn, ứng dụng công nghệ cao", ["Nông nghiệp, nông thôn", "Khoa học, công nghệ"]),
    ("xây dựng chính quyền điện tử, hướng tới chính quyền số", ["Chuyển đổi số", "Cải cách hành chính"]),
    ("nâng cao hiệu quả công tác thu ngân sách nhà nước và quản lý chi tiêu công", ["Tài chính, ngân sách"]),
    ("phát triển đô thị theo hướng xanh, thông minh, bền vững", ["Đô thị hóa", "Môi trường"]),
    ("bảo đảm an sinh xã hội và chăm lo đời sống Nhân dân", ["An sinh xã hội"]),
    ("chủ động hội nhập quốc tế toàn diện, sâu rộng", ["Hội nhập quốc tế"]),
    ("đổi mới nội dung, phương thức lãnh đạo của Đảng", ["Xây dựng Đảng"]),
    ("nâng cao năng lực lãnh đạo, sức chiến đấu của tổ chức cơ sở đảng và chất lượng đội ngũ đảng viên",
     ["Xây dựng Đảng", "Tổ chức cơ sở đảng"]),
    ("công tác dân tộc, tôn giáo trong tình hình mới", ["Dân tộc, tôn giáo", "Dân vận"]),
    ("phát triển kinh tế tập thể, hợp tác xã", ["Kinh tế tập thể", "Nông nghiệp, nông thôn"]),
    ("phát huy vai trò của phụ nữ trong sự nghiệp xây dựng và bảo vệ Tổ quốc", ["Phụ nữ", "Mặt trận Tổ quốc"]),
]
EXTRA_TAGS = ["COVID-19", "FDI", "Đại hội Đảng", "Thi đua, khen thưởng", "Công đoàn", "Cựu chiến binh",
              "Sắp xếp đơn vị hành chính", "Cách mạng công nghiệp 4.0", "Phòng, chống thiên tai"]

DIRECTIVE_AREAS = [  # (what a directive is about, tags)
    ("công tác phòng cháy, chữa cháy và cứu nạn, cứu hộ", ["Quốc phòng, an ninh"]),
    ("công tác phòng, chống thiên tai, tìm kiếm cứu nạn", ["Phòng, chống thiên tai"]),
    ("công tác bảo đảm trật tự, an toàn giao thông", ["Quốc phòng, an ninh", "Hạ tầng giao thông"]),
    ("công tác tuyển chọn, gọi công dân nhập ngũ", ["Quốc phòng, an ninh"]),
    ("công tác quản lý, bảo vệ và phát triển rừng", ["Môi trường"]),
    ("công tác thu ngân sách nhà nước", ["Tài chính, ngân sách"]),
    ("việc đẩy nhanh tiến độ giải ngân vốn đầu tư công", ["Tài chính, ngân sách", "Phát triển kinh tế - xã hội"]),
    ("việc tổ chức đại hội đảng bộ các cấp", ["Đại hội Đảng", "Xây dựng Đảng"]),
    ("công tác phòng, chống dịch bệnh", ["Y tế", "COVID-19"]),
    ("công tác bảo vệ bí mật nhà nước", ["Quốc phòng, an ninh"]),
    ("việc tổ chức Tết Nguyên đán cho Nhân dân", ["An sinh xã hội"]),
    ("công tác tiếp công dân, giải quyết khiếu nại, tố cáo", ["Dân vận"]),
    ("công tác bầu cử đại biểu Quốc hội và đại biểu Hội đồng nhân dân các cấp", ["Bầu cử"]),
    ("việc thực hành tiết kiệm, chống lãng phí", ["Phòng, chống tham nhũng"]),
    ("công tác bảo vệ chính trị nội bộ", ["Xây dựng Đảng"]),
]
REGULATION_TOPICS = [
    "trách nhiệm nêu gương của cán bộ, đảng viên", "chức năng, nhiệm vụ của chi bộ trong cơ quan, đơn vị",
    "công tác kiểm tra, giám sát và kỷ luật của Đảng", "chế độ làm việc và quan hệ công tác của cấp ủy",
    "tiêu chuẩn chức danh cán bộ thuộc diện cấp ủy quản lý", "kiểm soát quyền lực trong công tác cán bộ",
    "quản lý đảng viên đi làm ăn xa nơi cư trú", "thẩm quyền, trách nhiệm của người đứng đầu",
    "việc lấy phiếu tín nhiệm đối với cán bộ giữ chức vụ lãnh đạo", "phân cấp quản lý cán bộ",
]

SUBJECTS = [
    "cấp ủy, tổ chức đảng các cấp", "các chi bộ, đảng bộ trực thuộc", "người đứng đầu cấp ủy, chính quyền",
    "Mặt trận Tổ quốc và các đoàn thể chính trị - xã hội", "đội ngũ cán bộ, đảng viên",
    "các cơ quan tham mưu, giúp việc của cấp ủy", "Ủy ban Kiểm tra các cấp", "chính quyền các cấp",
    "các sở, ban, ngành, đoàn thể", "các doanh nghiệp trong Khối", "cán bộ, công chức, viên chức và người lao động",
    "Đoàn Thanh niên Cộng sản Hồ Chí Minh", "Ban Tuyên giáo các cấp", "Ban Thường vụ cấp ủy các cấp",
    "các cơ quan báo chí, xuất bản", "Hội Cựu chiến binh và Hội Liên hiệp Phụ nữ",
]
VERBS = [
    "tập trung lãnh đạo, chỉ đạo thực hiện tốt", "tiếp tục đẩy mạnh", "quán triệt sâu sắc và tổ chức thực hiện nghiêm túc",
    "chủ động tham mưu, đề xuất giải pháp về", "tăng cường kiểm tra, giám sát việc thực hiện", "nâng cao hiệu quả",
    "phát huy vai trò tiên phong, gương mẫu trong", "xây dựng kế hoạch cụ thể để triển khai",
    "định kỳ sơ kết, đánh giá kết quả", "ưu tiên bố trí nguồn lực cho", "kịp thời tháo gỡ khó khăn, vướng mắc trong",
    "làm tốt công tác tuyên truyền về", "thường xuyên rà soát, bổ sung các giải pháp về",
    "nâng cao chất lượng tham mưu, tổ chức thực hiện", "đổi mới cách làm, tạo chuyển biến mạnh mẽ trong",
]
OBJECTS = [
    "công tác xây dựng Đảng về chính trị, tư tưởng, đạo đức, tổ chức và cán bộ",
    "nhiệm vụ chính trị của địa phương, đơn vị", "các khâu đột phá đã được xác định", "công tác cải cách hành chính",
    "công tác phát triển đảng viên", "việc thực hiện quy chế dân chủ ở cơ sở", "công tác thi đua, khen thưởng",
    "các chương trình mục tiêu quốc gia", "việc ứng dụng công nghệ thông tin trong hoạt động của cơ quan đảng",
    "công tác nắm bắt tình hình tư tưởng của cán bộ, đảng viên và Nhân dân", "việc thực hành tiết kiệm, chống lãng phí",
    "công tác quy hoạch, đào tạo, bồi dưỡng cán bộ", "việc giải quyết kịp thời kiến nghị chính đáng của Nhân dân",
]
COMPLEMENTS = [
    "gắn với thực hiện nhiệm vụ chính trị của từng địa phương, đơn vị", "bảo đảm thiết thực, hiệu quả, tránh hình thức",
    "phù hợp với điều kiện thực tiễn của từng cơ quan, đơn vị", "tạo chuyển biến rõ nét về nhận thức và hành động",
    "góp phần hoàn thành thắng lợi các mục tiêu nghị quyết đề ra", "với quyết tâm chính trị cao, nỗ lực lớn, hành động quyết liệt",
    "theo phương châm “rõ người, rõ việc, rõ trách nhiệm, rõ thời gian, rõ kết quả”",
    "trên cơ sở phát huy sức mạnh tổng hợp của cả hệ thống chính trị", "lấy sự hài lòng của người dân, doanh nghiệp làm thước đo",
    "coi đây là nhiệm vụ trọng tâm, thường xuyên", "kịp thời biểu dương, khen thưởng tập thể, cá nhân có thành tích",
    "gắn trách nhiệm của người đứng đầu với kết quả thực hiện",
]
OPENERS = ["", "", "", "Trong thời gian tới, ", "Trên cơ sở đó, ", "Đồng thời, ", "Bên cạnh đó, ", "Hằng năm, ",
           "Từ nay đến cuối nhiệm kỳ, ", "Để thực hiện thắng lợi nghị quyết, ", "Thời gian qua, ", "Nhìn chung, "]
ACHIEVEMENTS = [  # whole clauses: they follow a lead such as "Sau 3 năm triển khai, "
    "toàn Đảng bộ đã kết nạp {n} đảng viên mới, đạt {p} kế hoạch",
    "có {p} tổ chức cơ sở đảng được đánh giá hoàn thành tốt nhiệm vụ trở lên",
    "tỷ lệ hồ sơ thủ tục hành chính được giải quyết đúng hạn đạt {p}",
    "các cấp ủy đã tổ chức {n} hội nghị học tập, quán triệt với {m} lượt cán bộ, đảng viên tham gia",
    "thu ngân sách nhà nước trên địa bàn đạt {b} tỷ đồng",
    "các đoàn thể đã xây dựng và nhân rộng {n} mô hình “Dân vận khéo”",
    "tỷ lệ hộ nghèo giảm còn {q}", "có thêm {n} xã đạt chuẩn nông thôn mới nâng cao",
    "cấp ủy và ủy ban kiểm tra các cấp đã kiểm tra {n} tổ chức đảng và {m} đảng viên",
    "tỷ lệ lao động qua đào tạo đạt {p}",
]
LIMITS = [
    "Tuy nhiên, việc thực hiện ở một số nơi còn chậm, chưa đồng đều; công tác kiểm tra, đôn đốc có lúc chưa thường xuyên.",
    "Một số cấp ủy chưa thật sự quan tâm đến việc cụ thể hóa nghị quyết bằng các chương trình, kế hoạch sát với thực tiễn.",
    "Nguồn lực đầu tư còn hạn chế; sự phối hợp giữa các cơ quan, đơn vị có lúc chưa chặt chẽ.",
    "Chất lượng sinh hoạt chi bộ ở một số nơi chưa cao, nội dung sinh hoạt còn đơn điệu.",
    "Công tác sơ kết, tổng kết, nhân rộng mô hình hay, cách làm sáng tạo chưa được quan tâm đúng mức.",
    "Nguyên nhân chủ yếu là nhận thức của một bộ phận cán bộ, đảng viên chưa đầy đủ; tinh thần trách nhiệm chưa cao.",
]
VIEWPOINTS = [
    "Sự lãnh đạo của Đảng là nhân tố quyết định thắng lợi của sự nghiệp đổi mới; xây dựng Đảng là nhiệm vụ then chốt.",
    "Phát huy sức mạnh tổng hợp của cả hệ thống chính trị và khối đại đoàn kết toàn dân tộc.",
    "Con người là trung tâm, là chủ thể, là nguồn lực quan trọng nhất và là mục tiêu của sự phát triển.",
    "Phát triển kinh tế - xã hội là trung tâm, xây dựng Đảng là then chốt, phát triển văn hóa là nền tảng tinh thần.",
    "Kết hợp chặt chẽ giữa phát triển kinh tế với bảo đảm quốc phòng, an ninh và bảo vệ môi trường.",
    "Nói đi đôi với làm; cán bộ, đảng viên, trước hết là người đứng đầu phải gương mẫu thực hiện.",
    "Lấy chuyển đổi số, đổi mới sáng tạo làm động lực để nâng cao năng suất, chất lượng và hiệu quả.",
    "Thực hiện nghiêm nguyên tắc tập trung dân chủ, tự phê bình và phê bình, đoàn kết thống nhất trong Đảng.",
]
SUBHEADINGS = [
    "Nâng cao nhận thức, trách nhiệm của cấp ủy, tổ chức đảng", "Hoàn thiện cơ chế, chính sách",
    "Đẩy mạnh ứng dụng công nghệ thông tin, chuyển đổi số", "Phát triển nguồn nhân lực",
    "Huy động và sử dụng hiệu quả các nguồn lực", "Tăng cường kiểm tra, giám sát",
    "Đổi mới công tác thi đua, khen thưởng", "Phát huy vai trò của Mặt trận Tổ quốc và các đoàn thể",
    "Công tác chính trị, tư tưởng", "Công tác tổ chức, cán bộ", "Phát triển kinh tế", "Văn hóa - xã hội",
    "Quốc phòng, an ninh", "Công tác dân vận", "Cải cách hành chính", "Nâng cao chất lượng sinh hoạt chi bộ",
]
TASKS = ["Tổ chức hội nghị học tập, quán triệt", "Xây dựng, ban hành kế hoạch thực hiện", "Tuyên truyền trên các phương tiện thông tin đại chúng",
         "Kiểm tra, giám sát việc thực hiện", "Sơ kết giữa nhiệm kỳ", "Tổng kết, đánh giá kết quả thực hiện",
         "Rà soát, bổ sung quy chế làm việc", "Báo cáo kết quả thực hiện hằng năm", "Xây dựng mô hình điểm"]
AGENCIES = ["Ban Tuyên giáo", "Ban Tổ chức", "Ủy ban Kiểm tra", "Văn phòng", "Ban Dân vận", "Ban Nội chính"]
TIMES = ["Quý I/{y}", "Quý II/{y}", "Quý III/{y}", "Tháng 6/{y}", "Tháng 12/{y}", "Hằng năm", "Thường xuyên", "Năm {y}"]

# Targets: id, group, text, op, low, high, unit, period, decimals, scaled (by the issuer's size)
TARGET_BANK = [
    ("ket-nap-dang-vien", "Xây dựng Đảng", "Kết nạp đảng viên mới", ">=", 300, 900, "đảng viên", "annual", 0, True),
    ("boi-duong-doi-tuong", "Xây dựng Đảng", "Bồi dưỡng nhận thức về Đảng cho quần chúng ưu tú", ">", 600, 1500, "người", "annual", 0, True),
    ("co-so-dang-htt", "Xây dựng Đảng", "Tỷ lệ tổ chức cơ sở đảng được đánh giá hoàn thành tốt nhiệm vụ trở lên", ">=", 85, 95, "%", "annual", 0, False),
    ("dang-vien-htt", "Xây dựng Đảng", "Tỷ lệ đảng viên được đánh giá, xếp loại hoàn thành tốt nhiệm vụ trở lên", ">=", 85, 92, "%", "annual", 0, False),
    ("quan-triet-nghi-quyet", "Xây dựng Đảng", "Tỷ lệ cán bộ, đảng viên được học tập, quán triệt nghị quyết", "=", 100, 100, "%", "term", 0, False),
    ("sinh-hoat-chuyen-de", "Xây dựng Đảng", "Tỷ lệ chi bộ tổ chức sinh hoạt chuyên đề ít nhất mỗi quý một lần", ">=", 90, 98, "%", "annual", 0, False),
    ("kiem-tra-giam-sat", "Xây dựng Đảng", "Số cuộc kiểm tra, giám sát của cấp ủy và ủy ban kiểm tra", ">=", 20, 60, "cuộc", "annual", 0, True),
    ("to-chuc-dang-ngoai-nha-nuoc", "Xây dựng Đảng", "Thành lập tổ chức cơ sở đảng trong doanh nghiệp ngoài khu vực nhà nước", ">=", 5, 20, "tổ chức", "term", 0, True),
    ("dang-vien-vi-pham", "Xây dựng Đảng", "Tỷ lệ đảng viên vi phạm phải xử lý kỷ luật", "<", 0.5, 1.0, "%", "annual", 1, False),
    ("van-hoa-kieu-mau", "Xây dựng Đảng", "Xây dựng cơ quan, doanh nghiệp văn hóa kiểu mẫu", None, 0, 0, "", "term", 0, False),
    ("kien-toan-bo-may", "Xây dựng Đảng", "Hoàn thành sắp xếp, kiện toàn tổ chức bộ máy các cơ quan tham mưu, giúp việc của cấp ủy", None, 0, 0, "", "term", 0, False),
    ("so-hoa-ho-so-dang-vien", "Xây dựng Đảng", "Hoàn thành số hóa hồ sơ đảng viên", None, 0, 0, "", "term", 0, False),
    ("tang-truong-grdp", "Kinh tế", "Tốc độ tăng trưởng kinh tế (GRDP) bình quân hằng năm", ">=", 7.5, 11, "%", "annual", 1, False),
    ("grdp-dau-nguoi", "Kinh tế", "GRDP bình quân đầu người đến cuối nhiệm kỳ", ">=", 3500, 6000, "USD", "term", 0, False),
    ("thu-ngan-sach", "Kinh tế", "Tổng thu ngân sách nhà nước trên địa bàn", ">=", 8000, 40000, "tỷ đồng", "annual", 0, True),
    ("doanh-nghiep-moi", "Kinh tế", "Số doanh nghiệp thành lập mới", ">=", 1200, 3000, "doanh nghiệp", "annual", 0, True),
    ("doanh-nghiep-co-lai", "Kinh tế", "Tỷ lệ doanh nghiệp sản xuất, kinh doanh có lãi", ">=", 75, 85, "%", "annual", 0, False),
    ("co-quan-hoan-thanh", "Kinh tế", "Tỷ lệ cơ quan, đơn vị hoàn thành nhiệm vụ chuyên môn", ">=", 90, 95, "%", "annual", 0, False),
    ("xa-nong-thon-moi", "Kinh tế", "Tỷ lệ xã đạt chuẩn nông thôn mới", ">=", 70, 95, "%", "term", 0, False),
    ("kinh-te-so", "Kinh tế", "Tỷ trọng kinh tế số trong GRDP", ">=", 10, 20, "%", "term", 1, False),
    ("ho-so-truc-tuyen", "Kinh tế", "Tỷ lệ hồ sơ thủ tục hành chính được giải quyết trực tuyến", ">=", 50, 80, "%", "annual", 0, False),
    ("ty-le-ho-ngheo", "Văn hóa - xã hội", "Tỷ lệ hộ nghèo theo chuẩn nghèo đa chiều", "<=", 1.5, 4, "%", "term", 2, False),
    ("giam-ho-ngheo", "Văn hóa - xã hội", "Tỷ lệ hộ nghèo giảm bình quân mỗi năm", ">=", 1, 1.5, "%", "annual", 1, False),
    ("lao-dong-qua-dao-tao", "Văn hóa - xã hội", "Tỷ lệ lao động qua đào tạo", ">=", 70, 80, "%", "term", 0, False),
    ("bao-hiem-y-te", "Văn hóa - xã hội", "Tỷ lệ dân số tham gia bảo hiểm y tế", ">=", 92, 96, "%", "annual", 1, False),
    ("truong-dat-chuan", "Văn hóa - xã hội", "Tỷ lệ trường học đạt chuẩn quốc gia", ">=", 75, 90, "%", "term", 0, False),
    ("bac-si-van-dan", "Văn hóa - xã hội", "Số bác sĩ trên một vạn dân", ">=", 11, 15, "bác sĩ", "term", 1, False),
    ("gia-dinh-van-hoa", "Văn hóa - xã hội", "Tỷ lệ gia đình đạt danh hiệu gia đình văn hóa", ">=", 85, 92, "%", "annual", 0, False),
    ("that-nghiep-thanh-thi", "Văn hóa - xã hội", "Tỷ lệ thất nghiệp ở khu vực thành thị", "<", 3, 4, "%", "annual", 1, False),
    ("viec-lam-moi", "Văn hóa - xã hội", "Số lao động được giải quyết việc làm mới", ">=", 30000, 60000, "lao động", "annual", 0, True),
    ("che-phu-rung", "Môi trường", "Tỷ lệ che phủ rừng", ">=", 35, 55, "%", "term", 1, False),
    ("rac-thai-do-thi", "Môi trường", "Tỷ lệ chất thải rắn đô thị được thu gom, xử lý", ">=", 90, 98, "%", "annual", 0, False),
    ("nuoc-sach", "Môi trường", "Tỷ lệ dân số nông thôn được sử dụng nước sạch theo quy chuẩn", ">=", 60, 80, "%", "term", 0, False),
    ("tuyen-quan", "Quốc phòng, an ninh", "Hoàn thành chỉ tiêu tuyển chọn, gọi công dân nhập ngũ", "=", 100, 100, "%", "annual", 0, False),
    ("xa-vung-manh-qpan", "Quốc phòng, an ninh", "Tỷ lệ xã, phường, thị trấn vững mạnh toàn diện về quốc phòng, an ninh", ">=", 80, 95, "%", "annual", 0, False),
    ("giam-tai-nan", "Quốc phòng, an ninh", "Số vụ tai nạn giao thông giảm so với năm trước", ">", 5, 10, "%", "annual", 0, False),
    ("on-dinh-chinh-tri", "Quốc phòng, an ninh", "Giữ vững ổn định chính trị, trật tự an toàn xã hội; không để xảy ra điểm nóng", None, 0, 0, "", "term", 0, False),
    ("dan-van-kheo", "Dân vận", "Số mô hình “Dân vận khéo” được công nhận", ">=", 30, 120, "mô hình", "annual", 0, True),
    ("doi-thoai-nhan-dan", "Dân vận", "Người đứng đầu cấp ủy, chính quyền đối thoại trực tiếp với Nhân dân", ">=", 2, 4, "lần", "annual", 0, False),
    ("quy-che-dan-chu", "Dân vận", "Ban hành và thực hiện quy chế dân chủ ở cơ sở tại tất cả cơ quan, đơn vị", None, 0, 0, "", "term", 0, False),
]
PARTY_TARGETS = [b[0] for b in TARGET_BANK if b[1] in ("Xây dựng Đảng", "Dân vận")]
LEVEL_TARGETS = {  # grassroots committees set grassroots targets; other levels draw from the whole bank
    "unit": PARTY_TARGETS + ["co-quan-hoan-thanh", "doanh-nghiep-co-lai", "gia-dinh-van-hoa"],
    "commune": PARTY_TARGETS + ["gia-dinh-van-hoa", "bao-hiem-y-te", "ty-le-ho-ngheo", "giam-ho-ngheo", "nuoc-sach",
                                "tuyen-quan", "on-dinh-chinh-tri", "lao-dong-qua-dao-tao", "thu-ngan-sach"],
}
GROUP_ORDER = ("Xây dựng Đảng", "Kinh tế", "Văn hóa - xã hội", "Môi trường", "Quốc phòng, an ninh", "Dân vận")
BANK_GROUP = {b[0]: b[1] for b in TARGET_BANK}
SCALE = {"central": 20.0, "province": 1.0, "state": 1.0, "khoi": 0.25, "district": 0.12, "commune": 0.02, "unit": 0.02}

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

# --------------------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------------------

_NON_SLUG = re.compile(r"[^a-z0-9]+")
_PLAIN_START = re.compile(r"^[^\s\-?:,\[\]{}#&*!|>'\"%@`]")
_SPECIAL = re.compile(r"^(?:[-+]?[0-9][0-9_.:]*|[-+]?\.(?:inf|nan)|true|false|yes|no|on|off|null|~|y|n)$", re.I)


def fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.lower())
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn").replace("đ", "d")


def slugify(text: str) -> str:
    return _NON_SLUG.sub("-", fold(text)).strip("-")


def number_key(number: str) -> str:
    """Numbers that a reference by number cannot tell apart (as the engine compares them)."""
    return fold(number).replace(" ", "")


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def q(value: str, flow: bool = False) -> str:
    """A YAML scalar: plain when that reads back as the same string, double-quoted otherwise."""
    plain = (_PLAIN_START.match(value) and ": " not in value and " #" not in value and not value.endswith(":")
             and not _SPECIAL.match(value) and value == value.strip()
             and not (flow and any(c in value for c in ",[]{}")))
    if plain:
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def flow(items: list[str]) -> str:
    return "[" + ", ".join(q(i, flow=True) for i in items) + "]"


def vn_number(value: float | Decimal, decimals: int = 0) -> str:
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def short_date(day: dt.date) -> str:
    return f"{day.day:02d}/{day.month}/{day.year}"


def long_date(day: dt.date) -> str:
    return f"ngày {day.day:02d} tháng {day.month} năm {day.year}"


def person(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


# --------------------------------------------------------------------------------------
# Model of the corpus
# --------------------------------------------------------------------------------------

KINDS = {  # abbreviation -> (kind name, section folder)
    "NQ": ("Nghị quyết", "resolutions"), "CT": ("Chỉ thị", "resolutions"), "KL": ("Kết luận", "resolutions"),
    "QĐi": ("Quy định", "resolutions"), "CTr": ("Chương trình hành động", "programmes"),
    "KH": ("Kế hoạch", "programmes"), "HD": ("Hướng dẫn", "programmes"), "ĐA": ("Đề án", "programmes"),
}
SITE_PATH = {"resolutions": "nghi-quyet", "programmes": "chuong-trinh"}


@dataclass(eq=False)
class Org:
    id: str
    name: str
    short: str = ""
    parent: str = ""
    level: str = ""  # root central province state khoi district commune unit
    role: str = ""   # committee congress hdnd ubnd tuyengiao tochuc
    abbr: str = ""   # issuer part of document numbers
    code: str = ""   # suffix of document ids
    place: str = ""
    implementers: list[str] = field(default_factory=list)
    ancestors: list[str] = field(default_factory=list)


@dataclass(eq=False)
class Doc:
    index: int
    role: str  # resolution congress programme plan directive conclusion regulation guide scheme
    abbr: str
    org: Org
    issued: dt.date
    topic: tuple
    implements: list["Doc"] = field(default_factory=list)
    based_on: list["Doc"] = field(default_factory=list)
    guides: list["Doc"] = field(default_factory=list)
    amends: list["Doc"] = field(default_factory=list)
    replaces: list["Doc"] = field(default_factory=list)
    term: tuple[int, int] | None = None
    annual: bool = False
    congress: str = ""  # Roman ordinal of the congress
    number: str = ""
    id: str = ""
    title: str = ""
    targets: list[dict] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    status: str = ""
    effective: dt.date | None = None
    expires: dt.date | None = None
    draft: bool = False
    restricted: bool = False
    attachment: bool = False
    partial_date: str = ""  # "year" or "month" when only that much is known
    place: str = ""
    signer: str = ""

    @property
    def kind(self) -> str:
        return KINDS[self.abbr][0]

    @property
    def folder(self) -> str:
        return KINDS[self.abbr][1]

    @property
    def url(self) -> str:
        return f"/{SITE_PATH[self.folder]}/{self.id}/"

    @property
    def published(self) -> bool:
        return not (self.draft or self.restricted)

    @property
    def heading(self) -> str:
        return f"{self.kind} {self.number}" if self.number else self.kind

    def cite(self) -> str:
        """How another document names this one: 'Nghị quyết số 58-NQ/TW ngày 05/8/2020 của Bộ Chính trị'."""
        if self.role == "congress" or not self.number:
            return self.title if self.role == "congress" else f"{self.kind} của {self.org.name} về {self.topic[0]}"
        return f"{self.kind} số {self.number} ngày {short_date(self.issued)} của {self.org.name}"


# --------------------------------------------------------------------------------------
# Organisations
# --------------------------------------------------------------------------------------

def build_orgs(rng: random.Random, n: int) -> list[Org]:
    wanted = max(100, min(300, n // 30))
    orgs: list[Org] = [
        Org("dang-cong-san-viet-nam", "Đảng Cộng sản Việt Nam", "ĐCSVN", level="root"),
        Org("ban-chap-hanh-trung-uong", "Ban Chấp hành Trung ương Đảng", "BCHTW", "dang-cong-san-viet-nam",
            "central", "committee", "TW", "", "Hà Nội"),
        Org("bo-chinh-tri", "Bộ Chính trị", "BCT", "ban-chap-hanh-trung-uong", "central", "committee", "TW", "", "Hà Nội"),
        Org("ban-bi-thu", "Ban Bí thư", "BBT", "ban-chap-hanh-trung-uong", "central", "committee", "TW", "", "Hà Nội"),
        Org("ban-to-chuc-trung-uong", "Ban Tổ chức Trung ương", "BTCTW", "ban-chap-hanh-trung-uong", "central",
            "tochuc", "BTCTW", "", "Hà Nội"),
        Org("ban-tuyen-giao-trung-uong", "Ban Tuyên giáo Trung ương", "BTGTW", "ban-chap-hanh-trung-uong", "central",
            "tuyengiao", "BTGTW", "", "Hà Nội"),
    ]
    per_province = 37
    count = max(1, min(len(PROVINCES), -(-(wanted - len(orgs)) // per_province)))
    for name, districts in PROVINCES[:count]:
        p = slugify(name)
        orgs += [
            Org(f"dang-bo-tinh-{p}", f"Đảng bộ tỉnh {name}", "", "", "province", "congress", "", p, name),
            Org(f"tinh-uy-{p}", f"Tỉnh ủy {name}", "TU", f"dang-bo-tinh-{p}", "province", "committee", "TU", p, name),
            Org(f"hdnd-tinh-{p}", f"Hội đồng nhân dân tỉnh {name}", "HĐND", "", "state", "hdnd", "HĐND", p, name),
            Org(f"ubnd-tinh-{p}", f"Ủy ban nhân dân tỉnh {name}", "UBND", "", "state", "ubnd", "UBND", p, name),
            Org(f"ban-tuyen-giao-tinh-uy-{p}", f"Ban Tuyên giáo Tỉnh ủy {name}", "BTGTU", f"tinh-uy-{p}", "province",
                "tuyengiao", "BTGTU", p, name),
            Org(f"ban-to-chuc-tinh-uy-{p}", f"Ban Tổ chức Tỉnh ủy {name}", "BTCTU", f"tinh-uy-{p}", "province",
                "tochuc", "BTCTU", p, name),
            Org(f"dang-bo-khoi-{p}", f"Đảng bộ Khối Cơ quan và Doanh nghiệp tỉnh {name}", "", f"dang-bo-tinh-{p}",
                "khoi", "congress", "", f"khoi-{p}", name),
            Org(f"dang-uy-khoi-{p}", f"Đảng ủy Khối Cơ quan và Doanh nghiệp tỉnh {name}", "ĐUK", f"dang-bo-khoi-{p}",
                "khoi", "committee", "ĐUK", p, name),
        ]
        for district in districts:
            d = slugify(district)
            orgs.append(Org(f"huyen-uy-{d}", f"Huyện ủy {district}", "HU", f"tinh-uy-{p}", "district", "committee",
                            "HU", d, district))
            for commune in rng.sample(COMMUNES, 2):
                c = slugify(commune)
                orgs.append(Org(f"dang-uy-xa-{c}-{d}", f"Đảng ủy xã {commune}, huyện {district}", "", f"huyen-uy-{d}",
                                "commune", "committee", "ĐU", f"{c}-{d}", district))
        for unit in rng.sample(UNITS, 8):
            u = slugify(unit.replace(" tỉnh", ""))
            orgs.append(Org(f"dang-uy-{u}-{p}", f"Đảng ủy {unit} {name}" if unit.endswith("tỉnh") else
                            f"Đảng ủy {unit} tỉnh {name}", "", f"dang-uy-khoi-{p}", "unit", "committee", "ĐU",
                            f"{u}-{p}", name))
    by_id = {o.id: o for o in orgs}
    if len(by_id) != len(orgs):
        raise AssertionError("organisation ids must be unique")
    for org in orgs:
        current = org.parent
        while current:
            org.ancestors.append(current)
            current = by_id[current].parent
    central = [o.id for o in orgs if o.level == "central" and o.role == "committee"]
    for org in orgs:
        p = org.code.removeprefix("khoi-")
        if org.level == "central" and org.role == "committee":
            org.implementers = [o.id for o in orgs if o.id.startswith(("tinh-uy-", "dang-uy-khoi-", "ubnd-tinh-"))]
        elif org.id.startswith(("tinh-uy-", "dang-bo-tinh-")):
            org.implementers = [f"dang-uy-khoi-{p}", f"ubnd-tinh-{p}"] + [
                o.id for o in orgs if o.level == "district" and o.parent == f"tinh-uy-{p}"]
        elif org.role == "hdnd":
            org.implementers = [f"ubnd-tinh-{p}"]
        elif org.id.startswith(("dang-uy-khoi-", "dang-bo-khoi-")):
            org.implementers = [o.id for o in orgs if o.level == "unit" and o.parent == f"dang-uy-khoi-{p}"]
        elif org.level == "district":
            org.implementers = [o.id for o in orgs if o.parent == org.id]
        # upward: who may this org cite (central committees + its ancestors)
        org.ancestors = [a for a in org.ancestors if a in by_id] + [c for c in central if c not in org.ancestors]
    return orgs


# --------------------------------------------------------------------------------------
# Planning: which documents exist, who issued them, when, and how they relate
# --------------------------------------------------------------------------------------

YEAR_WEIGHTS = [(2016, 4), (2017, 4), (2018, 5), (2019, 5), (2020, 9), (2021, 16), (2022, 12), (2023, 12),
                (2024, 12), (2025, 14), (2026, 7)]


def random_date(rng: random.Random, start: dt.date | None = None, days: tuple[int, int] = (10, 200)) -> dt.date:
    if start is not None:
        return min(LAST_ISSUE, start + dt.timedelta(days=rng.randint(*days)))
    years, weights = zip(*YEAR_WEIGHTS)
    year = rng.choices(years, weights)[0]
    month = rng.randint(1, 5 if year == 2026 else 12)
    return dt.date(year, month, rng.randint(1, 28))


def standard_term(rng: random.Random, day: dt.date) -> tuple[int, int]:
    y = day.year
    if y <= 2019:
        return (max(2016, y), 2020)
    if y == 2020:
        return (2020, 2025)
    if y <= 2025:
        return (2021, 2030) if rng.random() < 0.2 else (y, 2025)
    return (y, 2030)


def congress_term(day: dt.date) -> int:
    """The committee term a date falls in (numbers restart at 01 in each)."""
    return 2015 if (day.year, day.month) < (2020, 10) else 2020 if (day.year, day.month) < (2025, 10) else 2025


class Planner:
    def __init__(self, rng: random.Random, orgs: list[Org], n: int):
        self.rng = rng
        self.orgs = orgs
        self.by_id = {o.id: o for o in orgs}
        self.docs: list[Doc] = []
        self.by_org: dict[str, list[Doc]] = {}
        self.congress_slots = [(o, t) for o in orgs if o.role == "congress" for t in (2015, 2020, 2025)]
        rng.shuffle(self.congress_slots)
        self.congress_base = {o.id: rng.randint(15, 20) if o.level == "province" else rng.randint(4, 22)
                              for o in orgs if o.role == "congress"}
        self.n = n

    def pick(self, *prefixes_or_levels: str) -> Org:
        pool = [o for o in self.orgs if o.level in prefixes_or_levels or o.id.startswith(prefixes_or_levels)]
        return self.rng.choice(pool)

    def add(self, doc: Doc) -> Doc:
        self.docs.append(doc)
        self.by_org.setdefault(doc.org.id, []).append(doc)
        return doc

    def citable(self, org: Org, before: dt.date, roles: tuple[str, ...]) -> list[Doc]:
        out = []
        for ancestor in org.ancestors:
            out += [d for d in self.by_org.get(ancestor, []) if d.role in roles and d.issued < before]
        return out

    def topic(self) -> tuple:
        return self.rng.choice(TOPICS)

    # --- resolutions -------------------------------------------------------------
    def resolution(self, force_congress: bool = False) -> Doc:
        rng = self.rng
        if (force_congress or rng.random() < 0.05) and self.congress_slots:
            org, start = self.congress_slots.pop()
            ordinal = ROMAN[self.congress_base[org.id] + (start - 2015) // 5 - 1]
            day = dt.date(start, rng.randint(9, 10), rng.randint(1, 28))
            doc = Doc(len(self.docs), "congress", "NQ", org, day, self.topic(), term=(start, start + 5), congress=ordinal)
            doc.partial_date = "year" if rng.random() < 0.5 else ""
            return self.add(doc)
        r = rng.random()
        org = (self.pick("bo-chinh-tri", "ban-chap-hanh-trung-uong") if r < 0.10 else
               self.pick("tinh-uy-") if r < 0.35 else self.pick("hdnd-tinh-") if r < 0.45 else
               self.pick("dang-uy-khoi-") if r < 0.60 else self.pick("district") if r < 0.85 else
               self.pick("commune", "unit"))
        day = random_date(rng)
        doc = Doc(len(self.docs), "resolution", "NQ", org, day, self.topic())
        if rng.random() < 0.35:
            doc.term = standard_term(rng, day)
        if rng.random() < 0.25:
            older = [d for d in self.citable(org, day, ("resolution", "congress"))]
            if older:
                doc.based_on.append(rng.choice(older))
        return self.add(doc)

    # --- programmes and plans ----------------------------------------------------
    def implementing(self, parent: Doc, role: str) -> Doc | None:
        rng = self.rng
        if not parent.org.implementers:
            return None
        org = self.by_id[rng.choice(parent.org.implementers)]
        abbr = "KH" if role == "plan" or org.role == "ubnd" else "CTr"
        day = random_date(rng, parent.issued)
        topic = parent.topic if rng.random() < 0.9 else self.topic()
        doc = Doc(len(self.docs), role, abbr, org, day, topic, implements=[parent])
        if role == "plan" and rng.random() < 0.25:
            doc.term, doc.annual = (day.year, day.year), True
        elif parent.term and parent.term[1] >= day.year and rng.random() < 0.6:
            doc.term = (max(parent.term[0], day.year), parent.term[1])
        else:
            doc.term = standard_term(rng, day)
        if rng.random() < 0.12:  # a second document implemented at once
            more = [d for d in self.citable(org, day, ("resolution", "congress", "programme")) if d is not parent]
            if more:
                doc.implements.append(rng.choice(more))
        if rng.random() < 0.2:
            basis = [d for d in self.citable(org, day, ("congress", "resolution")) if d not in doc.implements]
            if basis:
                doc.based_on.append(rng.choice(basis))
        earlier = [d for d in self.by_org.get(org.id, []) if d.role == role and d.issued < day - dt.timedelta(days=300)
                   and d.published]
        if earlier and rng.random() < 0.05:
            (doc.replaces if rng.random() < 0.6 else doc.amends).append(rng.choice(earlier))
        return self.add(doc)

    # --- other kinds -------------------------------------------------------------
    def other(self) -> Doc:
        rng = self.rng
        r = rng.random()
        if r < 0.30:
            org = self.pick("bo-chinh-tri", "ban-bi-thu") if rng.random() < 0.3 else self.pick("tinh-uy-", "district")
            area = rng.choice(DIRECTIVE_AREAS)
            doc = Doc(len(self.docs), "directive", "CT", org, random_date(rng), area)
            basis = self.citable(org, doc.issued, ("resolution", "congress")) + [
                d for d in self.by_org.get(org.id, []) if d.role == "resolution" and d.issued < doc.issued]
            if basis and rng.random() < 0.4:
                doc.based_on.append(rng.choice(basis))
        elif r < 0.55:
            org = self.pick("bo-chinh-tri", "ban-bi-thu") if rng.random() < 0.3 else self.pick("tinh-uy-")
            own = [d for d in self.by_org.get(org.id, []) if d.role == "resolution" and d.issued < dt.date(2026, 1, 1)]
            if own:
                base = rng.choice(own)
                doc = Doc(len(self.docs), "conclusion", "KL", org, random_date(rng, base.issued, (300, 1400)),
                          base.topic, based_on=[base])
            else:
                doc = Doc(len(self.docs), "conclusion", "KL", org, random_date(rng), self.topic())
        elif r < 0.70:
            org = self.pick("bo-chinh-tri", "ban-chap-hanh-trung-uong", "tinh-uy-", "dang-uy-khoi-")
            doc = Doc(len(self.docs), "regulation", "QĐi", org, random_date(rng), (rng.choice(REGULATION_TOPICS), ["Xây dựng Đảng"]))
            earlier = [d for d in self.by_org.get(org.id, []) if d.role == "regulation" and d.issued < dt.date(2025, 6, 1)]
            if earlier and rng.random() < 0.4:
                old = rng.choice(earlier)
                doc.issued = random_date(rng, old.issued, (200, 900))
                doc.topic = old.topic
                (doc.amends if rng.random() < 0.6 else doc.replaces).append(old)
        elif r < 0.90:
            org = self.pick("ban-tuyen-giao-", "ban-to-chuc-", "dang-uy-khoi-")
            pool = [d for d in self.citable(org, LAST_ISSUE, ("resolution", "regulation"))
                    if d.issued < dt.date(2026, 4, 1)]
            if pool:
                target = rng.choice(pool)
                doc = Doc(len(self.docs), "guide", "HD", org, random_date(rng, target.issued, (7, 90)),
                          target.topic, guides=[target])
            else:
                doc = Doc(len(self.docs), "guide", "HD", org, random_date(rng), self.topic())
        else:
            org = self.pick("tinh-uy-", "dang-uy-khoi-", "district")
            doc = Doc(len(self.docs), "scheme", "ĐA", org, random_date(rng), self.topic())
            pool = self.citable(org, doc.issued, ("resolution", "congress"))
            if pool:
                doc.implements.append(rng.choice(pool))
            if rng.random() < 0.5:
                doc.term = standard_term(rng, doc.issued)
        return self.add(doc)

    def plan(self) -> list[Doc]:
        rng, n = self.rng, self.n
        n_res = max(3, round(n * 0.2))
        n_prog = max(3, round(n * 0.6))
        n_other = max(0, n - n_res - n_prog)
        self.resolution(force_congress=True)
        # central resolutions first, so every chain has somewhere to start
        for _ in range(max(1, n_res // 20)):
            org = self.pick("bo-chinh-tri", "ban-chap-hanh-trung-uong")
            day = random_date(rng)
            doc = Doc(len(self.docs), "resolution", "NQ", org, day, self.topic())
            if rng.random() < 0.5:
                doc.term = standard_term(rng, day)
            self.add(doc)
        while len(self.docs) < n_res:
            self.resolution()
        resolutions = list(self.docs)
        n_programmes = round(n_prog * 0.4)
        made = 0
        while made < n_programmes:
            parent = rng.choice(resolutions)
            if parent.issued < dt.date(2026, 3, 1) and self.implementing(parent, "programme"):
                made += 1
        made = 0
        while made < n_prog - n_programmes:
            pool = self.docs if rng.random() < 0.15 else self.docs[n_res:]
            parent = rng.choice(pool)
            if parent.role in ("resolution", "congress", "programme", "plan") and not parent.annual \
                    and parent.issued < dt.date(2026, 5, 1) and self.implementing(parent, "plan"):
                made += 1
        for _ in range(n_other):
            self.other()
        return self.docs


# --------------------------------------------------------------------------------------
# Numbers, ids, titles, statuses, targets
# --------------------------------------------------------------------------------------

def assign_numbers(rng: random.Random, docs: list[Doc]) -> None:
    counters: dict[tuple, int] = {}
    used: set[str] = set()
    for doc in sorted(docs, key=lambda d: (d.issued, d.index)):
        org = doc.org
        if doc.role == "congress":
            doc.number = ""
        elif org.role == "hdnd":
            key = (org.id, doc.issued.year)
            counters[key] = counters.get(key, 0) + 1
            doc.number = f"{counters[key]:02d}/{doc.issued.year}/NQ-HĐND"
        elif org.role == "ubnd":
            key = (org.id, doc.issued.year)
            counters[key] = counters.get(key, rng.randint(1, 30)) + rng.randint(3, 40)
            doc.number = f"{counters[key]}/{doc.abbr}-UBND"
        else:
            key = (org.id, doc.abbr, congress_term(doc.issued))
            counters[key] = counters.get(key, 0) + 1
            doc.number = f"{counters[key]:02d}-{doc.abbr}/{org.abbr}"
        if doc.role == "congress":
            base = f"nq-dai-hoi-{doc.congress.lower()}-{org.id}"
        else:
            base = slugify(doc.number) + (f"-{org.code}" if org.code else "") + f"-{doc.issued.year}"
        candidate, k = base, 2
        while candidate in used:
            candidate, k = f"{base}-{k}", k + 1
        used.add(candidate)
        doc.id = candidate


def term_suffix(doc: Doc) -> str:
    if not doc.term:
        return ""
    a, b = doc.term
    if a == b:
        return f" năm {a}"
    if b - a >= 9:
        return f" đến năm {b}, tầm nhìn đến năm {b + 15}"
    return f" giai đoạn {a}–{b}"


def assign_titles(rng: random.Random, docs: list[Doc]) -> None:
    for doc in docs:
        topic = doc.topic[0]
        place = doc.org.place
        if doc.role == "congress":
            doc.title = (f"Nghị quyết Đại hội đại biểu {doc.org.name} lần thứ {doc.congress}, "
                         f"nhiệm kỳ {doc.term[0]}–{doc.term[1]}")
        elif doc.role == "resolution":
            where = f" trên địa bàn tỉnh {place}" if doc.org.role == "hdnd" else ""
            doc.title = f"Về {topic}{where}{term_suffix(doc)}"
        elif doc.role in ("programme", "plan"):
            parent = doc.implements[0]
            verb = rng.choice(["thực hiện", "triển khai thực hiện", "tổ chức thực hiện"]) if doc.role == "plan" else "thực hiện"
            about = "" if parent.role == "congress" or not parent.number else f" về {parent.topic[0]}"
            year = f" năm {doc.term[0]}" if doc.annual else ""
            doc.title = f"{doc.kind} {verb} {parent.cite()}{about}{year}"
        elif doc.role == "directive":
            if doc.based_on:
                doc.title = f"Về tăng cường lãnh đạo thực hiện {doc.based_on[0].cite()}"
            else:
                doc.title = f"Về tăng cường sự lãnh đạo của Đảng đối với {topic}"
        elif doc.role == "conclusion":
            doc.title = (f"Về tiếp tục thực hiện {doc.based_on[0].cite()} về {topic}" if doc.based_on
                         else f"Về {topic}")
        elif doc.role == "regulation":
            doc.title = (f"Sửa đổi, bổ sung một số điều của {doc.amends[0].cite()} về {topic}" if doc.amends
                         else f"Về {topic}")
        elif doc.role == "guide":
            target = doc.guides[0] if doc.guides else None
            if target is None:
                doc.title = f"Hướng dẫn thực hiện công tác {topic}"
            elif doc.org.role == "tochuc":
                doc.title = f"Hướng dẫn một số vấn đề cụ thể thi hành {target.cite()}"
            else:
                doc.title = f"Hướng dẫn học tập, quán triệt, tuyên truyền và triển khai thực hiện {target.cite()}"
        elif doc.role == "scheme":
            doc.title = f"Đề án {topic}{term_suffix(doc)}"
        if doc.org.place and rng.random() < 0.6:
            doc.place = doc.org.place
        if rng.random() < 0.5:
            org = doc.org
            positions = SIGNERS.get(org.role) or (SIGNERS["central"] if org.level == "central" else POSITIONS)
            doc.signer = f"{rng.choice(positions)} {person(rng)}"


def make_targets(rng: random.Random, doc: Doc) -> list[dict]:
    count = rng.randint(7, 10) if doc.role == "congress" else rng.randint(5, 10)
    allowed = LEVEL_TARGETS.get(doc.org.level)
    bank = [b for b in TARGET_BANK if b[0] in allowed] if allowed else TARGET_BANK
    picks = rng.sample(bank, count)
    grouped = rng.random() < 0.8
    scale = SCALE[doc.org.level] if doc.org.level in SCALE else 1.0
    out = []
    for (tid, group, text, op, low, high, unit, period, decimals, scaled) in picks:
        target = {"id": tid, "text": text, "group": group if grouped else "", "period": period, "unit": unit,
                  "op": op, "decimals": decimals}
        if doc.annual:
            target["period"] = "annual"
        if op is not None:
            value = rng.uniform(low, high) * (scale if scaled else 1.0)
            if scaled:
                value = max(1, round(value))
                decimals = 0
            goal = Decimal(f"{value:.{decimals}f}") if decimals else Decimal(round(value))
            target["goal"] = goal
        out.append(target)
    out.sort(key=lambda t: GROUP_ORDER.index(BANK_GROUP[t["id"]]))
    return out


def assign_details(rng: random.Random, docs: list[Doc], n: int) -> None:
    for doc in docs:
        if doc.role in ("programme", "plan") or (doc.role == "congress") or \
                (doc.term and doc.role in ("resolution", "scheme") and rng.random() < 0.5):
            if doc.term is None:
                doc.term = standard_term(rng, doc.issued)
            doc.targets = make_targets(rng, doc)
        tags = list(doc.topic[1])
        if rng.random() < 0.3:
            tags.append(rng.choice(EXTRA_TAGS))
        if doc.role == "congress":
            tags.insert(0, "Đại hội Đảng")
        if rng.random() < 0.02:  # an editor typing without diacritics: merged with the accented spelling
            tags[0] = fold(tags[0]).capitalize()
        doc.tags = list(dict.fromkeys(tags))
        r = rng.random()
        if doc.term and doc.term[1] < 2021 and r < 0.3:
            doc.status = "expired"
            doc.effective = doc.issued
            doc.expires = dt.date(doc.term[1], 12, 31)
        elif r < 0.03:
            doc.status = "partly-expired"
        elif r < 0.25:
            doc.effective = doc.issued
        # leaves only: nothing links to an unpublished document's page
        if doc.role in ("plan", "directive", "guide") and not doc.annual:
            r = rng.random()
            doc.draft = r < 0.01
            doc.restricted = 0.01 <= r < 0.015
        doc.attachment = rng.random() < 0.05
        if doc.role != "congress" and rng.random() < 0.03:
            doc.partial_date = "month"


# --------------------------------------------------------------------------------------
# Bodies
# --------------------------------------------------------------------------------------

class Writer:
    """Composes one document's Markdown body from the phrase banks."""

    def __init__(self, rng: random.Random, doc: Doc | None, linkable: list[Doc], orgs: list[Org]):
        self.rng = rng
        self.doc = doc
        self.linkable = linkable
        self.orgs = orgs

    def sentence(self) -> str:
        rng = self.rng
        opener = rng.choice(OPENERS)
        subject = rng.choice(SUBJECTS)
        obj = rng.choice(OBJECTS) if rng.random() < 0.6 else (self.doc.topic[0] if self.doc else rng.choice(TOPICS)[0])
        text = f"{opener}{subject} {rng.choice(VERBS)} {obj}"
        if rng.random() < 0.7:
            text += f", {rng.choice(COMPLEMENTS)}"
        text += "."
        return cap(text) if not opener else text

    def achievement(self) -> str:
        rng = self.rng
        phrase = rng.choice(ACHIEVEMENTS).format(
            n=vn_number(rng.randint(3, 450)), m=vn_number(rng.randint(500, 25000)),
            p=vn_number(rng.uniform(80, 100), 1) + "%", q=vn_number(rng.uniform(0.8, 4.5), 2) + "%",
            b=vn_number(rng.randint(2000, 48000)))
        lead = rng.choice(["Sau {k} năm triển khai, ", "Đến hết năm {y}, ", "Qua sơ kết, ", "Riêng năm {y}, "]).format(
            k=rng.randint(2, 5), y=rng.randint(2017, 2025))
        return f"{lead}{phrase}."

    def paragraph(self, low: int = 2, high: int = 4) -> str:
        parts = [self.sentence() for _ in range(self.rng.randint(low, high))]
        if self.rng.random() < 0.35:
            parts.insert(self.rng.randint(0, len(parts)), self.achievement())
        if self.rng.random() < 0.15:
            parts[0] = "**" + parts[0][:-1] + "**."
        return " ".join(parts)

    def bullets(self, low: int = 3, high: int = 5, ordered: bool = False) -> str:
        items = []
        for i in range(self.rng.randint(low, high)):
            text = self.sentence()
            items.append(f"{i + 1}. {text}" if ordered else f"- {text}")
        return "\n".join(items)

    def link(self, doc: Doc, anchor: str = "") -> str:
        label = doc.heading if doc.number else doc.title
        if self.doc and self.rng.random() < 0.08 and not anchor:  # the relative form editors also write
            here = self.doc.folder
            href = f"{doc.id}.md" if doc.folder == here else f"../{doc.folder}/{doc.id}.md"
            return f"[{label}]({href})"
        return f"[{label}]({doc.url}{anchor})"

    def random_link(self) -> str:
        other = self.rng.choice(self.linkable)
        anchor = "#chi-tieu" if other.targets and self.rng.random() < 0.3 else ""
        return self.link(other, anchor)

    def table(self) -> str:
        rng = self.rng
        year = self.doc.issued.year if self.doc else 2024
        rows = ["| TT | Nội dung công việc | Cơ quan chủ trì | Thời gian hoàn thành |", "| --- | --- | --- | --- |"]
        for i, task in enumerate(rng.sample(TASKS, rng.randint(3, 6)), start=1):
            when = rng.choice(TIMES).format(y=min(2026, year + rng.randint(0, 3)))
            rows.append(f"| {i} | {task} | {rng.choice(AGENCIES)} | {when} |")
        return "\n".join(rows)

    def intro(self) -> str:
        doc, rng = self.doc, self.rng
        parts = []
        if doc.implements:
            links = " và ".join(self.link(p) for p in doc.implements if p.published)
            if links:
                parts.append(f"Căn cứ {links}; {doc.org.name} ban hành {doc.kind.lower()} {rng.choice(['với các nội dung chủ yếu sau', 'để cụ thể hóa các mục tiêu, nhiệm vụ phù hợp với tình hình thực tế của đơn vị', 'nhằm tổ chức thực hiện thống nhất, hiệu quả'])}.")
        for basis in doc.based_on + doc.guides + doc.amends + doc.replaces:
            if basis.published:
                parts.append(f"Văn bản này được ban hành trên cơ sở {self.link(basis)} và kết quả "
                             f"{rng.choice(['sơ kết', 'tổng kết', 'kiểm tra'])} việc thực hiện trong thời gian qua.")
        if not parts:
            parts.append(f"Ngày {doc.issued.day:02d} tháng {doc.issued.month} năm {doc.issued.year}, {doc.org.name} "
                         f"ban hành {doc.kind.lower()} {doc.title[0].lower() + doc.title[1:]}.")
        parts.append(self.paragraph(1, 2))
        return " ".join(parts)

    def section_block(self, roman: str, title: str, content: list[str]) -> str:
        return f"## {roman}. {title}\n\n" + "\n\n".join(content)

    def subsection(self, number: int) -> str:
        rng = self.rng
        parts = [f"### {number}. {rng.choice(SUBHEADINGS)}", self.paragraph()]
        if rng.random() < 0.5:
            parts.append(self.bullets())
        if rng.random() < 0.25:
            parts.append(f"Tham khảo cách làm tại {self.random_link()} và {self.random_link()}.")
        return "\n\n".join(parts)

    def document_body(self, size: int) -> str:
        doc, rng = self.doc, self.rng
        head = [self.intro()]
        if doc.role in ("resolution", "congress", "conclusion", "directive"):
            first = [self.section_block("I", "Tình hình và nguyên nhân", [self.paragraph(3, 5), rng.choice(LIMITS)]),
                     self.section_block("II", "Quan điểm chỉ đạo",
                                        ["\n".join("- " + v for v in rng.sample(VIEWPOINTS, rng.randint(3, 5)))])]
            goals_title, tasks_title, last = "III", "IV", "V"
        else:
            first = [self.section_block("I", "Mục đích, yêu cầu", [self.bullets(3, 4)])]
            goals_title, tasks_title, last = "II", "III", "IV"
        goals = [self.paragraph(2, 3)]
        if doc.targets:
            goals.append("Các chỉ tiêu chủ yếu:")
            goals.append("\n".join(f"- {t['text']}: {self.goal_words(t)}." for t in doc.targets[:rng.randint(3, 6)]))
            goals.append(f"Chi tiết các chỉ tiêu và kết quả thực hiện từng năm xem tại [bảng chỉ tiêu](#chi-tieu) "
                         f"và trang [Chỉ tiêu](/chi-tieu/).")
        middle = [self.section_block(goals_title, "Mục tiêu" if not doc.targets else "Mục tiêu, chỉ tiêu", goals)]
        org = doc.org
        closing = [self.bullets(3, 5, ordered=True)]
        if rng.random() < 0.35:
            closing.append(self.table())
        closing.append(f"Giao [{org.name}](/co-quan/{org.id}/) theo dõi, đôn đốc và định kỳ báo cáo kết quả thực hiện. "
                       f"Trong quá trình tổ chức thực hiện, nếu có khó khăn, vướng mắc, các cơ quan, đơn vị kịp thời "
                       f"phản ánh để xem xét, giải quyết.")
        if rng.random() < 0.05:
            closing[-1] += "[^1]"
            closing.append(f"[^1]: Theo quy chế làm việc của {org.name}, nhiệm kỳ hiện hành.")
        tail = [self.section_block(last, "Tổ chức thực hiện", closing)]
        if doc.targets:  # the anchor that "#chi-tieu" links point to, as editors write it
            tail.append("## Chỉ tiêu\n\nCác chỉ tiêu dưới đây được nêu trong văn bản; số liệu thực hiện từng năm "
                        "lấy từ báo cáo kết quả hằng năm (số liệu mô phỏng).")
        subsections: list[str] = []

        def assemble() -> str:
            tasks = self.section_block(tasks_title, "Nhiệm vụ, giải pháp chủ yếu", subsections or [self.paragraph()])
            return "\n\n".join(head + first + middle + [tasks] + tail) + "\n"

        body = assemble()
        while len(body.encode()) < size:
            subsections.append(self.subsection(len(subsections) + 1))
            body = assemble()
        while len(body.encode()) > 8000 and len(subsections) > 1:
            subsections.pop()
            body = assemble()
        return body

    def goal_words(self, t: dict) -> str:
        if t.get("goal") is None:
            return "hoàn thành"
        words = {">=": "ít nhất ", ">": "trên ", "<=": "không quá ", "<": "dưới ", "=": ""}[t["op"]]
        number = vn_number(t["goal"], t["decimals"] if t["unit"] == "%" or t["decimals"] else 0)
        unit = t["unit"]
        return f"{words}{number}{unit}" if unit == "%" else f"{words}{number} {unit}"

    def post_body(self, post: "Post", size: int) -> str:
        rng = self.rng
        main = post.documents[0]
        parts = [f"*{rng.choice(['Tin', 'Bài', 'Tin và ảnh'])}: {post.author}*",
                 f"Ngày {post.date.day:02d}/{post.date.month}/{post.date.year}, {main.org.name} "
                 f"{rng.choice(['tổ chức hội nghị', 'tổ chức hội nghị trực tuyến', 'tổ chức buổi làm việc'])} "
                 f"về việc thực hiện {self.link(main)}. {self.sentence()}"]
        while len("\n\n".join(parts).encode()) < size:
            r = rng.random()
            if r < 0.15:
                parts.append(f"> {self.sentence()} {self.sentence()}\n>\n> — {rng.choice(POSITIONS)} {person(rng)}")
            elif r < 0.3:
                parts.append(self.bullets(3, 4))
            elif r < 0.4:
                parts.append(f"## {rng.choice(SUBHEADINGS)}")
            elif r < 0.5:
                parts.append(f"Xem thêm: {self.random_link()}.")
            else:
                parts.append(self.paragraph(2, 4))
        for other in post.documents[1:]:
            parts.append(f"Văn bản liên quan: {self.link(other)}.")
        return "\n\n".join(parts) + "\n"


@dataclass
class Post:
    id: str
    title: str
    date: dt.date
    author: str
    documents: list[Doc]
    tags: list[str]
    source: str = ""
    month_only: bool = False


def plan_posts(rng: random.Random, docs: list[Doc], count: int) -> list[Post]:
    published = [d for d in docs if d.published]
    posts: list[Post] = []
    used: set[str] = set()
    for i in range(count):
        main = rng.choice(published)
        day = random_date(rng, main.issued, (2, 400))
        org = main.org
        r = rng.random()
        name = main.heading if main.number else main.title
        if r < 0.3:
            title = f"{org.name} tổ chức hội nghị quán triệt, triển khai {name}"
        elif r < 0.5 and main.implements:
            parent = main.implements[0]
            title = f"{org.name} ban hành {main.kind.lower()} thực hiện {parent.heading if parent.number else parent.title}"
        elif r < 0.7:
            title = f"Sơ kết {rng.randint(1, 5)} năm thực hiện {name} tại {org.name}"
        elif r < 0.85:
            title = f"{org.name}: nhiều kết quả nổi bật trong thực hiện {name}"
        else:
            title = f"Kiểm tra việc thực hiện {name} tại {org.name}"
        words = slugify(title).split("-")
        base = "-".join(words[:12])
        candidate, k = base, 2
        while candidate in used:
            candidate, k = f"{base}-{k}", k + 1
        used.add(candidate)
        related = [d for d in main.implements + main.based_on if d.published]
        extra = rng.sample(published, min(len(published), rng.randint(0, 2)))
        documents = list(dict.fromkeys([main] + related + extra))
        province = org.place or "Hà Nội"
        author = (f"{person(rng)} (Báo {province})" if rng.random() < 0.6 else
                  f"Ban Tuyên giáo {org.name}" if org.role == "committee" and org.level in ("province", "district")
                  else f"Phóng viên {person(rng)}")
        source = (f"https://tintuc-{slugify(province)}.example.vn/thoi-su/{candidate}-{10000 + i}.html"
                  if rng.random() < 0.5 else "")
        posts.append(Post(candidate, title, day, author, documents, list(main.tags), source, rng.random() < 0.05))
    return posts


# --------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------

def fmt_decimal(value: Decimal) -> str:
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def satisfies(value: Decimal, op: str, goal: Decimal) -> bool:
    return {"=": value == goal, ">=": value >= goal, ">": value > goal, "<=": value <= goal, "<": value < goal}[op]


def result_value(rng: random.Random, target: dict, met: bool) -> str:
    """A reported value that meets (or misses) the target's goal, written as in a report."""
    if target.get("goal") is None:
        return "done" if met else "not-done"
    goal, op, unit = target["goal"], target["op"], target["unit"]
    decimals = max(target["decimals"], 1 if unit == "%" and rng.random() < 0.4 else 0)
    step = Decimal(1).scaleb(-decimals)
    spread = rng.uniform(0.005, 0.05) if unit == "%" else rng.uniform(0.01, 0.15)
    delta = max(Decimal(f"{float(goal) * spread:.{decimals}f}"), step)
    if op == "=":
        value = goal if met else goal - delta
    else:
        up = (op in (">=", ">")) == met
        value = goal + delta if up else goal - delta
    value = max(Decimal(0), value.quantize(step))
    if unit == "%":
        value = min(value, Decimal(100))
    return fmt_decimal(value)


NOTES = ["Số liệu ước tính đến ngày 15/12/{y}", "Theo báo cáo của Ban Tổ chức", "Số liệu đã được thẩm định",
         "Chưa bao gồm các đơn vị mới sáp nhập", "Theo báo cáo tổng kết năm {y}"]


def plan_results(rng: random.Random, docs: list[Doc], number_counts: dict[str, int]) -> dict[int, list[str]]:
    """YAML lines of results/<year>.yaml, by year."""
    lines: dict[int, list[str]] = {}
    for doc in sorted((d for d in docs if d.targets), key=lambda d: d.id):
        if rng.random() < 0.12:
            continue  # nothing reported yet
        key = doc.number if doc.number and number_counts[number_key(doc.number)] == 1 and rng.random() < 0.15 else doc.id
        first = max(doc.term[0], doc.issued.year)
        by_year: dict[int, list[str]] = {}
        for target in doc.targets:
            if rng.random() < 0.08:
                continue
            for year in range(first, min(doc.term[1], LAST_RESULT_YEAR) + 1):
                if rng.random() < 0.1:
                    continue
                value = result_value(rng, target, rng.random() < 0.72)
                if rng.random() < 0.05:
                    entry = [f"    {target['id']}:", f"      value: {value}",
                             f"      note: {q(rng.choice(NOTES).format(y=year))}"]
                    if rng.random() < 0.3:
                        entry.append(f"      source: {q('Báo cáo của ' + doc.org.name)}")
                    by_year.setdefault(year, []).extend(entry)
                else:
                    by_year.setdefault(year, []).append(f"    {target['id']}: {value}")
        for year, entries in by_year.items():
            lines.setdefault(year, []).extend([f"  {q(key)}:"] + entries)
    return lines


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------

def front_matter(doc: Doc) -> str:
    out = ["---"]
    if doc.number:
        out.append(f"number: {q(doc.number)}")
    out.append(f"title: {q(doc.title)}")
    out.append(f"kind: {q(doc.kind)}")
    out.append(f"issuer: {doc.org.id}")
    issued = (doc.issued.isoformat() if not doc.partial_date else
              str(doc.issued.year) if doc.partial_date == "year" else doc.issued.isoformat()[:7])
    out.append(f"issued: {issued}")
    if doc.place:
        out.append(f"place: {q(doc.place)}")
    if doc.signer:
        out.append(f"signer: {q(doc.signer)}")
    if doc.effective:
        out.append(f"effective: {doc.effective.isoformat()}")
    if doc.expires:
        out.append(f"expires: {doc.expires.isoformat()}")
    if doc.status:
        out.append(f"status: {doc.status}")
    if doc.term:
        out.append(f"term: {doc.term[0]}-{doc.term[1]}")
    for name in ("implements", "based_on", "guides", "amends", "replaces"):
        refs = getattr(doc, name)
        if refs:
            out.append(f"{name}: {flow([r.id for r in refs])}")
    if doc.tags:
        out.append(f"tags: {flow(doc.tags)}")
    if doc.draft:
        out.append("draft: true")
    if doc.restricted:
        out.append("restricted: true")
    if doc.attachment:
        out.append("attachments:")
        out.append(f"  - file: files/{doc.id}.pdf")
        out.append(f"    title: {q('Toàn văn ' + doc.heading + ' (bản PDF)')}")
    if doc.targets:
        out.append("targets:")
        for t in doc.targets:
            out.append(f"  - id: {t['id']}")
            if t["group"]:
                out.append(f"    group: {q(t['group'])}")
            out.append(f"    text: {q(t['text'])}")
            if t.get("goal") is not None:
                out.append(f'    goal: "{t["op"]} {fmt_decimal(t["goal"])}"')
            if t["unit"]:
                out.append(f"    unit: {q(t['unit'])}")
            out.append(f"    period: {t['period']}")
    out.append("---")
    return "\n".join(out) + "\n"


def post_front_matter(post: Post) -> str:
    out = ["---", f"title: {q(post.title)}",
           f"date: {post.date.isoformat()[:7] if post.month_only else post.date.isoformat()}",
           f"author: {q(post.author)}"]
    if post.source:
        out.append(f"source: {post.source}")
    out.append(f"documents: {flow([d.id for d in post.documents])}")
    if post.tags:
        out.append(f"tags: {flow(post.tags)}")
    out.append("---")
    return "\n".join(out) + "\n"


def organisations_yaml(orgs: list[Org]) -> str:
    out = ["# Cơ quan ban hành văn bản (bộ dữ liệu đo hiệu năng, sinh tự động)."]
    for org in orgs:
        out.append(f"- id: {org.id}")
        out.append(f"  name: {q(org.name)}")
        if org.short:
            out.append(f"  short: {q(org.short)}")
        if org.parent:
            out.append(f"  parent: {org.parent}")
    return "\n".join(out) + "\n"


def _write(path: Path, text: str) -> None:
    path.write_bytes(unicodedata.normalize("NFC", text).encode("utf-8"))


def _prepare(out: Path) -> None:
    if out.exists():
        entries = [p for p in out.iterdir() if p.name != MARKER]
        if entries and not (out / MARKER).exists():
            raise SystemExit(f"{out} is not empty and was not made by this generator; choose another folder")
        for name in OUR_ENTRIES:
            target = out / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
    out.mkdir(parents=True, exist_ok=True)
    for folder in ("resolutions", "programmes", "posts", "results"):
        (out / folder).mkdir()


def generate(n: int, out, seed: int = 0) -> dict:
    """Write a corpus of `n` documents (plus about n/10 posts) into `out`; return counts."""
    if n < 10:
        raise ValueError("n must be at least 10")
    out = Path(out)
    rng = random.Random(f"sitegen-corpus:{seed}:{n}")
    orgs = build_orgs(rng, n)
    docs = Planner(rng, orgs, n).plan()
    assign_numbers(rng, docs)
    assign_titles(rng, docs)
    assign_details(rng, docs, n)
    number_counts: dict[str, int] = {}
    for doc in docs:
        if doc.number:
            number_counts[number_key(doc.number)] = number_counts.get(number_key(doc.number), 0) + 1
    posts = plan_posts(rng, docs, max(1, round(n * 0.1)))
    results = plan_results(rng, docs, number_counts)

    _prepare(out)
    _write(out / MARKER, f"n: {n}\nseed: {seed}\n")
    _write(out / "site.yaml",
           f"title: {q('Nghị quyết, chương trình hành động và chỉ tiêu — bộ dữ liệu đo hiệu năng')}\n"
           f"description: {q(f'Bộ dữ liệu mô phỏng gồm {n} văn bản, dùng để đo thời gian dựng trang')}\n"
           "language: vi\n")
    _write(out / "organisations.yaml", organisations_yaml(orgs))
    linkable = [d for d in docs if d.published]
    targets = 0
    for doc in docs:
        body_rng = random.Random(f"sitegen-corpus:{seed}:{n}:body:{doc.id}")
        body = Writer(body_rng, doc, linkable, orgs).document_body(body_rng.randint(4300, 7600))
        _write(out / doc.folder / f"{doc.id}.md", front_matter(doc) + body)
        targets += len(doc.targets)
        if doc.attachment:
            (out / "files").mkdir(exist_ok=True)
            (out / "files" / f"{doc.id}.pdf").write_bytes(PDF)
    for post in posts:
        body_rng = random.Random(f"sitegen-corpus:{seed}:{n}:post:{post.id}")
        body = Writer(body_rng, None, linkable, orgs).post_body(post, body_rng.randint(2000, 4500))
        _write(out / "posts" / f"{post.id}.md", post_front_matter(post) + body)
    for year in sorted(results):
        text = (f"# Kết quả thực hiện năm {year} (số liệu mô phỏng để đo hiệu năng).\n"
                f"year: {year}\nsource: {q(f'Báo cáo tổng kết năm {year} của các cấp ủy (số liệu mô phỏng)')}\n"
                "results:\n" + "\n".join(results[year]) + "\n")
        _write(out / "results" / f"{year}.yaml", text)
    return {"documents": len(docs), "posts": len(posts), "organisations": len(orgs), "targets": targets,
            "result_years": len(results)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate a deterministic benchmark corpus.")
    parser.add_argument("n", type=int, help="number of documents (posts add about 10%%)")
    parser.add_argument("out", type=Path, help="output content folder")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    counts = generate(args.n, args.out, args.seed)
    print(", ".join(f"{v} {k}" for k, v in counts.items()) + f" -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
