"""Where a story happens: the hard cases of issue 19 (tests/nlp/fixtures/places.py), run through the
real enrichment path (rules only: places do not depend on the model)."""
import pytest

from nlp.enrich import DocInput, Enricher
from nlp.evaluate import naive_province_baseline, province_prf
from nlp.normalize import normalize_document
from nlp.provinces import choose_provinces
from tests.nlp.fixtures.places import CASES


@pytest.fixture(scope="module")
def rules_enricher(rules, gazetteer):
    return Enricher(rules, gazetteer, None, model_weight=0.7)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_hard_case(rules_enricher, case):
    doc = DocInput(case["id"], case["title"], case["lead"], case["text"], case["default_province"])
    result = rules_enricher.enrich([doc], rules_only=True, with_signature=False)[0]
    assert sorted(result.provinces) == sorted(case["expected"]), case["why"]


def test_the_dong_hai_case_is_kept_verbatim():
    dong_hai = next(c for c in CASES if c["id"] == "dong-hai")
    assert dong_hai["title"] == "Người dân phường Đông Hải kêu trời vì mùi hôi từ bãi rác Tràng Cát"
    assert "phường Đông Hải, TP Hải Phòng" in dong_hai["lead"]


@pytest.mark.shared
def test_dev_set_places_beat_the_naive_baseline(gazetteer, dev_rows):
    pred = {}
    for row in dev_rows:
        doc = normalize_document(row["title"], row.get("sapo"), row.get("text"))
        pred[str(row["id"])] = {"provinces": choose_provinces(gazetteer.find(doc.title, doc.lead, doc.text))}
    precision, recall, f1 = province_prf(dev_rows, pred)
    naive = naive_province_baseline(dev_rows, gazetteer)
    assert precision >= 0.94 and recall >= 0.90 and f1 >= 0.92  # reached 0.962 / 0.926 / 0.944
    assert naive["f1"] < 0.75 and f1 > naive["f1"] + 0.2         # naive: every name anywhere, 0.694


def places(gazetteer, title, lead="", text="", default=None):
    return choose_provinces(gazetteer.find(title, lead, text, default))


def test_an_explicit_province_outweighs_a_bare_mention(gazetteer):
    evidence = gazetteer.find("", "Sạt lở ở tỉnh Quảng Ngãi, đoàn công tác từ Hà Nội vào thăm", "")
    assert evidence.scores["Quảng Ngãi"] > evidence.scores["Hà Nội"]


def test_the_title_weighs_more_than_the_tail_of_the_body(gazetteer):
    filler = "Người dân mong sớm có giải pháp. " * 40
    evidence = gazetteer.find("Ngập nặng ở Cần Thơ", "", filler + "Năm ngoái Hà Nội cũng ngập.")
    assert places(gazetteer, "Ngập nặng ở Cần Thơ", "", filler + "Năm ngoái Hà Nội cũng ngập.") == ["Cần Thơ"]
    assert evidence.scores["Cần Thơ"] > 4 * evidence.scores["Hà Nội"]


def test_a_commune_alone_counts_only_when_one_province_has_it(gazetteer):
    assert places(gazetteer, "Dân xã Tân Lập mất nước sạch") == []  # 17 provinces have a Tân Lập
    assert places(gazetteer, "Dân xã Tân Lập mất nước sạch", "Xã Tân Lập, huyện Đan Phượng") == ["Hà Nội"]


def test_a_commune_name_must_be_the_whole_name(gazetteer):
    # "phường Đông Hải" once matched the commune "Đông" of another province (a prefix of the run).
    assert places(gazetteer, "Người dân phường Đông Hải kêu trời") == []


def test_the_source_prior_stands_alone_only_when_nothing_else_does(gazetteer):
    assert places(gazetteer, "Trường lạm thu", "Phụ huynh bức xúc.", "", default="Quảng Ngãi") == ["Quảng Ngãi"]
    assert places(gazetteer, "Lũ lớn ở Bình Định", "Nước lên nhanh ở tỉnh Bình Định.", "",
                  default="Quảng Ngãi") == ["Gia Lai"]


def test_a_route_or_a_newspaper_is_never_a_place_but_an_institution_is_once_placed(gazetteer):
    assert gazetteer.mentions("trên cao tốc Hà Nội - Hải Phòng, theo Báo Hải Phòng") == []
    assert places(gazetteer, "Sinh viên Đại học Huế phản ánh học phí") == []
    assert places(gazetteer, "Sinh viên Đại học Huế phản ánh học phí", "Tại TP Huế, nhiều sinh viên...") == ["Huế"]


def test_an_institution_located_by_its_administrative_word_is_evidence(gazetteer):
    assert places(gazetteer, "Dịch thủy đậu vào mùa", "Bệnh viện Nhi Đồng 1 TP Hồ Chí Minh tiếp nhận nhiều ca.") \
        == ["Hồ Chí Minh"]


def test_a_person_s_origin_in_brackets_is_not_the_place(gazetteer):
    evidence = gazetteer.find("", "Theo ĐB Nguyễn Văn Hùng (Nghệ An), cần sửa luật.", "")
    assert evidence.scores == {} and evidence.residence == {"Nghệ An": 2.0}


def test_uppercase_and_prefixed_datelines(gazetteer):
    assert gazetteer.dateline("ĐÀ NẴNG - Sáng nay...") == "Đà Nẵng"
    assert gazetteer.dateline("TTO - TP.HCM - Người dân...") == "Hồ Chí Minh"
    assert gazetteer.dateline("(Dân trí) - Sáng 3/4, tại huyện Củ Chi") is None
