"""An invented demo portfolio: suppliers, sites and their yearly electricity, as submission rows.

Plain Python, no database: `demo_portfolio()` describes the companies, `demo_rows()` turns them
into rows with the columns of the submission file, which `seed_demo` imports through the same
service a supplier's file goes through. Every company, name, USCC and figure here is invented;
the clusters (batteries around Ningde, seats around Shenyang, ...) follow where such industries
really are in China, the companies do not exist.

Everything is drawn from `random.Random` seeded with strings (hashed with SHA-512, so the same on
every machine and Python run), one generator per supplier and per site and year: supplier 17's
data is the same whether 30 or 2,000 suppliers are generated, and a year's data the same whatever
the range of years.

The sizes, BMW shares and green shares are tuned so that the default 200 suppliers land near the
published 2024 figure (about 1 Mt of green-power reduction against 2019). A few honest problems are
built in for staff to find: one unit slip (a 2024 line typed in MWh under 万kWh, ten times too
much), one GEC batch claimed by two suppliers in 2024, 2024 GEC serials that one supplier lists
beside its own although another supplier already claimed them (exactly those certificates are
excluded), suppliers that joined after 2019 (no baseline), and a few 2025 submissions still
waiting for review.

From 2023 every other supplier names its certificates by serial (`gec_serials`, `irec_serials`:
a range `FIRST~LAST` per line, as the GEC platform's transfer records list them) rather than by
batch ID; a line with serials claims a whole number of MWh, one certificate each.
"""

import csv
import io
import random
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from suppliers.models import SupplierCategory as Category
from suppliers.services.imports import COLUMNS
from suppliers.units import MWH_PER_UNIT, EnergyUnit
from suppliers.uscc import ALPHABET, uscc_check_character

SEED = "supplier-green-electricity-demo/1"
FIRST_YEAR, LAST_YEAR = 2019, 2025
STAFF_EMAIL, STAFF_PASSWORD = "staff@demo.example", "demo-staff-2024!"  # a demo login, printed
SUPPLIER_EMAIL, SUPPLIER_PASSWORD = "supplier@demo.example", "demo-supplier-2024!"
PUBLISHED_YEAR = 2024
PUBLISHED_TCO2E = Decimal("1000000")
PUBLISHED_SOURCE = (
    "BMW Group statement (2025) on its ~200 core suppliers in China: supply-chain CO2 cut by about "
    "1 million tonnes in 2024 against 2019 through green electricity (approximate, as published)"
)
INVENTED_NOTICE = (
    "The demo companies, their names, USCCs, sites and figures are invented; "
    "any likeness to a real company is coincidental."
)


@dataclass(frozen=True)
class City:
    abbr: str  # the start of a site code
    division: str  # GB/T 2260 code of the city (or Shanghai/Chongqing/Tianjin district): USCC chars 3–8
    name_zh: str
    name_en: str
    district_zh: str = ""  # where a municipality's plant is, for its site name

    @property
    def province(self) -> str:
        return self.division[:2] + "0000"


