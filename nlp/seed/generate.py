"""Writes nlp/seed/seed.jsonl: the labeled seed set the shipped model trains from.

Every item is a headline and lead in the style of Vietnamese press, written from templates and
phrase lists in this file (nothing is taken from any corpus). Each topic has many phrasings;
"no topic" covers sport, entertainment, business, world news, technology and lifestyle, and the
hard negatives the taxonomy warns about: the same kind of event abroad, real-estate marketing,
job fairs, medical-advice columns, study-abroad offers, traffic-law campaigns, groundbreakings.

Regenerate (deterministic): python -m nlp.seed.generate
"""
from __future__ import annotations

import json
import random
from pathlib import Path

from nlp.provinces import Gazetteer

PROVINCES = ["Hà Nội", "TP.HCM", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Nghệ An", "Thanh Hóa", "Quảng Ninh",
             "Bình Dương", "Đồng Nai", "Hải Dương", "Thái Bình", "Nam Định", "Quảng Nam", "Quảng Ngãi",
             "Bình Định", "Khánh Hòa", "Lâm Đồng", "Đắk Lắk", "Gia Lai", "Long An", "Tiền Giang",
             "An Giang", "Kiên Giang", "Cà Mau", "Bạc Liêu", "Sóc Trăng", "Hà Tĩnh", "Quảng Bình",
             "Quảng Trị", "Thừa Thiên Huế", "Phú Yên", "Ninh Thuận", "Bình Thuận", "Bắc Ninh", "Bắc Giang",
             "Vĩnh Phúc", "Phú Thọ", "Thái Nguyên", "Lào Cai", "Yên Bái", "Sơn La", "Hòa Bình", "Hưng Yên",
             "Hà Nam", "Ninh Bình", "Tây Ninh", "Bình Phước", "Bà Rịa - Vũng Tàu", "Vĩnh Long", "Bến Tre",
             "Trà Vinh", "Đồng Tháp", "Hậu Giang", "Kon Tum", "Đắk Nông", "Cao Bằng", "Lạng Sơn", "Hà Giang",
             "Tuyên Quang", "Điện Biên", "Lai Châu", "Bắc Kạn"]
UNITS = ["huyện", "xã", "phường", "thị xã", "thị trấn", "quận"]
UNIT_NAMES = ["Tân Lập", "Phú Hòa", "Bình An", "Xuân Lộc", "Hòa Vang", "Đông Anh", "Sóc Sơn", "Thanh Trì",
              "Nghi Lộc", "Quỳnh Lưu", "Tĩnh Gia", "Hoằng Hóa", "Diễn Châu", "Thủy Nguyên", "An Dương",
              "Cẩm Lệ", "Liên Chiểu", "Bình Chánh", "Hóc Môn", "Nhà Bè", "Dĩ An", "Thuận An", "Long Thành",
              "Nhơn Trạch", "Châu Thành", "Cai Lậy", "Tam Nông", "Ea Kar", "Krông Pắc", "Chư Sê", "Di Linh"]
FOREIGN = ["Trung Quốc", "Mỹ", "Ấn Độ", "Indonesia", "Philippines", "Nhật Bản", "Hàn Quốc", "Pakistan",
           "Bangladesh", "Brazil", "Pháp", "Italy", "Thái Lan", "Myanmar", "Nigeria", "Mexico", "Australia"]
N = ["3", "5", "7", "10", "12", "15", "20", "25", "30", "40", "50", "hàng chục", "hàng trăm", "gần 100", "hơn 200"]
MONEY = ["2 tỷ đồng", "5 tỷ đồng", "hơn 10 tỷ đồng", "gần 30 tỷ đồng", "120 tỷ đồng", "hàng trăm triệu đồng", "800 triệu đồng"]
OFFICIAL = ["nguyên chủ tịch UBND xã", "phó giám đốc sở", "cán bộ địa chính xã", "trưởng phòng tài nguyên và môi trường huyện",
            "kế toán trường", "chủ tịch UBND phường", "giám đốc ban quản lý dự án", "cán bộ thuế", "cựu bí thư huyện ủy",
            "trưởng công an xã", "phó chủ tịch UBND huyện", "giám đốc trung tâm y tế huyện", "cán bộ hải quan"]

