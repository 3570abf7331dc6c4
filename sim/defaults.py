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
LOAN_AMOUNT_UNIT_CNY = 100
"""Loan amounts are drawn to the nearest CNY 100 (method), so this is also the smallest loan:
an amount written or drawn below it would round to a loan of CNY 0, which lends nothing,
cannot default and still counts as a loan."""
CALIBRATION_PATHS = 1 << 17
CALIBRATION_SEED = 20240101
AHEAD_TABLE_PATHS = 1 << 13
"""Monte Carlo paths per health level of the 12-month-ahead default table."""
AHEAD_TABLE_E_RANGE = (-4.0, 4.0, 81)
AHEAD_TABLE_C_RANGE = (-5.0, 3.0, 161)
"""Grids (start, stop, points) of health and barrier for the 12-month-ahead table."""
REFERENCE_BARRIER = -2.0
"""Barrier level used to rank borrowers by distance to default alone: about the barrier
of a loan with a 2% annual PD (assumption for ranking; the valuation uses each loan's own)."""
FORESIGHT_MONTHS = 12
"""Months ahead the oracle foresees each borrower's untreated health (sim.foresight): the
12 months of the default definition's horizon and of every chance of default the model
quotes (assumption; the oracle is the upper bound, not a policy a bank could run)."""

# --- Borrower behaviour --------------------------------------------------------
RATE_BURDEN_HEALTH_PER_PCT = 0.25
"""Health lost per percentage point rise in a floating borrower's rate (assumption)."""
DIVERSION_DRAIN_PER_MONTH = 0.06
"""Health lost each month while loan money is diverted (assumption)."""
DIVERSION_ONSET_HEALTH = 0.8
"""A borrower prone to divert starts doing so when its health falls below this (assumption)."""
GUARANTEE_CLAIM_HEALTH = 1.2
"""Health a guarantor loses for good when a loan it guarantees defaults for the first
time (代偿: the bank calls it to pay the borrower's debt under its joint liability): the
guarantee chain's main channel, one claim for each guaranteed loan that falls, so the
claims travel from a failed borrower to its guarantor and on to the guarantor's own
(assumption)."""
GUARANTEE_LOST_HEALTH = 0.4
"""Health a guaranteed borrower loses for good when its guarantor defaults for the first
time: the chain's secondary channel. The firm owes nothing more, but its loan is now
unsecured and its banks ask for a substitute guarantor and cut its lines (抽贷); that
costs it access to credit, not cash it must pay out, so a third of a claim (assumption)."""
DRAWDOWN_HEALTH = 0.6
"""A distressed borrower draws its unused line when health falls below this (assumption)."""
COLLATERAL_DECAY_PER_MONTH_DISTRESSED = 0.015
"""Monthly loss of collateral condition while the borrower is distressed (assumption)."""
RESIDUAL_RECOVERY_SHARE = 0.30
"""Unsecured recovery from the borrower's free assets, as a share of the claim, when action
starts at once (assumption). Below what domain.md's anchors imply (LGD 45% senior
unsecured under foundation IRB, 24-26% in large-corporate workouts: 55-75% recovered); a
guarantor's share comes on top (GUARANTEE_RECOVERY_SHARE). Realised figures against the
anchors: benchmarks/realised_lgd.py, docs/model.md §16."""
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
"""Average sale price of auctioned property as a share of appraisal (domain: 2024, 77%)."""
AUCTION_BID_PREMIUM = AUCTION_PRICE_SHARE / AUCTION_START_SHARE
"""Bidding lifts a sold lot above its round's start price: the 2024 average sale at 77% of
appraisal over a first-round start at 70% (domain). The sale period (变卖) sells at the
second round's reserve, with no bidding."""
AUCTION_ROUND_CHANCES = 2.0
"""A round gives about two bidders' chances to sell (assumption; with the 2024 sale
probabilities it sells most liquid lots within the two rounds and the sale period)."""
AUCTION_ILLIQUID_SALE_FACTOR = 0.5
"""The sale chance of the least liquid collateral, relative to property (assumption): the
chance scales from this at liquidity 0 to 1 at liquidity 1."""
EXTRA_COLLATERAL_LIQUIDITY = 0.8
"""Liquidity of collateral taken as a top-up (assumption: banks take property, deposits or a
guarantor's assets, as easy to sell as land)."""
COLLATERAL_LIQUIDITY = {
    "none": 0.0, "property": 1.0, "land": 0.8, "construction": 0.6,
    "equipment": 0.5, "receivables": 0.6, "deposit": 1.0,
}
"""Relative ease of selling each collateral type (assumption; property = 1)."""

