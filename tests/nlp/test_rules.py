"""Stage 3a: the analyst-editable YAML rules."""
import pytest

from core.errors import UserError
from core.taxonomy import TOPICS
from nlp.topic_rules import RuleSet


def topics(rules, head, body="", vn_place=True):
    return rules.decide(rules.probabilities(rules.raw_scores(head.lower(), body.lower(), vn_place)))


def test_every_topic_has_rules(rules):
    assert set(rules.rules) == set(TOPICS)


def test_rules_alone_tag_typical_headlines(rules):
    assert "labor" in topics(rules, "Hàng nghìn công nhân đình công vì bị nợ lương", "Công nhân ngừng việc tập thể, đòi trả lương.")
    assert "land" in topics(rules, "Dân bức xúc vì giá bồi thường thu hồi đất", "Chưa có đất tái định cư, dân chưa bàn giao mặt bằng.")
    assert topics(rules, "Đội tuyển Việt Nam thắng đậm trong trận giao hữu") == []


def test_short_reports_of_nuisances_and_outages_reach_their_topics(rules):
    """The kinds the taxonomy counts that short reports name by the nuisance or the outage itself."""
    assert "environment" in topics(rules, "Bụi sơn và tiếng ồn từ xưởng cơ khí, dân không ngủ được")
    assert "environment" in topics(rules, "Xe chở đất rơi vãi, bùn thải tràn vào nhà dân")
    assert "infrastructure" in topics(rules, "Mất điện diện rộng, cả khu phố mất nước sinh hoạt")
    assert "labor" in topics(rules, "Hàng trăm công nhân đòi lương, doanh nghiệp chây ì đóng bảo hiểm")


def test_figurative_uses_of_those_words_stay_out(rules):
    for head in ("Cư dân mạng phát sốt với bộ ảnh cưới", "Nữ ca sĩ diện váy nóng bỏng trên sân khấu",
                 "Mẹo giảm tiếng ồn cho máy giặt", "Nhà mạng chặn tin nhắn rác", "Bảo tồn vùng đất ngập nước ven biển"):
        assert topics(rules, head) == [], head


def test_exclude_phrases_turn_advertising_off(rules):
    assert "land" not in topics(rules, "Mở bán căn hộ cao cấp, giá nhà đất tăng", "Dự án đã được cấp sổ đỏ, đền bù xong.")


def test_the_same_event_abroad_is_damped(rules):
    head = "Công nhân Hàn Quốc đình công, nợ lương"
    assert "labor" in topics(rules, head, vn_place=True)
    assert "labor" not in topics(rules, head, vn_place=False)


def test_an_analyst_can_add_a_phrase(rules):
    data = {"defaults": {"bias": 3}, "topics": {"health": {"phrases": {"whitmore": 5}}}}
    custom = RuleSet.from_dict(data)
    assert custom.decide(custom.probabilities(custom.raw_scores("bệnh whitmore gia tăng", ""))) == ["health"]


def test_required_terms(rules):
    data = {"defaults": {"bias": 3}, "topics": {"labor": {"phrases": {"công nhân": 5}, "required": ["nợ lương"]}}}
    custom = RuleSet.from_dict(data)
    assert custom.decide(custom.probabilities(custom.raw_scores("công nhân đi làm", ""))) == []
    assert custom.decide(custom.probabilities(custom.raw_scores("công nhân bị nợ lương", ""))) == ["labor"]


def test_a_broken_rules_file_is_one_clear_sentence(tmp_path):
    bad = tmp_path / "topics.yaml"
    bad.write_text("topics:\n  weather:\n    phrases: {mưa: 1}\n", encoding="utf-8")
    with pytest.raises(UserError, match="unknown topic `weather`"):
        RuleSet.load(bad)
    with pytest.raises(UserError, match="does not exist"):
        RuleSet.load(tmp_path / "missing.yaml")


def test_a_petition_portal_item_is_a_complaint_by_its_kind():
    from nlp.topic_rules import RuleSet

    rules = RuleSet.load(None)
    assert rules.topics_for_kind("petition") == ["complaints"]
    assert rules.topics_for_kind("press") == []
    assert rules.topics_for_kind(None) == []


def test_an_unknown_kind_in_the_rules_is_named():
    import pytest

    from core.errors import UserError
    from nlp.topic_rules import RuleSet

    data = {"topics": {"complaints": {"phrases": {"khiếu nại": 3}, "kinds": ["tweet"]}}}
    with pytest.raises(UserError, match=r"`complaints.kinds` has 'tweet'"):
        RuleSet.from_dict(data, "topics.yaml")