CITIES = {
    c.abbr: c
    for c in (
        City("SY", "210100", "沈阳", "Shenyang"),
        City("DL", "210200", "大连", "Dalian"),
        City("AS", "210300", "鞍山", "Anshan"),
        City("BX", "210500", "本溪", "Benxi"),
        City("TL", "211200", "铁岭", "Tieling"),
        City("CC", "220100", "长春", "Changchun"),
        City("JL", "220200", "吉林", "Jilin"),
        City("NJ", "320100", "南京", "Nanjing"),
        City("WX", "320200", "无锡", "Wuxi"),
        City("CZ", "320400", "常州", "Changzhou"),
        City("SZ", "320500", "苏州", "Suzhou"),
        City("NT", "320600", "南通", "Nantong"),
        City("YC", "320900", "盐城", "Yancheng"),
        City("JD", "310114", "上海", "Shanghai", "嘉定"),
        City("PD", "310115", "上海", "Shanghai", "浦东"),
        City("BS", "310113", "上海", "Shanghai", "宝山"),
        City("HZ", "330100", "杭州", "Hangzhou"),
        City("NB", "330200", "宁波", "Ningbo"),
        City("JX", "330400", "嘉兴", "Jiaxing"),
        City("HU", "330500", "湖州", "Huzhou"),
        City("TZ", "331000", "台州", "Taizhou"),
        City("HF", "340100", "合肥", "Hefei"),
        City("WH", "340200", "芜湖", "Wuhu"),
        City("ND", "350900", "宁德", "Ningde"),
        City("XM", "350200", "厦门", "Xiamen"),
        City("FZ", "350100", "福州", "Fuzhou"),
        City("GZ", "440100", "广州", "Guangzhou"),
        City("SZN", "440300", "深圳", "Shenzhen"),
        City("FS", "440600", "佛山", "Foshan"),
        City("HUI", "441300", "惠州", "Huizhou"),
        City("DG", "441900", "东莞", "Dongguan"),
        City("CD", "510100", "成都", "Chengdu"),
        City("YB", "511500", "宜宾", "Yibin"),
        City("SN", "510900", "遂宁", "Suining"),
        City("CQ", "500112", "重庆", "Chongqing", "渝北"),
        City("WHN", "420100", "武汉", "Wuhan"),
        City("XY", "420600", "襄阳", "Xiangyang"),
        City("SYN", "420300", "十堰", "Shiyan"),
        City("QD", "370200", "青岛", "Qingdao"),
        City("YT", "370600", "烟台", "Yantai"),
        City("BZ", "371600", "滨州", "Binzhou"),
        City("DY", "370500", "东营", "Dongying"),
        City("WF", "370700", "潍坊", "Weifang"),
        City("CS", "430100", "长沙", "Changsha"),
        City("XT", "430300", "湘潭", "Xiangtan"),
        City("YCJ", "360900", "宜春", "Yichun"),
        City("QJ", "530300", "曲靖", "Qujing"),
        City("BT", "150200", "包头", "Baotou"),
        City("ORD", "150600", "鄂尔多斯", "Ordos"),
        City("GY", "520100", "贵阳", "Guiyang"),
        City("TS", "130200", "唐山", "Tangshan"),
        City("ZZ", "410100", "郑州", "Zhengzhou"),
        City("TJ", "120116", "天津", "Tianjin", "滨海"),
    )
}


@dataclass(frozen=True)
class Profile:
    """What suppliers of one category look like: where, how big, how green, how much for BMW."""

    per_200: int  # suppliers of this category in every 200
    words: tuple[tuple[str, str], ...]  # (Chinese, English) business words of the company name
    cities: dict[str, int]  # city abbr → weight
    site_gwh_2019: tuple[float, float]  # a site's consumption in 2019, GWh (drawn log-uniformly)
    growth: tuple[float, float]  # yearly growth of consumption
    bmw_share: tuple[float, float]  # percent
    green_2019: tuple[float, float]  # green share of consumption in 2019
    green_2024: tuple[float, float]  # ... and in 2024


