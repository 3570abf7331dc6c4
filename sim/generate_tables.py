"""What generated books look like: product templates, industries, regions, scripted events.

Data for sim.generate, kept apart so the generator reads as steps. Each figure is domain
(../shared/domain.md), practice or assumption, as marked.
"""

from __future__ import annotations

from dataclasses import dataclass

LTV_CAP = {"property": 0.70, "land": 0.70, "construction": 0.50, "equipment": 0.50,
           "receivables": 0.70, "deposit": 0.90}
"""Loan-to-value caps at disbursement. Property 70%, land 70% and construction in progress
50%: domain.md (practice caps). Equipment, receivables and deposits: assumption (domain.md
gives no figure; equipment sells badly, a pledged deposit is nearly cash)."""
LTV_FLOOR = 0.30


@dataclass(frozen=True)
class ProductTemplate:
    """How loans of one product usually look (ranges the generator draws from).

    Figures are practice or assumption, in line with domain.md: working-capital terms up
    to 3 years, development loans secured on land or construction in progress, retail
    correlation low (revolving retail 4%), corporate 12-24%.
    """

    zh: str
    en: str
    weight: float  # relative number of loans in a mixed book
    max_count: int
    median_cny: tuple[float, float]
    sigma: tuple[float, float]
    terms_months: tuple[int, ...]
    repayments: tuple[str, ...]
    floating_chance: float
    lpr_base: str
    spread: tuple[float, float]
    fixed_annual: tuple[float, float]
    collateral: tuple[str, ...]
    pd: tuple[float, float]
    rho: tuple[float, float]
    guarantees: tuple[str, ...]
    entrusted_chance: float
    undrawn: tuple[float, float]
    diversion: tuple[float, float]
    industries: tuple[str, ...]


TEMPLATES: dict[str, ProductTemplate] = {
    "working_capital": ProductTemplate(
        "流动资金贷款", "working-capital loans", 1.0, 600, (1e6, 2e7), (0.4, 0.8),
        (12, 24, 36), ("interest_only_bullet", "equal_instalment", "equal_principal"), 0.7,
        "lpr_1y", (0.003, 0.02), (0.035, 0.06),
        ("property", "receivables", "equipment", "deposit", "none"), (0.01, 0.06),
        (0.10, 0.24), ("none", "mutual", "chain", "single"), 0.3, (0.0, 0.3), (0.0, 0.12),
        ("manufacturing", "textiles", "machinery", "electronics", "chemicals",
         "wholesale_retail", "logistics")),
    "fixed_asset": ProductTemplate(
        "固定资产贷款", "fixed-asset loans", 0.4, 300, (5e6, 8e7), (0.3, 0.7),
        (36, 48, 60), ("equal_principal", "equal_instalment"), 0.8, "lpr_5y",
        (0.0, 0.015), (0.035, 0.055), ("land", "construction", "equipment", "property"),
        (0.005, 0.04), (0.12, 0.24), ("none", "single", "mutual"), 0.7, (0.2, 0.6),
        (0.0, 0.08), ("manufacturing", "energy", "logistics", "healthcare", "agrifood")),
    "real_estate_dev": ProductTemplate(
        "房地产开发贷款", "real-estate development loans", 0.1, 60, (5e7, 4e8), (0.3, 0.6),
        (24, 36, 48), ("interest_only_bullet",), 0.9, "lpr_5y", (0.005, 0.025),
        (0.045, 0.07), ("land", "construction"), (0.02, 0.08), (0.15, 0.30),
        ("none", "single"), 0.8, (0.3, 0.6), (0.0, 0.15), ("real_estate",)),
    "small_business": ProductTemplate(
        "小微企业经营贷款", "small-business loans", 2.0, 2000, (2e5, 2e6), (0.4, 0.7),
        (12, 24, 36), ("equal_instalment", "equal_principal", "interest_only_bullet"), 0.4,
        "lpr_1y", (0.005, 0.03), (0.035, 0.08), ("property", "none", "equipment"),
        (0.02, 0.08), (0.08, 0.20), ("none", "mutual", "chain"), 0.1, (0.0, 0.1),
        (0.0, 0.1), ("wholesale_retail", "catering", "manufacturing", "agrifood")),
    "consumer": ProductTemplate(
        "个人消费贷款", "consumer loans", 3.0, 3000, (3e4, 3e5), (0.5, 0.9),
        (12, 24, 36, 48, 60), ("equal_instalment", "equal_principal"), 0.2, "lpr_1y",
        (0.01, 0.04), (0.04, 0.12), ("none", "property", "deposit"), (0.005, 0.05),
        (0.03, 0.15), ("none",), 0.5, (0.0, 0.0), (0.0, 0.05), ("households",)),
}

