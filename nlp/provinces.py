"""Stage 5: which of the 34 current provinces an item is about.

The gazetteer is built at runtime from underthesea's administrative mapping (63 old provinces ->
34 units, with every old district and old/new commune), plus the short forms the press uses
("TP.HCM", "Sài Gòn", "Thừa Thiên - Huế", "BR-VT") and well-known cities that name no province
("Nha Trang", "Vũng Tàu"). It is built once per process and passed around (`Gazetteer.load()`).

Matching works on runs of capitalised syllables, so lower-case words ("hòa bình" = peace) never
match. Each match becomes a piece of *evidence* whose worth depends on how and where the name
appears (`Gazetteer.find`, then `choose_provinces`):

- how: a dateline ("HẢI PHÒNG -") or an explicit "tỉnh/TP/thành phố X", or an administrative
  chain ("xã A, huyện B (Quảng Nam)") is worth more than a bare name; a district or commune
  name counts only after its administrative word ("huyện Củ Chi", "phường Đông Hải"), and fully
  only when it agrees with other evidence: a commune name shared by several provinces goes to
  the one the text names elsewhere, or to none;
- what a name is inside: a route, a street, a ship or a newspaper named after a province ("cao
  tốc Hà Nội - Hải Phòng", "đường Hà Nội", "tàu Thái Bình 36", "Báo Hải Phòng") is no evidence
  at all; a school, hospital, company, brand, club, market or airport ("Đại học Huế", "Bia Sài
  Gòn", "chợ Đà Lạt", "Công ty X (Hà Nội)") counts only when the text also places the story in
  that province; a person's name ("ông Nguyễn Thái Bình", "anh Vinh", "Huỳnh Tấn Vinh") and
  "Thái Bình Dương" (the Pacific) are no places;
- whose place: where the people in a story live or come from ("trú tại xã A, huyện B", "quê
  Nghệ An", "ĐB Nguyễn Văn A (Nghệ An)") decides only when nothing else places the story;
- where: the title weighs more than the lead, the lead more than the tail of the body;
- national stories: when the title and lead speak of national institutions (Quốc hội, Chính
  phủ, Thủ tướng, a ministry, a decree) the lead and body count only what they state outright,
  and an official's title ("ĐBQH tỉnh X", "Bí thư Tỉnh ủy X") counts for nothing; evidence
  spread thin over many provinces with none in the title means no province.

`choose_provinces` keeps the strongest place plus any nearly as strong, or named in the title
too (a story can happen in two provinces), and takes a source's default province as a prior.

Measured on the dev set (209 real 2017 articles with a topic): province F1 0.882 -> 0.937
(precision 0.880 -> 0.972, recall 0.884 -> 0.905); the naive baseline (every province name
anywhere) scores 0.694. See nlp/README.md.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from nlp.normalize import fix_tone_marks

# Press short forms and old names the mapping lacks: alias -> old or new short name.
ALIASES = {
    # "TP.HCM" is the city's everyday name, not a stated unit: a bare mention like "Hà Nội".
    "TPHCM": "Hồ Chí Minh", "TP HCM": "Hồ Chí Minh", "Tp HCM": "Hồ Chí Minh", "HCM": "Hồ Chí Minh",
    "Sài Gòn": "Hồ Chí Minh",
    "Thừa Thiên Huế": "Huế", "Thừa Thiên": "Huế", "TT Huế": "Huế",
    "Bà Rịa Vũng Tàu": "Bà Rịa - Vũng Tàu", "BR VT": "Bà Rịa - Vũng Tàu", "Vũng Tàu": "Bà Rịa - Vũng Tàu",
    "Bà Rịa": "Bà Rịa - Vũng Tàu", "Côn Đảo": "Bà Rịa - Vũng Tàu",
    "Đắc Lắc": "Đắk Lắk", "Đăk Lăk": "Đắk Lắk", "Đắk Lăk": "Đắk Lắk", "Đăk Lắk": "Đắk Lắk", "Daklak": "Đắk Lắk",
    "Đăk Nông": "Đắk Nông", "Đắc Nông": "Đắk Nông", "Bắc Cạn": "Bắc Kạn", "Kontum": "Kon Tum",
    "Hà Tây": "Hà Nội", "Thủ đô": "Hà Nội", "Hà Đông": "Hà Nội",  # Hà Tây's old city, now a ward of Hà Nội
    # Cities and islands everybody knows by their own name.
    "Nha Trang": "Khánh Hòa", "Cam Ranh": "Khánh Hòa", "Đà Lạt": "Lâm Đồng", "Bảo Lộc": "Lâm Đồng",
    "Buôn Ma Thuột": "Đắk Lắk", "Pleiku": "Gia Lai", "Quy Nhơn": "Bình Định", "Tuy Hòa": "Phú Yên",
    "Hạ Long": "Quảng Ninh", "Móng Cái": "Quảng Ninh", "Cẩm Phả": "Quảng Ninh", "Uông Bí": "Quảng Ninh",
    "Vân Đồn": "Quảng Ninh", "Mỹ Tho": "Tiền Giang", "Phan Thiết": "Bình Thuận", "Phan Rang": "Ninh Thuận",
    "Rạch Giá": "Kiên Giang", "Phú Quốc": "Kiên Giang", "Sa Pa": "Lào Cai", "Sapa": "Lào Cai",
    "Hội An": "Quảng Nam", "Tam Kỳ": "Quảng Nam", "Biên Hòa": "Đồng Nai", "Long Thành": "Đồng Nai",
    "Thủ Dầu Một": "Bình Dương", "Thủ Đức": "Hồ Chí Minh", "Củ Chi": "Hồ Chí Minh", "Cần Giờ": "Hồ Chí Minh",
    "Vinh": "Nghệ An", "Cửa Lò": "Nghệ An", "Sầm Sơn": "Thanh Hóa", "Đồ Sơn": "Hải Phòng", "Cát Bà": "Hải Phòng",
    "Việt Trì": "Phú Thọ", "Vĩnh Yên": "Vĩnh Phúc", "Long Xuyên": "An Giang", "Châu Đốc": "An Giang",
    "Cao Lãnh": "Đồng Tháp", "Sa Đéc": "Đồng Tháp", "Đông Hà": "Quảng Trị", "Đồng Hới": "Quảng Bình",
    "Lý Sơn": "Quảng Ngãi", "Dung Quất": "Quảng Ngãi", "Tây Nguyên": None, "Vũng Áng": "Hà Tĩnh",
}
# Capitalised runs that contain a province name but are not about it: the Pacific, a street in
# every city, newspapers, companies and football clubs that carry a province in their name.
STOP_RUNS = {
    "Thái Bình Dương", "Điện Biên Phủ", "Hà Nội Mới", "Hànộimới", "Sài Gòn Giải Phóng", "Sài Gòn Tiếp Thị",
    "Quảng Nam Đà Nẵng", "Hòa Bình Xanh", "Long An Phát", "Nam Định Vũ", "Đồng Nai Xanh",
    "Hoàng Anh Gia Lai", "Becamex Bình Dương", "SHB Đà Nẵng", "FLC Thanh Hóa", "Than Quảng Ninh",
    "Sanna Khánh Hòa", "XSKT Cần Thơ", "Sông Lam Nghệ An", "Đông Á Thanh Hóa", "Long An FC",
    "Đồng Tháp Mười",  # a plain across three provinces
}
# Words before a name that make it a route's or a medium's name: never evidence of where a story
# is. A story is somewhere along a route and the name says nowhere ("cao tốc Hà Nội - Hải
# Phòng", "đường Hà Nội" in any city, "tuyến TP.HCM - Trung Lương"); a newspaper reports from
# anywhere ("Báo Hải Phòng", "báo Pháp luật TP.HCM"). Looked for across the capitalised rest of
# the longer name.
NOT_PLACE_WORDS = {
    "đường", "phố", "đại lộ", "tuyến", "tuyến đường", "cao tốc", "quốc lộ", "tỉnh lộ", "đường sắt", "đường dây",
    "xe khách", "nhà xe", "chuyến bay", "chuyến xe", "tàu", "số", "ngõ", "hẻm", "kiệt",
    "báo", "tờ", "tạp chí", "đài", "truyền hình",
}
# Words before a name that make it an institution's, a brand's or a facility's name ("Đại học
# Huế", "Bia Sài Gòn", "chợ Đà Lạt", "sân bay Long Thành", "Công ty Lilama 3 (Hà Nội)"): evidence
# only when the text also places the story in that province. "Bệnh viện Đa khoa tỉnh X" is
# located by its "tỉnh": that is ordinary evidence.
NAMING_WORDS = {
    "trường", "đại học", "đh", "đhqg", "học viện", "cao đẳng", "thpt", "thcs", "bệnh viện", "bv", "bvđk",
    "phòng khám", "công ty", "cty", "ctcp", "tnhh", "tập đoàn", "tổng công ty", "ngân hàng", "bia",
    "khách sạn", "nhà hàng", "hãng", "câu lạc bộ", "clb", "đội bóng", "đội tuyển", "siêu thị", "chung cư",
    "chợ", "cầu", "hầm", "bến xe", "ga", "sân bay", "cảng", "nhà máy", "thủy điện",
    "quản lý",  # "Cơ quan Quản lý Hải Dương và Khí quyển": hải dương = ocean (NOAA)
}
# Words after a name that make it a club or a brand ("Hà Nội FC").
NAMING_AFTER = {"FC", "United", "Club"}
# An official's title names the province a speaker comes from ("ĐBQH tỉnh Bắc Ninh", "Bí thư
# Tỉnh ủy X", "Chủ tịch UBND TP Hà Nội"): a place in a local story, none in a national one.
ROLE_WORDS = {"đbqh", "đb", "đại biểu", "đoàn đbqh", "bí thư", "chủ tịch", "tỉnh ủy", "thành ủy", "trưởng đoàn"}
# Where a person comes from or lives ("quê Nghệ An", "trú tại xã A, huyện B"): not where the
# story happened (the victims of a crash on a Hải Dương road live all over the north), only a
# fallback when the text places the story nowhere else.
ORIGIN_WORDS = {"quê", "quê quán", "nguyên quán", "gốc", "trú", "ngụ", "thường trú", "tạm trú", "hộ khẩu"}
# Administrative words that locate what comes before them ("Bệnh viện Nhi Đồng 1 TP HCM").
ADMIN_WORDS = {"tỉnh", "tp", "huyện", "quận", "xã", "phường", "tx", "tt", "trấn"}
# Lower-case words that end the look-back for a longer name: "công nhân công ty may ở Bình Dương".
LOOKBACK_STOP = {
    "ở", "tại", "thuộc", "của", "trên", "về", "đến", "tới", "từ", "và", "với", "cho", "qua", "ra", "vào", "là",
    "có", "được", "bị", "đã", "đang", "sẽ", "khi", "giữa", "nhiều", "các", "như", "sang", "lên", "xuống", "đi",
}
# A lower-case word just before a name that makes it a person's given name ("anh Vinh").
HONORIFICS = {"anh", "chị", "ông", "bà", "em", "cô", "chú", "bác", "cụ", "cháu", "bé", "cậu", "thầy"}
# First words of a capitalised run that make it a person's name: "(Hà Nội)" after "Trần Văn A"
# says where that person lives or comes from.
SURNAMES = {
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
    "Dương", "Lý", "Đào", "Đoàn", "Trịnh", "Mai", "Lương", "Tạ", "Cao", "Lâm", "Tô", "Đinh", "Lại", "Vương",
    "Tăng", "Quách", "Triệu", "Chu", "Lưu", "Thân", "Hứa", "Nông", "Kiều", "Khuất", "Văn",
}
# A capitalised word just before the name that is a surname or middle name: a person's name.
NAME_PARTS = {
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
    "Dương", "Lý", "Văn", "Thị", "Đức", "Minh", "Hữu", "Công", "Quang", "Thanh", "Xuân", "Đình", "Ngọc",
    "Trọng", "Mạnh", "Tiến", "Thế", "Bá", "Đào", "Đoàn", "Trịnh", "Mai", "Lương", "Tạ", "Cao", "Lâm", "Tô",
    "Hà", "Châu", "Kim", "Anh", "Tuấn", "Hải", "Thái", "Trung", "Khắc", "Viết", "Duy", "Như",
}
PROVINCE_CUES = ("tỉnh", "tp", "thành phố", "thủ đô")
DISTRICT_WORDS = ("huyện", "quận", "thị xã", "tx", "tp", "thành phố", "h", "q")
COMMUNE_WORDS = ("xã", "phường", "thị trấn", "p", "tt", "đặc khu")
_ANY_ADMIN_WORD = set(DISTRICT_WORDS) | set(COMMUNE_WORDS) | set(PROVINCE_CUES)
# Words in a bracket that make it a person's birth year or residence: "(SN 1989, trú tại ...)".
_RESIDENCE_MARKS = ORIGIN_WORDS | {"sn", "sinh"}
# Words before a surname that make the name a street's or a commune's ("phường Lê Lợi"), and
# titles that make a two-word name a person's ("ĐB Nguyễn Chiến").
_PLACE_BEFORE_NAME = ADMIN_WORDS | NOT_PLACE_WORDS
_TITLES = HONORIFICS | ROLE_WORDS | {"ls", "luật sư", "bs", "bác sĩ", "ts", "pgs", "gs"}
# The title and lead speak of national institutions: a national story unless a place is stated.
NATIONAL_FRAME = re.compile(
    r"(?<![^\W_])(?:Quốc hội|ĐBQH|Chính phủ|Thủ tướng|Bộ trưởng|Thứ trưởng|Tổng [Bb]í thư|Chủ tịch nước"
    r"|Tổng cục|cả nước|toàn quốc|Nghị định|Thông tư|[Dd]ự thảo|[Dd]ự luật"
    r"|Bộ (?!Chỉ huy|Tư lệnh|Tham mưu)[A-ZĐ])"
)
# "HẢI PHÒNG -", "Hà Nội –", "TTO - ĐÀ NẴNG -": where the story was filed, at the start of the lead.
_DATELINE = re.compile(r"^\W{0,3}(?:[^\W\d_]{2,8}\)?\s*[-–—]\s*)?([^\W\d_][^\W\d]*(?:[ .][^\W\d][^\W\d]*){0,3})\s*[-–—]\s")
# "TP.HCM", "P.Hòa Hiệp Bắc", "Q.Liên Chiểu": abbreviated administrative words glued to a name.
_ABBREVIATIONS = {"TP", "Tp", "tp", "TX", "TT", "P", "Q", "H", "X"}
# HCM's numbered districts (no other city has them): "quận 1", "Q.3" ("Q1" alone is a quarter).
_NUMBERED_DISTRICT = re.compile(r"(?:[Qq]uận|Q\.) ?(?:1[0-2]|[1-9])(?![\d/])")
_TOKEN = re.compile(r"[^\W\d_]+|\d+")
_SPLIT = re.compile(r"([^\W\d_]+|\d+)")
_CHAIN_GAP = re.compile(r"\s*[,(]\s*")
_SENTENCE_GAP = re.compile(r"[,.;:!?()\"“”\n]")
_WEIGHTS = {"title": 3.0, "lead": 2.0, "body_early": 1.0, "body_late": 0.5}
# What each kind of evidence is worth (times the weight of where it appears).
_KIND_WEIGHT = {
    "dateline": 2.0, "chain": 2.0, "explicit": 1.5, "role": 1.5, "bare": 1.0, "district": 1.0, "commune": 1.0,
    "named": 0.5, "origin": 1.0,
}
# A district or commune that nothing else in the text agrees with counts this much of its weight.
_LONE_ADMIN = {"district": 1.0, "commune": 0.6}
# In a national story, outside the title: what each kind keeps (the lead must state a place
# outright; the body's mentions are the background of a national story: halved again).
_NATIONAL_KEEP = {"dateline": 1.0, "chain": 1.0, "explicit": 1.0, "district": 1.0, "commune": 1.0, "bare": 0.5,
                  "named": 0.5, "role": 0.0, "origin": 0.0}
_NATIONAL_BODY = 0.5
_MAX_RUN = 5
_LOOKBACK = 8


def _key(name: str) -> str:
    return " ".join(_TOKEN.findall(fix_tone_marks(name)))


def _strip_admin_word(name: str) -> str:
    for word in ("Thành phố", "Thị xã", "Thị trấn", "Huyện", "Quận", "Xã", "Phường", "Đặc khu", "Tỉnh", "TP.", "TP"):
        if name.lower().startswith(word.lower() + " "):
            return name[len(word) + 1:]
    return name


@dataclass(frozen=True)
class Mention:
    """One name in the text that says a place: `provinces` has one entry, or several when a
    district or commune name is shared (the text must say which)."""

    provinces: tuple[str, ...]
    level: str   # province | district | commune
    kind: str    # dateline | chain | explicit | role | bare | named | district | commune | origin


@dataclass
class PlaceEvidence:
    """What `Gazetteer.find` saw: province -> score, the provinces the title names, whether the
    title and lead frame the story as national, province -> score of where the people in the
    story live or come from (a fallback), and the source's default province (a prior)."""

    scores: dict[str, float] = field(default_factory=dict)
    title: frozenset[str] = frozenset()
    national: bool = False
    residence: dict[str, float] = field(default_factory=dict)
    prior: str | None = None