# fmt: off
PROFILES: dict[str, Profile] = {
    Category.BATTERY_CELLS: Profile(
        6, (("电池", "Battery"), ("新能源科技", "New Energy Technology"), ("动力电池", "Power Battery")),
        {"ND": 5, "CZ": 3, "YB": 3, "SY": 2, "HF": 2, "YC": 1, "HUI": 1, "QJ": 1, "WHN": 1},
        (80, 300), (0.18, 0.32), (3.5, 13), (0.02, 0.12), (0.60, 0.95),
    ),
    Category.CATHODE_MATERIALS: Profile(
        6, (("新材料", "New Materials"), ("锂电材料", "Lithium Battery Materials"), ("能源材料", "Energy Materials")),
        {"CS": 3, "XT": 2, "GY": 2, "NB": 2, "ND": 1, "YCJ": 1, "SN": 1},
        (40, 180), (0.15, 0.30), (5, 18), (0.00, 0.06), (0.30, 0.75),
    ),
    Category.ANODE_MATERIALS: Profile(
        3, (("碳素", "Carbon"), ("负极材料", "Anode Materials"), ("石墨科技", "Graphite Technology")),
        {"BT": 3, "ORD": 2, "YB": 1, "GY": 1},
        (80, 260), (0.15, 0.28), (4, 14), (0.00, 0.05), (0.25, 0.60),
    ),
    Category.ALUMINIUM: Profile(
        8, (("铝业", "Aluminium"), ("轻合金", "Light Alloy"), ("铝材", "Aluminium Products")),
        {"BZ": 3, "QJ": 2, "BT": 2, "ZZ": 1, "CZ": 1, "TJ": 1, "YT": 1},
        (60, 500), (0.00, 0.07), (4, 18), (0.00, 0.06), (0.20, 0.55),
    ),
    Category.STEEL: Profile(
        6, (("钢铁", "Iron & Steel"), ("特钢", "Special Steel"), ("精密钢管", "Precision Steel Tube")),
        {"AS": 2, "BX": 2, "BS": 2, "TS": 2, "NJ": 1, "WHN": 1},
        (200, 900), (-0.02, 0.04), (2, 10), (0.00, 0.03), (0.10, 0.35),
    ),
    Category.GLASS: Profile(
        4, (("玻璃", "Glass"), ("汽车玻璃", "Automotive Glass")),
        {"FZ": 2, "CC": 1, "JD": 1, "GZ": 1},
        (50, 200), (0.02, 0.06), (8, 25), (0.00, 0.05), (0.20, 0.60),
    ),
    Category.PLASTICS: Profile(
        20, (("塑胶", "Plastics"), ("高分子材料", "Polymer Materials"), ("汽车塑料件", "Automotive Plastic Parts")),
        {"NB": 3, "SZ": 2, "JX": 2, "FS": 2, "CC": 1, "JL": 1, "SY": 1, "TZ": 1, "WH": 1},
        (5, 35), (0.03, 0.10), (10, 45), (0.00, 0.05), (0.20, 0.70),
    ),
    Category.ELECTRONICS: Profile(
        40, (("电子", "Electronics"), ("汽车电子", "Automotive Electronics"), ("精密电子", "Precision Electronics"),
             ("电子科技", "Electronic Technology"), ("线束", "Wiring Harness")),
        {"SZ": 3, "WX": 3, "SZN": 3, "HUI": 2, "DG": 2, "PD": 2, "HZ": 2, "HU": 1, "CD": 1, "CQ": 1, "XM": 1, "NJ": 1, "HF": 1},
        (3, 60), (0.05, 0.15), (5, 30), (0.00, 0.08), (0.25, 0.80),
    ),
    Category.SEATS: Profile(
        15, (("汽车座椅", "Automotive Seating"), ("汽车内饰", "Automotive Interiors")),
        {"SY": 4, "CC": 3, "JD": 2, "WHN": 1, "CQ": 1, "TJ": 1, "FS": 1},
        (3, 18), (0.02, 0.08), (25, 55), (0.00, 0.05), (0.20, 0.80),
    ),
    Category.TYRES: Profile(
        8, (("轮胎", "Tyre"), ("橡胶轮胎", "Rubber & Tyre")),
        {"QD": 3, "DY": 2, "WF": 1, "HF": 1, "SY": 1},
        (30, 150), (0.01, 0.05), (4, 15), (0.00, 0.04), (0.15, 0.50),
    ),
    Category.CASTINGS: Profile(
        20, (("精密铸造", "Precision Casting"), ("锻造", "Forging"), ("铸业", "Foundry")),
        {"SY": 3, "DL": 2, "TL": 1, "WX": 2, "NT": 1, "YT": 2, "XY": 1, "CQ": 1, "NB": 1, "WH": 1, "SYN": 1},
        (10, 90), (0.02, 0.08), (10, 40), (0.00, 0.05), (0.20, 0.60),
    ),
    Category.OTHER: Profile(
        64, (("汽车零部件", "Auto Parts"), ("精密机械", "Precision Machinery"), ("紧固件", "Fasteners"),
             ("密封件", "Sealing Systems"), ("汽车部件", "Automotive Components")),
        {"SY": 3, "CC": 2, "SZ": 2, "JD": 2, "NB": 1, "WHN": 1, "CQ": 1, "QD": 1, "GZ": 1, "HF": 1, "DL": 1, "NT": 1},
        (2, 25), (0.02, 0.08), (8, 45), (0.00, 0.06), (0.10, 0.70),
    ),
}
# fmt: on

# Two-character brand names from syllables with distinct pinyin, so that English names differ
# too; pairs that spell a well-known real brand are left out.
_SYLLABLES = (
    ("瑞", "Rui"), ("能", "Neng"), ("华", "Hua"), ("鑫", "Xin"), ("恒", "Heng"), ("泰", "Tai"), ("宏", "Hong"),
    ("达", "Da"), ("盛", "Sheng"), ("源", "Yuan"), ("凯", "Kai"), ("博", "Bo"), ("德", "De"), ("隆", "Long"),
    ("安", "An"), ("富", "Fu"), ("嘉", "Jia"), ("腾", "Teng"), ("海", "Hai"), ("明", "Ming"), ("天", "Tian"),
    ("锦", "Jin"), ("峰", "Feng"), ("汇", "Hui"), ("川", "Chuan"), ("诚", "Cheng"), ("通", "Tong"), ("力", "Li"),
    ("科", "Ke"), ("润", "Run"), ("星", "Xing"), ("辰", "Chen"), ("昊", "Hao"), ("捷", "Jie"), ("卓", "Zhuo"),
    ("越", "Yue"), ("启", "Qi"), ("航", "Hang"), ("祥", "Xiang"), ("宇", "Yu"), ("瀚", "Han"), ("朗", "Lang"),
    ("晶", "Jing"), ("澜", "Lan"), ("屹", "Yi"), ("拓", "Tuo"), ("沃", "Wo"), ("巍", "Wei"), ("舜", "Shun"),
)  # fmt: skip
# fmt: off
_REAL_BRANDS = frozenset({
    "天能", "华能", "明泰", "华峰", "瑞能", "星源", "天润", "汇川", "海天", "泰科", "华润", "恒瑞", "宇通", "海通", "恒力", "宏达", "安泰", "泰达", "科达",
    "通达", "富通", "恒通", "华达", "凯盛", "天通", "博通", "腾达", "海航", "祥鑫", "宇航", "星宇", "华宇", "天海", "凯越", "通力", "力通", "德华", "博瑞",
    "华通", "晶科", "天合", "隆达", "锦江", "海信", "航天", "华晨", "瑞华", "安捷", "汇能", "卓越", "海力", "明阳", "沃德", "启明", "星辰", "天安", "安德",
})
# fmt: on