# Each topic: (titles, leads). Slots: {p} province, {u} local unit, {n} number, {m} money, {o} official.
T: dict[str, tuple[list[str], list[str]]] = {
    "land": ([
        "Vướng giải phóng mặt bằng, dự án đường vành đai ì ạch",
        "Người dân chưa nhận tiền đền bù vẫn bị ép giao đất",
        "Hàng trăm hộ dân chờ cấp giấy chứng nhận quyền sử dụng đất",
        "Lấn chiếm đất công để xây nhà, trồng cây",
        "Công ty chây ì trả lại đất cho địa phương",
        "Thu hồi đất của dân giá rẻ, giao cho doanh nghiệp giá cao",
        "Vụ tranh chấp đất giữa nông trường và người dân chưa có hồi kết",
        "GPMB chậm, nhà đầu tư đề nghị gia hạn dự án",
        "Dân cắm chốt giữ đất, phản đối mức giá đền bù",
        "Đo đạc sai diện tích, người dân mất hàng trăm mét vuông đất",
        "Người dân {u} bức xúc vì giá bồi thường thu hồi đất quá thấp",
        "{p}: Cưỡng chế thu hồi đất làm dự án, nhiều hộ dân phản đối",
        "Dự án chậm giải phóng mặt bằng, {n} hộ dân sống tạm bợ nhiều năm",
        "Chưa có đất tái định cư, người dân {u} chưa chịu bàn giao mặt bằng",
        "Tranh chấp đất đai kéo dài giữa người dân và công ty ở {p}",
        "Hàng chục hộ dân chờ cấp sổ đỏ suốt {n} năm",
        "Phát hiện sai phạm trong giao đất, cho thuê đất tại {p}",
        "Bán đất công trái phép, {o} bị đề nghị xử lý",
        "{p} thu hồi {n} ha đất nông nghiệp, người dân lo mất sinh kế",
        "Đền bù giải tỏa chênh lệch, dân kêu bị thiệt thòi",
        "Khu tái định cư bỏ hoang, người dân mất đất không nơi ở",
        "Đất của dân bị cấp sổ đỏ cho người khác",
        "Giải phóng mặt bằng cao tốc: còn {n} hộ chưa nhận tiền bồi thường",
        "Phân lô bán nền trái phép trên đất nông nghiệp ở {u}",
        "Xã tự ý thu tiền giao đất trái thẩm quyền",
        "Doanh nghiệp chiếm đất rừng, người dân mất đất sản xuất",
        "Dân chặn xe thi công vì chưa được bồi thường thỏa đáng",
        "Làm rõ việc chuyển mục đích sử dụng đất sai quy định ở {p}",
        "Cưỡng chế {n} hộ dân để bàn giao mặt bằng dự án khu đô thị",
        "Mỏi mòn chờ tái định cư sau khi bị thu hồi đất",
    ], [
        "Nhiều hộ dân ở {u} cho rằng đơn giá bồi thường khi Nhà nước thu hồi đất thấp hơn nhiều so với giá thị trường.",
        "UBND huyện đã tổ chức cưỡng chế thu hồi đất đối với {n} hộ dân chưa chấp hành quyết định giải phóng mặt bằng.",
        "Sau nhiều năm bị thu hồi đất, các hộ dân vẫn chưa được bố trí tái định cư, phải thuê nhà ở tạm.",
        "Cơ quan chức năng {p} xác định việc giao đất, cấp giấy chứng nhận quyền sử dụng đất có nhiều sai phạm.",
        "Người dân phản ánh thửa đất canh tác lâu đời của gia đình bị công ty rào chiếm, chính quyền chưa giải quyết.",
        "Hồ sơ cấp giấy chứng nhận quyền sử dụng đất nộp từ lâu nhưng đến nay người dân vẫn chưa nhận được sổ đỏ.",
        "Phương án bồi thường, hỗ trợ và tái định cư chưa được công khai khiến người dân không đồng thuận.",
        "Hàng loạt lô đất được phân lô bán nền khi chưa được chuyển mục đích sử dụng đất.",
    ]),
    "labor": ([
        "Công nhân làm việc quá giờ nhưng không được trả tiền tăng ca",
        "Người lao động mắc bệnh nghề nghiệp, doanh nghiệp phủi trách nhiệm",
        "Hàng trăm công nhân bị công ty giữ bằng, không cho nghỉ việc",
        "Nhà máy đóng cửa, hàng trăm công nhân mất việc không được trợ cấp",
        "Người lao động bị trừ lương vô lý, công ty bị thanh tra",
        "Hàng nghìn lao động chưa nhận lương, thưởng Tết",
        "Công nhân ngất xỉu hàng loạt trong xưởng may",
        "Doanh nghiệp FDI chấm dứt hợp đồng hàng loạt với lao động lớn tuổi",
        "Liên đoàn Lao động khởi kiện doanh nghiệp nợ bảo hiểm",
        "Hàng nghìn công nhân đình công đòi tăng lương",
        "Công ty nợ lương, công nhân ngừng việc tập thể",
        "{n} công nhân bị nợ lương nhiều tháng, chủ doanh nghiệp bỏ trốn",
        "Doanh nghiệp nợ BHXH hàng tỷ đồng, người lao động thiệt thòi",
        "Công nhân ngừng việc phản đối quy định mới của công ty",
        "Chủ công ty may bỏ trốn, hơn {n} công nhân mất việc",
        "Người lao động không thể chốt sổ bảo hiểm xã hội vì công ty nợ đóng",
        "Công ty cắt giảm hàng loạt lao động, công nhân bức xúc",
        "Hàng trăm công nhân tập trung trước cổng nhà máy đòi quyền lợi",
        "Cận Tết, công nhân vẫn chưa được trả lương",
        "Công nhân khu công nghiệp {p} ngừng việc vì bữa ăn kém chất lượng",
        "Doanh nghiệp chậm trả lương, liên đoàn lao động vào cuộc",
        "Trốn đóng bảo hiểm xã hội: nhiều doanh nghiệp ở {p} bị xử phạt",
        "Sa thải người lao động trái luật, công ty bị buộc bồi thường",
        "Công nhân làm việc trong điều kiện nắng nóng, không có bảo hộ",
        "Xưởng gỗ nợ lương thợ, nhiều gia đình lao động lâm cảnh khó khăn",
        "Công nhân kéo đến trụ sở công ty đòi lương",
        "Nhân viên y tế xã bị nợ lương nhiều tháng",
    ], [
        "Từ sáng nay, hàng nghìn công nhân công ty đã đồng loạt ngừng việc, yêu cầu doanh nghiệp tăng lương và cải thiện bữa ăn ca.",
        "Công nhân cho biết công ty đã nợ lương {n} tháng, đồng thời không đóng bảo hiểm xã hội cho người lao động.",
        "Liên đoàn lao động tỉnh đã phối hợp với chính quyền đối thoại với người lao động để giải quyết vụ ngừng việc tập thể.",
        "Theo bảo hiểm xã hội tỉnh, số tiền nợ đóng BHXH của doanh nghiệp đã lên tới {m}, ảnh hưởng quyền lợi hàng nghìn người lao động.",
        "Nhiều công nhân bị công ty chấm dứt hợp đồng lao động mà không được báo trước, không nhận trợ cấp thôi việc.",
    ]),
    "complaints": ([
        "Gửi đơn khắp nơi, người dân vẫn chưa nhận được hồi âm",
        "Đối thoại với dân về vụ khiếu nại kéo dài hơn 10 năm",
        "Người tố cáo bị trù dập, đe dọa",
        "Dân vây trụ sở xã phản đối chủ trương thu tiền",
        "Bạn đọc phản ánh: Khu dân cư mù mịt bụi, chính quyền chưa vào cuộc",
        "Thanh tra tỉnh kết luận đơn tố cáo của công dân là đúng một phần",
        "Người dân bức xúc, đồng loạt ký đơn kiến nghị gửi huyện",
        "Giải quyết khiếu nại chậm, chủ tịch huyện bị phê bình",
        "Người dân gửi đơn khiếu nại kéo dài nhiều năm chưa được giải quyết",
        "Bạn đọc phản ánh: Đường làng ngập bùn, chính quyền làm ngơ",
        "Chủ tịch tỉnh tiếp công dân, giải quyết đơn thư khiếu nại",
        "Hàng chục hộ dân kéo lên trụ sở UBND huyện khiếu kiện",
        "Tố cáo cán bộ xã có dấu hiệu sai phạm, người dân chờ kết quả",
        "Đơn kêu cứu của người dân {u} gửi các cơ quan chức năng",
        "Người dân kiến nghị làm rõ khoản thu bất thường",
        "Khiếu kiện đông người: tỉnh {p} tổ chức đối thoại với dân",
        "Cử tri kiến nghị giải quyết dứt điểm những vụ việc tồn đọng",
        "Phản ánh của người dân bị đùn đẩy trách nhiệm giữa các cơ quan",
        "Đường dây nóng nhận hàng trăm phản ánh của người dân",
        "Khiếu nại vượt cấp gia tăng, lãnh đạo tỉnh yêu cầu xử lý",
        "Bạn đọc phản ánh bị chính quyền phường gây khó khi làm thủ tục",
        "Tiếp nhận đơn tố cáo, thanh tra tỉnh vào cuộc xác minh",
    ], [
        "Nhiều năm nay, các hộ dân liên tục gửi đơn khiếu nại đến chính quyền địa phương nhưng chưa nhận được câu trả lời thỏa đáng.",
        "Người dân phản ánh với báo về tình trạng kéo dài, đề nghị cơ quan chức năng sớm vào cuộc kiểm tra.",
        "Tại buổi tiếp công dân định kỳ, lãnh đạo tỉnh đã nghe người dân trình bày và chỉ đạo giải quyết {n} vụ việc.",
        "Đơn tố cáo nêu rõ nhiều dấu hiệu khuất tất, người dân mong được điều tra, làm rõ.",
        "Thanh tra tỉnh cho biết đang rà soát toàn bộ các vụ khiếu nại, tố cáo tồn đọng, phức tạp.",
    ]),
    "environment": ([
        "Sông chuyển màu đen kịt, dân ven sông khốn khổ",
        "Lâm tặc tàn phá rừng đầu nguồn",
        "Cát tặc lộng hành, bờ sông sạt lở nghiêm trọng",
        "Trại lợn xả thải ra kênh thủy lợi",
        "Bụi than phủ kín khu dân cư gần cảng",
        "Dân vây nhà máy rác vì mùi hôi thối",
        "Khai thác đá gây ô nhiễm, nứt nhà dân",
        "Nhà máy xả thải ra sông, người dân khốn khổ vì mùi hôi",
        "Cá chết hàng loạt trên sông, nghi do nước thải công nghiệp",
        "Bãi rác quá tải, hàng nghìn hộ dân sống chung với ô nhiễm",
        "Khai thác cát trái phép ngang nhiên trên sông ở {p}",
        "Rừng phòng hộ bị chặt phá, lâm tặc hoành hành",
        "Cơ sở chăn nuôi gây ô nhiễm, người dân bức xúc",
        "Khói bụi từ nhà máy xi măng phủ trắng làng",
        "Xử phạt doanh nghiệp xả thải vượt chuẩn {n} lần",
        "Kênh rạch thành nơi chứa rác thải, bốc mùi hôi thối",
        "Nước giếng nhiễm bẩn, người dân không dám dùng",
        "Ô nhiễm không khí ở mức nguy hại, bụi mịn vượt ngưỡng",
        "Lò đốt rác gây ô nhiễm, dân chặn xe chở rác",
        "Phát hiện đường ống xả trộm nước thải chưa qua xử lý",
        "Khai thác khoáng sản trái phép tàn phá đồi núi ở {u}",
        "Rác thải tràn ngập bãi biển {p}",
        "Chôn lấp chất thải nguy hại trái phép trong khu dân cư",
        "Quán karaoke gây ồn đến khuya, cả khu phố mất ngủ",
        "Tiếng ồn từ công trường thi công ban đêm khiến dân {u} mệt mỏi",
        "Xưởng sơn gây bụi và mùi, người dân phải đóng kín cửa",
        "Xe chở đất rơi vãi, đường phố lấm lem bùn đất",
        "Khói đen từ lò đốt phủ kín khu dân cư",
        "Nước máy đục ngầu, có mùi lạ",
        "Đổ trộm phế thải xây dựng ra ven đường",
        "Bùn thải từ bãi thải mỏ tràn xuống khu dân cư",
        "Cát tặc hút cát trái phép ban đêm trên sông ở {p}",
    ], [
        "Người dân phản ánh nhiều tháng nay nước thải từ nhà máy xả thẳng ra môi trường khiến dòng sông đổi màu, bốc mùi hôi thối.",
        "Cơ quan chức năng đã lấy mẫu nước để xác định nguyên nhân khiến cá chết trắng mặt sông.",
        "Bãi rác đã quá tải từ lâu, mùi hôi và nước rỉ rác ảnh hưởng nghiêm trọng đến cuộc sống người dân xung quanh.",
        "Nhiều tàu hút cát hoạt động cả ngày lẫn đêm gây sạt lở bờ sông, người dân lo lắng.",
        "Kết quả quan trắc cho thấy nồng độ các chất ô nhiễm trong nước thải vượt quy chuẩn cho phép nhiều lần.",
        "Hàng chục ha rừng phòng hộ bị chặt phá để lấy gỗ và lấn chiếm đất trồng cây.",
    ]),
    "construction": ([
        "Nhà hàng xây dựng trái phép trên đất nông nghiệp tồn tại nhiều năm",
        "Phường buông lỏng để dân lấn chiếm kênh xây nhà",
        "Chung cư chưa nghiệm thu phòng cháy đã cho dân vào ở",
        "Cư dân chung cư tố chủ đầu tư chiếm dụng quỹ bảo trì",
        "Khu nghỉ dưỡng xây trái phép giữa rừng phòng hộ bị cưỡng chế",
        "Quán xá lấn chiếm lòng lề đường, người đi bộ không có lối đi",
        "Ra quân xử lý vi phạm trật tự đô thị trên các tuyến phố",
        "Công trình xây dựng không phép ngang nhiên mọc lên giữa phố",
        "Biệt thự xây sai phép trên đất nông nghiệp ở {u}",
        "Lấn chiếm vỉa hè tràn lan, người đi bộ phải xuống lòng đường",
        "Cưỡng chế phá dỡ công trình vi phạm trật tự xây dựng",
        "Cư dân chung cư tranh chấp phí bảo trì với chủ đầu tư",
        "Quy hoạch treo hàng chục năm, người dân không được xây nhà",
        "Ban quản trị chung cư và chủ đầu tư mâu thuẫn gay gắt",
        "Xây dựng trái phép trên đất công, chính quyền chậm xử lý",
        "Nhà xưởng xây dựng sai phép, phường buông lỏng quản lý",
        "Hàng loạt công trình vi phạm ven sông chưa được xử lý",
        "Chung cư cao tầng xây vượt số tầng được cấp phép",
        "Lập lại trật tự đô thị: ra quân giải tỏa lấn chiếm lòng lề đường",
        "Cư dân chung cư căng băng rôn phản đối chủ đầu tư",
        "Chủ tịch phường bị kỷ luật vì để xảy ra xây dựng trái phép",
    ], [
        "Dù đã bị lập biên bản đình chỉ, công trình vẫn tiếp tục thi công, vượt phép nhiều tầng.",
        "Tình trạng lấn chiếm vỉa hè để buôn bán, đỗ xe diễn ra tràn lan dù chính quyền đã nhiều lần ra quân.",
        "Cư dân cho biết chủ đầu tư chưa bàn giao quỹ bảo trì 2% cho ban quản trị tòa nhà.",
        "Đội trật tự đô thị đã tiến hành cưỡng chế, tháo dỡ phần công trình xây dựng sai phép.",
        "Dự án nằm trong quy hoạch treo nhiều năm khiến người dân không thể xây dựng, sửa chữa nhà cửa.",
    ]),
    "corruption": ([
        "Nguyên giám đốc sở bị truy tố vì gây thất thoát ngân sách",
        "Cán bộ thuế bị bắt quả tang nhận tiền của doanh nghiệp",
        "Xe công sử dụng sai mục đích, lãnh đạo bị kiểm điểm",
        "Chủ tịch xã lập khống hồ sơ chiếm đoạt tiền hỗ trợ",
        "Kiểm toán chỉ ra hàng nghìn tỷ đồng sai phạm",
        "Cựu lãnh đạo tập đoàn nhà nước hầu tòa vì sai phạm",
        "Trụ sở, nhà công vụ xây xong bỏ không gây lãng phí",
        "Dùng văn bằng giả để được bổ nhiệm, cán bộ bị cách chức",
        "Khởi tố {o} về tội nhận hối lộ",
        "Bắt tạm giam {o} vì tham ô tài sản",
        "Thanh tra phát hiện sai phạm gây thất thoát {m}",
        "Kỷ luật cảnh cáo {o} vì vi phạm trong quản lý đất đai",
        "Ủy ban Kiểm tra Trung ương đề nghị kỷ luật nhiều cán bộ",
        "Lợi dụng chức vụ quyền hạn, {o} chiếm đoạt {m}",
        "Cách chức {o} do sai phạm nghiêm trọng",
        "Dự án đắp chiếu gây lãng phí hàng trăm tỷ đồng",
        "Nâng khống giá thiết bị, nhiều cán bộ bị khởi tố",
        "Bổ nhiệm người nhà sai quy trình, lãnh đạo sở bị kỷ luật",
        "Cán bộ vòi tiền người dân khi làm thủ tục hành chính",
        "Kết luận thanh tra: nhiều sai phạm tại ban quản lý dự án",
        "Xét xử vụ tham ô tại công ty nhà nước",
        "Cố ý làm trái gây hậu quả nghiêm trọng, {o} lĩnh án",
        "Tạm đình chỉ công tác {o} để làm rõ sai phạm",
        "Lãng phí tài sản công: trụ sở bỏ hoang nhiều năm",
    ], [
        "Cơ quan cảnh sát điều tra đã khởi tố bị can, bắt tạm giam {o} để điều tra hành vi lợi dụng chức vụ, quyền hạn trong khi thi hành công vụ.",
        "Kết luận thanh tra chỉ ra hàng loạt sai phạm trong quản lý, sử dụng ngân sách, gây thất thoát {m}.",
        "Ủy ban kiểm tra đã thi hành kỷ luật bằng hình thức cảnh cáo đối với {o} vì thiếu trách nhiệm, buông lỏng quản lý.",
        "Các bị cáo bị cáo buộc đã nhận hối lộ {m} để bỏ qua sai phạm cho doanh nghiệp.",
        "Công trình xây xong nhưng không sử dụng, bỏ hoang nhiều năm gây lãng phí lớn tiền ngân sách nhà nước.",
    ]),
    "infrastructure": ([
        "Đường cao tốc thi công ẩu, dân ven đường chịu khổ",
        "Vướng mặt bằng, dự án giao thông trọng điểm chậm tiến độ",
        "Cầu dân sinh hư hỏng, người dân liều mình qua lại",
        "Hệ thống thoát nước quá tải, mưa là ngập",
        "Đường mới nâng cấp đã sụt lún, nứt toác",
        "Nhà máy xử lý nước thải hàng trăm tỷ đắp chiếu",
        "Sân bay, cảng biển đầu tư dàn trải, kém hiệu quả",
        "Tuyến metro đội vốn gấp ba lần",
        "Dự án chậm tiến độ nhiều năm, đội vốn hàng nghìn tỷ",
        "Quốc lộ xuống cấp nghiêm trọng, ổ gà chi chít",
        "Tài xế phản đối trạm thu phí BOT đặt sai vị trí",
        "Mưa lớn, nhiều tuyến phố {p} ngập sâu",
        "Đường mới làm đã hư hỏng, bong tróc",
        "Cầu yếu xuống cấp, người dân lo sợ mỗi lần qua lại",
        "Dự án đường sắt đô thị tiếp tục lỡ hẹn",
        "Cao tốc mới thông xe đã xuất hiện vết nứt, lún",
        "Hàng nghìn hộ dân mất nước sinh hoạt nhiều ngày",
        "Triều cường dâng cao, đường phố thành sông",
        "Đường về trung tâm xã lầy lội, học sinh khó đến trường",
        "Công trình chống ngập hàng nghìn tỷ vẫn chưa phát huy hiệu quả",
        "Bệnh viện xây xong bỏ hoang vì thiếu kinh phí thiết bị",
        "Trạm BOT tạm dừng thu phí sau phản đối của tài xế",
        "Cắt điện luân phiên, người dân khổ sở giữa nắng nóng",
        "Dự án nâng cấp tỉnh lộ thi công ì ạch, bụi mù mịt",
        "Mất điện kéo dài, người dân {u} khổ sở giữa nắng nóng",
        "Điện chập chờn, thiết bị trong nhà dân hư hỏng",
        "Vỡ đường ống nước, hàng nghìn hộ dân mất nước sạch",
        "Khu dân cư thiếu nước sinh hoạt nhiều tuần liền",
        "Hố tử thần xuất hiện trên tuyến đường trung tâm",
        "Đường nát, xe cộ đi lại khó khăn",
    ], [
        "Dự án được khởi công từ nhiều năm trước nhưng đến nay vẫn chưa hoàn thành, tổng mức đầu tư tăng gấp đôi so với ban đầu.",
        "Mặt đường xuất hiện nhiều ổ gà, ổ voi, gây nguy hiểm cho người tham gia giao thông.",
        "Sau trận mưa lớn chiều qua, nhiều tuyến đường ngập sâu, phương tiện chết máy la liệt.",
        "Các tài xế dùng tiền lẻ trả phí để phản đối mức thu phí của trạm BOT.",
        "Nhà máy nước gặp sự cố khiến hàng nghìn hộ dân bị mất nước sinh hoạt.",
        "Chất lượng công trình kém, chỉ sau một thời gian ngắn đưa vào sử dụng đã xuống cấp.",
    ]),
    "safety": ([
        "Xe tải mất lái lao vào nhà dân, ba người thương vong",
        "Tai nạn liên hoàn trên cao tốc, nhiều ô tô hư hỏng",
        "Cháy kho hàng, khói đen bốc cao hàng trăm mét",
        "Nước lũ cuốn trôi người đi đường",
        "Sạt lở taluy vùi lấp quốc lộ, giao thông tê liệt",
        "Ngư dân mất tích khi ra khơi gặp bão",
        "Sét đánh khiến hai nông dân tử vong",
        "Thuyền chở khách bị lật, nhiều người rơi xuống nước",
        "Cháy lớn tại xưởng gỗ, thiệt hại hàng tỷ đồng",
        "Tai nạn giao thông nghiêm trọng, {n} người tử vong",
        "Xe khách lật trên đèo, nhiều hành khách bị thương",
        "Bão đổ bộ, hàng nghìn ngôi nhà tốc mái",
        "Lũ quét cuốn trôi nhà cửa, nhiều người mất tích",
        "Sạt lở đất vùi lấp nhà dân ở {u}",
        "Hai học sinh đuối nước khi tắm sông",
        "Nổ bình gas tại quán ăn, nhiều người bị bỏng",
        "Cháy chung cư, cư dân hoảng loạn tháo chạy",
        "Sập giàn giáo công trình, {n} công nhân thương vong",
        "Container tông xe máy, hai người chết tại chỗ",
        "Mưa lũ gây thiệt hại nặng nề ở {p}",
        "Tàu cá bị chìm, {n} ngư dân mất tích",
        "Lốc xoáy làm hàng trăm ngôi nhà hư hỏng",
        "Cháy nhà trong đêm, ba người trong gia đình tử vong",
        "Công nhân tử vong do điện giật khi thi công",
        "Sập cầu, nhiều phương tiện rơi xuống sông",
        "Nước lũ dâng cao, hàng nghìn hộ dân bị cô lập",
    ], [
        "Ngọn lửa bùng phát dữ dội, lực lượng cảnh sát PCCC phải mất nhiều giờ mới khống chế được đám cháy.",
        "Vụ tai nạn xảy ra khi xe tải va chạm với xe khách đang lưu thông ngược chiều, khiến {n} người thiệt mạng.",
        "Do ảnh hưởng của bão, mưa lớn kéo dài khiến nhiều khu vực bị ngập sâu, sạt lở đất đá.",
        "Lực lượng cứu hộ cứu nạn đang tích cực tìm kiếm các nạn nhân mất tích.",
        "Theo thống kê ban đầu, thiên tai đã làm {n} người chết, hàng nghìn ngôi nhà bị hư hại.",
        "Hai em nhỏ rủ nhau ra sông tắm thì không may bị đuối nước.",
    ]),
    "health": ([
        "Bệnh viện tuyến tỉnh quá tải, bệnh nhân nằm hành lang",
        "Gia đình bệnh nhân tố bác sĩ tắc trách",
        "Phát hiện hàng tấn mỡ bẩn dùng để chế biến thực phẩm",
        "Sốt xuất huyết có nguy cơ bùng phát thành dịch lớn",
        "Thiếu thuốc điều trị cho bệnh nhân bảo hiểm y tế",
        "Hàng trăm người nhập viện sau khi ăn bánh mì",
        "Thuốc tân dược giả tràn lan tại các quầy thuốc",
        "Hàng chục công nhân nhập viện nghi ngộ độc thực phẩm",
        "Sốt xuất huyết gia tăng, bệnh viện quá tải",
        "Ổ dịch tay chân miệng bùng phát ở {p}",
        "Phát hiện cơ sở sản xuất thực phẩm bẩn",
        "Sản phụ tử vong, gia đình tố bệnh viện tắc trách",
        "Thu giữ hàng tấn thịt bẩn chuẩn bị tuồn ra thị trường",
        "Bệnh nhân nằm ghép ba người một giường",
        "Bạch hầu xuất hiện trở lại, ngành y tế khẩn cấp khoanh vùng",
        "Bệnh viện thiếu thuốc, vật tư y tế, bệnh nhân phải tự mua",
        "Bệnh nhân bảo hiểm y tế chờ đợi mệt mỏi",
        "Triệt phá đường dây sản xuất thuốc giả",
        "Trẻ tử vong sau khi tiêm vắc xin, ngành y tế vào cuộc",
        "Rau củ nhiễm chất cấm bày bán tràn lan ở chợ",
        "Ca mắc sởi tăng nhanh, trẻ chưa tiêm chủng chiếm đa số",
        "Ngộ độc rượu, nhiều người nguy kịch",
        "Trạm y tế xã xuống cấp, thiếu bác sĩ",
        "Bệnh nhân dại tử vong, cảnh báo tiêm phòng",
    ], [
        "Sau bữa ăn trưa, hàng chục người có biểu hiện đau bụng, nôn ói và được đưa đi cấp cứu, nghi bị ngộ độc thực phẩm.",
        "Số ca mắc sốt xuất huyết tăng gấp đôi so với cùng kỳ, nhiều bệnh viện phải kê thêm giường bệnh.",
        "Đoàn kiểm tra liên ngành về an toàn thực phẩm phát hiện cơ sở sử dụng hóa chất cấm trong chế biến.",
        "Gia đình cho rằng bệnh viện chậm trễ xử lý dẫn đến tai biến, sở y tế đã lập hội đồng chuyên môn.",
        "Nhiều bệnh nhân có thẻ bảo hiểm y tế phản ánh phải tự mua thuốc ngoài do bệnh viện thiếu thuốc.",
    ]),
    "education": ([
        "Học sinh phải đóng tiền sửa trường, phụ huynh phản ứng",
        "Giáo viên mầm non thiếu trầm trọng ở các khu công nghiệp",
        "Lùm xùm thu chi quỹ phụ huynh đầu năm",
        "Đề thi có sai sót, Bộ Giáo dục xin lỗi thí sinh",
        "Nữ sinh bị đánh hội đồng, nhà trường xử lý ra sao?",
        "Thiếu phòng học, trẻ mầm non học nhờ nhà văn hóa",
        "Tiêu cực trong tuyển dụng giáo viên",
        "Phụ huynh bức xúc vì lạm thu đầu năm học",
        "Trường học thu hàng chục khoản ngoài quy định",
        "Thiếu giáo viên trầm trọng, học sinh học ghép lớp",
        "Học sinh bị bạn đánh hội đồng, clip lan truyền trên mạng",
        "Sai sót trong đề thi, hàng nghìn thí sinh bị ảnh hưởng",
        "Gian lận nâng điểm thi tại {p}: nhiều cán bộ bị xử lý",
        "Sách giáo khoa mới gây tranh cãi",
        "Phòng học tạm bợ, học sinh vùng cao học trong lán",
        "Tăng học phí, phụ huynh lo lắng",
        "Giáo viên hợp đồng bị cắt, hàng trăm người mất việc",
        "Thiếu trường lớp, học sinh phải học ca ba",
        "Cô giáo bạo hành trẻ mầm non",
        "Dạy thêm học thêm tràn lan, phụ huynh bức xúc",
        "Nợ lương giáo viên nhiều tháng",
        "Học sinh phải vượt suối đến trường",
        "Điểm trường xuống cấp, mái tôn thủng lỗ chỗ",
    ], [
        "Đầu năm học mới, nhiều phụ huynh phản ánh trường thu các khoản ngoài quy định như tiền máy chiếu, quỹ phụ huynh, tiền sửa chữa lớp học.",
        "Toàn tỉnh thiếu hơn {n} giáo viên, nhiều trường phải hợp đồng tạm hoặc ghép lớp.",
        "Đoạn clip cho thấy một nữ sinh bị nhóm bạn cùng trường đánh túi bụi trong khi nhiều học sinh khác đứng xem.",
        "Sở GD&ĐT đã yêu cầu nhà trường hoàn trả các khoản thu sai quy định cho phụ huynh học sinh.",
        "Kỳ thi tốt nghiệp THPT năm nay xảy ra sự cố với đề thi, Bộ GD&ĐT đã vào cuộc làm rõ.",
    ]),
    "livelihood": ([
        "Giá xăng tăng kéo theo giá hàng hóa leo thang",
        "Người nghèo chật vật với hóa đơn tiền điện mùa nắng nóng",
        "Nông dân đổ bỏ rau vì giá rẻ như cho",
        "Chính sách hỗ trợ người nghèo chưa đến được tay người dân",
        "Thu nhập giảm, công nhân thắt lưng buộc bụng",
        "Người dân vùng lũ thiếu lương thực, nước sạch",
        "Nhà ở xã hội ít, giá cao, người lao động khó mua",
        "Giá điện tăng, hóa đơn tiền điện nhiều hộ dân tăng vọt",
        "Giá xăng tăng lần thứ {n} liên tiếp, người lao động chật vật",
        "Giá thịt lợn lao dốc, người chăn nuôi thua lỗ nặng",
        "Được mùa mất giá, nông dân trồng dưa khóc ròng",
        "Hộ nghèo chưa nhận được tiền hỗ trợ",
        "Nhà ở xã hội: người thu nhập thấp vẫn khó tiếp cận",
        "Giá cả leo thang, đời sống công nhân thêm khó khăn",
        "Cứu đói cho người dân vùng lũ",
        "Tiền trợ cấp người có công bị chậm chi trả",
        "Giá thực phẩm tăng mạnh, bữa cơm gia đình co lại",
        "Người dân mất mùa, đời sống khó khăn",
        "Tiểu thương lao đao vì chợ vắng khách",
        "Gần {n} hộ cận nghèo không được hỗ trợ tiền điện",
        "Lương hưu không đủ sống, người già vẫn phải làm thuê",
        "Giá nước sinh hoạt tăng, người dân lo lắng",
        "Trợ cấp cho người khuyết tật chậm đến tay người nhận",
    ], [
        "Nhiều hộ gia đình phản ánh hóa đơn tiền điện tháng này tăng gấp đôi dù mức sử dụng không thay đổi.",
        "Giá cả các mặt hàng thiết yếu tăng cao khiến đời sống của người lao động thu nhập thấp thêm chật vật.",
        "Giá lợn hơi giảm mạnh, mỗi con lợn xuất chuồng người chăn nuôi lỗ hàng triệu đồng.",
        "Chính sách an sinh xã hội chưa đến được với nhiều hộ nghèo, hộ cận nghèo ở vùng sâu.",
        "Hàng trăm hộ dân thiếu đói sau mùa mưa lũ đang chờ gạo cứu trợ.",
    ]),
    "public_order": ([
        "Nhóm thanh niên mang hung khí truy sát nhau trên phố",
        "Đối tượng nghiện ma túy cướp taxi",
        "Phá đường dây đánh bạc tiền tỷ qua mạng",
        "Băng nhóm đòi nợ thuê khủng bố gia đình con nợ",
        "Bắt giữ nghi phạm sát hại người phụ nữ",
        "Trộm đột nhập nhà dân lấy tài sản giá trị lớn",
        "Triệt xóa tụ điểm mua bán ma túy trong khu dân cư",
        "Bắt băng nhóm cướp giật tài sản trên đường phố",
        "Trộm chó hoành hành, người dân mất ngủ",
        "Triệt phá đường dây cho vay nặng lãi, tín dụng đen",
        "Phá sới bạc, bắt giữ {n} con bạc",
        "Bắt đối tượng vận chuyển ma túy số lượng lớn",
        "Nhóm thanh niên hỗn chiến, một người tử vong",
        "Giang hồ gây rối, đập phá quán nhậu",
        "Khởi tố nghi phạm giết người dã man",
        "Truy bắt kẻ cướp ngân hàng",
        "Trộm cắp tài sản gia tăng ở khu trọ công nhân",
        "Tín dụng đen khủng bố, ném chất bẩn vào nhà dân",
        "Bắt nhóm đối tượng đánh bạc qua mạng",
        "Côn đồ hành hung người đi đường",
        "Mua bán người qua biên giới, bắt giữ nhiều đối tượng",
        "Bảo kê chợ đầu mối, nhóm giang hồ bị bắt",
        "Lừa đảo chiếm đoạt tài sản hàng trăm người",
        "Bắt kẻ dâm ô bé gái",
    ], [
        "Công an {p} đã bắt giữ nhóm đối tượng chuyên thực hiện các vụ cướp giật tài sản của người đi đường.",
        "Các đối tượng cho vay với lãi suất lên tới 365%/năm, khi con nợ chậm trả thì đe dọa, khủng bố.",
        "Lực lượng công an bất ngờ kiểm tra, bắt quả tang {n} đối tượng đang đánh bạc ăn tiền.",
        "Cơ quan điều tra đã khởi tố vụ án, khởi tố bị can đối với các đối tượng về tội mua bán trái phép chất ma túy.",
        "Do mâu thuẫn từ trước, hai nhóm thanh niên hẹn nhau hỗn chiến bằng dao, kiếm khiến một người tử vong.",
        "Tình trạng trộm cắp diễn ra thường xuyên khiến người dân trong khu vực lo lắng.",
    ]),
}

