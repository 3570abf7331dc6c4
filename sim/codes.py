"""Named codes for the engine's integer columns.

Per-loan state lives in numpy integer columns for speed; these enums name the
values, so code compares `LoanStatus.DEFAULTED`, never `1`. The Chinese term of
each category appears once, in its docstring here.
"""

from __future__ import annotations

from enum import IntEnum


class LoanStatus(IntEnum):
    """Where a loan stands: on the books (ACTIVE, DEFAULTED) or off them."""

    ACTIVE = 0
    """Performing or in arrears below the default threshold."""
    DEFAULTED = 1
    """90+ days past due, or recalled (违约)."""
    CLOSED = 2
    """Repaid in full, or recovered to zero (结清)."""
    WRITTEN_OFF = 3
    """Written off with the claim kept alive (核销, 账销案存)."""
    SOLD = 4
    """Claim transferred to a buyer (债权转让)."""


class LoanClass(IntEnum):
    """The five-category classification (五级分类)."""

    NORMAL = 0
    """正常"""
    SPECIAL_MENTION = 1
    """关注"""
    SUBSTANDARD = 2
    """次级: the first non-performing class (不良)."""
    DOUBTFUL = 3
    """可疑"""
    LOSS = 4
    """损失"""


class Product(IntEnum):
    """Loan products (贷款品种)."""

    WORKING_CAPITAL = 0
    """流动资金贷款"""
    FIXED_ASSET = 1
    """固定资产贷款"""
    REAL_ESTATE_DEV = 2
    """房地产开发贷款"""
    SMALL_BUSINESS = 3
    """小微企业/个体工商户经营贷款"""
    CONSUMER = 4
    """个人消费贷款"""


class BorrowerKind(IntEnum):
    """Who borrows: a firm or a household; which early-warning signals can describe it."""

    COMPANY = 0
    """企业: a firm, or a business owner (个体工商户) borrowing for the business; it has
    operations, accounts, staff and statements."""
    HOUSEHOLD = 1
    """个人/家庭: an individual borrowing for the household (个人消费贷款, a home loan); no
    plant, payroll or financial statements, only income, debts and a public record."""


class Repayment(IntEnum):
    """Repayment types (还款方式)."""

    EQUAL_INSTALMENT = 0
    """等额本息"""
    EQUAL_PRINCIPAL = 1
    """等额本金"""
    INTEREST_ONLY_BULLET = 2
    """按月付息、到期还本"""


class CheckKind(IntEnum):
    """Kinds of on-site check (贷后检查)."""

    FIRST = 0
    """首次检查 after disbursement."""
    ROUTINE = 1
    """定期检查 at the policy's interval for the loan's class."""
    TARGETED = 2
    """专项检查 the officer decides on."""


class SignalSource(IntEnum):
    """How a signal reached the bank."""

    OFFSITE = 0
    """非现场监测: seen every month without a visit."""
    ONSITE = 1
    """现场检查: seen only by a check."""


def keys(enum: type[IntEnum]) -> tuple[str, ...]:
    """Lower-case keys of an enum in code order, e.g. ("normal", "special_mention", ...)."""
    return tuple(m.name.lower() for m in enum)


STATUS_KEYS = keys(LoanStatus)
CLASS_KEYS = keys(LoanClass)
PRODUCTS = keys(Product)
REPAYMENT_KEYS = keys(Repayment)
CHECK_KINDS = keys(CheckKind)
SOURCE_KEYS = keys(SignalSource)
ON_BOOKS = LoanStatus.DEFAULTED.value
"""Statuses up to this one are on the books (`status <= ON_BOOKS`). A plain int: numpy
compares a column with an IntEnum member several times slower than with an int."""
STAGED_PRODUCTS = (Product.FIXED_ASSET, Product.REAL_ESTATE_DEV)
"""Products drawn in stages rather than at once."""
BORROWER_KIND_KEYS = keys(BorrowerKind)
HOUSEHOLD_PRODUCTS = (Product.CONSUMER,)
"""Products lent to households (个人贷款); every other product lends to a firm or a business
owner for the business (small business includes 个体工商户)."""


def borrower_kind(product: str) -> BorrowerKind:
    """The kind of borrower a product lends to (its key, e.g. "consumer")."""
    household = PRODUCTS.index(product) in HOUSEHOLD_PRODUCTS
    return BorrowerKind.HOUSEHOLD if household else BorrowerKind.COMPANY