# --- Legal (domain: Civil Procedure Law, litigation fee measures) -------------------
COURT_FEE_FIRST_CNY = 50.0
COURT_FEE_BANDS = (
    (10_000, 0.025), (100_000, 0.02), (200_000, 0.015), (500_000, 0.01),
    (1_000_000, 0.009), (2_000_000, 0.008), (5_000_000, 0.007), (10_000_000, 0.006),
    (20_000_000, 0.005),
)
"""The court's case acceptance fee (案件受理费) of a claim for money, by the tiers of the
litigation fee measures (诉讼费用交纳办法, Art. 13): CNY 50 for the first 10,000, then each
part of the claim above a band's lower bound (CNY) at the band's marginal rate, up to the
next bound: 2.5% to 100,000, 2% to 200,000, 1.5% to 500,000, 1% to 1 million, 0.9% to
2 million, 0.8% to 5 million, 0.7% to 10 million, 0.6% to 20 million, 0.5% above (domain:
"tiered, about 0.8% on the 2-5 million band"). The bank pays it up front; the model does
not count it back from the borrower, who by then cannot pay (sim.observation.court_fee).
The fee of a case under the simple procedure is halved; the model charges the ordinary
procedure's, as a bank's loan claim of any size may go to it."""
LEGAL_COST_SHARE = 0.01
"""Lawyers' and other legal costs of a lawsuit, as a share of the claim (assumption)."""
LAWSUIT_MONTHS = 9
"""From filing to a judgment in force: first instance about 6 months, appeal 3 (domain). A
case changes it as the lawsuit's `duration_months`."""
ENFORCEMENT_MONTHS = 6
"""From the judgment to the end of its enforcement against the debtor's free assets and a
guarantor (domain: enforcement about 6 months)."""
SECURITY_ENFORCEMENT_MONTHS = 1
WORKOUT_TAIL_MONTHS = 36
"""How long open workouts may run past the horizon (sim.tail): enough for a 9-month
lawsuit and its 6 months of enforcement, a 4-month auction and a claim sale 12 months after
the suit, with room to spare."""
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
    driver: str = "health"  # "health", "diversion", "collateral", "guarantor", "payment"
    every_months: int = 1  # statements arrive quarterly
    # the borrower kinds (sim.codes.BorrowerKind keys) it can describe: on a loan to any
    # other kind it is neither seen nor falsely raised
    kinds: tuple[str, ...] = ("company", "household")


COMPANY_ONLY = ("company",)
"""Signals about a firm's operations, accounts, staff, management or taxes: a household
has no plant, payroll, collection account, statements or managers (domain.md's catalogue
of corporate signals; retail practice watches payments, income, debts and the public
record)."""


ALERT_WINDOW_MONTHS = 3
"""Signals seen within this many months count as recent alerts (assumption: a quarter, the
review cycle of a watch list)."""

SIGNAL_LEAD_TO_HEALTH = 0.2
"""Health margin per month of lead time: a signal with lead L fires when health is below
0.2 * L (assumption; measured lead times are printed by benchmarks/signals.py)."""

SIGNALS: dict[str, SignalType] = {
    s.id: s
    for s in [
        SignalType("payment_late", "payment", "offsite", 0.0, 0, 0.0, 0.0,
                   driver="payment"),
        SignalType("turnover_drop", "account_flows", "offsite", 4.0, 0, 0.35, 0.02),
        SignalType("collection_bypass", "account_flows", "offsite", 3.0, 0, 0.5, 0.01,
                   kinds=COMPANY_ONLY),
        SignalType("funds_to_affiliates", "account_flows", "onsite", 0.0, 0, 0.2, 0.01,
                   driver="diversion", kinds=COMPANY_ONLY),
        SignalType("statement_weak", "financial", "offsite", 6.0, 2, 0.3, 0.03,
                   every_months=3, kinds=COMPANY_ONLY),
        SignalType("short_debt_surge", "financial", "onsite", 5.0, 0, 0.3, 0.02),
        SignalType("plant_idle", "operational", "onsite", 3.0, 0, 0.2, 0.01,
                   kinds=COMPANY_ONLY),
        SignalType("wage_arrears", "operational", "onsite", 2.0, 0, 0.3, 0.01,
                   kinds=COMPANY_ONLY),
        SignalType("key_person", "management", "offsite", 2.5, 0, 0.6, 0.005,
                   kinds=COMPANY_ONLY),
        SignalType("lawsuit", "public_record", "offsite", 2.0, 1, 0.4, 0.01),
        SignalType("tax_arrears", "public_record", "offsite", 1.5, 1, 0.5, 0.005,
                   kinds=COMPANY_ONLY),
        SignalType("enforcement_list", "public_record", "offsite", 0.5, 1, 0.3, 0.002),
        SignalType("guarantor_trouble", "guarantee", "offsite", 0.0, 0, 0.3, 0.005,
                   driver="guarantor"),
        SignalType("collateral_value_fall", "collateral", "onsite", 0.0, 0, 0.2, 0.01,
                   driver="collateral"),
        SignalType("avoids_contact", "behaviour", "offsite", 1.0, 0, 0.5, 0.01),
    ]
}
"""The signal catalogue (domain.md's groups). A household's loan can show: payment
overdue; account turnover falling (its income into the account); a surge in short-term
debt (cards and consumer loans elsewhere, as its credit report or a visit shows); a
lawsuit, the court enforcement list; a guarantor in trouble; collateral worth less;
avoiding the bank. The others describe a firm (`COMPANY_ONLY`)."""


