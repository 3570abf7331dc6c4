"""Default parameters of the model, each with where it comes from.

Every figure the engine uses lives here or in the scenario file. "domain" means
../shared/domain.md (rules and practice with sources); "assumption" means our
choice, kept overridable per scenario.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# --- Credit model -----------------------------------------------------------
IDIO_PHI_MONTHLY = 0.85
"""Month-to-month autocorrelation of a borrower's idiosyncratic health (assumption:
health drifts over a few months, so warning signs can lead default)."""
SYSTEMATIC_PHI_MONTHLY = 0.99
"""Persistence of the systematic factors (assumption: business cycles last years)."""
FACTOR_WEIGHTS = {"economy": 0.6, "industry": 0.25, "region": 0.15}
"""Share of the systematic variance from each factor (assumption); the squares of
the loadings sum to 1, so a loan's total asset correlation is its segment's rho."""
MISSES_TO_DEFAULT = 3
"""Consecutive missed monthly payments that make 90 days past due, the default event (domain)."""
CALIBRATION_PATHS = 1 << 17
CALIBRATION_SEED = 20240101

# --- Borrower behaviour --------------------------------------------------------
RATE_BURDEN_HEALTH_PER_PCT = 0.25
"""Health lost per percentage point rise in a floating borrower's rate (assumption)."""
DIVERSION_DRAIN_PER_MONTH = 0.06
"""Health lost each month while loan money is diverted (assumption)."""
DIVERSION_ONSET_HEALTH = 0.8
"""A borrower prone to divert starts doing so when its health falls below this (assumption)."""
GUARANTEE_CONTAGION_HEALTH = 1.2
"""Health a guaranteed borrower loses when its guarantor defaults (assumption)."""
DRAWDOWN_HEALTH = 0.6
"""A distressed borrower draws its unused line when health falls below this (assumption)."""
COLLATERAL_DECAY_PER_MONTH_DISTRESSED = 0.015
"""Monthly loss of collateral condition while the borrower is distressed (assumption)."""
RESIDUAL_RECOVERY_SHARE = 0.30
"""Unsecured recovery as a share of the claim when action starts at once (domain: LGD 45%
senior unsecured, foundation IRB; large corporate workouts 24-26%)."""
RESIDUAL_HALF_LIFE_MONTHS = 9.0
"""Months of distress after which the borrower's free assets have halved (assumption:
other creditors and the owners strip what is left; why late collection recovers less)."""
SELF_CURE_DEFAULTED = 0.008
"""Monthly cure chance of a defaulted loan left alone (domain: 0.8% at 90+ days)."""
DISASTER_PERMANENT_HEALTH = 0.6
"""Share of a disaster's severity that stays in the health of a borrower whose damage is
permanent (assumption); the rest fades with the disaster, as for everyone it hit."""
EARLY_REPAYMENT_ON_DAMAGE = 0.5
"""Chance that a healthy borrower hit by an aggressive action repays and leaves (assumption)."""

# --- Collateral and auctions (domain) -------------------------------------------
AUCTION_START_SHARE = 0.70
AUCTION_SECOND_ROUND_CUT = 0.20
AUCTION_SALE_PROBABILITY = {"round1": 0.24, "round2": 0.30, "sale_period": 0.35}
AUCTION_PRICE_SHARE = 0.77
COLLATERAL_LIQUIDITY = {
    "none": 0.0, "property": 1.0, "land": 0.8, "construction": 0.6,
    "equipment": 0.5, "receivables": 0.6, "deposit": 1.0,
}
"""Relative ease of selling each collateral type (assumption; property = 1)."""

# --- Legal (domain: Civil Procedure Law, litigation fee measures) -------------------
COURT_FEE_SHARE = 0.008
LEGAL_COST_SHARE = 0.01
LAWSUIT_MONTHS = 9
SECURITY_ENFORCEMENT_MONTHS = 1
CLAIM_SALE_VALUE_FACTOR = 0.6
"""A buyer pays about this share of what it expects to recover (assumption, so that
secured corporate claims fetch about 30% of the claim, as in the 2022 transfer pilot;
unsecured retail claims, with little to recover, fetch a few per cent, as retail batches
did at 2.7%)."""

# --- Officers and checks ----------------------------------------------------------
CHECK_HOURS = {
    # product: (first, routine, targeted)  (assumption: an on-site corporate check takes a day)
    "working_capital": (8.0, 6.0, 10.0),
    "fixed_asset": (10.0, 8.0, 12.0),
    "real_estate_dev": (14.0, 10.0, 16.0),
    "small_business": (4.0, 3.0, 6.0),
    "consumer": (1.0, 0.5, 2.0),
}
RUSH_FACTOR = 1.5
"""Overloaded officers squeeze up to this many checks into the time of one (assumption);
each rushed check is a formality with proportionally lower detection (流于形式)."""
QUALITY_EXPONENT = 1.5
"""Detection probability scales with quality ** this (assumption)."""