# Items carrying two topics: (topics, titles, leads).
MULTI = [
    (["land", "complaints"], [
        "Hàng chục hộ dân khiếu nại giá bồi thường thu hồi đất",
        "Đơn thư khiếu nại đất đai chiếm phần lớn tại buổi tiếp công dân",
        "Người dân khiếu kiện kéo dài vì bị thu hồi đất không thỏa đáng",
        "Bạn đọc phản ánh: Bị thu hồi đất nhưng chưa được tái định cư",
    ], ["Người dân đã nhiều lần gửi đơn khiếu nại về việc bồi thường khi thu hồi đất nhưng chưa được chính quyền giải quyết dứt điểm."]),
    (["land", "corruption"], [
        "Khởi tố cán bộ địa chính nhận tiền để hợp thức hóa đất",
        "Nguyên chủ tịch xã bị bắt vì bán đất công trái phép",
        "Sai phạm đất đai: kỷ luật hàng loạt lãnh đạo huyện",
    ], ["Cơ quan điều tra xác định các bị can đã lợi dụng chức vụ giao đất trái thẩm quyền, thu lợi bất chính {m}."]),
    (["labor", "complaints"], [
        "Công nhân gửi đơn kêu cứu vì bị nợ lương",
        "Người lao động khiếu nại công ty trốn đóng bảo hiểm xã hội",
    ], ["Hàng trăm công nhân đã gửi đơn đến liên đoàn lao động và chính quyền đề nghị can thiệp để đòi lại tiền lương bị nợ."]),
    (["environment", "complaints"], [
        "Người dân phản ánh nhà máy gây ô nhiễm nhưng không được giải quyết",
        "Dân chặn xe rác phản đối bãi rác gây ô nhiễm",
    ], ["Bức xúc vì mùi hôi từ bãi rác, người dân nhiều lần kiến nghị chính quyền di dời nhưng chưa có kết quả."]),
    (["construction", "corruption"], [
        "Kỷ luật chủ tịch phường để xảy ra hàng loạt công trình xây dựng trái phép",
        "Cán bộ đô thị nhận tiền để làm ngơ cho công trình sai phép",
    ], ["Thanh tra xác định lãnh đạo phường thiếu trách nhiệm, buông lỏng quản lý trật tự xây dựng trên địa bàn."]),
    (["infrastructure", "safety"], [
        "Sập cầu tạm, xe tải rơi xuống sông",
        "Đường xuống cấp gây tai nạn liên tiếp",
    ], ["Cây cầu xuống cấp từ lâu nhưng chưa được sửa chữa, sự cố khiến {n} người bị thương."]),
    (["health", "education"], [
        "Hàng chục học sinh ngộ độc sau bữa ăn bán trú",
        "Trẻ mầm non nhập viện nghi ngộ độc thực phẩm ở trường",
    ], ["Sau bữa ăn trưa tại trường, nhiều học sinh có biểu hiện đau bụng, nôn mửa và được đưa đến bệnh viện cấp cứu."]),
    (["corruption", "infrastructure"], [
        "Rút ruột công trình giao thông, nhiều cán bộ bị khởi tố",
        "Dự án đội vốn, thanh tra chỉ ra nhiều sai phạm",
    ], ["Kết luận thanh tra cho thấy dự án chậm tiến độ, đội vốn và có nhiều sai phạm gây thất thoát ngân sách nhà nước."]),
    (["safety", "livelihood"], [
        "Sau lũ, hàng nghìn hộ dân thiếu đói cần cứu trợ",
    ], ["Mưa lũ cuốn trôi nhà cửa, hoa màu, nhiều gia đình lâm vào cảnh khó khăn, thiếu lương thực."]),
    (["environment", "public_order"], [
        "Bắt nhóm khai thác cát trái phép chống người thi hành công vụ",
    ], ["Lực lượng chức năng bắt giữ các đối tượng khai thác cát trái phép trên sông, thu giữ nhiều phương tiện."]),
    (["labor", "safety"], [
        "Công nhân tử vong khi đang làm việc trong nhà máy",
        "Tai nạn lao động tại xưởng cơ khí, một công nhân chết thảm",
        "Sập giàn giáo, nhiều công nhân xây dựng thương vong",
        "Công nhân bị máy cuốn tử vong, gia đình đòi công ty bồi thường",
        "Nổ lò hơi tại nhà máy, nhiều công nhân bị bỏng nặng",
    ], ["Vụ tai nạn lao động xảy ra trong ca làm việc, cơ quan chức năng đang điều tra trách nhiệm của doanh nghiệp về an toàn lao động.",
        "Gia đình nạn nhân cho rằng công ty không trang bị bảo hộ lao động, yêu cầu làm rõ nguyên nhân cái chết của công nhân."]),
    (["complaints", "environment"], [
        "Người dân phản ánh nhà máy xả khói đen, chính quyền chưa xử lý",
        "Dân làm đơn kiến nghị di dời bãi rác gây ô nhiễm",
        "Bạn đọc phản ánh: Kênh thối um, dân kêu trời",
    ], ["Nhiều lần kiến nghị lên xã, huyện nhưng tình trạng ô nhiễm vẫn tiếp diễn, người dân bức xúc."]),
    (["complaints", "infrastructure"], [
        "Thi công công trình làm nứt nhà dân, người dân kêu cứu",
        "Dân phản ánh đường xuống cấp nhiều năm không được sửa chữa",
        "Người dân kiến nghị sớm hoàn thành dự án đường bị bỏ dở",
    ], ["Người dân đã nhiều lần gửi đơn phản ánh đến chính quyền địa phương nhưng chưa nhận được phản hồi."]),
    (["corruption", "public_order"], [
        "Cựu cán bộ công an bị khởi tố vì dùng nhục hình với nghi phạm",
        "Cảnh sát giao thông nhận tiền mãi lộ bị bắt quả tang",
        "Trưởng công an xã đánh người gây thương tích bị truy tố",
    ], ["Hành vi của cán bộ công an đã vi phạm nghiêm trọng quy định, lợi dụng chức vụ, quyền hạn khi thi hành công vụ."]),
    (["complaints", "land"], [
        "Chủ tịch tỉnh đối thoại với dân bị thu hồi đất",
        "Khiếu kiện đất đai chiếm 70% đơn thư gửi đến tỉnh",
    ], ["Tại buổi đối thoại, nhiều hộ dân kiến nghị xem xét lại giá bồi thường và bố trí tái định cư."]),
    (["land", "infrastructure"], [
        "Vướng mặt bằng, cao tốc chậm tiến độ nhiều năm",
        "Chưa giải phóng xong mặt bằng, dự án đường vành đai đội vốn",
        "Dân chưa nhận đền bù, công trình cầu thi công dang dở",
    ], ["Do vướng mắc trong công tác bồi thường, giải phóng mặt bằng, dự án giao thông phải lùi tiến độ, tổng mức đầu tư tăng mạnh."]),
    (["complaints", "corruption"], [
        "Người dân tố cáo lãnh đạo xã chiếm đoạt tiền hỗ trợ",
        "Đơn tố cáo cán bộ nhận tiền chạy việc được xác minh là đúng",
        "Dân gửi đơn tố cáo chủ tịch xã sai phạm trong quản lý đất",
    ], ["Sau khi nhận được đơn tố cáo của người dân, thanh tra huyện vào cuộc và phát hiện nhiều sai phạm của cán bộ xã."]),
    (["land", "environment"], [
        "Lấn chiếm đất rừng phòng hộ để trồng keo",
        "Doanh nghiệp san lấp đất trái phép, phá nát rừng ngập mặn",
    ], ["Hàng chục ha đất rừng bị người dân và doanh nghiệp lấn chiếm, chặt phá để sản xuất trái phép."]),
    (["construction", "complaints"], [
        "Cư dân chung cư gửi đơn kêu cứu vì chủ đầu tư chiếm phí bảo trì",
        "Người dân phản ánh công trình xây dựng không phép gây nứt nhà",
    ], ["Nhiều lần làm đơn phản ánh về công trình xây dựng sai phép nhưng chính quyền phường vẫn chưa xử lý."]),
    (["safety", "public_order"], [
        "Phóng hỏa đốt nhà vì mâu thuẫn, hai người chết cháy",
        "Nghi phạm gây ra vụ cháy khiến nhiều người thương vong bị bắt",
    ], ["Cơ quan công an xác định vụ cháy do đối tượng cố ý phóng hỏa sau khi mâu thuẫn với gia đình nạn nhân."]),
    (["education", "public_order"], [
        "Bắt nhóm thanh niên xông vào trường hành hung học sinh",
        "Thầy giáo bị bắt vì dâm ô nhiều học sinh",
    ], ["Công an đã khởi tố vụ án, tạm giữ đối tượng để điều tra hành vi xâm hại học sinh tại trường học."]),
    (["health", "corruption"], [
        "Sai phạm đấu thầu thiết bị y tế, giám đốc bệnh viện bị bắt",
        "Thổi giá vật tư y tế, nhiều lãnh đạo sở y tế bị khởi tố",
    ], ["Cơ quan điều tra xác định các bị can đã nâng khống giá thiết bị y tế, gây thiệt hại cho ngân sách nhà nước."]),
    (["public_order", "corruption"], [
        "Trưởng công an xã bảo kê cho sới bạc bị bắt",
    ], ["Cơ quan điều tra xác định cán bộ công an đã nhận tiền để bảo kê cho đường dây đánh bạc."]),
]

