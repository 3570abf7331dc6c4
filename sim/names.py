"""English renderings of Chinese company and person names, for the English UI.

Chinese company and person names (a case's named borrowers, or any other); these pure functions give the
same borrower a consistent English form, deterministically and offline (pypinyin's
bundled dictionaries, no network):

    company_en("台州明泰模具有限公司") == "Taizhou Mingtai Mould Co., Ltd."
    person_en("陈国平") == "Chen Guoping"

Company names are read as [place] [brand] [trade words] [legal form]:

* the legal form (有限公司 ...) and the trade words before it (模具, 科技 ...) are
  taken off the end and translated from the glossary below (``TRADE_WORDS`` and
  ``LEGAL_FORMS``);
* places (provinces, prefecture-level cities and some well-known county-level
  cities, ``PLACES``) are taken off the start, each romanised as one capitalised
  word (台州 → Taizhou), with 省/市 dropped and 县/区/开发区 ... translated;
* what is left is the brand, romanised as capitalised pinyin: up to three
  characters make one word (明泰 → Mingtai), longer brands are cut into words of two
  characters (鑫博腾飞 → Xinbo Tengfei); letters and digits are kept as they are;
* text in brackets is rendered the same way and kept in brackets
  (（个体工商户） → (sole trader)).

Person names are written surname first, then the given name as one word
(陈国平 → Chen Guoping, 欧阳娜娜 → Ouyang Nana); surnames with a special reading
(曾 Zeng, 单 Shan, 解 Xie ...) come from ``SURNAME_READINGS``.

Pinyin is written without tones, with an apostrophe where a syllable starting with
a, o or e would run into the one before (西安 → Xi'an), and ü after l/n written "yu"
as in Chinese passports (吕 → Lyu). Output is always ASCII: a character pypinyin does
not know is left out rather than shown untranslated.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import pairwise

from pypinyin import Style, lazy_pinyin

# ---------------------------------------------------------------------------
# Glossary
# ---------------------------------------------------------------------------

#: Legal forms and shop types: translated only at the very end of a name (single
#: characters such as 厂 or 店 would otherwise be found inside brands).
LEGAL_FORMS: dict[str, str] = {
    "股份有限公司": "Co., Ltd. (joint-stock)",
    "有限责任公司": "Co., Ltd.",
    "有限公司": "Co., Ltd.",
    "公司": "Co.",
    "分公司": "Branch",
    "总公司": "Corporation",
    "有限合伙": "Limited Partnership",
    "合伙企业": "Partnership",
    "个人独资企业": "Sole Proprietorship",
    "个体工商户": "sole trader",
    "专业合作社": "Cooperative",
    "合作社": "Cooperative",
    "商行": "Trading",
    "经营部": "Business Department",
    "门市部": "Store",
    "工作室": "Studio",
    "事务所": "Office",
    "厂": "Factory",
    "店": "Store",
    "行": "Trading",
    "场": "Farm",
}

#: Trade words: what the business does, and other common name parts. Faker zh_CN's
#: company provider ends every name in 科技/网络/信息/传媒 + 有限公司, and its brand
#: list carries 电子, 计算机, 软件, 数字, 国际, 信息, 科技, 公司.
TRADE_WORDS: dict[str, str] = {
    # Faker zh_CN company suffixes and words in its brands
    "科技": "Technology",
    "网络": "Network",
    "信息": "Information",
    "传媒": "Media",
    "电子": "Electronics",
    "计算机": "Computer",
    "电脑": "Computer",
    "软件": "Software",
    "数字": "Digital",
    "国际": "International",
    "公司": "Company",  # inside a name; at the end it is the legal form "Co."
    # structure
    "集团": "Group",
    "控股": "Holdings",
    "实业": "Industrial",
    "产业": "Industry",
    "工业": "Industry",
    "企业": "Enterprise",
    "发展": "Development",
    "开发": "Development",
    "投资": "Investment",
    "管理": "Management",
    "咨询": "Consulting",
    "服务": "Services",
    "世纪": "Century",
    "中心": "Centre",
    # technology and media
    "技术": "Technology",
    "信息技术": "Information Technology",
    "高科技": "High-Tech",
    "数码": "Digital",
    "通信": "Communications",
    "通讯": "Communications",
    "智能": "Smart",
    "互联网": "Internet",
    "物联网": "IoT",
    "大数据": "Big Data",
    "电子商务": "E-Commerce",
    "电商": "E-Commerce",
    "文化": "Culture",
    "传播": "Communication",
    "广告": "Advertising",
    "影视": "Film & TV",
    "设计": "Design",
    "教育": "Education",
    "培训": "Training",
    # trade
    "贸易": "Trading",
    "商贸": "Commerce",
    "工贸": "Industry & Trade",
    "进出口": "Import & Export",
    "商务": "Business",
    "批发": "Wholesale",
    "零售": "Retail",
    "百货": "Department Store",
    "超市": "Supermarket",
    "便利店": "Convenience Store",
    "日用品": "Household Goods",
    # building and property
    "建设": "Construction",
    "建筑": "Construction",
    "工程": "Engineering",
    "建材": "Building Materials",
    "装饰": "Decoration",
    "置业": "Property",
    "房地产": "Property",
    "地产": "Property",
    "物业": "Property Management",
    "园林": "Landscaping",
    "市政": "Municipal",
    # manufacturing
    "制造": "Manufacturing",
    "制品": "Products",
    "机械": "Machinery",
    "设备": "Equipment",
    "机电": "Mechanical & Electrical",
    "电器": "Electrical Appliances",
    "电气": "Electric",
    "模具": "Mould",
    "五金": "Hardware",
    "金属": "Metal",
    "钢铁": "Steel",
    "精密": "Precision",
    "塑料": "Plastics",
    "塑胶": "Plastics",
    "橡胶": "Rubber",
    "化工": "Chemical",
    "化纤": "Chemical Fibre",
    "材料": "Materials",
    "新材料": "New Materials",
    "包装": "Packaging",
    "印刷": "Printing",
    "汽车": "Automotive",
    "汽配": "Auto Parts",
    "配件": "Parts",
    "家具": "Furniture",
    "家居": "Home Furnishings",
    "玻璃": "Glass",
    "陶瓷": "Ceramics",
    "纸业": "Paper",
    "能源": "Energy",
    "新能源": "New Energy",
    "光伏": "Photovoltaic",
    "照明": "Lighting",
    "环保": "Environmental Protection",
    "矿业": "Mining",
    # textiles
    "纺织": "Textile",
    "家纺": "Home Textiles",
    "印染": "Printing & Dyeing",
    "印花": "Printing",
    "织造": "Weaving",
    "服装": "Garments",
    "服饰": "Apparel",
    "鞋业": "Footwear",
    "皮革": "Leather",
    # food and farming
    "食品": "Food",
    "饮料": "Beverages",
    "餐饮": "Catering",
    "酒店": "Hotel",
    "农业": "Agriculture",
    "农资": "Farm Supplies",
    "农产品": "Agricultural Products",
    "生鲜": "Fresh",
    "蔬菜": "Vegetable",
    "水果": "Fruit",
    "养殖": "Breeding",
    "畜牧": "Livestock",
    "家庭农场": "Family Farm",
    "农场": "Farm",
    "生态": "Ecological",
    # transport and logistics
    "物流": "Logistics",
    "冷链": "Cold-Chain",
    "运输": "Transport",
    "供应链": "Supply Chain",
    "仓储": "Warehousing",
    "货运": "Freight",
    # health
    "医药": "Pharmaceutical",
    "医疗": "Medical",
    "医疗器械": "Medical Devices",
    "生物": "Bio",
    "生物科技": "Biotechnology",
    "健康": "Health",
    # finance
    "金融": "Finance",
    "资产": "Asset",
    "担保": "Guarantee",
    "融资租赁": "Financial Leasing",
    "小额贷款": "Microcredit",
    "旅游": "Tourism",
    # shops and places of business
    "饭店": "Restaurant",
    "餐厅": "Restaurant",
    "市场": "Market",
    "商场": "Shopping Mall",
    "广场": "Plaza",
    "银行": "Bank",
}

#: What may follow a place name: dropped (省, 市) or translated (县 → County).
PLACE_SUFFIXES: dict[str, str] = {
    "特别行政区": "",
    "壮族自治区": "",
    "回族自治区": "",
    "维吾尔自治区": "",
    "自治区": "",
    "省": "",
    "市": "",
    "县": "County",
    "区": "District",
    "镇": "Town",
}


def _names(block: str) -> frozenset[str]:
    """Names written as a whitespace-separated block (easier to read than a list)."""
    return frozenset(block.split())


#: Zones that may stand after a place or at the start of a name (开发区世创 ...).
ZONES: dict[str, str] = {
    "经济技术开发区": "Economic and Technological Development Zone",
    "高新技术产业开发区": "Hi-Tech Industrial Development Zone",
    "经济开发区": "Economic Development Zone",
    "高新区": "Hi-Tech Zone",
    "开发区": "Development Zone",
    "工业园区": "Industrial Park",
    "工业园": "Industrial Park",
    "保税区": "Free Trade Zone",
    "新区": "New Area",
}

#: Provinces, prefecture-level cities and some well-known county-level cities and
#: districts; each is romanised as one word unless PLACE_NAMES gives a usual English
#: name. Only used at the start of a name (and before a branch's 分公司).
PLACES: frozenset[str] = _names("""
北京 天津 上海 重庆 河北 山西 内蒙古 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南
湖北 湖南 广东 广西 海南 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆 台湾 香港 澳门
石家庄 唐山 秦皇岛 邯郸 邢台 保定 张家口 承德 沧州 廊坊 衡水
太原 大同 阳泉 长治 晋城 朔州 晋中 运城 忻州 临汾 吕梁
呼和浩特 包头 乌海 赤峰 通辽 鄂尔多斯 呼伦贝尔 巴彦淖尔 乌兰察布
沈阳 大连 鞍山 抚顺 本溪 丹东 锦州 营口 阜新 辽阳 盘锦 铁岭 朝阳 葫芦岛
长春 四平 辽源 通化 白山 松原 白城 延边
哈尔滨 齐齐哈尔 鸡西 鹤岗 双鸭山 大庆 伊春 佳木斯 七台河 牡丹江 黑河 绥化
南京 无锡 徐州 常州 苏州 南通 连云港 淮安 盐城 扬州 镇江 泰州 宿迁
昆山 江阴 常熟 张家港 太仓 宜兴 溧阳 丹阳 靖江 海门 启东 如皋 吴江
杭州 宁波 温州 嘉兴 湖州 绍兴 金华 衢州 舟山 台州 丽水
义乌 慈溪 余姚 乐清 瑞安 温岭 诸暨 海宁 桐乡 东阳 永康 玉环 临海 柯桥 萧山 余杭 上虞
长兴 平湖 嵊州
合肥 芜湖 蚌埠 淮南 马鞍山 淮北 铜陵 安庆 黄山 滁州 阜阳 宿州 六安 亳州 池州 宣城 巢湖
福州 厦门 莆田 三明 泉州 漳州 南平 龙岩 宁德 晋江 石狮 福清
南昌 景德镇 萍乡 九江 新余 鹰潭 赣州 吉安 宜春 抚州 上饶
济南 青岛 淄博 枣庄 东营 烟台 潍坊 济宁 泰安 威海 日照 临沂 德州 聊城 滨州 菏泽 寿光 胶州
郑州 开封 洛阳 平顶山 安阳 鹤壁 新乡 焦作 濮阳 许昌 漯河 三门峡 南阳 商丘 信阳 周口 驻马店
武汉 黄石 十堰 宜昌 襄阳 襄樊 鄂州 荆门 孝感 荆州 黄冈 咸宁 随州 恩施 仙桃 潜江 天门
长沙 株洲 湘潭 衡阳 邵阳 岳阳 常德 张家界 益阳 郴州 永州 怀化 娄底 浏阳
广州 韶关 深圳 珠海 汕头 佛山 江门 湛江 茂名 肇庆 惠州 梅州 汕尾 河源 阳江 清远 东莞 中山
潮州 揭阳 云浮 顺德
南宁 柳州 桂林 梧州 北海 防城港 钦州 贵港 玉林 百色 贺州 河池 来宾 崇左
海口 三亚 儋州
成都 自贡 攀枝花 泸州 德阳 绵阳 广元 遂宁 内江 乐山 南充 眉山 宜宾 广安 达州 雅安 巴中 资阳
贵阳 六盘水 遵义 安顺 毕节 铜仁
昆明 曲靖 玉溪 保山 昭通 丽江 普洱 临沧 楚雄 大理
拉萨 日喀则
西安 铜川 宝鸡 咸阳 渭南 延安 汉中 榆林 安康 商洛
兰州 嘉峪关 金昌 白银 天水 武威 张掖 平凉 酒泉 庆阳 定西
西宁 银川 石嘴山 吴忠 固原 中卫
乌鲁木齐 克拉玛依 吐鲁番 哈密 喀什 石河子
浦东 闵行 海淀 滨海 前海
""")

#: Places whose usual English name is not their plain pinyin.
PLACE_NAMES: dict[str, str] = {
    "内蒙古": "Inner Mongolia",
    "陕西": "Shaanxi",
    "香港": "Hong Kong",
    "澳门": "Macau",
    "呼和浩特": "Hohhot",
    "鄂尔多斯": "Ordos",
    "呼伦贝尔": "Hulunbuir",
    "巴彦淖尔": "Bayannur",
    "乌兰察布": "Ulanqab",
    "哈尔滨": "Harbin",
    "齐齐哈尔": "Qiqihar",
    "拉萨": "Lhasa",
    "乌鲁木齐": "Urumqi",
    "克拉玛依": "Karamay",
    "吐鲁番": "Turpan",
    "喀什": "Kashgar",
    "日喀则": "Shigatse",
    # pypinyin's reading is wrong for these
    "长治": "Changzhi",
    "朝阳": "Chaoyang",
    "闵行": "Minhang",
    "漯河": "Luohe",
}

#: Compound (two-character) surnames.
COMPOUND_SURNAMES: frozenset[str] = _names("""
欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 令狐 端木 独孤 南宫
西门 澹台 万俟 轩辕 钟离 闻人 赫连 呼延 申屠 司空 太史 东郭 百里 第五 拓跋
""")

#: Surnames read differently from the character's everyday reading (pypinyin's default).
SURNAME_READINGS: dict[str, str] = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "区": "ou",
    "朴": "piao",
    "查": "zha",
    "乐": "yue",
    "盖": "ge",
    "缪": "miao",
    "覃": "qin",
    "翟": "zhai",
    "卜": "bu",
    "都": "du",
    "薄": "bo",
    "阚": "kan",
    "秘": "bi",
    "种": "chong",
    "召": "shao",
    "员": "yun",
    "繁": "po",
    "隗": "wei",
    "尉迟": "yuchi",
    "万俟": "moqi",
    "长孙": "zhangsun",
    "澹台": "tantai",
}

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[A-Za-z0-9&+\-.]+")  # Han, or ASCII
_BRACKETS = re.compile(r"(\([^()]*\))")
# punctuation a Chinese name may carry, after NFKC (which already makes full-width
# brackets, letters and digits ASCII)
_PUNCT = str.maketrans({"、": ",", "·": " ", "•": " ", "・": " ", "《": "", "》": "",
                        "“": "", "”": "", "‘": "", "’": "", "。": ""})


# ---------------------------------------------------------------------------
# Pinyin
# ---------------------------------------------------------------------------

def _syllables(zh: str) -> list[str]:
    """Toneless pinyin, one syllable per character pypinyin knows; ü after l/n as yu."""
    out = lazy_pinyin(zh, style=Style.NORMAL, errors="ignore")
    return [re.sub(r"^([ln])v", r"\1yu", s).replace("v", "u") for s in out if s]


def _word(sylls: list[str]) -> str:
    """Syllables joined into one capitalised word, with apostrophes where needed."""
    word = ""
    for s in sylls:
        if word and s[0] in "aoe":
            word += "'"
        word += s
    return word[:1].upper() + word[1:]


def place_en(zh: str) -> str:
    """A place's English name: 台州 -> Taizhou, 西安 -> Xi'an."""
    return PLACE_NAMES.get(zh) or _word(_syllables(zh))


def _brand(zh: str) -> list[str]:
    """A brand (明泰, 鑫博腾飞, 数字100) as capitalised words."""
    words: list[str] = []
    for m in _RUN.finditer(zh):
        run = m.group()
        if not _HAN.match(run):
            words.append(run)
        elif run in TRADE_WORDS:
            words.append(TRADE_WORDS[run])
        else:
            sylls = _syllables(run)
            n = len(sylls)
            if n <= 3:
                cuts = [0, n]
            else:  # words of two syllables, the last one of three if the count is odd
                cuts = list(range(0, n - 1 if n % 2 else n, 2)) + [n]
            words += [_word(sylls[a:b]) for a, b in pairwise(cuts) if b > a]
    return words


# ---------------------------------------------------------------------------
# Companies
# ---------------------------------------------------------------------------

def _longest(table, text: str, start: int, end: bool = False) -> str | None:
    """Longest key of table at text[start:] (or, if end, ending at text[:start])."""
    best = None
    for k in table:
        hit = text.endswith(k, 0, start) if end else text.startswith(k, start)
        if hit and (best is None or len(k) > len(best)):
            best = k
    return best


def _segment(zh: str) -> list[str]:
    """English words for one stretch of a company name with no brackets in it."""
    head: list[str] = []
    i = 0
    while i < len(zh):  # places and zones off the start
        if (k := _longest(PLACES, zh, i)) is not None:
            head.append(place_en(k))
            i += len(k)
            suffix = _longest(PLACE_SUFFIXES, zh, i)
            if suffix is not None and not (suffix == "市" and zh.startswith("市场", i)):
                if PLACE_SUFFIXES[suffix]:
                    head.append(PLACE_SUFFIXES[suffix])
                i += len(suffix)
        elif (k := _longest(ZONES, zh, i)) is not None:
            head.append(ZONES[k])
            i += len(k)
        else:
            break
    tail: list[str] = []
    j = len(zh)
    after_place = False
    while j > i:  # legal form, trade words (and a branch's place) off the end
        k = _longest(LEGAL_FORMS, zh, j, end=True)
        trade = _longest(TRADE_WORDS, zh, j, end=True)
        # a legal form ends the name, or the head office's name before a branch's place
        # (X有限公司台州分公司); single characters (厂, 店) only at the very end
        if k is not None and (not tail or (after_place and len(k) > 1)) \
                and len(k) >= len(trade or ""):
            tail.append(LEGAL_FORMS[k])
            after_place = False
        elif trade is not None:
            k = trade
            tail.append(TRADE_WORDS[k])
            after_place = False
        elif tail and (k := _longest(PLACES, zh, j, end=True)) is not None:
            tail.append(place_en(k))
            after_place = True
        else:
            break
        j -= len(k)
    words = head + _brand(zh[i:j]) + tail[::-1]
    # one word for a doubled trade word (飞海科技 + 科技有限公司 → Feihai Technology Co., Ltd.)
    return [w for n, w in enumerate(words) if n == 0 or w != words[n - 1]]


def company_en(zh: str) -> str:
    """English rendering of a Chinese company name, e.g.
    "台州明泰模具有限公司" → "Taizhou Mingtai Mould Co., Ltd."; always ASCII."""
    text = unicodedata.normalize("NFKC", zh).translate(_PUNCT)
    text = re.sub(r"\s+", "", text)
    parts: list[str] = []
    for piece in _BRACKETS.split(text):
        if not piece:
            continue
        if piece.startswith("(") and piece.endswith(")"):
            inner = company_en(piece[1:-1])
            if inner:
                parts.append(f"({inner})")
        else:
            parts += _segment(piece.replace("(", "").replace(")", ""))
    out = " ".join(p for p in parts if p)
    return _ascii(out)


# ---------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------

def person_en(zh: str) -> str:
    """English rendering of a Chinese person's name, surname first:
    "陈国平" → "Chen Guoping", "欧阳娜娜" → "Ouyang Nana"; always ASCII."""
    text = unicodedata.normalize("NFKC", zh).strip()
    if not _HAN.search(text):
        return _ascii(text)
    parts = [p for p in re.split(r"[·•・\s]+", text) if p]
    if len(parts) > 1:  # transliterated names (买买提·艾力): one word per part
        return _ascii(" ".join(_word(_syllables(p)) or p for p in parts))
    name = parts[0]
    n = 2 if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES else 1
    surname, given = name[:n], name[n:]
    sur = SURNAME_READINGS.get(surname)
    words = [_word([sur] if sur else _syllables(surname))]
    if given:
        words.append(_word(_syllables(given)))
    return _ascii(" ".join(w for w in words if w))


def _ascii(text: str) -> str:
    """Drop anything not ASCII (a character pypinyin did not know) and tidy spaces."""
    text = "".join(c for c in text if c.isascii())
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"\( ", "(", re.sub(r" \)", ")", text))
