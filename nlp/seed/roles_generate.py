"""Writes nlp/seed/roles.jsonl: the labeled seed set the document-role model trains from.

Every item is a headline and lead in the style of the Vietnamese press, written from the
templates and phrase lists below (nothing is taken from any corpus or evaluation set). Each item
says where a document stands in the life of one public issue:

* `report`: the problem itself (workers unpaid, a stream polluted, a road broken, a petition);
* `response`: the authority or the party responsible answers or acts: `received` (took in the
  report), `inspecting` (inspects, verifies, investigates, samples), `dialogue` (meets the people
  concerned), `instructed` (orders, assigns, plans), `replied` (a written or public answer, a
  promise), `sanctioned` (a fine, a suspension, a prosecution);
* `resolution`: the remedy is done, with what: `paid`, `handed_over`, `cleaned_up`, `repaired`,
  `removed`, `refunded`, or `rejected` (a reasoned final answer that the claim is unfounded);
* `none`: not a step of a public issue here.

Hard cases are written on purpose: a report that says earlier promises were broken or that
letters went unanswered; a promise or a plan ("sẽ trả lương trước ngày...", "dự kiến hoàn
thành...") is a response, not a resolution; the same answers and remedies abroad are `none`;
routine inspections, annual dialogue conferences, statistics of petitions handled, advice
columns titled "Trả lời bạn đọc", inaugurations of new works and nationwide directives are `none`;
so is background news of an accident, a fire, an arrest or a sentence that answers no raised issue.

Regenerate (deterministic): python -m nlp.seed.roles_generate
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from nlp.seed.generate import unique_by_title_and_lead, write_seed

PROVINCES = ["Hà Nội", "TP.HCM", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Nghệ An", "Thanh Hóa", "Quảng Ninh",
             "Bình Dương", "Đồng Nai", "Hải Dương", "Thái Bình", "Nam Định", "Quảng Nam", "Quảng Ngãi",
             "Bình Định", "Khánh Hòa", "Lâm Đồng", "Đắk Lắk", "Gia Lai", "Long An", "Tiền Giang", "An Giang",
             "Cà Mau", "Hà Tĩnh", "Quảng Bình", "Quảng Trị", "Bắc Ninh", "Bắc Giang", "Vĩnh Phúc", "Phú Thọ",
             "Thái Nguyên", "Hưng Yên", "Ninh Bình", "Tây Ninh", "Bến Tre", "Sóc Trăng", "Kiên Giang"]
COMMUNES = ["xã Tân Phú", "xã Hòa Tiến", "phường Đông Xuyên", "xã Quảng Lợi", "xã Bình Minh", "phường Long Thạnh",
            "xã Phước Lộc", "thị trấn Đồng Lê", "xã Nghĩa Hưng", "phường Hiệp Thành", "xã Thạch Hòa", "xã An Nhơn",
            "phường Trung Sơn", "xã Đại Đồng", "xã Cẩm Thịnh", "phường Bình Tân", "xã Vĩnh Hưng", "xã Hải Lộc"]
COMPANIES = ["Công ty TNHH May mặc Thành Công", "Công ty CP Giày da Phúc Hưng", "Công ty TNHH Điện tử Minh Quang",
             "Công ty TNHH Chế biến gỗ An Khang", "Công ty CP Thủy sản Biển Đông", "Công ty TNHH Bao bì Tân Thịnh",
             "Công ty TNHH Dệt nhuộm Hưng Phát", "Công ty CP Cơ khí Đại Việt", "Công ty TNHH Linh kiện Sao Việt",
             "Công ty TNHH Túi xách Hoàng Long"]
INDUSTRIAL_PARKS = ["KCN Tân Hương", "KCN Phú Bài", "KCN Nam Sách", "KCN Long Đức", "KCN Hòa Khánh", "KCN Mỹ Xuân",
                    "KCN Yên Phong", "KCN Tịnh Phong", "KCN Đình Trám", "KCN Phố Nối"]
FACTORIES = ["Nhà máy giấy Hoàng Hà", "Nhà máy chế biến mủ cao su Tân Lập", "Nhà máy tinh bột sắn Đăk Tô",
             "Nhà máy thép Phú Mỹ Hưng", "Nhà máy xử lý rác Tây Bắc", "Nhà máy gạch tuynel Đông Triều",
             "Nhà máy chế biến thủy sản Hải Đăng", "Nhà máy đường An Khê"]
WATERWAYS = ["sông Cầu", "sông Đáy", "kênh Thầy Cai", "suối Đá Mài", "sông Vệ", "kênh Ngang", "rạch Cái Sơn", "sông Nhuệ"]
LANDFILLS = ["bãi rác Đông Thạnh", "bãi rác Khánh Sơn", "bãi rác Cồn Ngựa", "bãi rác Phước Hiệp", "bãi rác Xuân Sơn"]
PROJECTS = ["dự án khu đô thị Hòa Lạc Xanh", "dự án đường vành đai 4", "dự án cao tốc Bắc - Nam đoạn qua tỉnh",
            "dự án khu công nghiệp Nam Tiền Phong", "dự án hồ chứa nước Bản Mồng", "dự án mở rộng quốc lộ 14"]
ROADS = ["đường tỉnh 392", "quốc lộ 1A đoạn tránh thành phố", "đường Nguyễn Văn Cừ", "đường liên xã Phú Lâm - Tân Hòa",
         "đường Lê Văn Lương kéo dài", "tỉnh lộ 10"]
APARTMENTS = ["chung cư Hoàng Anh Gia Lai", "chung cư Phúc Yên", "chung cư Ngọc Lan", "khu căn hộ Sunview",
              "chung cư Thanh Hà", "tòa nhà CT2 Nam Cường"]
SCHOOLS = ["Trường Tiểu học Nguyễn Trãi", "Trường THCS Trần Phú", "Trường Mầm non Hoa Sen", "Trường THPT Phan Bội Châu",
           "Trường Tiểu học Quang Trung", "Trường THCS Lý Tự Trọng"]
HOSPITALS = ["Bệnh viện Đa khoa huyện Đông Sơn", "Trung tâm Y tế huyện Hòa Vang", "Bệnh viện Đa khoa tỉnh",
             "Bệnh viện Sản Nhi tỉnh", "Trung tâm Y tế thị xã Quảng Yên"]
MARKETS = ["chợ Đầm", "chợ Bến Thành mới", "chợ Phú Lâm", "chợ Đồng Xuân", "chợ Cái Khế"]
COUNTRIES = [("Thái Lan", "Bangkok"), ("Indonesia", "Jakarta"), ("Ấn Độ", "New Delhi"), ("Mỹ", "California"),
             ("Hàn Quốc", "Seoul"), ("Nhật Bản", "Osaka"), ("Philippines", "Manila"), ("Trung Quốc", "Quảng Đông"),
             ("Pháp", "Paris"), ("Bangladesh", "Dhaka"), ("Malaysia", "Kuala Lumpur"), ("Brazil", "Sao Paulo")]
DATES = ["15/3", "30/4", "10/6", "20/7", "31/8", "15/10", "30/11", "20/12"]
MONEY = ["150 triệu đồng", "240 triệu đồng", "350 triệu đồng", "480 triệu đồng", "1,2 tỷ đồng", "90 triệu đồng"]


@dataclass(frozen=True)
class Issue:
    """One kind of public issue: how its problem is reported and how it ends."""

    things: tuple[str, ...]        # the named thing: "{x}" is filled from a name list
    problem_title: tuple[str, ...]  # "{T} nợ lương công nhân {n} tháng" ({T} = the thing, capitalised)
    problem_lead: tuple[str, ...]   # "{t} ... " with the thing inside
    issue: tuple[str, ...]          # a noun phrase naming the issue: "việc nợ lương"
    who: str                        # the people affected: "công nhân", "người dân"
    remedies: tuple[tuple[str, str], ...]  # (with what, "đã ..." a done remedy)
    promise: tuple[str, ...]        # the same remedy promised: "trả đủ lương"
    party: str                      # who must act: "công ty", "chủ đầu tư", "nhà thầu"
    authorities: tuple[str, ...]    # who answers: "UBND huyện", "Sở Y tế {p}"


ISSUES: list[Issue] = [
    Issue(things=tuple(COMPANIES),
          problem_title=("{T} nợ lương công nhân {n} tháng", "Công nhân {T} ngừng việc vì bị nợ lương",
                         "Hàng trăm công nhân {T} chưa được nhận lương", "Bị nợ lương, công nhân {T} đình công"),
          problem_lead=("Hơn {n_cn} công nhân {t} tại {kcn} ({p}) đồng loạt ngừng việc vì công ty chậm trả lương {n} tháng.",
                        "Công nhân {t} ở {kcn}, tỉnh {p} cho biết đã {n} tháng chưa nhận được lương, nhiều người phải vay mượn tiền trọ."),
          issue=("việc nợ lương", "vụ công nhân ngừng việc", "việc chậm trả lương"), who="công nhân",
          remedies=(("paid", "trả đủ lương còn nợ cho {n_cn} công nhân"), ("paid", "thanh toán toàn bộ tiền lương tháng {n} cho người lao động")),
          promise=("trả đủ lương cho công nhân", "thanh toán tiền lương còn nợ"),
          party="doanh nghiệp", authorities=("Liên đoàn Lao động tỉnh {p}", "Ban quản lý các KCN {p}", "Sở Nội vụ {p}", "UBND tỉnh {p}", "Chủ tịch UBND tỉnh {p}")),
    Issue(things=tuple(COMPANIES),
          problem_title=("{T} nợ bảo hiểm xã hội hàng tỷ đồng", "Công nhân {T} không được chốt sổ bảo hiểm",
                         "Nợ BHXH kéo dài, người lao động {T} mất quyền lợi"),
          problem_lead=("Hàng trăm người lao động {t} ({p}) không được hưởng chế độ ốm đau, thai sản vì công ty nợ BHXH {n} tháng.",
                        "Theo BHXH tỉnh {p}, {t} đã nợ tiền bảo hiểm xã hội của người lao động từ đầu năm."),
          issue=("việc nợ bảo hiểm xã hội", "khoản nợ BHXH"), who="người lao động",
          remedies=(("paid", "nộp đủ số tiền BHXH còn nợ và chốt sổ cho người lao động"),),
          promise=("nộp đủ tiền bảo hiểm còn nợ", "chốt sổ bảo hiểm cho người lao động"),
          party="doanh nghiệp", authorities=("BHXH tỉnh {p}", "Liên đoàn Lao động tỉnh {p}", "Sở Nội vụ {p}", "Thanh tra tỉnh {p}")),
    Issue(things=tuple(FACTORIES),
          problem_title=("{T} xả thải ra {song}, cá chết hàng loạt", "Nước thải từ {T} nhuộm đen {song}",
                         "Dân kêu cứu vì {T} gây ô nhiễm", "{T} xả khói bụi, dân ngột ngạt"),
          problem_lead=("Người dân {xa} ({p}) phản ánh {t} xả nước thải chưa qua xử lý ra {song}, nước bốc mùi hôi, cá chết nổi trắng.",
                        "Nhiều ngày nay, khói bụi và mùi hôi từ {t} bao trùm khu dân cư {xa}, tỉnh {p}, trẻ nhỏ ho kéo dài."),
          issue=("tình trạng ô nhiễm", "việc xả thải", "phản ánh ô nhiễm"), who="người dân",
          remedies=(("cleaned_up", "hoàn thành hệ thống xử lý nước thải, {song} trong trở lại"),
                    ("cleaned_up", "xử lý dứt điểm ô nhiễm, kết quả quan trắc đạt quy chuẩn"),
                    ("removed", "ngừng hoạt động và di dời ra khỏi khu dân cư")),
          promise=("xây mới hệ thống xử lý nước thải", "di dời nhà máy ra khỏi khu dân cư"),
          party="doanh nghiệp", authorities=("Sở Nông nghiệp và Môi trường {p}", "Chi cục Bảo vệ môi trường {p}", "UBND huyện", "UBND tỉnh {p}", "Công an tỉnh {p}")),
    Issue(things=tuple(LANDFILLS),
          problem_title=("{T} quá tải, dân sống trong mùi hôi", "Nước rỉ từ {T} tràn ra ruộng", "Ruồi nhặng từ {T} bủa vây nhà dân"),
          problem_lead=("Hàng trăm hộ dân {xa} ({p}) phải đóng cửa cả ngày vì mùi hôi từ {t} bốc lên, nước rỉ rác chảy tràn ra ruộng.",),
          issue=("mùi hôi từ bãi rác", "tình trạng ô nhiễm bãi rác"), who="người dân",
          remedies=(("cleaned_up", "che phủ, xử lý triệt để mùi hôi và thu gom hết nước rỉ rác"),
                    ("removed", "đóng cửa, chuyển rác về khu xử lý tập trung")),
          promise=("đóng cửa bãi rác", "xử lý triệt để mùi hôi"),
          party="đơn vị vận hành bãi rác", authorities=("UBND huyện", "Sở Xây dựng {p}", "Sở Nông nghiệp và Môi trường {p}", "UBND tỉnh {p}")),
    Issue(things=tuple(PROJECTS),
          problem_title=("Dân không đồng ý giá bồi thường {t}", "Chưa được bồi thường, dân chưa giao đất cho {t}",
                         "Hàng chục hộ chờ tái định cư vì {t}"),
          problem_lead=("Nhiều hộ dân {xa} ({p}) cho rằng đơn giá bồi thường đất để thực hiện {t} quá thấp so với giá thị trường.",
                        "Sau nhiều năm bị thu hồi đất cho {t}, hàng chục hộ dân {xa}, tỉnh {p} vẫn chưa được bố trí đất tái định cư."),
          issue=("giá bồi thường", "việc bồi thường, tái định cư", "khiếu nại về giá đền bù"), who="người dân",
          remedies=(("paid", "nhận tiền bồi thường theo đơn giá mới và bàn giao mặt bằng"),
                    ("handed_over", "bàn giao nền tái định cư cho các hộ bị thu hồi đất"),
                    ("rejected", "ban hành quyết định giải quyết khiếu nại, giữ nguyên đơn giá vì khiếu nại không có cơ sở")),
          promise=("bố trí đất tái định cư", "điều chỉnh đơn giá bồi thường"),
          party="chủ đầu tư dự án", authorities=("UBND huyện", "UBND tỉnh {p}", "Chủ tịch UBND tỉnh {p}", "Hội đồng bồi thường huyện", "Thanh tra tỉnh {p}")),
    Issue(things=("khu tái định cư {xa}", "khu dân cư {xa}"),
          problem_title=("Hàng chục hộ dân {t} chờ sổ đỏ nhiều năm", "Nộp đủ tiền, dân {t} vẫn chưa được cấp sổ đỏ"),
          problem_lead=("Dù đã hoàn tất nghĩa vụ tài chính từ lâu, hơn {n_ho} hộ dân {t} ({p}) vẫn chưa được cấp giấy chứng nhận quyền sử dụng đất.",),
          issue=("việc chậm cấp sổ đỏ", "việc cấp giấy chứng nhận quyền sử dụng đất"), who="người dân",
          remedies=(("handed_over", "trao giấy chứng nhận quyền sử dụng đất cho {n_ho} hộ dân"),),
          promise=("cấp sổ đỏ cho các hộ dân", "trao giấy chứng nhận quyền sử dụng đất"),
          party="văn phòng đăng ký đất đai", authorities=("UBND huyện", "Sở Nông nghiệp và Môi trường {p}", "UBND tỉnh {p}")),
    Issue(things=("công trình nhà xưởng ở {xa}", "dãy nhà trọ ở {xa}", "công trình nhà hàng ven sông ở {xa}"),
          problem_title=("{T} xây không phép trên đất nông nghiệp", "Công trình trái phép mọc lên ngang nhiên ở {xa}"),
          problem_lead=("Người dân phản ánh {t} ({p}) được xây dựng không phép trên đất nông nghiệp, thi công cả ban đêm.",),
          issue=("công trình xây dựng trái phép", "vi phạm trật tự xây dựng"), who="người dân",
          remedies=(("removed", "tự tháo dỡ công trình vi phạm, trả lại hiện trạng đất"),),
          promise=("tháo dỡ công trình vi phạm",),
          party="chủ công trình", authorities=("UBND {xa}", "UBND huyện", "Sở Xây dựng {p}", "Thanh tra xây dựng")),
    Issue(things=tuple(MARKETS),
          problem_title=("Hàng quán lấn chiếm lòng đường quanh {t}", "Vỉa hè quanh {t} biến thành bãi giữ xe"),
          problem_lead=("Quanh {t} ({p}), hàng trăm quầy hàng và xe máy chiếm hết vỉa hè, lòng đường, người đi bộ phải đi xuống lòng đường.",),
          issue=("tình trạng lấn chiếm vỉa hè", "việc lấn chiếm lòng đường"), who="người dân",
          remedies=(("removed", "giải tỏa toàn bộ quầy hàng lấn chiếm, trả lại vỉa hè cho người đi bộ"),),
          promise=("giải tỏa các điểm lấn chiếm",),
          party="ban quản lý chợ", authorities=("UBND phường", "UBND quận", "Công an phường", "Sở Xây dựng {p}")),
    Issue(things=tuple(APARTMENTS),
          problem_title=("Cư dân {t} đòi quỹ bảo trì", "Cư dân {t} căng băng rôn phản đối chủ đầu tư", "{T} mất nước nhiều ngày"),
          problem_lead=("Hàng trăm cư dân {t} ({p}) phản đối chủ đầu tư chậm bàn giao quỹ bảo trì hàng chục tỷ đồng.",
                        "Hơn {n_ho} hộ dân {t}, {p} phải xách xô đi xin nước vì tòa nhà mất nước sinh hoạt nhiều ngày."),
          issue=("tranh chấp quỹ bảo trì", "việc bàn giao quỹ bảo trì", "sự cố mất nước"), who="cư dân",
          remedies=(("handed_over", "bàn giao toàn bộ quỹ bảo trì cho ban quản trị"),
                    ("repaired", "thay máy bơm, cấp nước trở lại cho cư dân")),
          promise=("bàn giao quỹ bảo trì cho ban quản trị", "khắc phục sự cố cấp nước"),
          party="chủ đầu tư", authorities=("UBND phường", "UBND quận", "Sở Xây dựng {p}", "UBND tỉnh {p}")),
    Issue(things=tuple(ROADS),
          problem_title=("{T} xuống cấp, ổ gà chi chít", "{T} thi công dang dở, dân khổ vì bụi", "Ngập sâu trên {t} sau mưa"),
          problem_lead=("Nhiều đoạn {t} qua {xa} ({p}) hư hỏng nặng, ổ gà sâu hoắm, ngày nắng bụi mù, ngày mưa lầy lội.",
                        "Chỉ sau cơn mưa chiều qua, {t} ở {p} ngập sâu nửa mét, xe cộ chết máy hàng loạt."),
          issue=("tình trạng xuống cấp của tuyến đường", "tình trạng ngập úng", "tiến độ thi công chậm"), who="người dân",
          remedies=(("repaired", "thảm nhựa lại toàn tuyến và thông xe"), ("repaired", "cải tạo hệ thống thoát nước, tuyến đường hết ngập")),
          promise=("sửa chữa, thảm lại mặt đường", "nâng cấp hệ thống thoát nước"),
          party="nhà thầu thi công", authorities=("Sở Xây dựng {p}", "UBND huyện", "Ban quản lý dự án giao thông {p}", "UBND tỉnh {p}")),
    Issue(things=tuple(SCHOOLS),
          problem_title=("Phụ huynh {t} phản ánh lạm thu đầu năm", "{T} thu hàng chục khoản ngoài quy định", "{T} thiếu phòng học, học sinh học nhờ"),
          problem_lead=("Phụ huynh {t} ({p}) phản ánh nhà trường thu thêm nhiều khoản tiền ngoài quy định như tiền máy lạnh, tiền trang trí lớp.",
                        "Hàng trăm học sinh {t}, tỉnh {p} phải học tạm trong nhà văn hóa vì phòng học xuống cấp."),
          issue=("các khoản thu ngoài quy định", "tình trạng lạm thu", "việc thiếu phòng học"), who="phụ huynh",
          remedies=(("refunded", "hoàn trả cho phụ huynh các khoản thu sai quy định"), ("handed_over", "bàn giao phòng học mới cho học sinh")),
          promise=("trả lại các khoản thu sai", "xây mới phòng học"),
          party="ban giám hiệu nhà trường", authorities=("Sở Giáo dục và Đào tạo {p}", "Phòng Giáo dục và Đào tạo huyện", "UBND huyện")),
    Issue(things=tuple(HOSPITALS),
          problem_title=("{T} quá tải, bệnh nhân nằm ghép", "Người bệnh phải tự mua thuốc vì {t} thiếu thuốc"),
          problem_lead=("{T} ({p}) tiếp nhận số bệnh nhân gấp đôi số giường, nhiều người phải nằm hành lang.",
                        "Người bệnh điều trị tại {t}, tỉnh {p} phản ánh phải tự mua thuốc bên ngoài dù có thẻ bảo hiểm y tế."),
          issue=("tình trạng quá tải", "tình trạng thiếu thuốc"), who="người bệnh",
          remedies=(("repaired", "đưa khu điều trị mới vào hoạt động, hết cảnh nằm ghép"), ("repaired", "bổ sung đủ thuốc, người bệnh không còn phải tự mua")),
          promise=("bổ sung thuốc cho người bệnh", "mở thêm khu điều trị"),
          party="ban giám đốc bệnh viện", authorities=("Sở Y tế {p}", "UBND tỉnh {p}", "Bộ Y tế")),
    Issue(things=("khu phố {n} {xa}", "khu trọ công nhân {xa}"),
          problem_title=("Nhóm cho vay nặng lãi khủng bố người dân {t}", "Trộm cắp hoành hành ở {t}"),
          problem_lead=("Người dân {t} ({p}) bức xúc vì nhóm đòi nợ thuê liên tục ném chất bẩn, tạt sơn vào nhà.",
                        "Nạn trộm cắp xe máy, cướp giật diễn ra liên tục ở {t}, tỉnh {p} khiến người dân bất an."),
          issue=("vụ ném chất bẩn vào nhà dân", "tình trạng mất an ninh trật tự"), who="người dân",
          remedies=(("removed", "triệt phá nhóm đối tượng, bắt giữ {n} người, an ninh được lập lại"),),
          promise=("truy bắt các đối tượng",),
          party="", authorities=("Công an huyện", "Công an tỉnh {p}", "Công an phường")),
    Issue(things=("{xa}",),
          problem_title=("Hóa đơn tiền điện tăng vọt, dân {t} thắc mắc", "Dân {t} mất nước sinh hoạt cả tuần"),
          problem_lead=("Nhiều hộ dân {t} ({p}) phản ánh hóa đơn tiền điện tháng này tăng gấp đôi dù sinh hoạt không thay đổi.",
                        "Hàng nghìn hộ dân {t}, tỉnh {p} không có nước sinh hoạt suốt một tuần vì sự cố đường ống."),
          issue=("hóa đơn tiền điện tăng bất thường", "sự cố mất nước sinh hoạt"), who="người dân",
          remedies=(("refunded", "điều chỉnh hóa đơn và hoàn lại tiền thu thừa"), ("repaired", "sửa xong đường ống, cấp nước trở lại")),
          promise=("kiểm tra, điều chỉnh hóa đơn", "khắc phục sự cố đường ống"),
          party="công ty điện lực", authorities=("Điện lực {p}", "Sở Công Thương {p}", "UBND {xa}", "Công ty cấp nước {p}")),
    Issue(things=("bờ sông ở {xa}", "đê bao ở {xa}"),
          problem_title=("Sạt lở {t}, nhiều nhà dân sụp xuống sông", "Sạt lở uy hiếp hàng chục hộ dân ở {xa}"),
          problem_lead=("Rạng sáng nay, {t} ({p}) sạt lở dài hàng chục mét, cuốn nhiều căn nhà xuống sông, hàng chục hộ khác nằm trong vùng nguy hiểm.",),
          issue=("sạt lở bờ sông", "điểm sạt lở"), who="người dân",
          remedies=(("repaired", "hoàn thành kè chống sạt lở và di dời các hộ dân đến nơi ở mới"),),
          promise=("xây kè chống sạt lở", "di dời các hộ dân"),
          party="", authorities=("UBND huyện", "UBND tỉnh {p}", "Sở Nông nghiệp và Môi trường {p}", "Chủ tịch UBND tỉnh {p}")),
    Issue(things=("{xa}",),
          problem_title=("Dân {t} tố cán bộ xã chia đất công cho người nhà", "Đơn tố cáo sai phạm ở {t} chưa được giải quyết"),
          problem_lead=("Người dân {t} ({p}) gửi đơn tố cáo lãnh đạo xã giao đất công cho người thân trái quy định.",),
          issue=("đơn tố cáo về đất công", "vụ tố cáo sai phạm"), who="người dân",
          remedies=(("rejected", "kết luận nội dung tố cáo là không có cơ sở, việc giao đất đúng quy định"),),
          promise=("làm rõ nội dung tố cáo",),
          party="", authorities=("UBND huyện", "Thanh tra huyện", "Thanh tra tỉnh {p}", "UBND tỉnh {p}")),
]

# Problems told as plain news, with no complaint word ("Công trình 9 tầng xây vượt phép giữa phố
# cổ", "Lúa chết cháy vì nhiễm mặn"): the damage, the breach or the shortage itself is the report.
# Drawn with their own random stream, so the items above stay what they were.
PLAIN_ISSUES: list[Issue] = [
    Issue(things=("công trình nhà ở {xa}", "ngôi nhà 7 tầng ở {xa}", "khách sạn mini ở {xa}"),
          problem_title=("{T} xây vượt phép {n} tầng", "{T} xây vượt chiều cao cho phép giữa khu dân cư",
                         "Công trình {n} tầng xây sai giấy phép ở {xa}", "{T} xây lố {n} tầng so với giấy phép"),
          problem_lead=("Công trình tại {xa} ({p}) được cấp phép 4 tầng nhưng đã xây lên thêm {n} tầng, phần vượt phép lấn cả ra vỉa hè.",
                        "Dù bị lập biên bản, chủ đầu tư {t} ({p}) vẫn tiếp tục thi công phần sai phép vào ban đêm."),
          issue=("phần xây vượt phép", "công trình sai phép"), who="người dân",
          remedies=(("removed", "tháo dỡ xong phần xây vượt phép"),),
          promise=("tháo dỡ phần xây vượt phép",),
          party="chủ đầu tư", authorities=("UBND phường", "Thanh tra Sở Xây dựng {p}", "UBND tỉnh {p}")),
    Issue(things=("cầu {xa}", "cầu treo ở {xa}", "cầu bắc qua {song}"),
          problem_title=("Dầm {t} xuất hiện vết nứt dài", "Mặt {t} sụt lún, lan can gãy đổ", "Mố {t} bị xói lở, mặt cầu võng xuống",
                         "Trụ {t} bị nghiêng sau trận lũ"),
          problem_lead=("Nhiều vết nứt dài xuất hiện ở dầm {t} ({p}); hằng ngày hàng trăm lượt xe tải vẫn chạy qua.",
                        "Sau mưa lớn, trụ {t} ({p}) bị xói, mặt cầu lún võng, học sinh vẫn phải đi qua mỗi ngày."),
          issue=("cầu nứt dầm", "cây cầu xuống cấp", "sự cố cầu"), who="người dân",
          remedies=(("repaired", "gia cố xong cầu và cho thông xe trở lại"), ("repaired", "thay dầm mới cho cây cầu")),
          promise=("gia cố cây cầu", "xây cầu mới thay thế"),
          party="Ban quản lý dự án giao thông", authorities=("Sở Xây dựng {p}", "UBND huyện", "UBND tỉnh {p}")),
    Issue(things=("cánh đồng {xa}", "vùng lúa {xa}", "vườn sầu riêng ở {xa}"),
          problem_title=("Nước mặn xâm nhập, lúa đang trổ bông ở {xa} héo rũ", "Hạn mặn, hàng trăm ha lúa ở {xa} mất trắng",
                         "Sầu riêng chết khô vì thiếu nước tưới ở {xa}", "Dịch bệnh, cá nuôi ở {xa} chết trắng ao"),
          problem_lead=("Nước mặn xâm nhập sâu, hơn {n_ho}0 ha lúa đang làm đòng ở {xa} ({p}) cháy rụi, nông dân mất trắng vụ.",
                        "Hàng chục hộ trồng cây ăn trái ở {xa}, tỉnh {p} mất trắng sau nhiều tháng hạn hán."),
          issue=("thiệt hại do hạn mặn", "lúa mất trắng"), who="nông dân",
          remedies=(("paid", "chi trả tiền hỗ trợ thiệt hại cho nông dân"),),
          promise=("hỗ trợ nông dân khôi phục sản xuất",),
          party="", authorities=("UBND huyện", "Sở Nông nghiệp và Môi trường {p}", "UBND tỉnh {p}")),
    Issue(things=("{xa}", "khu dân cư {xa}"),
          problem_title=("Kênh rạch cạn trơ đáy, người dân {t} chở nước từ xa về dùng", "Giếng khô cạn, {n_ho}0 hộ dân {t} thiếu nước sinh hoạt",
                         "Nước lũ dâng cao, {n} ngôi nhà ở {xa} đổ sập", "Đất đá sạt xuống chia cắt đường vào {xa}",
                         "Bùn đất tràn vào nhà dân ở {xa} sau mưa lớn"),
          problem_lead=("Nhiều tuần nay, người dân {t} ({p}) phải mua nước ngọt với giá cao gấp nhiều lần để nấu ăn.",
                        "Mưa lớn kéo dài khiến đất đá đổ xuống, chia cắt {xa} ({p}); nhiều hộ dân bị cô lập."),
          issue=("tình trạng thiếu nước", "hậu quả mưa lũ", "điểm sạt lở"), who="người dân",
          remedies=(("repaired", "thông xe tuyến đường bị sạt lở"), ("repaired", "đưa nước sạch về cho các hộ dân")),
          promise=("khắc phục hậu quả", "cấp nước sạch cho người dân"),
          party="", authorities=("UBND huyện", "UBND xã", "UBND tỉnh {p}")),
    Issue(things=("xưởng gỗ ở {xa}", "xưởng cơ khí ở {xa}", "cơ sở tái chế nhựa ở {xa}"),
          problem_title=("Tiếng máy từ {t} vang đến nửa đêm", "Mùi sơn, bụi kim loại từ {t} bay vào khu dân cư",
                         "{T} hoạt động giữa khu dân cư suốt nhiều năm"),
          problem_lead=("Tiếng máy cưa, máy bào từ {t} ({p}) vang lên đến khuya, nhiều gia đình có trẻ nhỏ, người già mất ngủ.",
                        "Bụi và mùi sơn từ {t}, tỉnh {p} bay sang các nhà xung quanh mỗi ngày."),
          issue=("tiếng ồn từ xưởng", "xưởng gây ô nhiễm"), who="người dân",
          remedies=(("removed", "dời xưởng ra khỏi khu dân cư"),),
          promise=("di dời xưởng khỏi khu dân cư",),
          party="chủ cơ sở", authorities=("UBND phường", "Công an phường", "Sở Nông nghiệp và Môi trường {p}")),
]

# ... and the same subjects in news that raises no issue: a harvest, a bridge opened, advice, a price.
PLAIN_NONE_ITEMS: list[tuple[str, str]] = [
    ("Nông dân {xa} trúng mùa lúa hè thu", "Năng suất lúa ở {xa} ({p}) đạt hơn 7 tấn mỗi ha, giá bán ổn định, nông dân lãi khá."),
    ("Hợp long cầu mới bắc qua {song}", "Cây cầu dài 300 m nối hai bờ {song} ({p}) dự kiến thông xe vào cuối năm."),
    ("Vườn sầu riêng {xa} vào vụ thu hoạch", "Thương lái đến tận vườn thu mua, nhiều nhà vườn ở {p} có thu nhập hàng trăm triệu đồng."),
    ("Giá lúa gạo hôm nay đi ngang", "Giá lúa tươi tại các tỉnh miền Tây dao động 6.500 - 7.200 đồng mỗi kg."),
    ("Khu phố cổ {P} thu hút khách dịp cuối tuần", "Các tuyến phố đi bộ đông đúc, nhiều hoạt động văn hóa được tổ chức."),
    ("Ngân hàng giảm lãi suất cho vay mua nhà", "Nhiều ngân hàng điều chỉnh lãi suất cho vay mua nhà ở xã hội xuống dưới 6%/năm."),
    ("Giải chạy bộ vì cộng đồng ở {P} thu hút hàng nghìn người", "Giải chạy diễn ra trên các tuyến đường ven biển, một phần tiền đăng ký được dành cho quỹ học bổng."),
    ("Trao quà cho công nhân có hoàn cảnh khó khăn ở {P}", "Công đoàn tỉnh {p} trao hơn 500 suất quà cho công nhân các khu công nghiệp."),
]

REPORT_TITLES = ["{problem}", "{problem}", "Bạn đọc phản ánh: {problem}", "{P}: {problem}",
                 "Người dân bức xúc: {problem}", "{problem}, chính quyền ở đâu?"]
REPORT_HARD_TITLES = ["Đã nhiều lần kiến nghị, {issue} vẫn chưa được giải quyết",
                      "Hứa khắc phục nhưng {issue} vẫn tiếp diễn",
                      "Gửi đơn khắp nơi, {who} vẫn chưa được trả lời về {issue}",
                      "{P}: {issue_cap} kéo dài, {who} mỏi mòn chờ"]
REPORT_HARD_LEADS = [" Người dân đã gửi đơn đến {auth} nhưng đến nay chưa nhận được trả lời.",
                     " Dù chính quyền từng hứa xử lý, đến nay sự việc vẫn chưa được giải quyết.",
                     " Liên hệ với {auth}, phóng viên chưa nhận được phản hồi."]

RESPONSE: dict[str, tuple[list[str], list[str]]] = {
    "received": (["{Auth} tiếp nhận phản ánh về {issue} tại {t}", "{Auth} đã nắm thông tin về {issue} ở {xa}",
                  "Đường dây nóng tiếp nhận hàng chục phản ánh về {issue} tại {t}", "{Auth} ghi nhận kiến nghị của {who} về {issue}"],
                 ["{Auth} cho biết đã tiếp nhận phản ánh của {who} về {issue} tại {t} và giao đơn vị chuyên môn xác minh.",
                  "Trao đổi với phóng viên, đại diện {auth} cho biết đã nắm được thông tin về {issue} ở {xa} ({p}) và sẽ kiểm tra."]),
    "inspecting": (["Kiểm tra đột xuất {t} sau phản ánh về {issue}", "{Auth} vào cuộc vụ {issue} tại {t}",
                    "Lập đoàn thanh tra {issue} ở {xa}", "Xác minh phản ánh về {issue} tại {t}",
                    "Lấy mẫu, làm rõ {issue} tại {t}", "Công an điều tra {issue} ở {xa}"],
                   ["Đoàn kiểm tra liên ngành của {auth} đã đến {t} ({p}), lập biên bản hiện trạng và lấy mẫu để làm rõ {issue}.",
                    "{Auth} đã thành lập tổ công tác xác minh phản ánh của {who} về {issue} ở {xa}, tỉnh {p}."]),
    "dialogue": (["Đối thoại với {who} về {issue} tại {t}", "{Auth} làm việc với {party} về {issue} tại {t}",
                  "Lãnh đạo {auth} gặp gỡ {who} {xa}", "Ngồi lại thương lượng về {issue} ở {t}"],
                 ["{Auth} đã tổ chức đối thoại giữa đại diện {who} và {party} về {issue} tại {t} ({p}); hai bên trao đổi thẳng thắn.",
                  "Chiều qua, lãnh đạo {auth} đã trực tiếp gặp gỡ, lắng nghe kiến nghị của {who} {xa} về {issue}."]),
    "instructed": (["{Auth} chỉ đạo xử lý dứt điểm {issue} tại {t}", "Yêu cầu {party} khắc phục ngay {issue} tại {t}",
                    "{Auth} giao các sở khẩn trương giải quyết {issue} ở {xa}", "Lên phương án xử lý {issue} tại {t}",
                    "{P} dự kiến {promise} trong năm nay", "Đề xuất bố trí kinh phí giải quyết {issue} ở {xa}"],
                   ["{Auth} yêu cầu {party} khẩn trương khắc phục {issue} tại {t} ({p}), báo cáo kết quả trước ngày {date}.",
                    "{Auth} đã giao đơn vị chuyên môn lập phương án {promise}, dự kiến hoàn thành trong quý tới."]),
    "replied": (["{Auth} trả lời về {issue} tại {t}", "{Auth} lên tiếng về {issue} ở {xa}", "{Party} giải thích về {issue} tại {t}",
                 "{Party} cam kết {promise} trước ngày {date}", "{Auth} hứa {promise} trong tháng tới"],
                ["{Auth} đã có văn bản trả lời {who} về {issue} tại {t} ({p}), nêu rõ hướng xử lý.",
                 "Đại diện {party} cho biết sẽ {promise} chậm nhất trước ngày {date}, mong {who} thông cảm.",
                 "Trả lời báo chí, lãnh đạo {auth} khẳng định sẽ {promise} trong thời gian sớm nhất."]),
    "sanctioned": (["Xử phạt {party} {money} vì {issue} tại {t}", "Đình chỉ {party} sau phản ánh về {issue}",
                    "Khởi tố vụ án liên quan {issue} ở {xa}", "Kỷ luật cán bộ để xảy ra {issue} tại {xa}"],
                   ["{Auth} đã ra quyết định xử phạt {party} số tiền {money} vì {issue} tại {t} ({p}), buộc khắc phục hậu quả trong {n} tháng.",
                    "{Auth} quyết định đình chỉ hoạt động của {party} {n} tháng để làm rõ {issue} tại {t}.",
                    "{Auth} đã khởi tố vụ án, khởi tố {n} bị can để điều tra {issue} ở {xa} ({p})."]),
}
RESOLUTION_TITLES = ["{Party_or_t} đã {remedy}", "Dứt điểm {issue} tại {t}", "{Who_cap} {xa} phấn khởi vì {issue} đã được giải quyết",
                     "Sau {n} tháng, {issue} ở {t} đã được giải quyết xong", "{P}: {party_or_t} đã {remedy}"]
RESOLUTION_LEADS = ["Ngày {date}, {party_or_t} ({p}) đã {remedy}; {who} cho biết cuộc sống đã trở lại bình thường.",
                    "Sau phản ánh của báo, {auth} đã vào cuộc; đến nay {party_or_t} đã {remedy}.",
                    "Đến cuối tháng, {party_or_t} ({p}) đã {remedy}, chấm dứt tình trạng kéo dài nhiều tháng."]

NONE_ITEMS: list[tuple[str, str]] = [
    ("{P} tổng kết công tác tiếp công dân năm {y}", "Trong năm, các cơ quan của tỉnh đã tiếp hơn {n_ho}0 lượt công dân, giải quyết {pct}% số đơn thư thuộc thẩm quyền."),
    ("Hội nghị đối thoại thường niên giữa lãnh đạo {P} với doanh nghiệp", "Tại hội nghị, lãnh đạo tỉnh lắng nghe kiến nghị của doanh nghiệp về thủ tục đầu tư, đất đai và thuế."),
    ("Trả lời bạn đọc: Thủ tục {legal}", "Bạn đọc ở {p} hỏi về thủ tục {legal}. Luật sư trả lời như sau."),
    ("Khởi công {new_work} tại {P}", "Công trình có tổng vốn đầu tư {money}, dự kiến hoàn thành sau 24 tháng thi công."),
    ("Khánh thành {new_work} ở {P}", "Sau hơn hai năm xây dựng, công trình chính thức đưa vào sử dụng, phục vụ người dân địa phương."),
    ("Thủ tướng yêu cầu các địa phương {directive}", "Công điện của Thủ tướng yêu cầu các bộ, ngành và UBND các tỉnh, thành phố {directive}."),
    ("Bộ {ministry} chỉ đạo các địa phương {directive}", "Văn bản gửi UBND các tỉnh, thành phố trên cả nước yêu cầu {directive}."),
    ("{P} hoàn thành đợt kiểm tra định kỳ về {routine}", "Đoàn kiểm tra liên ngành đã kiểm tra {n_ho} cơ sở, nhắc nhở và hướng dẫn các cơ sở thực hiện đúng quy định."),
    ("Tập huấn nghiệp vụ {routine} cho cán bộ cơ sở ở {P}", "Hơn 200 cán bộ cấp xã tham gia lớp tập huấn về {routine}."),
    ("{P} công bố chỉ số hài lòng của người dân năm {y}", "Kết quả khảo sát cho thấy {pct}% người dân hài lòng với dịch vụ hành chính công."),
    ("Kỷ niệm ngày thành lập ngành {ministry}", "Lễ kỷ niệm được tổ chức trọng thể, lãnh đạo ngành điểm lại những kết quả nổi bật."),
    ("Đội tuyển {P} giành chức vô địch giải bóng đá hạng Nhất", "Chiến thắng 2-0 trong trận cuối giúp đội bóng giành vé lên chơi tại V-League mùa tới."),
    ("Giá cà phê hôm nay tăng nhẹ", "Giá cà phê nhân xô tại Tây Nguyên tăng thêm 500 đồng mỗi kg so với hôm qua."),
    ("Dự báo thời tiết: {P} nắng nóng gay gắt", "Nhiệt độ cao nhất phổ biến 37-39 độ C, độ ẩm thấp nhất 45%."),
    ("Lễ hội ẩm thực đường phố tại {P} thu hút đông du khách", "Hơn 100 gian hàng giới thiệu món ăn đặc sản ba miền."),
    ("Doanh nghiệp {P} báo lãi quý III tăng mạnh", "Doanh thu và lợi nhuận tăng nhờ đơn hàng xuất khẩu phục hồi."),
    ("Bí quyết chăm sóc da mùa hanh khô", "Chuyên gia khuyên uống đủ nước, dùng kem dưỡng ẩm và hạn chế tắm nước quá nóng."),
    ("Ngày hội việc làm tại {P} tuyển dụng {n_cn} lao động", "Nhiều doanh nghiệp trong các khu công nghiệp tham gia tuyển dụng với mức lương hấp dẫn."),
    ("Mở bán dự án căn hộ ven sông tại {P}", "Chủ đầu tư giới thiệu dự án với hồ bơi, công viên nội khu, chiết khấu cho khách hàng đặt cọc sớm."),
    ("Bộ trưởng trả lời chất vấn về {national}", "Trả lời chất vấn của đại biểu Quốc hội, Bộ trưởng cho biết ngành đang hoàn thiện chính sách về {national} trên cả nước."),
    ("Quốc hội thảo luận về {national}", "Nhiều đại biểu đề nghị sửa đổi quy định để giải quyết những vướng mắc về {national}."),
    ("Hướng dẫn tra cứu kết quả giải quyết phản ánh trực tuyến", "Người dân có thể tra cứu tình trạng xử lý phản ánh, kiến nghị bằng mã số được cấp khi gửi."),
]
# Background news of an incident or a crime, no issue raised: an arrest, a fire put out or a
# sentence is not the answer to anyone's complaint ("Khởi tố vụ án liên quan [an issue]" is).
# Drawn with their own random stream, so the items above stay what they were.
BACKGROUND_ITEMS: list[tuple[str, str]] = [
    ("Tai nạn giao thông nghiêm trọng ở {xa}, {n} người tử vong", "Khoảng 6 giờ sáng nay, xe tải va chạm với xe máy tại {xa} ({p}); cơ quan chức năng đang điều tra làm rõ nguyên nhân."),
    ("Cháy lớn tại xưởng sản xuất ở {xa}, khói đen bốc cao", "Lực lượng cảnh sát phòng cháy chữa cháy {p} đã khống chế đám cháy sau hai giờ, không có thiệt hại về người."),
    ("{P}: Bắt nhóm đối tượng trộm cắp xe máy", "Công an {p} đã bắt giữ {n} đối tượng chuyên trộm cắp xe máy, thu giữ nhiều tang vật."),
    ("Bắt quả tang nhóm đối tượng mua bán trái phép chất ma túy ở {xa}", "Công an {p} đã bắt quả tang {n} đối tượng đang mua bán trái phép chất ma túy, thu giữ nhiều gói heroin."),
    ("Khởi tố đối tượng lừa đảo chiếm đoạt {money} ở {P}", "Cơ quan cảnh sát điều tra Công an {p} đã khởi tố bị can, bắt tạm giam đối tượng lừa đảo qua mạng."),
    ("Tuyên án {n}0 năm tù cho kẻ cướp tài sản ở {P}", "Tòa án nhân dân tỉnh {p} đã tuyên phạt bị cáo {n}0 năm tù về tội cướp tài sản."),
]
ABROAD_ITEMS: list[tuple[str, str]] = [
    ("{C}: Chính quyền {city} tiếp nhận phản ánh về {abroad_issue}", "Cơ quan chức năng {city} ({C}) cho biết đã nhận được hàng trăm phản ánh của người dân về {abroad_issue}."),
    ("{C} kiểm tra nhà máy bị tố {abroad_issue}", "Bộ Môi trường {C} đã cử đoàn kiểm tra một nhà máy ở {city} bị người dân tố {abroad_issue}."),
    ("Chính quyền {city} đối thoại với người biểu tình", "Lãnh đạo {city} ({C}) đã gặp đại diện người dân phản đối {abroad_issue}."),
    ("{C} chỉ đạo khắc phục hậu quả {abroad_issue}", "Thủ tướng {C} yêu cầu các bộ tập trung khắc phục hậu quả {abroad_issue} tại {city}."),
    ("{C}: Công ty cam kết bồi thường cho người dân", "Một tập đoàn ở {city} ({C}) hứa bồi thường cho các hộ dân bị ảnh hưởng bởi {abroad_issue}."),
    ("{C}: Công nhân nhận đủ lương sau cuộc đình công", "Hàng nghìn công nhân nhà máy ở {city} ({C}) đã được trả đủ lương sau một tuần đình công."),
    ("{C} hoàn thành dọn dẹp sau {abroad_issue}", "Chính quyền {city} ({C}) cho biết đã hoàn tất việc làm sạch khu vực bị ảnh hưởng bởi {abroad_issue}."),
    ("{C} xử phạt doanh nghiệp gây {abroad_issue}", "Cơ quan chức năng {C} phạt một doanh nghiệp ở {city} vì gây {abroad_issue}."),
    ("Công nhân {C} đình công đòi tăng lương", "Hàng chục nghìn công nhân ở {city} ({C}) đã ngừng việc, yêu cầu tăng lương và cải thiện điều kiện làm việc."),
    ("Người dân {city} bức xúc vì {abroad_issue}", "Người dân ở {city} ({C}) phản đối chính quyền chậm xử lý {abroad_issue}."),
]
FILL = {
    "legal": ["cấp sổ đỏ lần đầu", "tách thửa đất", "đăng ký thường trú", "ly hôn đơn phương", "đăng ký hộ kinh doanh"],
    "new_work": ["cầu vượt sông Lam", "bệnh viện đa khoa 500 giường", "trường THPT chuyên mới", "công viên trung tâm", "nhà máy điện mặt trời"],
    "directive": ["tăng cường phòng chống cháy nổ mùa khô", "đẩy nhanh giải ngân vốn đầu tư công", "chủ động ứng phó bão lũ",
                  "siết chặt kỷ luật, kỷ cương hành chính", "bảo đảm cung ứng hàng hóa dịp Tết"],
    "ministry": ["Y tế", "Xây dựng", "Nông nghiệp và Môi trường", "Giáo dục và Đào tạo", "Công an", "Thanh tra"],
    "routine": ["an toàn thực phẩm", "phòng cháy chữa cháy", "tiếp công dân", "quản lý đất đai", "an toàn lao động"],
    "national": ["giá điện", "thiếu thuốc, vật tư y tế", "chính sách tiền lương", "quy hoạch đất đai", "học phí"],
    "abroad_issue": ["xả thải ra sông", "ô nhiễm không khí", "rò rỉ dầu", "tăng giá nhiên liệu", "dự án khai thác mỏ", "nợ lương công nhân"],
}


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _context(rng: random.Random, issue: Issue) -> dict[str, str]:
    province = rng.choice(PROVINCES)
    ctx = {
        "p": province, "P": province, "xa": rng.choice(COMMUNES), "kcn": rng.choice(INDUSTRIAL_PARKS),
        "song": rng.choice(WATERWAYS), "n": str(rng.randint(2, 6)), "n_cn": rng.choice(["300", "450", "800", "1.200", "2.000"]),
        "n_ho": str(rng.randint(12, 90)), "date": rng.choice(DATES), "money": rng.choice(MONEY), "who": issue.who,
        "Who_cap": _cap(issue.who), "y": str(rng.choice([2025, 2026])), "pct": str(rng.randint(85, 98)),
    }
    thing = rng.choice(issue.things).format(**ctx)
    ctx.update(t=thing, T=_cap(thing), issue=rng.choice(issue.issue), promise=rng.choice(issue.promise))
    ctx["issue_cap"] = _cap(ctx["issue"])
    auth = rng.choice(issue.authorities).format(**ctx)
    party = issue.party.format(**ctx)
    ctx.update(auth=auth, Auth=_cap(auth), party=party, Party=_cap(party), party_or_t=party or thing,
               Party_or_t=_cap(party or thing))
    return ctx


def _render(template: str, ctx: dict[str, str]) -> str:
    return _cap(template.format(**ctx))


def _answers(rng: random.Random, issues: list[Issue], response_rounds: int, resolution_rounds: int, add) -> None:
    """Each issue's responses (every detail, `response_rounds` times) and resolutions."""
    for _ in range(response_rounds):
        for issue in issues:
            for detail, (titles, leads) in RESPONSE.items():
                ctx = _context(rng, issue)
                titles = [t for t in titles if issue.party or "arty}" not in t]
                leads = [t for t in leads if issue.party or "arty}" not in t]
                add("response", detail, _render(rng.choice(titles), ctx), _render(rng.choice(leads), ctx))
    for _ in range(resolution_rounds):
        for issue in issues:
            ctx = _context(rng, issue)
            k = rng.randrange(len(issue.remedies))
            detail, remedy = issue.remedies[k]
            ctx["remedy"] = remedy.format(**ctx)
            ctx["issue"] = issue.issue[min(k, len(issue.issue) - 1)]
            add("resolution", detail, _render(rng.choice(RESOLUTION_TITLES), ctx), _render(rng.choice(RESOLUTION_LEADS), ctx))


