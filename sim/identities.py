"""Generated borrower identities: a company name that fits the loan's industry and
region, and its legal representative, in Chinese and English.

A name is built the way Chinese enterprise names are registered (企业名称: place +
brand 字号 + trade + legal form), from the word lists below, each word with its
English form, so the English name is written from the same parts and needs no
romaniser:

    绍兴鑫泰纺织有限公司 / Shaoxing Xintai Textile Co., Ltd.

Households (consumer loans) are people: "王丽娟(个人)" / "Wang Lijuan (individual)".

Properties the desk relies on:

* **Deterministic and thread-safe.** Everything comes from ``(name_seed, index)``:
  a local ``numpy`` generator per loan and a pure permutation; no module-wide
  state is seeded or mutated, so sessions in several threads get the same names.
* **Lazy.** Naming loan ``i`` needs nothing about any other loan.
* **Unique within a case**, in both languages. The brand (or, for a person, the
  full name) is the loan's index pushed through a seeded bijection of the code
  space, so two loans never share one. The brand syllables are all distinct in
  pinyin, so distinct Chinese brands stay distinct in English. A name that a
  case's named borrower already uses moves to the loan's spare code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from sim import names
from sim.generate_tables import REGIONS

# ---------------------------------------------------------------------------
# Word lists: (Chinese, English)
# ---------------------------------------------------------------------------

#: Brand characters (字号), each with a pinyin syllable no other character here has.
BRAND_CHARS: tuple[tuple[str, str], ...] = (
    ("鑫", "xin"), ("华", "hua"), ("泰", "tai"), ("达", "da"), ("盛", "sheng"), ("隆", "long"),
    ("恒", "heng"), ("源", "yuan"), ("丰", "feng"), ("利", "li"), ("兴", "xing"), ("昌", "chang"),
    ("宏", "hong"), ("海", "hai"), ("天", "tian"), ("金", "jin"), ("瑞", "rui"), ("祥", "xiang"),
    ("福", "fu"), ("德", "de"), ("安", "an"), ("康", "kang"), ("永", "yong"), ("明", "ming"),
    ("光", "guang"), ("辉", "hui"), ("腾", "teng"), ("飞", "fei"), ("博", "bo"), ("嘉", "jia"),
    ("诚", "cheng"), ("和", "he"), ("顺", "shun"), ("东", "dong"), ("中", "zhong"), ("通", "tong"),
    ("联", "lian"), ("创", "chuang"), ("宇", "yu"), ("晨", "chen"), ("阳", "yang"), ("正", "zheng"),
    ("荣", "rong"), ("益", "yi"), ("茂", "mao"), ("旺", "wang"), ("美", "mei"), ("骏", "jun"),
    ("凯", "kai"), ("雅", "ya"), ("宝", "bao"), ("展", "zhan"), ("振", "zhen"), ("威", "wei"),
    ("科", "ke"), ("润", "run"), ("泽", "ze"), ("航", "hang"), ("奥", "ao"), ("爱", "ai"),
    ("银", "yin"), ("鹏", "peng"), ("诺", "nuo"), ("豪", "hao"), ("乐", "le"), ("森", "sen"),
    ("柏", "bai"), ("卓", "zhuo"), ("贵", "gui"),
)

#: Surnames, each with a distinct romanisation.
SURNAMES: tuple[tuple[str, str], ...] = (
    ("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"),
    ("黄", "Huang"), ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"), ("徐", "Xu"), ("孙", "Sun"),
    ("马", "Ma"), ("朱", "Zhu"), ("胡", "Hu"), ("郭", "Guo"), ("何", "He"), ("林", "Lin"),
    ("罗", "Luo"), ("高", "Gao"), ("郑", "Zheng"), ("梁", "Liang"), ("谢", "Xie"), ("宋", "Song"),
    ("唐", "Tang"), ("韩", "Han"), ("冯", "Feng"), ("邓", "Deng"), ("曹", "Cao"), ("彭", "Peng"),
    ("曾", "Zeng"), ("肖", "Xiao"), ("田", "Tian"), ("董", "Dong"), ("潘", "Pan"), ("袁", "Yuan"),
    ("蔡", "Cai"), ("蒋", "Jiang"), ("余", "Yu"), ("杜", "Du"), ("叶", "Ye"), ("程", "Cheng"),
    ("魏", "Wei"), ("苏", "Su"), ("吕", "Lyu"), ("丁", "Ding"), ("任", "Ren"), ("卢", "Lu"),
    ("姚", "Yao"), ("沈", "Shen"), ("钟", "Zhong"), ("崔", "Cui"), ("谭", "Tan"), ("范", "Fan"),
    ("廖", "Liao"), ("石", "Shi"), ("金", "Jin"), ("贾", "Jia"), ("夏", "Xia"), ("付", "Fu"),
    ("方", "Fang"), ("邹", "Zou"), ("熊", "Xiong"), ("白", "Bai"), ("孟", "Meng"), ("秦", "Qin"),
    ("邱", "Qiu"), ("侯", "Hou"), ("尹", "Yin"), ("薛", "Xue"), ("闫", "Yan"), ("段", "Duan"),
    ("雷", "Lei"), ("龙", "Long"), ("陶", "Tao"), ("毛", "Mao"), ("郝", "Hao"), ("顾", "Gu"),
    ("龚", "Gong"), ("邵", "Shao"), ("钱", "Qian"), ("戴", "Dai"), ("欧阳", "Ouyang"), ("莫", "Mo"),
    ("孔", "Kong"), ("向", "Xiang"), ("常", "Chang"),
)

#: Characters of given names, each with a distinct pinyin syllable.
GIVEN_CHARS: tuple[tuple[str, str], ...] = (
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"),
    ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"),
    ("杰", "jie"), ("娟", "juan"), ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("秀", "xiu"),
    ("霞", "xia"), ("平", "ping"), ("刚", "gang"), ("桂", "gui"), ("英", "ying"), ("华", "hua"),
    ("建", "jian"), ("国", "guo"), ("文", "wen"), ("玉", "yu"), ("兰", "lan"), ("红", "hong"),
    ("志", "zhi"), ("海", "hai"), ("林", "lin"), ("春", "chun"), ("梅", "mei"), ("晓", "xiao"),
    ("凤", "feng"), ("辉", "hui"), ("鹏", "peng"), ("斌", "bin"), ("婷", "ting"), ("雪", "xue"),
    ("浩", "hao"), ("晨", "chen"), ("欣", "xin"), ("佳", "jia"), ("凯", "kai"), ("倩", "qian"),
    ("东", "dong"), ("成", "cheng"), ("荣", "rong"), ("亮", "liang"), ("云", "yun"), ("波", "bo"),
    ("宁", "ning"), ("飞", "fei"), ("丹", "dan"), ("松", "song"), ("坤", "kun"), ("德", "de"),
    ("瑶", "yao"), ("爱", "ai"), ("安", "an"),
)

#: Places of registration by the case's region id; unknown regions use ``generic``.
PLACES: dict[str, tuple[tuple[str, str], ...]] = {
    "zhejiang": (("杭州", "Hangzhou"), ("宁波", "Ningbo"), ("温州", "Wenzhou"), ("台州", "Taizhou"),
                 ("绍兴", "Shaoxing"), ("嘉兴", "Jiaxing"), ("金华", "Jinhua"), ("湖州", "Huzhou"),
                 ("义乌", "Yiwu")),
    "jiangsu": (("苏州", "Suzhou"), ("无锡", "Wuxi"), ("常州", "Changzhou"), ("南通", "Nantong"),
                ("南京", "Nanjing"), ("扬州", "Yangzhou"), ("徐州", "Xuzhou"), ("昆山", "Kunshan")),
    "shaoxing": (("绍兴", "Shaoxing"), ("柯桥", "Keqiao"), ("诸暨", "Zhuji"), ("上虞", "Shangyu")),
    "weifang": (("潍坊", "Weifang"), ("寿光", "Shouguang"), ("青州", "Qingzhou"), ("诸城", "Zhucheng")),
    "dongguan": (("东莞", "Dongguan"),),
    "changsha": (("长沙", "Changsha"), ("浏阳", "Liuyang"), ("宁乡", "Ningxiang")),
    "luoyang": (("洛阳", "Luoyang"), ("偃师", "Yanshi"), ("孟津", "Mengjin")),
    "xinxiang": (("新乡", "Xinxiang"), ("卫辉", "Weihui"), ("辉县", "Huixian")),
    "generic": (("杭州", "Hangzhou"), ("苏州", "Suzhou"), ("合肥", "Hefei"), ("郑州", "Zhengzhou"),
                ("成都", "Chengdu"), ("武汉", "Wuhan"), ("济南", "Jinan"), ("南昌", "Nanchang"),
                ("福州", "Fuzhou")),
}

#: What a business of each industry calls itself (the trade part of the name).
TRADES: dict[str, tuple[tuple[str, str], ...]] = {
    "manufacturing": (("精密机械", "Precision Machinery"), ("五金制品", "Hardware"),
                      ("塑料制品", "Plastic Products"), ("模具", "Mould"), ("电器", "Electrical Appliances"),
                      ("包装材料", "Packaging Materials"), ("汽车配件", "Auto Parts")),
    "machinery": (("机械", "Machinery"), ("重工", "Heavy Industry"), ("机床", "Machine Tool"),
                  ("液压设备", "Hydraulic Equipment"), ("农业机械", "Farm Machinery")),
    "textiles": (("纺织", "Textile"), ("印染", "Printing & Dyeing"), ("服饰", "Apparel"),
                 ("家纺", "Home Textiles"), ("化纤", "Chemical Fibre"), ("针织", "Knitwear")),
    "chemicals": (("化工", "Chemical"), ("新材料", "New Materials"), ("涂料", "Coatings"),
                  ("精细化工", "Fine Chemicals"), ("塑胶", "Plastics")),
    "construction": (("建设工程", "Construction Engineering"), ("建筑工程", "Building Engineering"),
                     ("市政工程", "Municipal Engineering"), ("装饰工程", "Decoration Engineering"),
                     ("建材", "Building Materials")),
    "real_estate": (("置业", "Property"), ("房地产开发", "Real Estate Development"),
                    ("地产", "Real Estate"), ("城建开发", "Urban Development")),
    "electronics_trade": (("电子", "Electronics"), ("电子科技", "Electronic Technology"),
                          ("电子贸易", "Electronics Trading"), ("数码", "Digital"),
                          ("元器件", "Electronic Components")),
    "wholesale_trade": (("商贸", "Commerce"), ("贸易", "Trading"), ("供应链", "Supply Chain"),
                        ("物资", "Materials Supply"), ("批发", "Wholesale")),
    "wholesale_retail": (("商贸", "Commerce"), ("贸易", "Trading"), ("百货", "Department Store"),
                         ("批发", "Wholesale"), ("日用品", "Daily Goods")),
    "retail_services": (("餐饮", "Catering"), ("超市", "Supermarket"), ("酒店管理", "Hotel Management"),
                        ("美容美发", "Beauty Salon"), ("物业服务", "Property Services"),
                        ("汽车维修", "Car Repair")),
    "agriculture": (("农业发展", "Agriculture Development"), ("生态农业", "Ecological Agriculture"),
                    ("种养殖", "Farming"), ("农资", "Farm Supplies"), ("果蔬", "Fruit & Vegetables")),
    "manufacturing_logistics": (("物流", "Logistics"), ("制造", "Manufacturing"),
                                ("供应链管理", "Supply Chain Management"), ("仓储", "Warehousing"),
                                ("运输", "Transport")),
    "generic": (("实业", "Industrial"), ("商贸", "Commerce"), ("制造", "Manufacturing"),
                ("贸易", "Trading"), ("工贸", "Industry & Trade")),
}

#: Legal forms: incorporated firms, and the small forms a small-business loan may have.
CORPORATE_FORMS: tuple[tuple[str, str], ...] = (
    ("有限公司", "Co., Ltd."), ("有限公司", "Co., Ltd."), ("有限公司", "Co., Ltd."),
    ("有限责任公司", "Co., Ltd."), ("股份有限公司", "Co., Ltd. (joint-stock)"),
)
_LTD = ("有限公司", "Co., Ltd.")
#: Small-business loans: a company, or the small form that fits the trade (模具厂, 餐饮经营部).
SMALL_FORMS: dict[str, tuple[tuple[str, str], ...]] = {
    "retail_services": (_LTD, _LTD, ("经营部", "Business Department")),
    "wholesale_trade": (_LTD, _LTD, ("商行", "Trading Firm"), ("经营部", "Business Department")),
    "wholesale_retail": (_LTD, _LTD, ("商行", "Trading Firm"), ("经营部", "Business Department")),
    "electronics_trade": (_LTD, _LTD, ("商行", "Trading Firm")),
    "manufacturing": (_LTD, _LTD, ("厂", "Factory")),
    "machinery": (_LTD, _LTD, ("厂", "Factory")),
    "textiles": (_LTD, _LTD, ("厂", "Factory")),
    "chemicals": (_LTD, _LTD, ("厂", "Factory")),
    "agriculture": (_LTD, _LTD, ("专业合作社", "Cooperative")),
    "generic": (_LTD,),
}
#: Industries whose borrowers are people, not firms.
PERSONAL_INDUSTRIES = frozenset({"households"})
PERSON_SUFFIX = ("(个人)", " (individual)")
#: Shortest given name of a borrower who is a person (so their full names can be unique).
PERSON_GIVEN_CHARS = 2


@dataclass(frozen=True)
class Identity:
    """A borrower's company (or personal) name and legal representative, zh and en."""

    company_zh: str
    company_en: str
    legal_rep_zh: str
    legal_rep_en: str

    def company(self, lang: str = "zh") -> str:
        return self.company_zh if lang == "zh" else self.company_en

    def legal_rep(self, lang: str = "zh") -> str:
        return self.legal_rep_zh if lang == "zh" else self.legal_rep_en


