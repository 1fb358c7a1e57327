"""Stage 1: normalisation and the language check."""
import unicodedata

from nlp.normalize import detect_language, fix_tone_marks, normalize_document, normalize_text


def test_both_tone_mark_conventions_become_one_form():
    assert fix_tone_marks("hoà") == fix_tone_marks("hòa") == "hòa"
    assert fix_tone_marks("thuỷ lợi") == "thủy lợi"
    assert fix_tone_marks("Khánh Hoà, KHOẺ") == "Khánh Hòa, KHỎE"


def test_closed_syllables_and_qu_are_left_alone():
    assert fix_tone_marks("hoàng thuyết quý") == "hoàng thuyết quý"


def test_decomposed_unicode_becomes_nfc():
    decomposed = unicodedata.normalize("NFD", "Thủy điện")
    assert normalize_text(decomposed) == "Thủy điện"


def test_entities_tags_spaces_and_boilerplate_lines():
    raw = "Giá điện&nbsp;tăng &amp; dân lo\n<b>Đoạn</b>   hai\nXem thêm: Tin liên quan\nChia sẻ\n"
    assert normalize_text(raw) == "Giá điện tăng & dân lo\nĐoạn hai"


def test_a_long_paragraph_starting_like_boilerplate_is_kept():
    line = "Chia sẻ với phóng viên, ông Nguyễn Văn A cho biết " + "người dân rất bức xúc " * 8
    assert normalize_text(line) == line.strip()


def test_language_check():
    assert detect_language("Người dân phản ánh về việc thu hồi đất") == "vi"
    assert detect_language("The government announced new tariffs on steel imports today.") == "other"
    assert detect_language("中国政府今天宣布新的关税") == "other"
    assert detect_language("") == "empty"
    # teencode without tone marks is still Vietnamese
    assert detect_language("ko bit sao dc, nha minh bi mat nuoc ma ko ai giai quyet") == "vi"


def test_empty_document():
    doc = normalize_document(None, "", None)
    assert doc.language == "empty" and doc.full() == ""