# Share of the certificate and trading part of green electricity by instrument and year: China's
# green power trading began in September 2021; I-REC gave way to GEC after the 2023 reform.
_INSTRUMENTS_BY_YEAR = {
    2019: {"gec": 0.30, "irec": 0.70, "green_power_trading": 0.0},
    2020: {"gec": 0.35, "irec": 0.65, "green_power_trading": 0.0},
    2021: {"gec": 0.30, "irec": 0.50, "green_power_trading": 0.20},
    2022: {"gec": 0.25, "irec": 0.35, "green_power_trading": 0.40},
    2023: {"gec": 0.30, "irec": 0.20, "green_power_trading": 0.50},
    2024: {"gec": 0.35, "irec": 0.10, "green_power_trading": 0.55},
    2025: {"gec": 0.40, "irec": 0.05, "green_power_trading": 0.55},
}
_PREFERENCES = {  # a supplier's habit, multiplied into the year's mix
    "trading": {"gec": 0.3, "irec": 0.3, "green_power_trading": 3.0},
    "certificates": {"gec": 2.0, "irec": 2.0, "green_power_trading": 0.2},
    "mixed": {"gec": 1.0, "irec": 1.0, "green_power_trading": 1.0},
}
# How far a site has moved from its 2019 green share to its 2024 one.
_GREEN_RAMP = {2019: 0.0, 2020: 0.07, 2021: 0.18, 2022: 0.38, 2023: 0.68, 2024: 1.0, 2025: 1.18}
# Monthly consumption (Spring Festival in February, air conditioning in summer) and solar yield.
_MONTH_LOAD = (0.082, 0.066, 0.084, 0.083, 0.085, 0.087, 0.090, 0.091, 0.085, 0.082, 0.082, 0.083)
_MONTH_SUN = (0.060, 0.062, 0.080, 0.090, 0.100, 0.098, 0.102, 0.104, 0.090, 0.080, 0.068, 0.066)
# Decimal places people type in each unit (all within the import's 1 Wh resolution).
_PLACES = {EnergyUnit.KWH: 0, EnergyUnit.WAN_KWH: 2, EnergyUnit.MWH: 3, EnergyUnit.GWH: 4}
_SMALL_CATEGORIES = {Category.PLASTICS, Category.SEATS, Category.OTHER, Category.ELECTRONICS, Category.CASTINGS}


@dataclass(frozen=True)
class DemoSite:
    code: str
    name: str
    city: City
    opened: int  # first year with data
    gwh_2019: float
    growth: float
    bmw_share: float
    green_2019: float
    green_2024: float
    onsite_2024: float  # rooftop solar share of consumption in 2024


@dataclass(frozen=True)
class DemoSupplier:
    index: int
    code: str
    name_zh: str
    name_en: str
    uscc: str
    category: str
    joined: int  # first year with data; after 2019 means no baseline
    period_kind: str  # "year", "quarter" or "month": how its lines are cut
    unit: str
    thousands_separators: bool
    preference: str
    sites: tuple[DemoSite, ...]
    # Its demo role: "unit_slip" (one site's 2024 figures typed in MWh under the unit 万kWh),
    # "claims_twice" (lists another supplier's 2024 GEC batch), "batch_owner" (owns that batch).
    role: str = ""
    review_2025: bool = False  # its 2025 lines wait for staff review


@dataclass(frozen=True)
class DemoRow:
    year: int
    approved: bool
    cells: dict[str, str] = field(default_factory=dict)


def _rng(*parts: object) -> random.Random:
    """A generator of its own for each part of the demo, seeded with a string (hashed with SHA-512,
    hence the same on every machine and every run, whatever PYTHONHASHSEED)."""
    return random.Random("/".join(map(str, (SEED, *parts))))  # noqa: S311 - invented demo data, no secrets