@dataclass(frozen=True)
class InterventionType:
    """A post-loan action (贷后处置措施) with its cost and where it can be used."""

    id: str
    hours: float
    cost_cny: float
    cost_share: float  # money cost as a share of the loan balance (a lawsuit adds the court fee)
    duration_months: float
    requires: tuple[str, ...]  # preconditions, checked by sim.interventions
    aggressive: bool
    stage: str  # "monitor", "prevent", "restructure", "collect", "workout"
    params: dict = field(default_factory=dict)


MEETING_ACTIONS: dict[str, str] = {
    "visit": "meet_borrower", "call": "meet_borrower_call", "branch": "meet_borrower_branch"}
"""How a role-play meeting is held (its file's ``held``) -> the engine action it takes, each
with its own hours and cost. domain.md names the ways of contact (call, letter, visit; on-site
and off-site checks) but gives no hours, so the figures are the catalogue's own: a visit is
the meeting's half day with the trip, the preparation and the minutes (meet_borrower, 4 h,
CNY 100, as collect_visit's 4 h); a phone or video call takes what the catalogue's call does
(collect_call: 0.5 h, CNY 20). At the branch (the borrower comes in) is an assumption: the
meeting with its preparation and minutes, without the trip: half the visit's hours (2 h) and
no travel cost. A case changes any of them in ``intervention_overrides``."""
MEETING_HOURS_COST: dict[str, tuple[float, float]] = {
    "call": (0.5, 20), "branch": (2.0, 0)}
"""(hours, CNY) of the meetings not held on site; see MEETING_ACTIONS."""