# No topic: ordinary news and the hard negatives the taxonomy names.
NONE_TITLES = [
    # sport
    "Đội tuyển Việt Nam thắng đậm trong trận giao hữu", "HLV trưởng công bố danh sách cầu thủ dự giải châu Á",
    "CLB {p} giành chiến thắng ở vòng đấu V-League", "Vận động viên Việt Nam giành huy chương vàng SEA Games",
    "Giải marathon quốc tế thu hút hàng nghìn vận động viên", "Cầu thủ trẻ ghi bàn đẹp mắt ở phút bù giờ",
    "Real Madrid thua sốc trên sân nhà", "Tay vợt số một thế giới vào chung kết", "Messi lập cú đúp giúp đội nhà chiến thắng",
    # entertainment, celebrity
    "Ca sĩ trẻ ra mắt MV mới đạt triệu lượt xem", "Hoa hậu Việt Nam tỏa sáng trên thảm đỏ", "Phim Việt đạt doanh thu trăm tỷ",
    "Nam diễn viên kể chuyện hậu trường phim truyền hình", "Liveshow kỷ niệm 20 năm ca hát của nữ danh ca",
    "Cặp đôi sao Việt công khai chuyện hẹn hò", "Lễ hội âm nhạc quốc tế diễn ra tại {p}",
    # business, markets
    "VN-Index tăng điểm mạnh, khối ngoại mua ròng", "Ngân hàng báo lãi quý III tăng 30%", "Doanh nghiệp xuất khẩu thủy sản đạt kim ngạch kỷ lục",
    "Giá vàng thế giới lập đỉnh mới", "Công ty niêm yết chia cổ tức bằng tiền mặt", "Tỷ giá USD hôm nay tăng nhẹ",
    "Hãng hàng không mở đường bay mới đến Nhật Bản", "Doanh thu bán lẻ tăng trưởng hai con số", "Ngân hàng giảm lãi suất cho vay",
    "Tập đoàn công nghệ khai trương trung tâm dữ liệu", "Hội nghị xúc tiến đầu tư thu hút nhiều doanh nghiệp",
    # real estate marketing (hard negative for land)
    "Mở bán căn hộ cao cấp view sông, chiết khấu hấp dẫn", "Thị trường bất động sản cuối năm: giá nhà đất tiếp tục tăng",
    "Dự án khu đô thị mới ra mắt phân khu đẹp nhất", "Cơn sốt đất nền vùng ven, nhà đầu tư đổ xô xuống tiền",
    "Sàn giao dịch bất động sản tung ưu đãi lớn", "Giá căn hộ chung cư tại {p} tăng 15% so với năm trước",
    # job fairs, labour statistics (hard negatives for labor)
    "Ngày hội việc làm thu hút hàng nghìn sinh viên", "Doanh nghiệp tuyển dụng {n} lao động dịp cuối năm",
    "Tỷ lệ thất nghiệp quý III giảm so với cùng kỳ", "Hội chợ việc làm cung cấp hàng nghìn vị trí tuyển dụng",
    "Thị trường lao động phục hồi, nhu cầu tuyển dụng tăng",
    # medical advice, beauty (hard negatives for health)
    "Bí quyết giảm cân hiệu quả sau Tết", "5 loại thực phẩm tốt cho sức khỏe tim mạch", "Chăm sóc da mùa hanh khô đúng cách",
    "Mẹo ngủ ngon cho người thường xuyên căng thẳng", "Tập luyện thể dục buổi sáng: nên hay không",
    "Bác sĩ tư vấn: Cách phòng cảm lạnh cho trẻ khi trời trở rét", "Bài thuốc dân gian chữa ho từ lá hẹ",
    # study abroad, celebrity graduates (hard negatives for education)
    "Hội thảo tư vấn du học Úc, Canada", "Học bổng du học toàn phần dành cho học sinh giỏi", "Hoa hậu tốt nghiệp thủ khoa đại học",
    "Nam sinh giành huy chương vàng Olympic Toán quốc tế", "Trường đại học công bố điểm chuẩn",
    # traffic campaign with no incident, groundbreaking PR (hard negatives for safety, infrastructure)
    "Ra quân tuyên truyền an toàn giao thông dịp cuối năm", "Lễ khởi công xây dựng cầu mới bắc qua sông",
    "Lễ khánh thành nhà văn hóa xã", "Diễn tập phương án phòng cháy chữa cháy tại khu công nghiệp",
    "Dự báo thời tiết: Bắc Bộ trời rét, Nam Bộ nắng đẹp", "Khởi công dự án khu công nghiệp công nghệ cao",
    # technology, lifestyle, culture, politics-diplomacy
    "Điện thoại mới ra mắt với camera 200 megapixel", "Đánh giá laptop mỏng nhẹ cho dân văn phòng", "Ứng dụng AI giúp dịch tiếng Việt chính xác hơn",
    "Món phở bò lọt top món ăn ngon nhất châu Á", "Điểm đến du lịch hấp dẫn mùa thu", "Lễ hội hoa xuân khai mạc tại {p}",
    "Triển lãm tranh của họa sĩ trẻ", "Xu hướng thời trang mùa đông năm nay", "Công thức nấu canh chua cá lóc",
    "Chủ tịch nước tiếp đại sứ các nước", "Thủ tướng dự hội nghị thượng đỉnh ASEAN", "Quốc hội thảo luận dự án luật",
    "Việt Nam và Nhật Bản tăng cường hợp tác kinh tế", "Đại hội đại biểu Đảng bộ tỉnh {p} nhiệm kỳ mới",
    "Kỷ niệm ngày thành lập tỉnh {p}", "Trao giải cuộc thi viết về người tốt việc tốt", "Lễ hội truyền thống thu hút du khách",
    "Tọa đàm về phát triển văn hóa đọc", "Gặp mặt doanh nhân nhân ngày Doanh nhân Việt Nam",
    # human-interest and miscellaneous items that merely mention hospitals, schools, police, roads
    "Chàng trai khuyết tật vượt khó trở thành lập trình viên", "Bác sĩ trẻ tình nguyện lên vùng cao khám bệnh",
    "Học sinh giỏi quốc gia được tuyên dương", "Ngày hội đọc sách thu hút đông đảo học sinh", "Trường đại học kỷ niệm 50 năm thành lập",
    "Công an tỉnh {p} tổ chức hội thao", "Chiến sĩ cảnh sát giao thông giúp cụ bà qua đường", "Thông xe tuyến cao tốc mới, rút ngắn thời gian di chuyển",
    "Khánh thành bệnh viện đa khoa mới với trang thiết bị hiện đại", "Hội nghị tổng kết công tác phòng chống tham nhũng năm",
    "Bộ trưởng tiếp xúc cử tri tại {p}", "Tăng trưởng kinh tế quý III đạt 7%", "Xuất khẩu gạo tăng mạnh sang châu Phi",
    "Ra mắt sách về lịch sử Đảng bộ tỉnh", "Mùa lúa chín vàng trên ruộng bậc thang", "Giá xe ô tô giảm mạnh cuối năm",
    "Chuyện tình cảm động của cặp vợ chồng già", "Người mẫu khoe dáng tại tuần lễ thời trang", "Giải bóng chuyền nữ quốc tế khai mạc",
    "Đoàn khách quốc tế thăm quan làng nghề truyền thống", "Sân bay đón lượng khách kỷ lục dịp lễ", "Festival biển thu hút du khách",
    "Ca sĩ tổ chức đêm nhạc gây quỹ từ thiện", "Hãng xe giới thiệu mẫu xe điện mới", "Startup Việt gọi vốn thành công triệu USD",
    "Kiều bào về quê ăn Tết", "Câu chuyện về người thầy giáo tận tụy ở vùng cao", "Nữ bác sĩ được vinh danh thầy thuốc ưu tú",
    "Hội nghị về chuyển đổi số trong doanh nghiệp", "Doanh nhân trẻ chia sẻ kinh nghiệm khởi nghiệp",
    "Nữ sinh đoạt giải thưởng khoa học quốc tế", "Ngân hàng ra mắt thẻ tín dụng mới",
    "Siêu mẫu vướng tin đồn ly hôn", "Nam ca sĩ bị tố đạo nhạc", "Giá vé máy bay Tết tăng nhẹ", "Công bố quy hoạch phát triển du lịch tỉnh {p}",
    "Bệnh viện tỉnh {p} triển khai kỹ thuật mổ nội soi mới", "Ca ghép tạng thành công mang lại sự sống cho bệnh nhân",
    "Bác sĩ chia sẻ cách chăm sóc trẻ sơ sinh", "Trường THPT tổ chức lễ khai giảng năm học mới", "Học sinh trường làng đạt giải cuộc thi khoa học kỹ thuật",
    "Thầy giáo dạy hay được học trò yêu mến", "Công bố kết quả tuyển sinh lớp 10", "Sinh viên tình nguyện hè về vùng sâu",
    "Công an phường tặng quà trẻ em nghèo dịp Trung thu", "Cảnh sát cơ động diễu hành mừng Quốc khánh",
    "Đường hoa Nguyễn Huệ mở cửa đón khách dịp Tết", "Tàu cao tốc ra đảo tăng chuyến phục vụ du khách",
    "Doanh nghiệp giới thiệu sản phẩm tiết kiệm điện", "Hội thảo khoa học về nông nghiệp công nghệ cao",
    "Bảo tàng trưng bày hiện vật quý", "Tuyển thủ bóng đá nữ được khen thưởng", "Chung kết cuộc thi hoa hậu diễn ra tại {p}",
    "Cổ phiếu ngân hàng dẫn dắt thị trường", "Quỹ đầu tư ngoại rót vốn vào startup Việt",
    # crime in fiction, celebrity lawsuits between private parties
    "Phim hành động về băng nhóm tội phạm gây sốt phòng vé", "Ca sĩ kiện công ty quản lý vì vi phạm hợp đồng",
]
NONE_LEADS = [
    "Chương trình nhằm tôn vinh những tấm gương tiêu biểu, góp phần lan tỏa tinh thần tích cực trong cộng đồng.",
    "Theo báo cáo, các chỉ tiêu kinh tế - xã hội đều đạt và vượt kế hoạch đề ra.",
    "Buổi gặp mặt diễn ra trong không khí ấm cúng, thân mật.",
    "Đây là dịp để các bên trao đổi kinh nghiệm, tăng cường hợp tác và kết nối.",
    "Sự kiện thu hút đông đảo người hâm mộ và được đánh giá là thành công ngoài mong đợi.",
    "Theo ban tổ chức, chương trình năm nay có nhiều điểm mới, hứa hẹn mang lại trải nghiệm thú vị.",
    "Kết quả kinh doanh khả quan giúp cổ phiếu của doanh nghiệp tăng trần trong phiên giao dịch sáng nay.",
    "Chuyên gia khuyến cáo nên duy trì chế độ ăn uống cân bằng và vận động thường xuyên.",
    "Dự án có vị trí đắc địa, tiện ích đồng bộ, khách hàng mua sớm được hưởng chiết khấu lên đến 10%.",
    "Buổi lễ có sự tham dự của lãnh đạo địa phương và đông đảo người dân.",
    "Sản phẩm mới được trang bị nhiều tính năng hiện đại với mức giá cạnh tranh.",
    "Trận đấu diễn ra kịch tính với nhiều pha bóng đẹp mắt.",
    "Nhiều doanh nghiệp tham gia tuyển dụng với mức lương hấp dẫn cho người lao động.",
    "Hai bên nhất trí tăng cường hợp tác trên nhiều lĩnh vực.",
]