@dataclass(frozen=True)
class SignalType:
    """An early-warning signal (预警信号) the officer can see."""

    id: str
    group: str
    source: str  # "offsite": seen every month by monitoring; "onsite": only by a check
    lead_months: float  # how early, on average, it appears before trouble turns into default
    lag_months: int  # delay before the bank can see it
    miss_rate: float  # chance a true condition is not seen
    false_positive_rate: float  # monthly chance it fires with no real trouble
    zh: str
    en: str
    driver: str = "health"  # "health", "diversion", "collateral", "guarantor", "payment"
    every_months: int = 1  # statements arrive quarterly


SIGNAL_LEAD_TO_HEALTH = 0.2
"""Health margin per month of lead time: a signal with lead L fires when health is below
0.2 * L (assumption; measured lead times are printed by benchmarks/signals.py)."""

SIGNALS: dict[str, SignalType] = {
    s.id: s
    for s in [
        SignalType("payment_late", "payment", "offsite", 0.0, 0, 0.0, 0.0,
                   "还款逾期", "Payment overdue", driver="payment"),
        SignalType("turnover_drop", "account_flows", "offsite", 4.0, 0, 0.35, 0.02,
                   "账户流水明显下降", "Account turnover falling"),
        SignalType("collection_bypass", "account_flows", "offsite", 3.0, 0, 0.5, 0.01,
                   "销售回款绕开回笼账户", "Receipts bypass the collection account"),
        SignalType("funds_to_affiliates", "account_flows", "onsite", 0.0, 0, 0.2, 0.01,
                   "贷款资金流向关联方或经营范围外", "Loan money paid to affiliates or outside the business",
                   driver="diversion"),
        SignalType("statement_weak", "financial", "offsite", 6.0, 2, 0.3, 0.03,
                   "财务报表恶化(应收存货增速高于销售)", "Statements weaken (receivables outpace sales)",
                   every_months=3),
        SignalType("short_debt_surge", "financial", "onsite", 5.0, 0, 0.3, 0.02,
                   "短期负债激增", "Short-term debt surges"),
        SignalType("plant_idle", "operational", "onsite", 3.0, 0, 0.2, 0.01,
                   "停工停产或项目延期", "Plant idle or project delayed"),
        SignalType("wage_arrears", "operational", "onsite", 2.0, 0, 0.3, 0.01,
                   "拖欠工资或工程款", "Wage or contractor arrears"),
        SignalType("key_person", "management", "offsite", 2.5, 0, 0.6, 0.005,
                   "实际控制人或高管异常变动", "Key person leaves or cannot be reached"),
        SignalType("lawsuit", "public_record", "offsite", 2.0, 1, 0.4, 0.01,
                   "涉诉或账户被冻结", "Lawsuit or frozen account"),
        SignalType("tax_arrears", "public_record", "offsite", 1.5, 1, 0.5, 0.005,
                   "欠缴税款", "Tax arrears"),
        SignalType("enforcement_list", "public_record", "offsite", 0.5, 1, 0.3, 0.002,
                   "被列入失信被执行人名单", "On the court enforcement list"),
        SignalType("guarantor_trouble", "guarantee", "offsite", 0.0, 0, 0.3, 0.005,
                   "担保人或关联企业出现风险", "Guarantor or affiliate in trouble", driver="guarantor"),
        SignalType("collateral_value_fall", "collateral", "onsite", 0.0, 0, 0.2, 0.01,
                   "抵押物价值下降或状况异常", "Collateral value or condition down",
                   driver="collateral"),
        SignalType("avoids_contact", "behaviour", "offsite", 1.0, 0, 0.5, 0.01,
                   "回避银行联系、迟交报表", "Avoids the bank, files late"),
    ]
}


@dataclass(frozen=True)
class InterventionType:
    """A post-loan action (贷后处置措施) with its cost and where it can be used."""

    id: str
    hours: float
    cost_cny: float
    cost_share: float  # money cost as a share of the loan balance
    duration_months: float
    requires: tuple[str, ...]  # preconditions, checked by sim.interventions
    aggressive: bool
    zh: str
    en: str
    stage: str  # "monitor", "prevent", "restructure", "collect", "workout"
    params: dict = field(default_factory=dict)