# ---------------------------------------------------------------------------
# Unique codes: a seeded bijection of the code space
# ---------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _affine(name_seed: int, space: int) -> tuple[int, int]:
    """Multiplier and offset of ``k -> (a*k + c) mod space``, a bijection (gcd(a, space) = 1)."""
    rng = np.random.default_rng((int(name_seed), space, 0x1D))
    a = int(rng.integers(space // 3, 2 * space // 3 + 1)) | 1
    while math.gcd(a, space) != 1:
        a += 2
    return a % space or 1, int(rng.integers(0, space))


def _code(name_seed: int, slot: int, space: int) -> int:
    a, c = _affine(name_seed, space)
    return (a * slot + c) % space


def _digits(code: int, radices: tuple[int, ...]) -> list[int]:
    out = []
    for r in radices:
        code, d = divmod(code, r)
        out.append(d)
    return out


def _syllables(parts: list[str]) -> str:
    """Pinyin syllables as one capitalised word, with an apostrophe before a, o, e (Xi'an)."""
    word = parts[0]
    for p in parts[1:]:
        word += ("'" if p[0] in "aoe" else "") + p
    return word[:1].upper() + word[1:]


def _brand_length(n_slots: int) -> int:
    length = 2
    while len(BRAND_CHARS) ** length < n_slots:
        length += 1
    return length


def _person_given_length(n_slots: int) -> int:
    length = PERSON_GIVEN_CHARS
    while len(SURNAMES) * len(GIVEN_CHARS) ** length < n_slots:
        length += 1
    return length


def _person(surname: int, given: list[int]) -> tuple[str, str]:
    zh_s, en_s = SURNAMES[surname]
    chars = [GIVEN_CHARS[g] for g in given]
    return zh_s + "".join(c for c, _ in chars), f"{en_s} {_syllables([p for _, p in chars])}"


def _random_person(rng: np.random.Generator) -> tuple[str, str]:
    given = rng.integers(0, len(GIVEN_CHARS), 1 + int(rng.random() < 0.75))
    return _person(int(rng.integers(0, len(SURNAMES))), [int(g) for g in given])


def _pick(rng: np.random.Generator, words: tuple[tuple[str, str], ...]) -> tuple[str, str]:
    return words[int(rng.integers(0, len(words)))]


@lru_cache(maxsize=64)
def places_of(region: str) -> tuple[tuple[str, str], ...]:
    """The places (zh, en) a borrower of ``region`` is named after: the region's list above;
    else the generator's cities of a province it draws (sim.generate_tables.REGIONS);
    else the one place the region names, in Chinese (宁波) or in pinyin ("ningbo",
    "Ningbo"), from the places sim.names knows; else the generic list. A case an instructor
    wrote for Ningbo named its borrowers after Wuhan and Chengdu."""
    if region in PLACES:
        return PLACES[region]
    if region in REGIONS:  # a province the generator draws: the cities it names borrowers after
        return tuple((zh, names.place_en(zh)) for zh in REGIONS[region][2])
    text = str(region).strip()
    if text in names.PLACES:
        return ((text, names.place_en(text)),)
    key = "".join(c for c in text.lower() if c.isascii() and c.isalpha())
    found = _places_by_pinyin().get(key, ()) if key else ()
    return found if len(found) == 1 else PLACES["generic"]  # 台州 or 泰州? neither


@lru_cache(maxsize=1)
def _places_by_pinyin() -> dict[str, tuple[tuple[str, str], ...]]:
    """names.PLACES by their pinyin, letters only and lower case ("xian" for 西安)."""
    out: dict[str, tuple[tuple[str, str], ...]] = {}
    for zh in sorted(names.PLACES):
        en = names.place_en(zh)
        key = "".join(c for c in en.lower() if c.isalpha())
        out[key] = out.get(key, ()) + ((zh, en),)
    return out


def _name_for_slot(name_seed: int, slot: int, n_slots: int, loan_index: int, industry: str,
                   region: str, small_business: bool) -> Identity:
    # the loan's own generator: place, trade, form and representative (not the unique part)
    rng = np.random.default_rng((int(name_seed), int(loan_index), 0x4E))
    if industry in PERSONAL_INDUSTRIES:
        length = _person_given_length(n_slots)
        space = len(SURNAMES) * len(GIVEN_CHARS) ** length
        d = _digits(_code(name_seed, slot, space), (len(SURNAMES),) + (len(GIVEN_CHARS),) * length)
        zh, en = _person(d[0], d[1:])
        return Identity(zh + PERSON_SUFFIX[0], en + PERSON_SUFFIX[1], zh, en)
    length = _brand_length(n_slots)
    space = len(BRAND_CHARS) ** length
    brand = [BRAND_CHARS[d] for d in _digits(_code(name_seed, slot, space), (len(BRAND_CHARS),) * length)]
    place = _pick(rng, places_of(region))
    trade = _pick(rng, TRADES.get(industry, TRADES["generic"]))
    form = _pick(rng, SMALL_FORMS.get(industry, SMALL_FORMS["generic"]) if small_business
                 else CORPORATE_FORMS)
    rep = _random_person(rng)
    zh = place[0] + "".join(c for c, _ in brand) + trade[0] + form[0]
    en = f"{place[1]} {_syllables([p for _, p in brand])} {trade[1]} {form[1]}"
    return Identity(zh, en, rep[0], rep[1])


def borrower_identity(name_seed: int, index: int, n_loans: int, industry: str = "generic",
                      region: str = "generic", small_business: bool = False,
                      taken: frozenset[str] = frozenset()) -> Identity:
    """The generated identity of loan ``index`` of a case with ``n_loans`` loans.

    ``taken`` holds names (zh) the case's named borrowers use; a generated name
    that equals one moves to the loan's spare code (``n_loans + index``), which no
    other loan of the case uses.
    """
    n_slots = 2 * max(int(n_loans), int(index) + 1)
    ident = _name_for_slot(name_seed, index, n_slots, index, industry, region, small_business)
    if ident.company_zh in taken:
        ident = _name_for_slot(name_seed, n_slots // 2 + index, n_slots, index, industry, region,
                               small_business)
    return ident
