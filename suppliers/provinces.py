"""China's provinces and the regional power grids they belong to.

The regions are the seven regional grids of the national emission-factor tables published by
the Ministry of Ecology and Environment (MEE) and the National Bureau of Statistics (NBS) from
the 2021 data year on; the province-to-grid mapping and the GB/T 2260 codes are those of
docs/method.md ("Provinces and regional grids").
"""

import re
import unicodedata
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Region(models.TextChoices):
    NATIONAL = "NATIONAL", pgettext_lazy("grid region", "National")
    NORTH = "NORTH", pgettext_lazy("grid region", "North China")
    NORTHEAST = "NORTHEAST", pgettext_lazy("grid region", "Northeast China")
    EAST = "EAST", pgettext_lazy("grid region", "East China")
    CENTRAL = "CENTRAL", pgettext_lazy("grid region", "Central China")
    NORTHWEST = "NORTHWEST", pgettext_lazy("grid region", "Northwest China")
    SOUTH = "SOUTH", pgettext_lazy("grid region", "South China")
    SOUTHWEST = "SOUTHWEST", pgettext_lazy("grid region", "Southwest China")


@dataclass(frozen=True)
class Province:
    code: str  # GB/T 2260, e.g. "210000"
    name_en: str
    name_zh_short: str
    name_zh_official: str
    region: str


PROVINCES: tuple[Province, ...] = (
    Province("110000", "Beijing", "北京", "北京市", Region.NORTH),
    Province("120000", "Tianjin", "天津", "天津市", Region.NORTH),
    Province("130000", "Hebei", "河北", "河北省", Region.NORTH),
    Province("140000", "Shanxi", "山西", "山西省", Region.NORTH),
    Province("150000", "Inner Mongolia", "内蒙古", "内蒙古自治区", Region.NORTH),
    Province("370000", "Shandong", "山东", "山东省", Region.NORTH),
    Province("210000", "Liaoning", "辽宁", "辽宁省", Region.NORTHEAST),
    Province("220000", "Jilin", "吉林", "吉林省", Region.NORTHEAST),
    Province("230000", "Heilongjiang", "黑龙江", "黑龙江省", Region.NORTHEAST),
    Province("310000", "Shanghai", "上海", "上海市", Region.EAST),
    Province("320000", "Jiangsu", "江苏", "江苏省", Region.EAST),
    Province("330000", "Zhejiang", "浙江", "浙江省", Region.EAST),
    Province("340000", "Anhui", "安徽", "安徽省", Region.EAST),
    Province("350000", "Fujian", "福建", "福建省", Region.EAST),
    Province("360000", "Jiangxi", "江西", "江西省", Region.CENTRAL),
    Province("410000", "Henan", "河南", "河南省", Region.CENTRAL),
    Province("420000", "Hubei", "湖北", "湖北省", Region.CENTRAL),
    Province("430000", "Hunan", "湖南", "湖南省", Region.CENTRAL),
    Province("610000", "Shaanxi", "陕西", "陕西省", Region.NORTHWEST),
    Province("620000", "Gansu", "甘肃", "甘肃省", Region.NORTHWEST),
    Province("630000", "Qinghai", "青海", "青海省", Region.NORTHWEST),
    Province("640000", "Ningxia", "宁夏", "宁夏回族自治区", Region.NORTHWEST),
    Province("650000", "Xinjiang", "新疆", "新疆维吾尔自治区", Region.NORTHWEST),
    Province("440000", "Guangdong", "广东", "广东省", Region.SOUTH),
    Province("450000", "Guangxi", "广西", "广西壮族自治区", Region.SOUTH),
    Province("460000", "Hainan", "海南", "海南省", Region.SOUTH),
    Province("520000", "Guizhou", "贵州", "贵州省", Region.SOUTH),
    Province("530000", "Yunnan", "云南", "云南省", Region.SOUTH),
    Province("500000", "Chongqing", "重庆", "重庆市", Region.SOUTHWEST),
    Province("510000", "Sichuan", "四川", "四川省", Region.SOUTHWEST),
    Province("540000", "Tibet", "西藏", "西藏自治区", Region.SOUTHWEST),
)

PROVINCES_BY_CODE: dict[str, Province] = {p.code: p for p in PROVINCES}
PROVINCE_CHOICES = [(p.code, f"{p.name_en} {p.name_zh_short}") for p in PROVINCES]

# Outside the seven grids: named so that the error can say why, not just "unknown".
_OUTSIDE_GRIDS = {
    "810000",
    "hong kong",
    "香港",
    "香港特别行政区",
    "820000",
    "macao",
    "macau",
    "澳门",
    "澳门特别行政区",
    "710000",
    "taiwan",
    "台湾",
    "台湾省",
}

_LOOKUP: dict[str, Province] = {}
for _p in PROVINCES:
    for _key in (_p.code, _p.name_en.lower(), _p.name_zh_short, _p.name_zh_official):
        _LOOKUP[_key] = _p
# Common spellings of the two names whose romanisation varies.
_LOOKUP["shaanxi province"] = _LOOKUP["shaanxi"]
_LOOKUP["tibet autonomous region"] = _LOOKUP["xizang"] = _LOOKUP["tibet"]
_LOOKUP["nei mongol"] = _LOOKUP["inner mongolia"]


# What follows a province's name in its full forms, in English, pinyin and Chinese: "Jiangsu
# Province", "Beijing Municipality", "Guangxi Zhuang Autonomous Region", "江苏省", "北京市",
# "广西壮族自治区", "Hong Kong SAR"; then the people named in an autonomous region's name.
_DESIGNATION = re.compile(
    r"(?:\s*(?:province|municipality|city|autonomous region|special administrative region|sar|sheng|shi)"
    r"|省|市|自治区|特别行政区)$"
)
_PEOPLE = re.compile(r"(?:\s+(?:zhuang|hui|uygur|uyghur|uighur)|壮族|回族|维吾尔族?)$")


def _short_key(key: str) -> str:
    """The lookup key of a name without its designation: "jiangsu province" → "jiangsu"."""
    short = _DESIGNATION.sub("", key)
    return _PEOPLE.sub("", short).strip() if short != key else key


class UnknownProvince(ValueError):
    pass


def province_parse(value: str) -> Province:
    """The province named by an English name (any case, with or without "Province",
    "Municipality", "Autonomous Region" and the like), a Chinese short or official name (with or
    without 省, 市, 自治区), or a GB/T 2260 code. Raises UnknownProvince with a message for the user otherwise."""
    key = " ".join(unicodedata.normalize("NFKC", str(value)).split()).lower()
    if not key:
        raise UnknownProvince(_("Province is required."))
    if key in _LOOKUP:
        return _LOOKUP[key]
    if _short_key(key) in _LOOKUP:
        return _LOOKUP[_short_key(key)]
    if key in _OUTSIDE_GRIDS or _short_key(key) in _OUTSIDE_GRIDS:
        raise UnknownProvince(
            _("“%(value)s” is outside mainland China's regional grids; sites there cannot be reported.")
            % {"value": value}
        )
    raise UnknownProvince(
        _("“%(value)s” is not a province: give its English or Chinese name or its GB/T 2260 code (e.g. 210000).")
        % {"value": value}
    )