def _category_cycle() -> list[str]:
    """The categories of suppliers 0..199, repeated for larger portfolios: a shuffled deck in the
    proportions of PROFILES, with a seat maker around Shenyang first (the demo supplier login)."""
    deck = [category for category, profile in PROFILES.items() for _ in range(profile.per_200)]
    _rng("categories").shuffle(deck)
    first_seats = deck.index(Category.SEATS)
    deck[0], deck[first_seats] = deck[first_seats], deck[0]
    return deck


def _brand_pairs() -> list[tuple[str, str]]:
    pairs = [
        (a[0] + b[0], a[1] + b[1].lower())
        for a in _SYLLABLES
        for b in _SYLLABLES
        if a[0] != b[0] and a[0] + b[0] not in _REAL_BRANDS
    ]
    _rng("brands").shuffle(pairs)
    return pairs


_CATEGORIES = _category_cycle()
_BRANDS = _brand_pairs()


def _roles() -> dict[int, str]:
    """Which of the first 30 suppliers carry the demo's data-quality problems (small firms, so that
    the problems are visible in the flags without moving the headline figure much)."""
    small = [i for i in range(1, 30) if _CATEGORIES[i] in (Category.PLASTICS, Category.SEATS, Category.OTHER)]
    return {
        small[0]: "unit_slip", small[1]: "batch_owner", small[2]: "claims_twice", small[3]: "late_joiner",
        small[4]: "serial_owner", small[5]: "claims_serials_twice",
    }  # fmt: skip


_ROLES = _roles()


