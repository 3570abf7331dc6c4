"""Tests for sim.names: English renderings of Chinese company and person names."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from faker import Faker

from sim.names import company_en, person_en
from sim.portfolio import build_portfolio
from sim.scenario import load_scenario

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@pytest.mark.parametrize(("zh", "en"), [
    ("台州明泰模具有限公司", "Taizhou Mingtai Mould Co., Ltd."),
    ("台州兴越纺织印花有限公司", "Taizhou Xingyue Textile Printing Co., Ltd."),
    ("绍兴华纺印染集团有限公司", "Shaoxing Huafang Printing & Dyeing Group Co., Ltd."),
    ("潍坊鑫源商贸有限公司", "Weifang Xinyuan Commerce Co., Ltd."),
    ("寿光丰源农资店", "Shouguang Fengyuan Farm Supplies Store"),
    ("长沙王记餐饮店（个体工商户）", "Changsha Wangji Catering Store (sole trader)"),
    ("内蒙古伊利实业集团股份有限公司",
     "Inner Mongolia Yili Industrial Group Co., Ltd. (joint-stock)"),
    ("杭州市余杭区未来科技有限公司", "Hangzhou Yuhang District Weilai Technology Co., Ltd."),
    ("六安恒源农业发展有限公司", "Lu'an Hengyuan Agriculture Development Co., Ltd."),
    ("明泰有限公司台州分公司", "Mingtai Co., Ltd. Taizhou Branch"),
    # Faker zh_CN: brand + 科技/网络/信息/传媒 + 有限公司
    ("鑫博腾飞科技有限公司", "Xinbo Tengfei Technology Co., Ltd."),
    ("济南亿次元网络有限公司", "Jinan Yiciyuan Network Co., Ltd."),
    ("兰金电子信息有限公司", "Lanjin Electronics Information Co., Ltd."),
    ("MBP软件传媒有限公司", "MBP Software Media Co., Ltd."),
    ("数字100科技有限公司", "Digital 100 Technology Co., Ltd."),
    ("飞海科技科技有限公司", "Feihai Technology Co., Ltd."),
    ("开发区世创网络有限公司", "Development Zone Shichuang Network Co., Ltd."),
])
def test_company_en(zh, en):
    assert company_en(zh) == en


@pytest.mark.parametrize(("zh", "en"), [
    ("陈国平", "Chen Guoping"),
    ("王丽娟", "Wang Lijuan"),
    ("张伟", "Zhang Wei"),
    ("欧阳娜娜", "Ouyang Nana"),
    ("曾国藩", "Zeng Guofan"),
    ("单田芳", "Shan Tianfang"),
    ("吕布", "Lyu Bu"),
    ("张恩", "Zhang En"),
    ("买买提·艾力", "Maimaiti Aili"),
])
def test_person_en(zh, en):
    assert person_en(zh) == en


def test_plain_text_and_empty_names_pass_through():
    assert company_en("") == "" and person_en("") == ""
    assert person_en("Qian Qi") == "Qian Qi"
    assert company_en("ＡＢＣ１２３科技有限公司") == "ABC123 Technology Co., Ltd."


def _is_clean(en: str) -> bool:
    return bool(en) and en.isascii() and not HAN.search(en) and en == en.strip()


def test_every_faker_company_and_name_romanises_to_ascii():
    fk = Faker("zh_CN")
    for seed in range(200):
        fk.seed_instance(seed)
        company, name = fk.company(), fk.name()
        en = company_en(company)
        assert _is_clean(en), (company, en)
        assert en.endswith("Co., Ltd."), (company, en)
        assert re.fullmatch(r"[A-Z][a-z']+ [A-Z][a-z']+", person_en(name)), name
    # and every prefix with every suffix Faker's zh_CN company provider has
    provider = next(p for p in fk.providers if hasattr(p, "company_prefixes"))
    for prefix in provider.company_prefixes:
        for suffix in provider.company_suffixes:
            assert _is_clean(company_en(prefix + suffix)), prefix + suffix


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(Path(__file__).parent / "data" / "minimal.yaml")


def test_identity_is_stable_and_clean_in_both_languages(scenario):
    a = build_portfolio(scenario, np.random.default_rng(1), 42)
    b = build_portfolio(scenario, np.random.default_rng(1), 42)
    for i in range(scenario.n_loans):
        zh, en = a.identity(i), a.identity(i, "en")
        assert HAN.search(zh[0]) and HAN.search(zh[1])
        assert _is_clean(en[0]) and _is_clean(en[1])
        assert a.identity(i, "en") == en, "same answer on a second call"
        assert a.identity(i) == zh, "the Chinese identity is untouched"
    # another book with the same seed, looked at in another order, English first
    assert [b.identity(i, "en") for i in reversed(range(scenario.n_loans))] == \
        [a.identity(i, "en") for i in reversed(range(scenario.n_loans))]
    assert b._identity_cache == a._identity_cache