@dataclass
class Gazetteer:
    """Names -> current province short names. Build with `Gazetteer.load()` once per process."""

    provinces: list[str]                               # the 34 current short names
    province_names: dict[str, str | None]              # province-level names and aliases -> current unit
    district_names: dict[str, tuple[str, ...]] = field(default_factory=dict)  # -> the provinces having one
    commune_names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    old_to_new: dict[str, str] = field(default_factory=dict)
    _starts: set[str] | None = field(default=None, repr=False)
    _naive: re.Pattern | None = field(default=None, repr=False)

    @classmethod
    def load(cls, mapping_path: Path | None = None) -> "Gazetteer":
        path = mapping_path or _underthesea_mapping_path()
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        new_short = {key: v["short"] for key, v in data["province_names"].items()}
        old_to_new = {
            fix_tone_marks(v["short"]): fix_tone_marks(new_short[data["province_mapping"][key]])
            for key, v in data["old_province_names"].items()
        }
        for short in new_short.values():
            old_to_new.setdefault(fix_tone_marks(short), fix_tone_marks(short))
        names: dict[str, str | None] = {_key(old): new for old, new in old_to_new.items()}
        for alias, target in ALIASES.items():
            names[_key(alias)] = old_to_new[fix_tone_marks(target)] if target else None
        for stop in STOP_RUNS:
            names[_key(stop)] = None
        districts, communes = _admin_names(data["ward_mapping"], new_short)
        return cls(
            provinces=sorted({fix_tone_marks(s) for s in new_short.values()}),
            province_names=names,
            district_names=districts,
            commune_names=communes,
            old_to_new=old_to_new,
        )

    def current_unit(self, name: str | None) -> str | None:
        """Any province name of any era (or an alias) -> the current unit's short name."""
        if not name:
            return None
        hit = self.province_names.get(_key(_strip_admin_word(name.strip())))
        return hit

    def find(self, title: str, lead: str, text: str, default: str | None = None) -> PlaceEvidence:
        """Every place mention in a document, weighed by how and where it appears. `default`: the
        source's province (any era's name), a prior that also settles a shared commune name."""
        prior = self.current_unit(default)
        body_split = max(600, len(text) // 3)
        parts = (("title", title), ("lead", lead), ("body_early", text[:body_split]), ("body_late", text[body_split:]))
        national = bool(NATIONAL_FRAME.search(title) or NATIONAL_FRAME.search(lead))
        found = [(part, m) for part, chunk in parts if chunk for m in self.evidence(chunk)]
        dateline = self.dateline(lead or text)
        if dateline:
            found.append(("lead", Mention((dateline,), "province", "dateline")))
        # Provinces the text names outright: a district or commune agreeing with one counts fully.
        # A named institution or facility counts only there too.
        anchored = {m.provinces[0] for _, m in found
                    if len(m.provinces) == 1 and m.level != "commune" and m.kind not in ("origin", "named")}
        if prior and not national:
            anchored.add(prior)
        scores: dict[str, float] = defaultdict(float)
        residence: dict[str, float] = defaultdict(float)
        in_title = set()
        for part, m in found:
            weight = _WEIGHTS[part] * _KIND_WEIGHT[m.kind]
            if national and part != "title":
                weight *= _NATIONAL_KEEP[m.kind] * (_NATIONAL_BODY if part.startswith("body") else 1.0)
            if m.level == "province":
                targets = m.provinces if m.kind != "named" or m.provinces[0] in anchored else ()
            else:
                targets = tuple(p for p in m.provinces if p in anchored)
                if not targets and len(m.provinces) == 1:
                    targets, weight = m.provinces, weight * _LONE_ADMIN[m.level]
            if len(targets) != 1 or not weight:
                continue  # a shared commune name nothing else in the text settles
            if m.kind == "origin":
                residence[targets[0]] += weight
                continue
            scores[targets[0]] += weight
            if part == "title":
                in_title.add(targets[0])
        return PlaceEvidence(dict(scores), frozenset(in_title), national, dict(residence), prior)

    def dateline(self, lead: str) -> str | None:
        """The province of a dateline opening the lead ("HẢI PHÒNG -", "TTO - Đà Nẵng -"), if any."""
        m = _DATELINE.match(lead[:60])
        if not m:
            return None
        name = _strip_admin_word(m.group(1).replace(".", " "))
        for form in (name, name.title()):
            hit = self.province_names.get(_key(form))
            if hit:
                return hit
        return None

    def mentions(self, text: str) -> list[tuple[str, str]]:
        """(current province, level) for every name in `text` that says a Vietnamese place on its
        own (a residence too): traps removed, names inside other names and shared commune names
        left out. The topic rules ask it whether a story is set in Vietnam."""
        return [(m.provinces[0], m.level) for m in self.evidence(text) if len(m.provinces) == 1 and m.kind != "named"]

    def evidence(self, text: str) -> list[Mention]:
        """Every place mention in `text`, each with its kind of evidence.

        Speed matters (every document, every word): re.split gives words and the gaps between
        them in one C call, and only capitalised words that can start a known name are looked at;
        the look-around that classifies a mention runs only for the few names found.
        """
        parts = _SPLIT.split(text)
        words, gaps = parts[1::2], parts[0::2]   # gaps[i] is the text before words[i]
        starts = self._first_words
        found = [Mention(("Hồ Chí Minh",), "district", "district") for _ in _NUMBERED_DISTRICT.finditer(text)] \
            if "uận " in text or "Q." in text else []
        last_admin_end, last_admin_kind = -9, ""
        i, n = 0, len(words)
        while i < n:
            word = words[i]
            if word not in starts or not word[0].isupper():
                i += 1
                continue
            run_end = i + 1
            # A run goes on over spaces and dashes ("Bà Rịa - Vũng Tàu"), and over a glued dot
            # ("TP.HCM", "SHB.Đà Nẵng") but not over the end of a sentence.
            while run_end < n and run_end - i < _MAX_RUN and words[run_end][0].isupper() and (
                    not gaps[run_end].strip(" -–") or gaps[run_end] == "."):
                run_end += 1
            hit = self._longest_name(words, i, run_end)
            if hit is None:
                i += 1
                continue
            length, provinces, level = hit
            if provinces:
                # "xã A, huyện B, tỉnh C": a chain of units, each placing the next (and a
                # residence chain, "trú tại xã A, huyện B", is a residence all along).
                chain = last_admin_kind if _follows_in_chain(words, gaps, last_admin_end, i) else ""
                kind = self._kind(words, gaps, i, i + length, level, chain)
                if kind:
                    found.append(Mention(provinces, level, kind))
                    if level != "province":
                        last_admin_end, last_admin_kind = i + length, kind
            i += length
        return found

    @property
    def _first_words(self) -> set[str]:
        if self._starts is None:
            self._starts = {key.split(" ", 1)[0] for names in (self.province_names, self.district_names, self.commune_names)
                            for key in names}
        return self._starts

    @property
    def naive_pattern(self) -> re.Pattern:
        """Every province-level name and alias as whole words, for `naive_provinces`."""
        if self._naive is None:
            names = sorted((name for name, unit in self.province_names.items() if unit), key=len, reverse=True)
            alternatives = "|".join(r"[\s.\-–]+".join(map(re.escape, name.split(" "))) for name in names)
            self._naive = re.compile(rf"(?<![^\W\d_])(?:{alternatives})(?![^\W\d_])")
        return self._naive

    def _longest_name(self, words: list[str], start: int, run_end: int):
        """(length, provinces, level) of the longest known name at `start`, or None.

        A district or commune name must fill the capitalised run after its administrative word:
        "phường Đông Hải" is not the commune "Đông" of another province.
        """
        admin = ""  # looked up only for a district or commune name (most runs name nothing)
        for length in range(min(_MAX_RUN, run_end - start), 0, -1):
            key = " ".join(words[start:start + length])
            if start + length == run_end and (key in self.district_names or key in self.commune_names):
                admin = admin or _admin_word(words[max(0, start - 2):start]) or "-"
                if admin in DISTRICT_WORDS and key in self.district_names:
                    return length, self.district_names[key], "district"
                if admin in COMMUNE_WORDS and key in self.commune_names:
                    return length, self.commune_names[key], "commune"
            if key in self.province_names:
                province = self.province_names[key]
                return length, ((province,) if province else ()), "province"
        return None

    def _kind(self, words: list[str], gaps: list[str], start: int, end: int, level: str, chain: str) -> str | None:
        """What kind of evidence the name at words[start:end] is, or None when it is no place.
        `chain` is the kind of the district or commune this name follows in a chain, if any."""
        if chain == "origin" or _residence_in_parenthesis(words, gaps, start):
            return "origin"  # "(SN 1989, trú Kim Mã, quận Ba Đình, Hà Nội)"
        if level != "province":
            context = _context_before(words, gaps, start)
            if context in ("not_place", "named"):
                return None
            return "origin" if context == "origin" else level
        if start and not gaps[start].strip():
            if words[start - 1] in NAME_PARTS or _after_surname(words, gaps, start):
                return None  # "Nguyễn Thái Bình", "Huỳnh Tấn Vinh": part of a person's name
            if words[start - 1] in HONORIFICS:
                return None  # "anh Vinh": a given name
        if end < len(words) and words[end] in NAMING_AFTER and not gaps[end].strip():
            return None  # "Hà Nội FC"
        if chain:
            return "chain"  # "huyện Nam Trà My (Quảng Nam)", "xã A, huyện B, tỉnh Quảng Nam"
        opening = _parenthesis_opening(gaps, start)
        if opening is not None:
            # "(Hà Nội)" after a person's name says where the person is from; after anything
            # else ("Đồng Tâm (Mỹ Đức, Hà Nội)") it says where that thing is, outright.
            if _person_before(words, gaps, opening):
                return "origin"
            return "named" if _context_before(words, gaps, opening, inside=True) == "named" else "explicit"
        context = _context_before(words, gaps, start)
        if context == "not_place":
            return None
        if context:
            return context
        if start and _admin_word(words[max(0, start - 2):start]) in PROVINCE_CUES:
            return "explicit"
        return "bare"


def _context_before(words: list[str], gaps: list[str], start: int, inside: bool = False) -> str | None:
    """'not_place', 'named', 'role' or 'origin' when a word of that sort comes before the name,
    looking back over the capitalised rest of a longer name up to a preposition or punctuation.

    An administrative word on the way ("Bệnh viện Đa khoa tỉnh X") locates an institution: only
    a route ("cao tốc TP.HCM - Trung Lương") or a role ("Chủ tịch UBND tỉnh X") before it counts.
    `inside`: `start` opens a parenthesis; look at what it follows.
    """
    lowered: list[str] = []
    located = False
    k = start - 1
    while k >= 0 and start - k <= _LOOKBACK:
        gap = gaps[k + 1]
        if _SENTENCE_GAP.search(gap) and not (inside and k + 1 == start) \
                and not (gap.strip() == "." and words[k] in _ABBREVIATIONS):
            break
        word = words[k].lower()
        if word in LOOKBACK_STOP:
            if word in ("tại", "ở") and k and words[k - 1].lower() in ORIGIN_WORDS:
                return "origin"  # "trú tại", "quê ở": where a person lives
            break
        if word == "phố" and k and words[k - 1].lower() == "thành":
            located, lowered = True, ["thành", "phố", *lowered]
            k -= 2
            continue
        lowered.insert(0, word)
        if _inside_a_name(words, gaps, k):
            k -= 1
            continue  # "hồ Hoàng Cầu": a syllable of a name, not the word "cầu" (bridge)
        for size in (1, 2, 3):
            phrase = " ".join(lowered[:size])
            if phrase in ROLE_WORDS:
                return "role"
            if phrase in NOT_PLACE_WORDS:
                return "not_place"
            if not located and phrase in NAMING_WORDS:
                return "named"
            if phrase in ORIGIN_WORDS:
                return "origin"
        located = located or word in ADMIN_WORDS
        k -= 1
    return None


def _follows_in_chain(words: list[str], gaps: list[str], previous_end: int, start: int) -> bool:
    """Whether the name at `start` continues an administrative chain whose last unit ended at
    `previous_end`: ", huyện B", " (Quảng Nam)", ", tỉnh C"."""
    between = start - previous_end
    if not 0 <= between <= 2 or not _CHAIN_GAP.fullmatch(gaps[previous_end]):
        return False
    return between == 0 or _admin_word(words[previous_end:start]) in _ANY_ADMIN_WORD


def _residence_in_parenthesis(words: list[str], gaps: list[str], start: int) -> bool:
    """Whether the name is inside a parenthesis that gives a person's birth year or residence."""
    opening = _parenthesis_opening(gaps, start, reach=10)
    return opening is not None and any(w.lower() in _RESIDENCE_MARKS for w in words[opening:start])


def _parenthesis_opening(gaps: list[str], start: int, reach: int = 4) -> int | None:
    """Index of the word after "(" when the name at `start` is inside a parenthesis opened at
    most `reach` words before it ("(Hà Nội)", "(Mỹ Đức, Hà Nội)"), else None."""
    for k in range(start, max(0, start - reach) - 1, -1):
        if ")" in gaps[k]:
            return None
        if "(" in gaps[k]:
            return k
    return None


def _inside_a_name(words: list[str], gaps: list[str], k: int) -> bool:
    """Whether words[k] is a capitalised syllable glued to the capitalised word before it (not
    to an abbreviation such as "CP", "HĐQT"): then it is part of a name, not a common word."""
    return k > 0 and words[k][0].isupper() and not gaps[k].strip() and words[k - 1][0].isupper() \
        and not words[k - 1].isupper()


def _after_surname(words: list[str], gaps: list[str], start: int) -> bool:
    """Whether the capitalised words glued before the name begin with a surname."""
    k = start - 1
    while k >= 0 and start - k <= 3 and words[k][0].isupper() and not gaps[k + 1].strip():
        if words[k] in SURNAMES:
            return True
        k -= 1
    return False


def _person_before(words: list[str], gaps: list[str], start: int) -> bool:
    """Whether the words just before "(" end in a person's name: a surname and two or three more
    capitalised words ("Trần Công Hoàn (ở Đồng Hới, Quảng Bình)"), or a surname and one more after
    a title ("ĐB Nguyễn Chiến (Hà Nội)"). Streets and communes are often named after people: two
    words with no title ("Linh Đàm, Hoàng Liệt (Hoàng Mai - Hà Nội)") or after an administrative
    or street word ("phường Lê Lợi (Quy Nhơn)") are not taken for a person."""
    k = start - 1
    while k > 0 and start - k < 5 and words[k - 1][0].isupper() and not gaps[k].strip():
        k -= 1
    surname = next((j for j in range(k, start - 1) if words[j] in SURNAMES), None)
    if surname is None:
        return False
    before = words[surname - 1].lower() if surname else ""
    return before in _TITLES or (start - surname >= 3 and before not in _PLACE_BEFORE_NAME)


def _underthesea_mapping_path() -> Path:
    import underthesea.address as address

    return Path(address.__file__).parent / "data" / "mapping.json"


def _admin_names(rows: list[dict], new_short: dict[str, str]) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """District and commune names -> every current province that has (or had) one so named."""
    districts: dict[str, set[str]] = defaultdict(set)
    communes: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        province = fix_tone_marks(new_short[row["new_province_key"]])
        if row.get("old_district"):
            districts[_key(_strip_admin_word(row["old_district"]))].add(province)
        for ward in (row.get("old_ward"), row.get("new_ward")):
            if ward:
                communes[_key(_strip_admin_word(ward))].add(province)
    frozen = lambda d: {name: tuple(sorted(ps)) for name, ps in d.items() if name}
    return frozen(districts), frozen(communes)


def _admin_word(before: list[str]) -> str | None:
    lowered = [w.lower().rstrip(".") for w in before]
    if len(lowered) >= 2 and " ".join(lowered[-2:]) in ("thị xã", "thành phố", "thị trấn", "đặc khu", "thủ đô"):
        return " ".join(lowered[-2:])
    return lowered[-1] if lowered else None


def choose_provinces(evidence: PlaceEvidence, min_score: float = 1.5,
                     keep_ratio: float = 0.6, title_ratio: float = 0.3, max_places: int = 3,
                     prior: float = 1.0, spread: int = 4, spread_share: float = 0.35,
                     spread_top: float = 4.0) -> list[str]:
    """The main place, plus others nearly as prominent or named in the title too (a story can
    happen in two provinces); none for a national story.

    min_score 1.5: one passing mention deep in the body (national news quoting a city) is not
    enough; a mention in the lead (2.0) or title (3.0), or two in the body, is.
    Where the people in the story live decides only when nothing else places it.
    The source's default province (`evidence.prior`) is worth one early body mention: it decides
    between weak candidates and stands alone when the text names no place, unless the story is
    national. Evidence spread over `spread` or more provinces, none in the title and
    the strongest under `spread_share` of the total, is a national roundup: no province.
    """
    default = evidence.prior if not evidence.national else None
    fallback = [default] if default else []
    for scores in (evidence.scores, evidence.residence):
        scores = dict(scores)
        if default:
            scores[default] = scores.get(default, 0.0) + prior
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        if not ranked or ranked[0][1] < min_score:
            continue
        top = ranked[0][1]
        if len(ranked) >= spread and not evidence.title and top < min(spread_top, spread_share * sum(scores.values())):
            return []
        return [p for p, s in ranked[:max_places]
                if s >= keep_ratio * top or (p in evidence.title and s >= title_ratio * top)]
    return fallback


def naive_provinces(gazetteer: Gazetteer, text: str) -> list[str]:
    """The baseline the evidence scoring is measured against: every province name (or alias)
    found anywhere in the text is a province, wherever and however it appears."""
    return sorted({gazetteer.province_names[_key(m.group(0))] for m in gazetteer.naive_pattern.finditer(text)})