# Same events abroad: no topic (the taxonomy counts only issues in Vietnam).
ABROAD = [
    "Quan chức {f} bị cách chức vì tham nhũng", "Lở đất ở {f} vùi lấp cả ngôi làng", "{f} đối mặt khủng hoảng giá lương thực",
    "Học sinh {f} bị bạo lực học đường gây phẫn nộ", "Băng đảng ma túy {f} đấu súng với cảnh sát", "Dịch sốt xuất huyết hoành hành ở {f}",
    "Xe tải đâm xe buýt ở {f}, hàng chục người thương vong", "Chính phủ {f} cưỡng chế di dời dân để làm đường",
    "Động đất mạnh ở {f}, hàng trăm người thiệt mạng", "Cháy rừng dữ dội tại {f}, hàng nghìn người sơ tán",
    "Công nhân {f} đình công đòi tăng lương", "Lũ lụt nghiêm trọng ở {f} khiến nhiều người chết",
    "Cảnh sát {f} bắt băng nhóm buôn ma túy xuyên quốc gia", "Quan chức {f} bị bắt vì nhận hối lộ",
    "Ô nhiễm không khí ở thủ đô của {f} lên mức báo động", "Dịch cúm gia cầm bùng phát tại {f}",
    "Bão lớn tấn công {f}, hàng triệu người mất điện", "Tai nạn xe buýt ở {f}, hàng chục người thương vong",
    "Sinh viên {f} biểu tình phản đối tăng học phí", "Giá xăng tại {f} tăng kỷ lục", "Xả súng tại trường học ở {f}",
    "Tàu chở khách chìm ở {f}, nhiều người mất tích", "Nhà máy ở {f} xả thải độc hại ra sông",
]
ABROAD_LEADS = [
    "Theo hãng tin Reuters, chính quyền {f} cho biết con số thương vong có thể còn tăng.",
    "Truyền thông {f} đưa tin, lực lượng chức năng đã được huy động khẩn cấp để ứng phó.",
    "Sự việc đang gây chú ý tại {f}, nhiều tổ chức quốc tế bày tỏ quan ngại.",
]