INTERVENTIONS: dict[str, InterventionType] = {
    i.id: i
    for i in [
        InterventionType("closer_monitoring", 1.0, 0, 0, 6, ("active",), False,
                         "加强监控(改为按月检查)", "Closer monitoring (monthly checks)", "monitor"),
        InterventionType("onsite_check", 0.0, 0, 0, 0, ("active",), False,
                         "现场检查", "On-site check", "monitor"),
        InterventionType("add_collateral", 8.0, 2000, 0, 1, ("active", "not_defaulted"),
                         False, "追加抵押或保证人", "Additional collateral or guarantor", "prevent",
                         {"top_up_ltv_share": 0.3, "health_margin": 0.5}),
        InterventionType("freeze_line", 2.0, 0, 0, 0, ("active", "not_defaulted", "has_undrawn"), True,
                         "冻结额度/停止放款", "Freeze the undrawn line / stop disbursing", "prevent"),
        InterventionType("entrusted_payment", 4.0, 0, 0, 0, ("active", "not_defaulted", "self_payment"),
                         False, "改为受托支付", "Switch to entrusted payment", "prevent"),
        InterventionType("restructure", 16.0, 5000, 0, 1, ("active", "not_defaulted", "in_difficulty"),
                         False, "展期或重组", "Extension or restructuring", "restructure",
                         {"health_boost": 0.9, "rate_concession": 0.01, "observation_months": 12,
                          "stage_factor": {0: 1.0, 30: 0.5, 60: 0.25}}),
        InterventionType("emergency_deferral", 4.0, 0, 0, 0, ("active", "not_defaulted", "disaster_hit"),
                         False, "灾害应急延期还款", "Emergency deferral after a disaster", "restructure",
                         {"months": 6}),
        InterventionType("accelerate", 6.0, 1000, 0, 0, ("active",), True,
                         "提前收回贷款", "Accelerate (recall the loan early)", "workout",
                         {"repay_health": 1.0}),
        InterventionType("collect_call", 0.5, 20, 0, 0, ("active", "overdue"), False,
                         "电话催收", "Collection call", "collect", {"cure_boost": 0.15}),
        InterventionType("collect_letter", 1.0, 200, 0, 0, ("active", "overdue"), False,
                         "律师函/催收函", "Demand letter", "collect", {"cure_boost": 0.2}),
        InterventionType("collect_visit", 4.0, 500, 0, 0, ("active", "overdue"), False,
                         "上门催收", "Collection visit", "collect", {"cure_boost": 0.35}),
        InterventionType("lawsuit", 6.0, 0, COURT_FEE_SHARE + LEGAL_COST_SHARE, LAWSUIT_MONTHS,
                         ("active", "defaulted", "no_lawsuit"), False,
                         "提起诉讼", "File a lawsuit", "workout"),
        InterventionType("auction", 4.0, 3000, 0.005, 4, ("active", "judgment_or_security", "has_collateral"),
                         False, "拍卖抵押物", "Auction the collateral", "workout"),
        InterventionType("write_off", 2.0, 0, 0, 0, ("active", "defaulted"), False,
                         "核销(账销案存)", "Write off (claim stays alive)", "workout"),
        InterventionType("claim_sale", 3.0, 0, 0, 0, ("active", "defaulted"), False,
                         "债权转让", "Sell the claim", "workout"),
    ]
}

CHECK_KINDS = ("first", "routine", "targeted")

ROLL_TO_DEFAULT_AT_HORIZON = {30: 0.35, 60: 0.6}
"""Share of loans 30 / 60 days past due at the horizon counted as future defaults
(assumption from domain.md: cure rates fall steeply with depth)."""
GUARANTEE_RECOVERY_SHARE = 0.3
"""Recovery from a guarantor that is still sound, as a share of the claim (assumption)."""
ENFORCEMENT_SUCCESS = 0.6
"""Chance a judgment finds assets to enforce against (assumption)."""
SCHEDULED_DRAW_MONTHS = 6
"""Staged loans draw their undrawn amount over this many months when healthy (assumption)."""
MISSED_WARNING_MONTHS = 3
"""A warning counts as missed when it was visible this many months before default (assumption)."""
COLLECTION_CURE_DEFAULTED = 0.05
"""Monthly cure chance of a defaulted loan under active collection (assumption)."""
RELATIONSHIP_HIT = {"aggressive_on_healthy": 0.35, "intrusive": 0.05}
"""Relationship lost by an aggressive action on a healthy borrower, or by an intrusive one."""
OFFICER_COST_CNY_PER_MONTH = 20_000.0
"""Fully loaded monthly cost of one post-loan officer (salary, social insurance, housing
fund, overhead), CNY. Assumption in the range of staff cost per employee that Chinese city
and rural commercial banks disclose in their 2023 annual reports (about CNY 200-300k a
year); the strategy lab's staffing sweep weighs each extra officer against it."""