INDUSTRY_NAMES = {
    "manufacturing": ("制造业", "manufacturing", "机械制造"),
    "textiles": ("纺织印染", "textiles and dyeing", "纺织"),
    "machinery": ("机械设备", "machinery", "机械"),
    "electronics": ("电子元器件", "electronics", "电子"),
    "chemicals": ("化工", "chemicals", "化工"),
    "wholesale_retail": ("批发零售", "wholesale and retail", "商贸"),
    "logistics": ("物流运输", "logistics", "物流"),
    "energy": ("新能源", "renewable energy", "新能源"),
    "healthcare": ("医疗健康", "healthcare", "医疗器械"),
    "agrifood": ("农副食品加工", "food processing", "食品"),
    "catering": ("餐饮住宿", "catering and hotels", "餐饮"),
    "real_estate": ("房地产", "real estate", "置业"),
    "households": ("居民个人", "households", "商贸"),
}
"""industry slug: (Chinese name, English name, trade word in a company name)."""

REGIONS = {
    "zhejiang": ("浙江", "Zhejiang", ("台州", "绍兴", "温州", "金华")),
    "jiangsu": ("江苏", "Jiangsu", ("苏州", "无锡", "常州", "南通")),
    "guangdong": ("广东", "Guangdong", ("东莞", "佛山", "中山", "惠州")),
    "shandong": ("山东", "Shandong", ("潍坊", "临沂", "淄博", "烟台")),
    "sichuan": ("四川", "Sichuan", ("绵阳", "德阳", "宜宾", "南充")),
    "henan": ("河南", "Henan", ("洛阳", "许昌", "新乡", "南阳")),
    "fujian": ("福建", "Fujian", ("泉州", "莆田", "漳州", "宁德")),
    "hubei": ("湖北", "Hubei", ("襄阳", "宜昌", "荆州", "孝感")),
}
"""region slug: (Chinese name, English name, cities for borrower names)."""

SCRIPTED = {
    "health_shock": ("资金链趋紧，开始拖欠供应商货款。", "Cash runs short; suppliers go unpaid."),
    "diversion_start": ("部分贷款资金被转入关联公司。",
                        "Part of the loan money is moved to an affiliate."),
    "key_person_leaves": ("财务负责人离职，报表迟交。",
                          "The finance head resigns; statements arrive late."),
    "lawsuit_filed": ("被一家供应商起诉追讨货款。", "A supplier sues over unpaid invoices."),
    "collateral_damage": ("抵押厂房部分受损，价值下降。",
                          "The pledged plant is partly damaged and worth less."),
    "sales_drop": ("最大客户削减订单约三成。", "The largest customer cuts orders by about 30%."),
    "tax_arrears": ("欠缴税款，被列入欠税公告。",
                    "Taxes unpaid; the firm appears on the arrears notice."),
    "recovery": ("新订单到位，经营好转。", "New orders arrive and business picks up."),
}
"""Scripted borrower events with their notes (zh, en)."""
SCRIPTED_HOUSEHOLD = {
    "health_shock": ("家庭开支骤增，开始拖欠信用卡和其他借款。",
                     "Household costs jump; credit cards and other debts start to slip."),
    "diversion_start": ("部分贷款资金被转入股市。", "Part of the loan money goes into the stock market."),
    "key_person_leaves": ("借款人失去主要收入来源（工作或最大的客户）。",
                          "The borrower loses the main source of income (a job or the biggest "
                          "customer)."),
    "lawsuit_filed": ("被另一家放贷机构起诉追讨欠款。", "Another lender sues over unpaid debt."),
    "collateral_damage": ("抵押的房产部分受损，价值下降。",
                          "The pledged home is partly damaged and worth less."),
    "sales_drop": ("个体经营收入减少约三成。",
                   "Income from the borrower's small business falls by about 30%."),
    "tax_arrears": ("个体经营欠缴税款，被税务机关追缴。",
                    "The borrower's small business owes tax and is pursued for it."),
    "recovery": ("收入恢复，还款趋于正常。", "Income recovers and repayments settle."),
}
"""The same events told of a household (a consumer loan's self-employed borrower): the
same kinds, so the same draws and the same effects in the engine (a household shows no
company signal: sim.signals.describes)."""