# Forum-style posts in teencode, labeled like press items.
TEENCODE = [
    (["public_order"], "Khu nhà trọ e dạo này trộm hoành hành quá mn ơi", "Mới tuần trc mất xe, hôm qua lại mất đt, báo công an r mà chưa thấy gì, ai ở gần {p} cẩn thận nha"),
    (["labor"], "Cty e nợ lương 3 tháng r ko trả", "Ae công nhân ở KCN {p} ai bị như e ko, cty cứ hẹn lần hẹn lữa, bh xh cũng ko đóng, chán thật sự"),
    (["environment"], "Mùi hôi từ bãi rác gần nhà chịu ko nổi", "Tối nào cũng thối um, con nít ho suốt, phản ánh lên phường bao lần mà ko ai xử lý"),
    (["livelihood"], "Tiền điện tháng này nhà e tăng gấp đôi", "Xài y chang tháng trc mà hóa đơn lên gần 2 củ, ai cũng bị vậy ko mn"),
    (["infrastructure"], "Đường trước nhà ổ gà ổ voi mấy năm ko sửa", "Mưa xuống là ngập, xe máy té liên tục, đề nghị chính quyền {p} xem lại giùm"),
    (["education"], "Trường con e thu đủ thứ tiền đầu năm", "Nào quỹ lớp, tiền máy lạnh, tiền photo, tổng gần 3 triệu, phụ huynh ai cũng bức xúc mà ko dám nói"),
    ([], "Có ai đi concert tối qua ko mn", "Vui xỉu luôn, idol hát hay quá trời, năm sau đi tiếp"),
    ([], "Review quán cafe mới mở ở {p}", "Đồ uống ngon, view đẹp, giá hơi chát nhưng ok, mn nên thử"),
    ([], "Tư vấn giúp e mua đt tầm 5 củ", "E cần máy pin trâu chụp ảnh đẹp, mn góp ý với ạ"),
]