INTERVENTIONS: dict[str, InterventionType] = {
    i.id: i
    for i in [
        InterventionType("closer_monitoring", 1.0, 0, 0, 6, ("active",), False,
                         "monitor"),
        InterventionType("onsite_check", 0.0, 0, 0, 0, ("active",), False,
                         "monitor"),
        # a meeting with the borrower (约见借款人面谈): half a day with the preparation and
        # the minutes (assumption); what it achieves comes from the role-play conversation
        InterventionType("meet_borrower", 4.0, 100, 0, 0, ("active",), False, "monitor"),
        InterventionType("add_collateral", 8.0, 2000, 0, 1,
                         ("active", "not_defaulted", "unpledged_assets"),
                         False, "prevent",
                         {"top_up_ltv_share": 0.3, "health_margin": 0.5}),
        # a ground first (domain: lawful when credit weakens or funds are misused, Civil Code
        # Art. 673): a line frozen on a sound borrower is the bank's own breach
        InterventionType("freeze_line", 2.0, 0, 0, 0,
                         ("active", "not_defaulted", "has_undrawn", "freeze_ground"), True,
                         "prevent"),
        InterventionType("entrusted_payment", 4.0, 0, 0, 0, ("active", "not_defaulted", "self_payment"),
                         False, "prevent"),
        InterventionType("restructure", 16.0, 5000, 0, 1, ("active", "not_defaulted", "in_difficulty"),
                         False, "restructure",
                         {"health_per_payment_cut": 0.7, "max_health_boost": 1.2,
                          "rate_concession": 0.01, "term_stretch": 1.5, "term_add_months": 6,
                          "observation_months": 12, "meaningful_cut": 0.2,
                          "stage_factor": {0: 1.0, 30: 0.5, 60: 0.25}}),
        InterventionType("emergency_deferral", 4.0, 0, 0, 0, ("active", "not_defaulted", "disaster_hit"),
                         False, "restructure",
                         {"months": 6}),
        InterventionType("accelerate", 6.0, 1000, 0, 0, ("active", "not_recalled"), True,
                         "workout",
                         {"repay_health": 1.0}),
        InterventionType("collect_call", 0.5, 20, 0, 0, ("active", "overdue"), False,
                         "collect", {"cure_boost": 0.15}),
        InterventionType("collect_letter", 1.0, 200, 0, 0, ("active", "overdue"), False,
                         "collect", {"cure_boost": 0.2}),
        InterventionType("collect_visit", 4.0, 500, 0, 0, ("active", "overdue"), False,
                         "collect", {"cure_boost": 0.35}),
        InterventionType("lawsuit", 6.0, 0, LEGAL_COST_SHARE, LAWSUIT_MONTHS,
                         ("active", "defaulted", "no_lawsuit"), False,
                         "workout", {"court_fee": True}),
        InterventionType("auction", 4.0, 3000, 0.005, 4, ("active", "judgment_or_security", "has_collateral"),
                         False, "workout"),
        InterventionType("write_off", 2.0, 0, 0, 0, ("active", "defaulted"), False,
                         "workout"),
        InterventionType("claim_sale", 3.0, 0, 0, 0, ("active", "defaulted"), False,
                         "workout"),
        # the same meeting held another way (a role-play file's `held`, MEETING_ACTIONS);
        # last, so the earlier entries keep their places (sim.strategies.triage.ACTIONS)
        InterventionType("meet_borrower_call", *MEETING_HOURS_COST["call"], 0, 0, ("active",),
                         False, "monitor"),
        InterventionType("meet_borrower_branch", *MEETING_HOURS_COST["branch"], 0, 0,
                         ("active",), False, "monitor"),
    ]
}
"""The catalogue (hours, money, duration, preconditions, stage, effect parameters).

restructure: the remaining term is stretched by term_stretch and term_add_months added,
up to the loan's extension limit (domain: 贷款通则 Art. 12, `SHORT_TERM_MONTHS` below),
and the rate cut by rate_concession; the
borrower's health rises by health_per_payment_cut times the real cut in the payment due
over the next year (at most max_health_boost), scaled by stage_factor at 0/30/60+ days
past due. Assumption anchored on the domain's foreign evidence that re-default falls
when the payment really drops (24% at 6 months with a cut of 20% or more, 54% with
none); a cut under meaningful_cut is logged as giving little relief."""

NPL_UPGRADE_MONTHS = 6
"""A non-performing loan returns to 正常 or 关注 only after its arrears are paid and it has
paid on time for the latest two repayment periods or six months, whichever is longer
(domain: 2023 classification measures). With monthly payments that is six months: a
defaulted loan that cures stays at least 次级 for NPL_UPGRADE_MONTHS, and a payment missed
meanwhile starts the count again (sim.loanbook.step)."""

