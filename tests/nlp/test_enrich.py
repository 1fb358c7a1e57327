"""The whole per-document chain on the hard cases the issue names (one process, trained model)."""
from core.records import DocInput


def enrich_one(enricher, title, lead="", text="", default_province=None):
    return enricher.enrich([DocInput("x", title, lead, text, default_province)])[0]


def test_teencode_forum_post_is_understood(enricher):
    r = enrich_one(enricher, "Cty e nợ lương 3 tháng r ko trả",
                   "Ae công nhân KCN ở Hải Dương ai bị như e ko, cty cứ hẹn lần hẹn lữa, bhxh cũng ko đóng, chán thật sự")
    assert r.language == "vi"
    assert "labor" in r.topics
    assert r.provinces == ["Hải Phòng"]


def test_the_same_event_abroad_gets_no_topic(enricher):
    r = enrich_one(enricher, "Cháy chung cư ở London, hàng chục người thiệt mạng",
                   "Vụ hỏa hoạn bùng phát trong đêm tại tòa tháp 24 tầng ở thủ đô nước Anh, cảnh sát cho biết số người chết còn tăng.")
    assert r.topics == [] and r.provinces == []


def test_same_event_in_vietnam_gets_its_topic(enricher):
    r = enrich_one(enricher, "Cháy chung cư ở Hà Nội, nhiều người thương vong",
                   "Vụ hỏa hoạn bùng phát trong đêm tại tòa nhà 9 tầng ở quận Thanh Xuân, cảnh sát PCCC đã dập tắt đám cháy.")
    assert "safety" in r.topics and r.provinces == ["Hà Nội"]


def test_real_estate_advertising_is_not_a_land_issue(enricher):
    r = enrich_one(enricher, "Mở bán căn hộ cao cấp view sông, chiết khấu 10%",
                   "Dự án đã có sổ đỏ từng căn, thị trường bất động sản cuối năm sôi động.")
    assert "land" not in r.topics


def test_a_place_inside_a_person_name_does_not_count(enricher):
    r = enrich_one(enricher, "Ông Nguyễn Thái Bình bị khởi tố vì nhận hối lộ",
                   "Cơ quan điều tra Công an tỉnh Nghệ An đã khởi tố bị can, bắt tạm giam nguyên chủ tịch UBND xã.")
    assert "corruption" in r.topics
    assert r.provinces == ["Nghệ An"]


def test_mixed_old_and_new_province_names(enricher):
    r = enrich_one(enricher, "Bình Dương: Hàng nghìn công nhân ngừng việc đòi tăng lương",
                   "Công nhân công ty giày ở TP.HCM (tỉnh Bình Dương cũ) đình công từ sáng nay.")
    assert "labor" in r.topics and r.provinces == ["Hồ Chí Minh"]


def test_an_empty_document(enricher):
    r = enrich_one(enricher, "", "", "")
    assert r.language == "empty" and r.topics == [] and r.provinces == []
    assert r.signature is not None


def test_a_provincial_outlet_without_a_place_falls_back_to_its_province(enricher):
    r = enrich_one(enricher, "Phụ huynh bức xúc vì lạm thu đầu năm học", "Trường thu hàng chục khoản ngoài quy định.",
                   default_province="Quảng Nam")
    assert "education" in r.topics and r.provinces == ["Đà Nẵng"]


def test_every_topic_gets_a_score(enricher):
    r = enrich_one(enricher, "Giá xăng tăng mạnh, đời sống người lao động khó khăn")
    assert len(r.scores) == 12 and all(0.0 <= v <= 1.0 for v in r.scores.values())
    assert "livelihood" in r.topics
