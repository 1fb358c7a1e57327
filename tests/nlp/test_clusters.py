"""Stage 6: one story republished by many outlets is one story."""
from nlp.clusters import StoryIndex, signature

STORY = ("Hàng nghìn công nhân ngừng việc vì bị nợ lương. Sáng 16/11, hàng nghìn công nhân Công ty TNHH giày da "
         "tại khu công nghiệp đã đồng loạt ngừng việc, yêu cầu công ty trả lương tháng 10 và đóng bảo hiểm xã hội. "
         "Liên đoàn lao động thành phố đã có mặt để đối thoại với người lao động.")
REWRITE = STORY.replace("Sáng 16/11", "Sáng nay").replace("đã có mặt", "có mặt") + " Vụ việc đang được giải quyết."
OTHER = ("Đội tuyển bóng đá giành chiến thắng 3-0 trong trận giao hữu tối qua trên sân Mỹ Đình, "
         "huấn luyện viên hài lòng với lối chơi của các cầu thủ trẻ trong đợt tập trung này.")


def test_republications_join_the_first_story_and_other_news_does_not():
    index = StoryIndex(threshold=0.5)
    assert index.assign("a", signature(STORY)) == ("a", 0.0)
    story, similarity = index.assign("b", signature(REWRITE))
    assert story == "a" and similarity >= 0.5
    assert index.assign("c", signature(OTHER))[0] == "c"


def test_a_story_forgets_publications_older_than_its_window():
    import datetime as dt
    day = dt.datetime(2017, 1, 10, tzinfo=dt.timezone.utc)
    index = StoryIndex(threshold=0.5)
    index.assign("january", signature(STORY), published=day)
    index.assign("sport", signature(OTHER), published=day + dt.timedelta(days=1))
    assert index.forget_before(day + dt.timedelta(hours=12)) == 1
    # The same wording a month later, after the window moved on, is a new story, and the
    # forgotten document no longer takes memory.
    assert index.assign("february", signature(REWRITE), published=day + dt.timedelta(days=30))[0] == "february"
    assert set(index.signatures) == {"sport", "february"}
    assert all("january" not in members for members in index.buckets.values())


def test_signatures_are_stable_across_processes():
    import subprocess, sys
    code = "from nlp.clusters import signature; print(signature('một hai ba bốn năm').tolist()[:4])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == str(signature("một hai ba bốn năm").tolist()[:4])


def test_empty_text_has_a_signature():
    assert len(signature("")) == 64


def test_every_post_of_a_forum_thread_is_one_story():
    # Replies are not republications: whatever their wording, a thread is one story.
    from nlp.clusters import thread_key, thread_story_id

    thread = "https://voz.vn/t/cong-nhan-ngung-viec-o-thuy-nguyen.912345/"
    assert thread_key(thread + "post-30111") == thread
    assert thread_key(thread + "page-3") == thread
    assert thread_key(thread + "?post=post-30112") == thread
    assert thread_story_id(thread + "?post=post-1") == thread_story_id(thread + "post-2")
    assert thread_story_id(thread) != thread_story_id("https://voz.vn/t/chuyen-khac.912346/")