SHORT_TERM_MONTHS = 12
MEDIUM_TERM_MONTHS = 60
LONG_TERM_EXTENSION_MONTHS = 36
"""The extension limit of 贷款通则 Art. 12, counted over all extensions of a loan: a
short-term loan (original term up to SHORT_TERM_MONTHS) by at most its original term, a
medium-term loan (up to MEDIUM_TERM_MONTHS) by at most half of it, a long-term loan by at
most LONG_TERM_EXTENSION_MONTHS. A restructuring that stretches the term extends it and
counts against the same limit (sim.loanbook.extension_limit_months): once it is used up,
a restructuring can only lower the rate."""

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
year); the strategy lab's staffing sweep weighs each extra officer against the share of it
their post-loan hours take (`FULL_TIME_HOURS_PER_MONTH`)."""
FULL_TIME_HOURS_PER_MONTH = 174.0
"""Working hours in a full-time month: 21.75 paid days (the monthly average China's labour
rules use to turn a monthly wage into a daily one) of 8 hours. A case's officers give
`hours_per_officer_month` of them to post-loan work; the rest goes to other work (new
lending, service) that pays its own way."""

FUNDING_RATE_ANNUAL = 0.021
"""What the bank pays a year to fund a loan's balance (assumption: about the average cost of
the interest-bearing liabilities, deposits first, that large Chinese banks reported for 2023,
roughly 2-2.2%; a case sets its own with `funding_rate_annual`). Net value counts interest
net of it: a loan repaid early gives up its margin over funding, not its whole rate, and a
strategy is not credited with the gross interest of a balance it keeps on the books."""

NET_INTEREST_MARGIN_ANNUAL = 0.0169
"""What a bank earns on a performing loan a year, net of its funding, as a share of the
balance: Chinese commercial banks' net interest margin at the end of 2023 (NFRA, February
2024). What a recall gives up; the oracle recalls only where the loss it avoids is larger."""

# --- Calendar and bookkeeping ---------------------------------------------------------
DAYS_PER_MONTH = 30
"""Days past due grow by 30 a missed month; day limits in days count in 30-day months
(domain: the 2023 classification counts days overdue)."""
DEFAULT_DPD = 90
"""Days past due of a loan at default (domain: 90+ days past due is a default)."""
PAID_OFF_TOLERANCE_CNY = 0.5
"""A balance at or below this is paid off (rounding of a yuan)."""
HEALTH_HISTORY_MONTHS = 13
"""Months of health kept for signals with a lag (a year and the current month)."""
MONTHS_PER_YEAR = 12
"""Months in a year (for annual rates over months)."""

# --- What signals and checks read from the hidden state (assumptions) -------------------
COLLATERAL_SIGNAL_SHARE = 0.85
"""A check flags collateral worth less than this share of its last appraisal."""
GUARANTOR_TROUBLE_HEALTH = 0.3
"""A guarantor below this health (or defaulted) shows as 'guarantor in trouble'."""
DIVERSION_DETECTION = 0.85
"""Chance that a full-quality check finds loan money diverted."""
RUSHED_APPRAISAL_BIAS = 0.25
"""A rushed check overstates collateral by this share times the quality shortfall."""
SEASONED_CHECK_SPREAD_MONTHS = 6
"""Seasoned loans were last checked within this many months when the case's policy has
no routine interval for normal loans."""
TURNOVER_NOISE = 0.06
"""Month-to-month noise of the account turnover index (share, peak to peak)."""
TURNOVER_HEALTH_ELASTICITY = 0.12
"""Log-change of account turnover per unit of health."""

# --- Borrower events and actions (assumptions) -----------------------------------------
SCRIPTED_HEALTH_HIT = {"health_shock": 1.0, "sales_drop": 1.0, "key_person_leaves": 0.5,
                       "lawsuit_filed": 0.3, "tax_arrears": 0.2, "recovery": -1.0}
"""Health lost per unit of a scripted event's severity, by kind (a recovery adds health)."""
SCRIPTED_COLLATERAL_DAMAGE = 0.3
"""Share of collateral condition lost per unit of a collateral_damage event's severity."""
HEALTHY_BORROWER = 1.0
"""Health above which an aggressive action hits a borrower that did not need it."""
CURE_HEALTH = 0.5
"""A defaulted borrower can cure only with health above this."""
DEFAULT_DEPTH = -0.5
"""Where a loan's health stands against its barrier in the month it defaults, on average:
three misses in a row leave it about half a unit below (measured on the AR(1) of the
credit model: -0.48 to -0.64 for barriers from -2.3 to -0.8). The horizon mark starts a
future default's chance of cure from here (sim.interventions.workouts.cure_hazard)."""

# --- Conduct with borrowers (domain) ----------------------------------------------------
PERMITTED_CONTACT_FROM_HOUR = 8
PERMITTED_CONTACT_UNTIL_HOUR = 22
"""Collection contact only from 08:00 to 22:00 unless the debtor agreed (China Banking
Association, Guidelines for Financial Institutions' Collection of Personal Consumer Loans
(Trial), 30 January 2026; see docs/rules.md). The role-play conversations flag contact
outside these hours."""

# --- Judgement classification and the class the hidden state warranted ------------
WARRANTED_LEAD_MONTHS = 3
"""A loan warrants special mention once its health is where a warning with this lead
fires (domain: practitioners cite 3-6 months of lead for warning signals; we take the
short end, so "warranted" never asks for more foresight than the signals give)."""
WARRANTED_SPECIAL_MENTION_HEALTH = SIGNAL_LEAD_TO_HEALTH * WARRANTED_LEAD_MONTHS
"""Health below which the hidden state warrants special mention (关注): adverse factors,
still able to pay (assumption derived from the signal model above)."""
WARRANTED_SUBSTANDARD_HEALTH = -0.5
"""Health below which the hidden state warrants substandard (次级), "cannot pay principal
and interest in full" (2023 rules). Below zero a borrower misses its instalment (the
model's payment rule); half a unit below, it rarely recovers: on the shipped cases 69-81%
of such performing loans defaulted within 6 months, against 34-61% between -0.5 and 0
(measured December 2026, seeds 1-3, no post-loan actions; assumption)."""
