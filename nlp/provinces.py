"""Stage 5: which of the 34 current provinces an item is about.

The gazetteer is built at runtime from underthesea's administrative mapping (63 old provinces ->
34 units, with every old district and old/new commune), plus the short forms the press uses
("TP.HCM", "Sài Gòn", "Thừa Thiên - Huế", "BR-VT") and well-known cities that name no province
("Nha Trang", "Vũng Tàu"). It is built once per process and passed around (`Gazetteer.load()`).

Matching works on runs of capitalised syllables, so lower-case words ("hòa bình" = peace) never
match, and looks at the words just before a run to reject the classic traps:
- a street or a newspaper named after a province ("đường Hà Nội", "báo Hà Nội mới");
- a place name inside a person's name ("ông Nguyễn Thái Bình");
- "Thái Bình Dương" (the Pacific), "Điện Biên Phủ" (a street in every city).
District and commune names count only after their administrative word ("huyện Củ Chi",
"xã Tân Lập") and only when the name belongs to one province.
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
    "TP.HCM": "Hồ Chí Minh", "TPHCM": "Hồ Chí Minh", "TP HCM": "Hồ Chí Minh", "Tp.HCM": "Hồ Chí Minh",
    "HCM": "Hồ Chí Minh", "TP.Hồ Chí Minh": "Hồ Chí Minh", "Sài Gòn": "Hồ Chí Minh", "Tp HCM": "Hồ Chí Minh",
    "Thừa Thiên Huế": "Huế", "Thừa Thiên": "Huế", "TT Huế": "Huế",
    "Bà Rịa Vũng Tàu": "Bà Rịa - Vũng Tàu", "BR VT": "Bà Rịa - Vũng Tàu", "Vũng Tàu": "Bà Rịa - Vũng Tàu",
    "Bà Rịa": "Bà Rịa - Vũng Tàu", "Côn Đảo": "Bà Rịa - Vũng Tàu",
    "Đắc Lắc": "Đắk Lắk", "Đăk Lăk": "Đắk Lắk", "Đắk Lăk": "Đắk Lắk", "Đăk Lắk": "Đắk Lắk", "Daklak": "Đắk Lắk",
    "Đăk Nông": "Đắk Nông", "Đắc Nông": "Đắk Nông", "Bắc Cạn": "Bắc Kạn", "Kontum": "Kon Tum",
    "Hà Tây": "Hà Nội", "Thủ đô": "Hà Nội",
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
# Capitalised runs that contain a province name but are not about it.
STOP_RUNS = {
    "Thái Bình Dương", "Điện Biên Phủ", "Hà Nội Mới", "Hànộimới", "Sài Gòn Giải Phóng", "Sài Gòn Tiếp Thị",
    "Quảng Nam Đà Nẵng", "Hòa Bình Xanh", "Long An Phát", "Nam Định Vũ", "Đồng Nai Xanh",
}
# Words just before a province name that say it is a street, a paper, a company or an agency.
NOT_A_PLACE_BEFORE = {
    "đường", "phố", "đại lộ", "báo", "tờ", "tạp chí", "đài", "tuyến đường", "số", "ngõ", "hẻm", "kiệt",
    "khách sạn", "nhà hàng", "hãng", "công ty", "ctcp", "tập đoàn", "ngân hàng", "câu lạc bộ", "clb", "đội",
    "quản lý",  # "Cơ quan Quản lý Hải Dương và Khí quyển": hải dương = ocean (NOAA)
}
# A capitalised word just before the name that is a surname or middle name: a person's name.
NAME_PARTS = {
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
    "Dương", "Lý", "Văn", "Thị", "Đức", "Minh", "Hữu", "Công", "Quang", "Thanh", "Xuân", "Đình", "Ngọc",
    "Trọng", "Mạnh", "Tiến", "Thế", "Bá", "Đào", "Đoàn", "Trịnh", "Mai", "Lương", "Tạ", "Cao", "Lâm", "Tô",
    "Hà", "Châu", "Kim", "Anh", "Tuấn", "Hải", "Thái", "Trung", "Khắc", "Viết", "Duy", "Như",
}
DISTRICT_WORDS = ("huyện", "quận", "thị xã", "tx", "tp", "thành phố", "h", "q")
COMMUNE_WORDS = ("xã", "phường", "thị trấn", "p", "tt", "đặc khu")
_TOKEN = re.compile(r"[^\W\d_]+(?:\.[^\W\d_]+)*|\d+")
_SPLIT = re.compile(r"([^\W\d_]+(?:\.[^\W\d_]+)*|\d+)")
_WEIGHTS = {"title": 3.0, "lead": 2.0, "body_early": 1.0, "body_late": 0.5}
_LEVEL_WEIGHT = {"province": 1.0, "district": 1.0, "commune": 0.8, "alias_city": 1.0}
_MAX_RUN = 5


def _key(name: str) -> str:
    return " ".join(_TOKEN.findall(fix_tone_marks(name)))


def _strip_admin_word(name: str) -> str:
    for word in ("Thành phố", "Thị xã", "Thị trấn", "Huyện", "Quận", "Xã", "Phường", "Đặc khu", "Tỉnh", "TP.", "TP"):
        if name.lower().startswith(word.lower() + " "):
            return name[len(word) + 1:]
    return name


@dataclass
class Gazetteer:
    """Names -> current province short names. Build with `Gazetteer.load()` once per process."""

    provinces: list[str]                               # the 34 current short names
    province_names: dict[str, str | None]              # province-level names and aliases -> current unit
    district_names: dict[str, str] = field(default_factory=dict)
    commune_names: dict[str, str] = field(default_factory=dict)
    old_to_new: dict[str, str] = field(default_factory=dict)
    _starts: set[str] | None = field(default=None, repr=False)

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
        districts, communes = _unique_admin_names(data["ward_mapping"], new_short)
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

    def find(self, title: str, lead: str, text: str) -> dict[str, float]:
        """Province -> evidence score (position-weighted mentions)."""
        scores: dict[str, float] = defaultdict(float)
        body_split = max(600, len(text) // 3)
        parts = (("title", title), ("lead", lead), ("body_early", text[:body_split]), ("body_late", text[body_split:]))
        for part, chunk in parts:
            for province, level in self.mentions(chunk):
                scores[province] += _WEIGHTS[part] * _LEVEL_WEIGHT[level]
        return dict(scores)

    def mentions(self, text: str) -> list[tuple[str, str]]:
        """(current province, level) for every place mention in `text`, traps removed.

        Speed matters (every document, every word): re.split gives words and the gaps between
        them in one C call, and only capitalised words that can start a known name are looked at.
        """
        parts = _SPLIT.split(text)
        words, gaps = parts[1::2], parts[0::2]   # gaps[i] is the text before words[i]
        starts = self._first_words
        found = []
        i, n = 0, len(words)
        while i < n:
            word = words[i]
            if word not in starts or not word[0].isupper():
                i += 1
                continue
            run_end = i + 1
            while run_end < n and run_end - i < _MAX_RUN and not gaps[run_end].strip(" -–") and words[run_end][0].isupper():
                run_end += 1
            hit = self._longest_name(words, i, run_end)
            if hit is None:
                i += 1
                continue
            length, province, level = hit
            if province is not None and self._is_real_place(words, gaps, i, level):
                found.append((province, level))
            i += length
        return found

    @property
    def _first_words(self) -> set[str]:
        if self._starts is None:
            self._starts = {key.split(" ", 1)[0] for names in (self.province_names, self.district_names, self.commune_names)
                            for key in names}
        return self._starts

    def _longest_name(self, words: list[str], start: int, run_end: int):
        admin = _admin_word(words[max(0, start - 2):start])
        for length in range(min(_MAX_RUN, run_end - start), 0, -1):
            key = " ".join(words[start:start + length])
            if admin in DISTRICT_WORDS and key in self.district_names:
                return length, self.district_names[key], "district"
            if admin in COMMUNE_WORDS and key in self.commune_names:
                return length, self.commune_names[key], "commune"
            if key in self.province_names:
                return length, self.province_names[key], "province"
        return None

    def _is_real_place(self, words: list[str], gaps: list[str], start: int, level: str) -> bool:
        if level != "province":
            return True  # an administrative word already said it is a place
        if start and gaps[start].strip(" ") == "" and words[start - 1] in NAME_PARTS:
            return False  # "Nguyễn Thái Bình": part of a person's name
        lowered = [w.lower() for w in words[max(0, start - 3):start]]
        for k in (1, 2):
            if len(lowered) >= k and " ".join(lowered[-k:]) in NOT_A_PLACE_BEFORE:
                return False
        return True


def _underthesea_mapping_path() -> Path:
    import underthesea.address as address

    return Path(address.__file__).parent / "data" / "mapping.json"


def _unique_admin_names(rows: list[dict], new_short: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """District and commune names that belong to exactly one current province."""
    districts: dict[str, set[str]] = defaultdict(set)
    communes: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        province = fix_tone_marks(new_short[row["new_province_key"]])
        if row.get("old_district"):
            districts[_key(_strip_admin_word(row["old_district"]))].add(province)
        for ward in (row.get("old_ward"), row.get("new_ward")):
            if ward:
                communes[_key(_strip_admin_word(ward))].add(province)
    unique = lambda d: {name: next(iter(ps)) for name, ps in d.items() if len(ps) == 1 and name}
    return unique(districts), unique(communes)


def _admin_word(before: list[str]) -> str | None:
    lowered = [w.lower().rstrip(".") for w in before]
    if len(lowered) >= 2 and " ".join(lowered[-2:]) in ("thị xã", "thành phố", "thị trấn", "đặc khu"):
        return " ".join(lowered[-2:])
    return lowered[-1] if lowered else None


def choose_provinces(scores: dict[str, float], min_score: float = 1.5, keep_ratio: float = 0.6,
                     max_places: int = 3) -> list[str]:
    """The main place, plus others nearly as prominent (a story can span two provinces).

    min_score 1.5: one passing mention deep in the body (national news quoting a city) is not
    enough; a mention in the lead (2.0) or title (3.0), or two in the body, is.
    """
    if not scores:
        return []
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    top = ranked[0][1]
    if top < min_score:
        return []
    return [p for p, s in ranked[:max_places] if s >= keep_ratio * top]