def uscc_make(division: str, rng: random.Random) -> str:
    """A well-formed USCC: 9 (registered with market regulation) 1 (enterprise), the division code,
    an organisation code (8 characters and its GB 11714 check character), the GB 32100 check."""
    if rng.random() < 0.6:  # codes issued since 2015 start with MA
        body = "MA" + "".join(rng.choice(ALPHABET) for _ in range(6))
    else:
        body = "".join(rng.choice("0123456789") for _ in range(8))
    values = [int(c) if c.isdigit() else ord(c) - ord("A") + 10 for c in body]
    check = 11 - sum(v * w for v, w in zip(values, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    first17 = "91" + division + body + {10: "X", 11: "0"}.get(check, str(check))
    return first17 + uscc_check_character(first17)


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return low * (high / low) ** rng.random()


def _supplier(index: int) -> DemoSupplier:
    rng = _rng("supplier", index)
    category = _CATEGORIES[index % len(_CATEGORIES)]
    profile = PROFILES[category]
    role = _ROLES.get(index, "")
    abbrs, weights = list(profile.cities), list(profile.cities.values())
    home = CITIES["SY"] if index == 0 else CITIES[rng.choices(abbrs, weights)[0]]
    site_count = rng.choices((1, 2, 3, 4), (12, 22, 33, 33))[0]
    cities = [home] + [CITIES[a] for a in rng.choices(abbrs, weights, k=site_count - 1)]
    word_zh, word_en = rng.choice(profile.words)
    brand_zh, brand_en = _BRANDS[index % len(_BRANDS)]
    suffix = "" if index < len(_BRANDS) else str(index // len(_BRANDS) + 1)
    name_zh = f"{home.name_zh}{brand_zh}{suffix}{word_zh}有限公司"
    name_en = f"{home.name_en} {brand_en}{suffix} {word_en} Co., Ltd."
    joined = FIRST_YEAR
    if role == "late_joiner" or (not role and index > 0 and rng.random() < 0.06):
        joined = rng.choice((2020, 2021, 2021, 2022, 2023))
    sites, per_city = [], {}
    for number, city in enumerate(cities):
        per_city[city.abbr] = per_city.get(city.abbr, 0) + 1
        nth = per_city[city.abbr]
        green_2019 = rng.uniform(*profile.green_2019)
        sites.append(
            DemoSite(
                code=f"{city.abbr}{nth}",
                name=f"{city.name_zh}{city.district_zh}{'一二三四'[nth - 1]}厂",
                city=city,
                opened=joined if number == 0 or rng.random() < 0.75 else rng.choice(range(joined, 2024)),
                gwh_2019=_log_uniform(rng, *profile.site_gwh_2019) * (1.0 if number == 0 else rng.uniform(0.3, 1.0)),
                growth=rng.uniform(*profile.growth),
                bmw_share=rng.uniform(*profile.bmw_share),
                green_2019=green_2019,
                green_2024=max(green_2019 + 0.05, rng.uniform(*profile.green_2024)),
                onsite_2024=rng.uniform(0.0, 0.08),
            )
        )
    period_kind = "year" if role == "unit_slip" else rng.choices(("year", "quarter", "month"), (84, 12, 4))[0]
    unit = rng.choices(
        (EnergyUnit.KWH, EnergyUnit.WAN_KWH, EnergyUnit.MWH, EnergyUnit.GWH),
        (30, 25, 35, 10 if category not in _SMALL_CATEGORIES else 0),
    )[0]
    if role in ("batch_owner", "claims_twice"):
        preference = "certificates"
    elif role == "unit_slip":
        unit = EnergyUnit.MWH
        preference = "mixed"
    else:
        preference = rng.choices(("trading", "certificates", "mixed"), (35, 25, 40))[0]
    return DemoSupplier(
        index=index,
        code=f"CN-{index + 1:04d}",
        name_zh=name_zh,
        name_en=name_en,
        uscc=uscc_make(home.division, rng),
        category=category,
        joined=joined,
        period_kind=period_kind,
        unit=unit,
        thousands_separators=unit == EnergyUnit.KWH and rng.random() < 0.4,
        preference=preference,
        sites=tuple(sites),
        role=role,
        review_2025=index % 16 == 0,
    )


def demo_portfolio(suppliers: int) -> list[DemoSupplier]:
    return [_supplier(index) for index in range(suppliers)]


@dataclass(frozen=True)
class _SiteYear:
    """One site's year in MWh, before it is cut into periods."""

    electricity: float
    onsite: float
    trading: float
    gec: float
    irec: float
    bmw_share: float


def _site_year(supplier: DemoSupplier, site: DemoSite, site_number: int, year: int) -> _SiteYear:
    rng = _rng("site", supplier.index, site_number, year)
    years = year - FIRST_YEAR
    electricity = site.gwh_2019 * 1000 * (1 + site.growth) ** years * rng.uniform(0.96, 1.04)
    if year == 2020 and supplier.category != Category.BATTERY_CELLS:
        electricity *= 0.92  # the 2020 slowdown
    if year == site.opened and year > FIRST_YEAR:
        electricity *= 0.6  # a plant starting up
    ramp = _GREEN_RAMP.get(year, 1.0 + 0.18 * (year - 2024)) if year >= FIRST_YEAR else 0.0
    green = site.green_2019 + (site.green_2024 - site.green_2019) * ramp + rng.uniform(-0.02, 0.02)
    green = min(max(green, 0.0), 1.0)
    onsite = min(green, site.onsite_2024 * min(1.0, 0.3 + 0.7 * ramp) * rng.uniform(0.9, 1.1))
    mix = _INSTRUMENTS_BY_YEAR.get(year, _INSTRUMENTS_BY_YEAR[LAST_YEAR if year > LAST_YEAR else FIRST_YEAR])
    weights = {k: v * _PREFERENCES[supplier.preference][k] * rng.uniform(0.5, 1.5) for k, v in mix.items()}
    if supplier.role in ("batch_owner", "claims_twice") and year == PUBLISHED_YEAR and site_number == 0:
        weights["gec"] = max(weights["gec"], sum(weights.values()))  # certainly some GEC to claim
    total = sum(weights.values())
    # A supplier uses an instrument for a real part of its green electricity or not at all.
    weights = {k: (v if v / total >= 0.08 else 0.0) for k, v in weights.items()}
    total = sum(weights.values())
    rest = (green - onsite) * electricity
    share = min(60.0, max(1.0, site.bmw_share * rng.uniform(0.92, 1.08)))
    return _SiteYear(
        electricity=electricity,
        onsite=onsite * electricity,
        trading=rest * weights["green_power_trading"] / total,
        gec=rest * weights["gec"] / total,
        irec=rest * weights["irec"] / total,
        bmw_share=round(share, 1),
    )


def _periods(kind: str, year: int) -> list[tuple[str, list[int]]]:
    if kind == "month":
        return [(f"{year}-{m:02d}", [m]) for m in range(1, 13)]
    if kind == "quarter":
        return [(f"{year}-Q{q}", [3 * q - 2, 3 * q - 1, 3 * q]) for q in range(1, 5)]
    return [(str(year), list(range(1, 13)))]


def _amount(mwh: float, unit: str, rounding: str, separators: bool) -> str:
    """`mwh` as typed in `unit`; blank for nothing. Totals are rounded up and green quantities down,
    so that the rounded green never exceeds the rounded total."""
    value = (Decimal(mwh) / MWH_PER_UNIT[unit]).quantize(Decimal(1).scaleb(-_PLACES[unit]), rounding=rounding)
    if value <= 0:
        return ""
    return f"{value:,f}" if separators else f"{value:f}"


SERIALS_FROM = 2023  # the first year in which the demo's serial-naming suppliers list serials
_SERIAL_ROLES = ("serial_owner", "claims_serials_twice")


def uses_serials(supplier: DemoSupplier, year: int) -> bool:
    """Whether the supplier names its certificates of `year` by serial rather than by batch ID."""
    return year >= SERIALS_FROM and (supplier.role in _SERIAL_ROLES or (supplier.index % 2 and not supplier.role))


def _whole_mwh(mwh: float, unit: str, separators: bool) -> tuple[int, str]:
    """`mwh` rounded down to whole MWh (a certificate each), and that quantity as typed in `unit`."""
    whole = int(mwh)
    if whole <= 0:
        return 0, ""
    value = Decimal(whole) / MWH_PER_UNIT[unit]
    return whole, f"{value:,f}" if separators else f"{value:f}"


def _serial_range(prefix: str, year: int, first: int, count: int) -> str:
    """A range of `count` serials from `first`, written as the certificate registries write them."""
    return f"{prefix}-{year}-{first:014d}~{prefix}-{year}-{first + count - 1:014d}"


def _serial_start(supplier: DemoSupplier, site_number: int, number: int) -> int:
    """The first serial of a line's block: each supplier, site and period has a block of its own,
    far larger than any line's certificates, so that no two lines share a serial by accident."""
    return (((supplier.index + 1) * 100 + site_number) * 100 + number) * 10**7


def _supplier_rows(supplier: DemoSupplier, years: range, monthly: bool) -> list[DemoRow]:
    rows = []
    kind = "month" if monthly else supplier.period_kind
    for year in years:
        if year < supplier.joined:
            continue
        approved = not (year == LAST_YEAR and supplier.review_2025)
        for site_number, site in enumerate(supplier.sites):
            if year < site.opened:
                continue
            figures = _site_year(supplier, site, site_number, year)
            unit_rng = _rng("unit", supplier.index, site_number, year)
            unit = supplier.unit if unit_rng.random() < 0.85 else unit_rng.choice(list(MWH_PER_UNIT))
            slip = supplier.role == "unit_slip" and site_number == 0 and year == PUBLISHED_YEAR
            typed_unit = EnergyUnit.MWH if slip else unit
            separators = supplier.thousands_separators and typed_unit == EnergyUnit.KWH
            for number, (period, months) in enumerate(_periods(kind, year), start=1):
                load = sum(_MONTH_LOAD[m - 1] for m in months)
                sun = sum(_MONTH_SUN[m - 1] for m in months)
                electricity = figures.electricity * load
                green_share = (figures.onsite + figures.trading + figures.gec + figures.irec) / figures.electricity
                green = electricity * green_share
                onsite = min(figures.onsite * sun, green)
                other = figures.trading + figures.gec + figures.irec
                rest = green - onsite
                quantities = {
                    "onsite_renewable": onsite,
                    "green_power_trading": rest * figures.trading / other if other else 0.0,
                    "gec": rest * figures.gec / other if other else 0.0,
                    "irec": rest * figures.irec / other if other else 0.0,
                }
                cells = {
                    "total_electricity": _amount(electricity, typed_unit, ROUND_CEILING, separators) or "0",
                    **{k: _amount(v, typed_unit, ROUND_FLOOR, separators) for k, v in quantities.items()},
                }
                batches, serials = [], {"gec_serials": "", "irec_serials": ""}
                if uses_serials(supplier, year):
                    for column, prefix in (("gec", "CN-GEC"), ("irec", "IREC-CN")):
                        count, cells[column] = _whole_mwh(quantities[column], typed_unit, separators)
                        if count:
                            start = _serial_start(supplier, site_number, number)
                            serials[f"{column}_serials"] = _serial_range(prefix, year, start, count)
                else:
                    if cells["gec"]:
                        division = site.city.division[:2]
                        batches.append(f"GEC-{year}-{division}-{supplier.index + 1:05d}-{site_number}{number:02d}")
                    if cells["irec"]:
                        batches.append(f"IREC-CN-{year}-{supplier.index + 1:05d}-{site_number}{number:02d}")
                rows.append(
                    DemoRow(
                        year=year,
                        approved=approved,
                        cells={
                            "supplier_code": supplier.code,
                            # A row carries one name, Chinese or English (alternating by year and
                            # site), and the import records each: the supplier gets both.
                            "supplier_name": supplier.name_en if (year + site_number) % 2 else supplier.name_zh,
                            "uscc": supplier.uscc,
                            "site_code": site.code,
                            "site_name": site.name,
                            "province": site.city.province,
                            "period": period,
                            "unit": EnergyUnit.WAN_KWH if slip else typed_unit,
                            **cells,
                            "bmw_share_percent": f"{figures.bmw_share:.1f}",
                            "certificate_ids": ";".join(batches),
                            **serials,
                        },
                    )
                )
    return rows


def _first_row_with(rows: list[DemoRow], supplier: DemoSupplier, column: str) -> DemoRow | None:
    """The supplier's first row of the published year with something in `column`."""
    for row in rows:
        if row.cells["supplier_code"] == supplier.code and row.year == PUBLISHED_YEAR and row.cells[column]:
            return row
    return None


def _claim_twice(rows: list[DemoRow], owner: DemoSupplier, claimer: DemoSupplier) -> None:
    """The claimer lists the owner's first 2024 GEC batch beside its own: a double claim."""
    owned, claiming = _first_row_with(rows, owner, "gec"), _first_row_with(rows, claimer, "gec")
    if owned is None or claiming is None:
        return
    batch = next(b for b in owned.cells["certificate_ids"].split(";") if b.startswith("GEC-"))
    claiming.cells["certificate_ids"] = ";".join([*claiming.cells["certificate_ids"].split(";"), batch])


def _claim_serials_twice(rows: list[DemoRow], owner: DemoSupplier, claimer: DemoSupplier) -> None:
    """The claimer lists the first certificates of the owner's first 2024 GEC range beside its own,
    as many as a tenth of its own claim: those certificates are claimed twice, the rest are not."""
    owned = _first_row_with(rows, owner, "gec_serials")
    claiming = _first_row_with(rows, claimer, "gec_serials")
    if owned is None or claiming is None:
        return
    own_first, own_last = owned.cells["gec_serials"].split("~")
    claim_first, claim_last = claiming.cells["gec_serials"].split("~")
    stem, width = own_first[:-14], 14
    claimed = int(claim_last[-width:]) - int(claim_first[-width:]) + 1
    shared = min(max(claimed // 10, 1), int(own_last[-width:]) - int(own_first[-width:]) + 1, claimed)
    taken = f"{own_first}~{stem}{int(own_first[-width:]) + shared - 1:0{width}d}"
    rest = int(claim_first[-width:]) + shared
    kept = f"{claim_first[:-width]}{rest:0{width}d}~{claim_last}" if shared < claimed else ""
    claiming.cells["gec_serials"] = ";".join(part for part in (taken, kept) if part)


def demo_rows(
    portfolio: list[DemoSupplier], *, years: range = range(FIRST_YEAR, LAST_YEAR + 1), monthly: bool = False
) -> list[DemoRow]:
    """The submission rows of the portfolio, in file order (supplier, year, site, period)."""
    rows = [row for supplier in portfolio for row in _supplier_rows(supplier, years, monthly)]
    by_role = {s.role: s for s in portfolio if s.role}
    if "batch_owner" in by_role and "claims_twice" in by_role:
        _claim_twice(rows, by_role["batch_owner"], by_role["claims_twice"])
    if "serial_owner" in by_role and "claims_serials_twice" in by_role:
        _claim_serials_twice(rows, by_role["serial_owner"], by_role["claims_serials_twice"])
    return rows


def rows_csv(rows: list[DemoRow]) -> bytes:
    """The rows as a UTF-8 submission file."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(row.cells for row in rows)
    return buffer.getvalue().encode("utf-8")


def annual_due_date(year: int) -> date:
    """A year's report is due by 31 March of the next year."""
    return date(year + 1, 3, 31)


# Invented commitments, one per supplier: typed as suppliers write them (35％, 2030年, 2021年6月30日)
# half the time, so the demo's file goes through the import's reading of what people type.
COMMITMENT_SOURCE = "Invented for the demo (not a real commitment)"
COMMITMENT_TARGETS = ((2025, 60), (2027, 80), (2030, 100))


def commitments_csv(portfolio: list[DemoSupplier]) -> bytes:
    """The commitments file (supplier_code, committed_on, target_year, target_green_share_percent,
    source) for the demo's suppliers, drawn per supplier: the same portfolio gives the same file."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["supplier_code", "committed_on", "target_year", "target_green_share_percent", "source"])
    for supplier in portfolio:
        rng = _rng("commitment", supplier.code)
        committed = date(rng.choice(range(max(2020, supplier.joined), 2024)), rng.randint(1, 12), rng.randint(1, 28))
        target_year, share = rng.choice(COMMITMENT_TARGETS)
        share -= rng.choice((0, 0, 10, 20))
        if rng.random() < 0.5:
            written = (f"{committed.year}年{committed.month}月{committed.day}日", f"{target_year}年", f"{share}％")
        else:
            written = (committed.isoformat(), str(target_year), str(share))
        writer.writerow([supplier.code, *written, COMMITMENT_SOURCE])
    return buffer.getvalue().encode("utf-8")