def generate(seed: int = 2026) -> list[dict]:
    rng = random.Random(seed)
    items: list[dict] = []

    def add(role: str, detail: str | None, title: str, lead: str) -> None:
        items.append({"role": role, "detail": detail, "title": title, "sapo": lead})

    for _ in range(26):
        for issue in ISSUES:
            ctx = _context(rng, issue)
            problem = _render(rng.choice(issue.problem_title), ctx)
            lead = _render(rng.choice(issue.problem_lead), ctx)
            if rng.random() < 0.3:  # hard: a report that says letters went unanswered or promises were broken
                title = _render(rng.choice(REPORT_HARD_TITLES), ctx)
                add("report", None, title, lead + _render(rng.choice(REPORT_HARD_LEADS), ctx))
            else:
                add("report", None, _render(rng.choice(REPORT_TITLES), {**ctx, "problem": problem}), lead)
    _answers(rng, ISSUES, 7, 22, add)
    for _ in range(14):
        for title, lead in NONE_ITEMS:
            ctx = _context(rng, rng.choice(ISSUES))
            ctx.update({key: rng.choice(values) for key, values in FILL.items()})
            add("none", None, _render(title, ctx), _render(lead, ctx))
    for _ in range(16):
        for title, lead in ABROAD_ITEMS:
            country, city = rng.choice(COUNTRIES)
            ctx = {"C": country, "city": city, "abroad_issue": rng.choice(FILL["abroad_issue"])}
            add("none", None, _render(title, ctx), _render(lead, ctx))
    background = random.Random(seed + 1)
    for _ in range(14):
        for title, lead in BACKGROUND_ITEMS:
            ctx = _context(background, background.choice(ISSUES))
            ctx.update({key: background.choice(values) for key, values in FILL.items()})
            add("none", None, _render(title, ctx), _render(lead, ctx))
    plain = random.Random(seed + 2)
    for _ in range(4):
        for title, lead in PLAIN_NONE_ITEMS:
            ctx = _context(plain, plain.choice(ISSUES))
            add("none", None, _render(title, ctx), _render(lead, ctx))
    for _ in range(8):
        for issue in PLAIN_ISSUES:
            ctx = _context(plain, issue)
            add("report", None, _render(plain.choice(issue.problem_title), ctx), _render(plain.choice(issue.problem_lead), ctx))
    _answers(plain, PLAIN_ISSUES, 4, 5, add)
    unique = unique_by_title_and_lead(items)
    rng.shuffle(unique)
    for i, item in enumerate(unique):
        item["id"] = f"role-{i:05d}"
    return [{"id": it["id"], "role": it["role"], "detail": it["detail"], "title": it["title"], "sapo": it["sapo"]}
            for it in unique]


def main() -> None:
    write_seed(generate(), "roles.jsonl")


if __name__ == "__main__":
    main()
