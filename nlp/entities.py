"""The named things an issue is about: companies, factories, projects, facilities, roads,
waterways, communes. What links the documents of one issue over weeks.

A name counts only after a word that says what kind of thing it is ("Công ty TNHH Điện tử Hoa
Sen", "nhà máy tinh bột mì Sơn Hải", "KCN Quế Võ", "xã Nghĩa Kỳ", "đường tỉnh 830", "ấp 4"):
the last run of capitalised syllables (or a number, for roads and hamlets) within a few words
after it, without legal forms (TNHH, CP, MTV) or school levels (THCS). People are never
things: a name after "ông", "bà", "anh", "chị"... is skipped, and nothing is kept that a
kind word does not introduce, so petitioners' and officials' names never become keys.

Measured against underthesea's NER on the corpus (title and lead of 200 articles): the NER
tagger ran at 54 documents/s on one core, about half the whole enrichment's speed per core;
this extractor is a few regular expressions (thousands of documents/s), see bench_followup.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.normalize import canonical_form, fix_tone_marks

# kind word (lower case) -> class. Longer kinds first where one starts another.
KINDS: dict[str, str] = {
    "công ty": "org", "tập đoàn": "org", "tổng công ty": "org", "doanh nghiệp": "org", "hợp tác xã": "org",
    "nhà máy": "facility", "xí nghiệp": "facility", "xưởng": "facility", "lò": "facility", "mỏ": "facility",
    "mỏ đá": "facility", "mỏ than": "facility", "mỏ cát": "facility", "trại": "facility", "trang trại": "facility",
    "bãi rác": "facility", "khu xử lý": "facility", "trạm": "facility", "cửa hàng": "facility", "cây xăng": "facility",
    "chợ": "facility", "bệnh viện": "facility", "trung tâm y tế": "facility", "trường": "facility",
    "chung cư": "facility", "tòa nhà": "facility", "khu căn hộ": "facility", "nghĩa trang": "facility",
    "cảng": "facility", "sân bay": "facility", "khu kinh tế": "facility", "trạm thu phí": "facility",
    "kcn": "facility", "khu công nghiệp": "facility", "cụm công nghiệp": "facility", "ccn": "facility",
    "dự án": "project", "khu đô thị": "project", "khu dân cư": "place", "khu tái định cư": "project",
    "cao tốc": "road", "quốc lộ": "road", "tỉnh lộ": "road", "đường tỉnh": "road", "đường": "road", "phố": "road",
    "cầu": "road", "hầm": "road", "hầm chui": "road", "cầu vượt": "road", "trạm bơm": "facility",
    "trạm trung chuyển": "facility", "khu xử lý chất thải": "facility", "nút giao": "road", "ngã ba": "road", "ngã tư": "road", "ngõ": "road",
    "sông": "water", "suối": "water", "kênh": "water", "rạch": "water", "hồ": "water", "đập": "water",
    "hồ chứa": "water", "hồ chứa nước": "water", "hồ thủy lợi": "water", "hồ thủy điện": "water",
    "biển": "water", "đê": "water", "kè": "water", "vịnh": "water",
    "xã": "commune", "phường": "commune", "thị trấn": "commune", "thôn": "hamlet", "ấp": "hamlet",
    "bản": "hamlet", "làng": "hamlet", "tổ dân phố": "hamlet", "khu phố": "hamlet", "tổ": "hamlet", "xóm": "hamlet",
    "huyện": "district", "quận": "district", "thị xã": "district",
}
# How much a shared name of each class says that two documents are about the same issue.
CLASS_WEIGHT = {"org": 1.0, "facility": 1.0, "project": 1.0, "road": 0.8, "water": 0.8,
                "hamlet": 0.5, "commune": 0.4, "district": 0.15, "place": 0.5}
# Words between a kind word and its name that describe it ("tinh bột mì", "Điện tử") are
# skipped; these capitalised words are forms, not names.
_FORMS = {"tnhh", "cp", "mtv", "jsc", "co", "ltd", "thcs", "thpt", "th", "mn", "ptdtbt", "ptdtnt"}
_FORM_PAIRS = {("cổ", "phần"), ("đa", "khoa"), ("tư", "thục"), ("quốc", "tế"), ("tiểu", "học"), ("mầm", "non")}
# A capitalised word after these is a person's name ("anh Trường", "bà Hồ"), never a kind word.
_PERSON_WORDS = {"ông", "bà", "anh", "chị", "em", "cháu", "cô", "chú", "bác", "cụ", "thầy", "vợ", "chồng", "con",
                 "bé", "chủ", "giám", "bí", "trưởng", "phó", "tên", "là"}
# Kind words that also end everyday words: "yêu cầu", "môi trường", "thị trường", "con đường".
_NOT_AFTER = {"cầu": {"yêu", "nhu", "toàn", "khẩn", "mưu"},
              "trường": {"môi", "thị", "quảng", "chiến", "hiện", "lập", "phi", "nông", "công", "sa"},
              "hồ": {"đồng", "mơ"}, "bản": {"văn", "cơ", "căn", "phiên", "dự", "bản"}, "tổ": {"tổ"},
              "xưởng": {"nhà"}, "lò": {"nhà"}, "trạm": {"nhà"}}
# Classes whose kind word may be written with a capital inside a sentence ("Nhà máy giấy X",
# "Công ty", "Bệnh viện"); for the others a capital means a name ("Hồ Chí Minh", "Lò Văn A").
_CAPITAL_KIND_OK = {"org", "facility", "project"}
_DESCRIPTORS = {"org": 2, "facility": 4, "project": 4}  # lower-case words allowed before the name
# Syllables (with "1.000", "1A", "TP.HCM" kept whole) and punctuation: a comma or a bracket ends a name.
_TOKEN = re.compile(r"[^\W_]+(?:[./-][^\W_]+)*|[^\w\s]", re.UNICODE)
# Capitalised words that start an agency, a holiday or a city's title, never the rest of a name:
# "Công ty Hải Hà | Liên đoàn Lao động...", "trước | Tết".
_AGENCY_PAIRS = {("liên", "đoàn"), ("công", "an"), ("thanh", "tra"), ("chi", "cục"), ("trung", "tâm"),
                 ("hội", "đồng"), ("ủy", "ban"), ("tòa", "án"), ("viện", "kiểm"), ("ban", "quản"),
                 ("bảo", "hiểm"), ("sở", "tài"), ("sở", "xây"), ("sở", "y"), ("sở", "giáo"), ("sở", "nội"),
                 ("sở", "công"), ("sở", "nông"), ("sở", "lao"), ("sở", "giao"), ("sở", "tư")}
_AGENCY_WORDS = {"ubnd", "hđnd", "sở", "bộ", "cục", "lđlđ", "bhxh", "bhyt", "tp", "tp.hcm", "tết", "đảng", "mttq",
                 "kcn", "ccn", "ubmttq", "csgt", "vks", "tand"}
_MAX_NAME = 5         # syllables in one name
# A capitalised title inside a run of capitals starts a person's name or a byline, and ends the
# thing's name: "trường mầm non Sen Vàng. Theo Lê Phương", "BV Bạch Mai, BS Lương Quốc Chính".
_PERSON_TITLES = {"anh", "chị", "ông", "bà", "bác", "bs", "ts", "ths", "pgs", "gs", "ks", "ls", "theo", "cô",
                  "chú", "em", "cháu", "cụ", "thầy", "đ/c"}
# ... except these, which place names carry after their first syllable ("Đông Anh", "Hai Bà Trưng").
_TITLES_IN_NAMES = {"anh", "bà", "ông"}
# Surnames that are not also place syllables: a full name after a thing's name ("Bệnh viện Hòa
# Bình Hoàng Công Lương": a doctor named after his hospital) is cut off; "đường Lê Văn Thiêm",
# "trường Nguyễn Du" (a thing named after a person, from its first syllable) are kept.
_SURNAMES = {"nguyễn", "trần", "lê", "phạm", "hoàng", "huỳnh", "phan", "vũ", "võ", "đặng", "bùi", "đỗ", "ngô",
             "dương", "trương", "đinh", "trịnh", "đào", "lương", "doãn", "vương", "kiều", "khổng"}


@dataclass(frozen=True)
class Entity:
    cls: str
    name: str   # lower case, one tone-mark convention, syllables joined by spaces

    @property
    def key(self) -> str:
        return f"{self.cls}:{self.name}"


def _is_name_token(token: str) -> bool:
    return token[:1].isupper() or token[:1].isdigit()


def _kinds_by_first_word() -> dict[str, list[tuple[list[str], str]]]:
    """first word -> the kinds starting with it, longest first: one lookup per word of a text."""
    index: dict[str, list[tuple[list[str], str]]] = {}
    for kind, cls in sorted(KINDS.items(), key=lambda k: -len(k[0].split())):
        words = kind.split()
        index.setdefault(words[0], []).append((words, cls))
    return index


_KINDS_BY_FIRST = _kinds_by_first_word()


def extract_entities(text: str, ignore: frozenset[str] = frozenset()) -> list[Entity]:
    """The named things in `text`, in order of appearance, each once. `ignore`: names that say
    nothing about one issue (the provinces' names: "Công ty Thoát nước Hà Nội" is not "Hà Nội")."""
    if not text:
        return []
    # A line break ends a name as a full stop does: "...hồ Ka Zam\nLãnh đạo" is not "Ka Zam Lãnh".
    text = canonical_form(text).replace("\n", " . ")
    tokens = _TOKEN.findall(text)
    lower = [t.lower() for t in tokens]
    found: dict[str, Entity] = {}
    i = 0
    while i < len(tokens):
        kind = _kind_at(tokens, lower, i)
        if kind is None:
            i += 1
            continue
        words, cls = kind
        name, end = _name_after(tokens, lower, i + len(words), cls)
        if name and name not in ignore:
            entity = Entity(cls, name)
            found.setdefault(entity.key, entity)
        i = max(end, i + 1)
    return list(found.values())


def _kind_at(tokens: list[str], lower: list[str], i: int) -> tuple[list[str], str] | None:
    starting = _KINDS_BY_FIRST.get(lower[i])
    if starting is None:
        return None
    previous = lower[i - 1] if i else ""
    for words, cls in starting:
        if lower[i:i + len(words)] != words:
            continue
        if previous in _NOT_AFTER.get(words[0], ()) or (previous in _PERSON_WORDS and tokens[i][:1].isupper()):
            return None
        if tokens[i][:1].isupper() and cls not in _CAPITAL_KIND_OK and i > 0:
            return None
        return words, cls
    return None


def _name_after(tokens: list[str], lower: list[str], start: int, cls: str) -> tuple[str | None, int]:
    """The name a kind word introduces: the last run of capitalised syllables (or numbers)
    within a few words, legal forms dropped. Returns (name, index after it)."""
    j, skipped, runs, current = start, 0, [], []
    while j < len(tokens) and len(runs) < 3:
        token = tokens[j]
        if not token[:1].isalnum():  # punctuation ends the name, and the search for one
            break
        if _is_name_token(token) and (lower[j] in _AGENCY_WORDS or tuple(lower[j:j + 2]) in _AGENCY_PAIRS
                                      or (current and _kind_at(tokens, lower, j) is not None)):
            break
        if _is_name_token(token) and lower[j] in _PERSON_TITLES and not (current and _title_inside_a_name(lower, j)):
            break
        if _is_name_token(token):
            if not current and tuple(lower[j:j + 2]) in _FORM_PAIRS:
                j += 2
                continue
            if lower[j] in _FORMS and not current:
                j += 1
                continue
            current.append(lower[j])
            if len(current) >= _MAX_NAME:
                runs.append(current)
                current = []
                j += 1
                break
        else:
            if current:
                runs.append(current)
                current = []
                # a lower-case word after a name ends it, unless another name follows at once
                # ("Công ty Điện tử Hoa Sen": "Điện", then "tử", then "Hoa Sen")
                if j + 1 < len(tokens) and _is_name_token(tokens[j + 1]) and lower[j + 1] not in _FORMS \
                        and lower[j] not in KINDS and len(runs) == 1 and len(runs[0]) == 1:
                    j += 1
                    continue
                break
            skipped += 1
            if skipped > _DESCRIPTORS.get(cls, 0) or lower[j] in KINDS:
                break
        j += 1
    if current:
        runs.append(current)
    if not runs:
        return None, j
    name = _without_a_person(runs[-1])
    if not name:
        return None, j
    if cls not in ("road", "hamlet") and all(part.isdigit() for part in name):
        return None, j  # "công ty 2" is not a name; "quốc lộ 1", "ấp 4", "tổ 5" are
    return " ".join(name), j



def _title_inside_a_name(lower: list[str], j: int) -> bool:
    """"Anh", "Bà", "Ông" inside a name are the name's ("xã Thụy Anh", "Hai Bà Trưng", "Rạch Ông"),
    unless a surname follows: then a person's name starts there ("Hà An Ông Nguyễn Thanh")."""
    return lower[j] in _TITLES_IN_NAMES and not (j + 1 < len(lower) and lower[j + 1] in _SURNAMES)


def _without_a_person(name: list[str]) -> list[str]:
    """The name without a person's full name (a surname and two more syllables) run on after it."""
    for k in range(1, len(name) - 2):
        if name[k] in _SURNAMES:
            return name[:k]
    return name


def province_names(gazetteer) -> frozenset[str]:
    """Every province's name, of every era, its everyday aliases ("Sài Gòn", "Hạ Long") and the
    country's, in lower case: names `extract_entities` ignores, since they tell no one issue apart."""
    names = set(gazetteer.old_to_new) | set(gazetteer.old_to_new.values()) | set(gazetteer.province_names) | {"Việt Nam"}
    return frozenset(fix_tone_marks(n).lower() for n in names)
