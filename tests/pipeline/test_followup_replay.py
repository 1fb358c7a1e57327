"""End to end, as a user replays the past: `dulun import` a timeline of three public issues,
`dulun enrich`, then week by week `dulun followup --now T` (the stage at that moment),
`dulun followup --list --json --now T` and `dulun alerts --now T`, asserting where each issue
stands and when, at every step.

The timeline (Asia/Ho_Chi_Minh, March 2026; each document fetched 20 minutes after it is
published unless said otherwise):
* Phú Thành (labor, Hải Phòng), resolved: workers stop work over unpaid wages on Monday 2/3
  09:00 (republished by a second outlet at 14:00); the city's labor federation holds a dialogue
  on Wednesday 11/3; the wages are paid, reported on Thursday 19/3;
* Trà Bồng (environment, Quảng Ngãi), answered but not resolved: fish die below a seafood plant
  on Tuesday 3/3 10:00; an inspection of the plant is published on Friday 13/3 15:00 but fetched
  only on Monday 16/3 09:00 (a late crawl): until then nobody could have seen an answer;
* Quốc lộ 24 (infrastructure, Quảng Ngãi), never answered: a broken stretch of road through a
  commune on Wednesday 4/3 08:30.
The moments are the Sundays at 20:00 of the four weeks, 8/3 to 29/3.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from core.timeutil import VN
from tests.conftest import dulun_on

pytestmark = pytest.mark.slow



def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=VN)


# (key, published, fetched or None (20 minutes later), source, title, lead, text)
TIMELINE = [
    ("pt-report", at(2, 9), None, "baohaiphong",
     "Hơn 2.000 công nhân Công ty TNHH Giày da Phú Thành ngừng việc vì bị nợ lương",
     "Sáng 2/3, hơn 2.000 công nhân Công ty TNHH Giày da Phú Thành tại phường Nam Triệu, TP Hải Phòng đồng loạt "
     "ngừng việc vì công ty nợ lương hai tháng.",
     "Theo người lao động, lương tháng 12 và tháng 1 chưa được trả, công ty cũng chưa đóng bảo hiểm xã hội. "
     "Công nhân tập trung trước cổng nhà máy, không vào dây chuyền sản xuất."),
    ("pt-copy", at(2, 14), None, "baolaodong",
     "Hải Phòng: Công nhân Giày da Phú Thành đồng loạt ngừng việc đòi lương",
     "Hơn 2.000 công nhân Công ty TNHH Giày da Phú Thành ở phường Nam Triệu, Hải Phòng ngừng việc vì bị nợ lương "
     "hai tháng.",
     "Người lao động cho biết đã nhiều lần kiến nghị nhưng công ty chưa trả lương."),
    ("tb-report", at(3, 10), None, "baoquangngai",
     "Cá chết hàng loạt trên sông Trà Bồng, người dân nghi Nhà máy chế biến thủy sản Bình Sơn xả thải",
     "Người dân xã Bình Sơn, tỉnh Quảng Ngãi phản ánh cá chết trắng đoạn sông Trà Bồng phía dưới Nhà máy chế biến "
     "thủy sản Bình Sơn, nước sông bốc mùi hôi.",
     "Hàng chục hộ nuôi cá lồng bị thiệt hại. Người dân cho rằng nhà máy xả nước thải chưa qua xử lý ra sông."),
    ("ql-report", at(4, 8, 30), None, "baoquangngai",
     "Quốc lộ 24 qua xã Ba Tơ hư hỏng nặng, ổ gà chi chít",
     "Đoạn Quốc lộ 24 qua xã Ba Tơ, tỉnh Quảng Ngãi xuống cấp nghiêm trọng, mặt đường bong tróc, ổ gà chi chít gây "
     "nguy hiểm cho người đi đường.",
     "Người dân phản ánh nhiều vụ tai nạn đã xảy ra trên đoạn đường này nhưng chưa được sửa chữa."),
    ("pt-dialogue", at(11, 15), None, "baohaiphong",
     "Đối thoại với công nhân Công ty TNHH Giày da Phú Thành về tiền lương bị nợ",
     "Liên đoàn Lao động TP Hải Phòng đã tổ chức đối thoại giữa lãnh đạo Công ty TNHH Giày da Phú Thành và người "
     "lao động về việc nợ lương.",
     "Công ty cam kết sẽ trả đủ lương bị nợ trong tháng 3; công nhân trở lại làm việc."),
    ("tb-inspection", at(13, 15), at(16, 9), "baoquangngai",
     "Kiểm tra Nhà máy chế biến thủy sản Bình Sơn sau vụ cá chết trên sông Trà Bồng",
     "Sở Nông nghiệp và Môi trường tỉnh Quảng Ngãi đã lập đoàn kiểm tra Nhà máy chế biến thủy sản Bình Sơn, lấy mẫu "
     "nước thải tại cửa xả sau vụ cá chết trên sông Trà Bồng.",
     "Đoàn kiểm tra niêm phong một đường ống xả chưa được cấp phép và chờ kết quả phân tích mẫu nước."),
    ("pt-paid", at(19, 10), None, "baohaiphong",
     "Công nhân Công ty TNHH Giày da Phú Thành đã nhận đủ tiền lương bị nợ",
     "Công ty TNHH Giày da Phú Thành ở Hải Phòng đã chuyển khoản đủ hai tháng lương bị nợ cho hơn 2.000 công nhân.",
     "Công ty cũng đã đóng bù bảo hiểm xã hội cho người lao động."),
]

# moment -> {issue: (state, raised, answered, resolved, unanswered_after, documents)}
EXPECTED = {
    at(8, 20): {"pt": ("raised", at(2, 9), None, None, None, 2),
                "tb": ("raised", at(3, 10), None, None, None, 1),
                "ql": ("raised", at(4, 8, 30), None, None, None, 1)},
    at(15, 20): {"pt": ("answered", at(2, 9), at(11, 15), None, None, 3),
                 "tb": ("raised", at(3, 10), None, None, 7, 1),      # the inspection is not fetched yet
                 "ql": ("raised", at(4, 8, 30), None, None, 7, 1)},
    at(22, 20): {"pt": ("resolved", at(2, 9), at(11, 15), at(19, 10), None, 4),
                 "tb": ("answered", at(3, 10), at(13, 15), None, None, 2),  # dated when it was published
                 "ql": ("raised", at(4, 8, 30), None, None, 14, 1)},
    at(29, 20): {"pt": ("resolved", at(2, 9), at(11, 15), at(19, 10), None, 4),
                 "tb": ("answered", at(3, 10), at(13, 15), None, None, 2),
                 "ql": ("raised", at(4, 8, 30), None, None, 14, 1)},
}
TOPICS = {"pt": ("labor", "Hải Phòng"), "tb": ("environment", "Quảng Ngãi"), "ql": ("infrastructure", "Quảng Ngãi")}


def _timeline(path: Path) -> None:
    lines = []
    for key, published, fetched, source, title, lead, text in TIMELINE:
        lines.append(json.dumps({
            "url": f"https://{source}.example.vn/tin/{key}.html", "title": title, "sapo": lead, "text": text,
            "published_at": published.isoformat(), "fetched_at": (fetched or published + dt.timedelta(minutes=20)).isoformat(),
            "source": source, "kind": "press"}, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _issue(row: dict) -> str:
    return next(k for k, (topic, province) in TOPICS.items() if (row["topic"], row["province"]) == (topic, province))


def test_three_issues_replayed_week_by_week(tmp_path, trained_home, role_model_dir):
    models = tmp_path / "models"
    shutil.copytree(trained_home / "models", models)
    shutil.copytree(role_model_dir, models, dirs_exist_ok=True)
    dulun = dulun_on(tmp_path / "data", models, tmp_path)

    _timeline(tmp_path / "timeline.jsonl")
    assert "0 bad lines" in dulun("import", str(tmp_path / "timeline.jsonl"))
    dulun("enrich")

    for moment, want in EXPECTED.items():
        now = moment.isoformat()
        dulun("followup", "--now", now)   # the stage at that moment: links what was fetched by then
        rows = [json.loads(line) for line in dulun("followup", "--list", "--json", "--now", now).splitlines() if line]
        got = {_issue(r): r for r in rows}
        assert set(got) == set(want), (moment, rows)
        for issue, (state, raised, answered, resolved, overdue, documents) in want.items():
            row = got[issue]
            assert (row["state"], row["unanswered_after"], row["documents"]) == (state, overdue, documents), (moment, row)
            assert row["raised_at"] == raised.isoformat(timespec="seconds"), (moment, row)
            assert row["answered_at"] == (answered and answered.isoformat(timespec="seconds")), (moment, row)
            assert row["resolved_at"] == (resolved and resolved.isoformat(timespec="seconds")), (moment, row)
        assert got["pt"]["headline"].startswith("Hơn 2.000 công nhân")  # the issue's first report names it

        # The shipped rule "moi-truong-chua-tra-loi" (environment, 7 days) through the outbox:
        # Trà Bồng once, in the second week; the road (infrastructure) has no rule.
        dulun("alerts", "--now", now)
        alerts = [json.loads(line) for line in dulun("alerts", "--list", "--json").splitlines() if line]
        unanswered = [(a["rule"], a["topic"], a["province"], a["detected_at"], a["delivery"])
                      for a in alerts if a["kind"] == "unanswered"]
        if moment < at(15, 20):
            assert unanswered == []
        else:
            assert unanswered == [("moi-truong-chua-tra-loi", "environment", "Quảng Ngãi",
                                   at(15, 20).isoformat(timespec="seconds"), "sent")]