def _fill(template: str, rng: random.Random) -> tuple[str, str | None]:
    place = rng.choice(PROVINCES)
    values = {
        "p": place, "n": rng.choice(N), "m": rng.choice(MONEY), "o": rng.choice(OFFICIAL),
        "u": f"{rng.choice(UNITS)} {rng.choice(UNIT_NAMES)}", "f": rng.choice(FOREIGN),
    }
    return template.format(**values), place


def _with_place(text: str, place: str, rng: random.Random) -> str:
    if rng.random() < 0.3:
        text = f"{rng.choice(['Ngày', 'Sáng', 'Chiều', 'Tối'])} {rng.randint(1, 28)}/{rng.randint(1, 12)}, {text[0].lower()}{text[1:]}"
    style = rng.random()
    if style < 0.45:
        return f"{place.upper() if rng.random() < 0.1 else place} - {text}"
    if style < 0.75:
        return f"{text[:-1]} tại {rng.choice(['tỉnh ', 'TP ', ''])}{place}." if text.endswith(".") else text
    return text


def generate(seed: int = 2026) -> list[dict]:
    rng = random.Random(seed)
    items: list[dict] = []
    # Labels name the current 34 units; the gazetteer knows which unit each old name became.
    gazetteer = Gazetteer.load()

    def add(topics: list[str], title: str, lead: str, place: str | None) -> None:
        has_place = place and place in f"{title} {lead}"
        provinces = [gazetteer.current_unit(place)] if topics and has_place else []
        items.append({"id": f"seed-{len(items):05d}", "title": title, "sapo": lead, "topics": topics, "provinces": provinces})

    for topic, (titles, leads) in T.items():
        for round_ in range(5):
            for title in titles:
                t, p1 = _fill(title, rng)
                lead_t, _ = _fill(rng.choice(leads), rng)
                place = p1 if "{p}" in title else rng.choice(PROVINCES)
                lead = _with_place(lead_t.replace("{p}", place), place, rng)
                if "{p}" not in title and place not in lead and rng.random() < 0.5:
                    lead = f"{place} - {lead}"
                add([topic], t, lead, place)
    for topics, titles, leads in MULTI:
        for _ in range(6):
            for title in titles:
                t, place = _fill(title, rng)
                lead, _ = _fill(rng.choice(leads), rng)
                add(topics, t, f"{place} - {lead}", place)
    for _ in range(4):
        for title in NONE_TITLES:
            t, place = _fill(title, rng)
            lead, _ = _fill(rng.choice(NONE_LEADS), rng)
            add([], t, lead, place)
    for _ in range(4):
        for title in ABROAD:
            t, _ = _fill(title, rng)
            f = t.split(" ")[0]
            lead = rng.choice(ABROAD_LEADS).format(f=next(x for x in FOREIGN if x in t))
            add([], t, lead, None)
    for _ in range(3):
        for topics, title, lead in TEENCODE:
            lead_f, place = _fill(lead, rng)
            add(topics, title, lead_f, place)
    # Report and follow-up titles often arrive alone (a feed with titles only, a short follow-up):
    # the title has to carry the topic by itself, and a no-topic title has to stay one.
    for topic, (titles, _) in T.items():
        for title in titles[::2]:
            t, place = _fill(title, rng)
            add([topic], t, "", place if "{p}" in title else None)
    for title in NONE_TITLES + ABROAD:
        t, place = _fill(title, rng)
        add([], t, "", None)
    items = unique_by_title_and_lead(items)
    rng.shuffle(items)
    for i, item in enumerate(items):
        item["id"] = f"seed-{i:05d}"
    return items


def unique_by_title_and_lead(items: list[dict]) -> list[dict]:
    """The first of each (title, lead) pair, in order: templates filled at random repeat."""
    seen, unique = set(), []
    for item in items:
        key = (item["title"], item["sapo"])
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def write_seed(items, name: str) -> None:
    """Write a seed set beside this script, one JSON item a line (the generators' output)."""
    out = Path(__file__).with_name(name)
    with out.open("w", encoding="utf-8") as fh:
        for item in items:
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
    print(f"wrote {out}")


def main() -> None:
    write_seed(generate(), "seed.jsonl")


if __name__ == "__main__":
    main()
