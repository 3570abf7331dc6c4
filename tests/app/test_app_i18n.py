"""The two catalogues have the same keys, and every key the app uses exists in both."""

import re
from pathlib import Path

import pytest

from app_pages.common import PAGES
from sim.codes import CLASS_KEYS, PRODUCTS
from sim.defaults import CHECK_KINDS, SIGNALS
from training import i18n
from training.report import STRATEGIES

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py")), ROOT / "training" / "report.py"]
LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z0-9_\-]+(?:\.[a-z0-9_\-]+)+)["']""")
PLACEHOLDER = re.compile(r"\{([a-z_]+)(?:[:!][^{}]*)?\}")


def used_keys() -> set[str]:
    keys: set[str] = set()
    for path in SOURCES:
        keys |= set(LITERAL_KEY.findall(path.read_text(encoding="utf-8")))
    return keys


def dynamic_keys() -> set[str]:
    """Keys the app builds from engine values (classes, products, strategies, ...)."""
    keys = {f"cls.{k}" for k in CLASS_KEYS}
    keys |= {f"product.{p}" for p in PRODUCTS}
    keys |= {f"strategy.{s}" for s in STRATEGIES}
    keys |= {f"check.{k}" for k in CHECK_KINDS}
    keys |= {f"group.{s.group}" for s in SIGNALS.values()}
    keys |= {f"source.{s.source}" for s in SIGNALS.values()}
    keys |= {f"desk.view_{v}" for v in ("loans", "alerts", "portfolio", "policy")}
    keys |= {f"status.{s}" for s in ("active", "repaid", "defaulted", "written_off", "sold", "closed")}
    keys |= {f"attempt.{k}" for k in ("not_found", "scenario_missing", "replay_failed")}
    keys |= {f"nav.{page}" for page in PAGES}  # each page's menu title (app.py)
    return keys


def test_catalogues_have_the_same_keys():
    zh, en = set(i18n.catalogue("zh")), set(i18n.catalogue("en"))
    assert zh - en == set(), f"only in zh.yaml: {sorted(zh - en)}"
    assert en - zh == set(), f"only in en.yaml: {sorted(en - zh)}"


def test_placeholders_match():
    zh, en = i18n.catalogue("zh"), i18n.catalogue("en")
    diff = {k for k in zh if set(PLACEHOLDER.findall(zh[k])) != set(PLACEHOLDER.findall(en[k]))}
    assert not diff, f"placeholders differ between languages: {sorted(diff)}"


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_every_used_key_exists(lang):
    cat = i18n.catalogue(lang)
    keys = used_keys() | dynamic_keys()
    assert len(keys) > 100
    missing = sorted(k for k in keys if k not in cat)
    assert not missing, f"keys used by the app but missing in {lang}.yaml: {missing}"


def test_no_empty_texts():
    for lang in i18n.LANGS:
        empty = [k for k, v in i18n.catalogue(lang).items() if not v.strip()]
        assert not empty, f"{lang}: empty texts {empty}"


def test_t_formats_and_falls_back():
    assert i18n.t("desk.end_month", "en", month=3) == "End month 3"
    assert i18n.t("desk.end_month", "zh", month=3) == "结束第 3 月"
    assert i18n.t("no.such.key", "en") == "no.such.key"


def test_language_is_per_context():
    import threading

    i18n.set_lang("en")
    seen = []
    th = threading.Thread(target=lambda: seen.append(i18n.get_lang()))
    th.start()
    th.join()
    assert seen == ["zh"]  # a new thread (another session's run) starts at the default
    assert i18n.get_lang() == "en"
    i18n.set_lang("zh")


def test_money_formats_use_one_unit_per_language():
    # 万元 in Chinese and CNY thousands in English, whatever the size (training.units)
    assert i18n.fmt_cny(123_456_789, "zh") == "12,346\u00a0万元"
    assert i18n.fmt_cny(35_000, "zh") == "3.5\u00a0万元"
    assert i18n.fmt_cny(2_500_000, "en") == "CNY\u00a02,500k"
    assert i18n.fmt_cny(float("nan"), "en") == "—"


def test_readable_id_and_term_fall_back_without_showing_a_key():
    assert i18n.readable_id("real_estate", "en") == "Real estate"
    assert i18n.readable_id("wholesale-trade_x", "en") == "Wholesale trade x"
    assert i18n.readable_id("real_estate", "zh") == "real_estate"
    assert i18n.readable_id(None, "en") == "—" and i18n.readable_id(float("nan"), "zh") == "—"
    assert i18n.term("industry", "no_such_industry", "en") == "No such industry"
    assert i18n.term("region", "no_such_region", "zh") == "no_such_region"
    assert i18n.term("industry", "manufacturing", "zh") == "制造业"


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_every_shipped_industry_and_region_has_a_word(lang):
    import yaml

    cat = i18n.catalogue(lang)
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for seg in data.get("segments") or []:
            for group in ("industry", "region"):
                if seg.get(group):
                    assert f"{group}.{seg[group]}" in cat, (path.name, group, seg[group])


@pytest.mark.parametrize("lang, words", [("zh", ('"上传"', '"每个文件不超过 512 KB · YAML、YML"')),
                                         ("en", ('"Upload"', '"At most 512 KB per file · YAML, YML"'))])
def test_an_uploader_speaks_the_pages_language_and_states_the_apps_own_limit(lang, words):
    """Streamlit draws its uploader's button and limit line in English, with the server's
    limit (10 MB); the app puts the page's words and the limit it checks in their place."""
    from app_pages.common import upload_texts

    css = upload_texts("lab_rule_upload", ["yaml", "yml"], 512 * 1024, lang)
    assert css.startswith("<style>") and css.endswith("</style>")
    for text in words:
        assert f"content: {text}" in css
    # only that uploader's own text: every rule is scoped to its key
    rules = [r for r in css.removeprefix("<style>").removesuffix("</style>").split("}") if r.strip()]
    assert rules and all(r.strip().startswith(".st-key-lab_rule_upload ") for r in rules)


def test_upload_limits_read_as_people_write_them():
    from app_pages.common import _css_string, size_text

    assert size_text(512 * 1024) == "512 KB"
    assert size_text(2**20) == "1 MB"
    assert size_text(3 * 2**20 + 1024) == "3,073 KB"
    assert _css_string('a "b" \\ <c>') == '"a \\"b\\" \\\\ \\3C c>"'


def test_every_uploader_goes_through_the_pages_language():
    """A bare st.file_uploader would show English words and the server's 10 MB limit."""
    bare = [p.name for p in SOURCES if "st.file_uploader(" in p.read_text(encoding="utf-8")
            and p.name != "common.py"]
    assert bare == []


def test_typing_hints_read_in_chinese_on_a_chinese_page():
    """Streamlit writes "Press Enter to apply" in English under every field; a Chinese page
    says it in Chinese, for a field, a field in a form and a text area."""
    from app_pages.common import input_hints

    assert input_hints("en") == ""
    css = input_hints("zh")
    for field in ("stTextInput", "stNumberInput", "stTextArea"):
        assert f"[data-testid='{field}'] [data-testid='InputInstructions']" in css
        assert f"[data-testid='stForm'] [data-testid='{field}']" in css
    for text in ("按回车键确认", "按回车键提交", "按 Ctrl（Mac 为 ⌘）+ 回车键确认"):
        assert f'content: "{text}"' in css


def test_a_refused_quiz_names_its_blank_questions_in_grammar():
    """The English refusal read "question 1, 2 has no answer yet"."""
    assert i18n.question_numbers([2], "en") == "question 2"
    assert i18n.question_numbers([1, 2], "en") == "questions 1 and 2"
    assert i18n.question_numbers([1, 3, 4], "en") == "questions 1, 3 and 4"
    assert i18n.question_numbers([2], "zh") == "2"
    assert i18n.question_numbers([1, 3, 4], "zh") == "1、3、4"
    text = i18n.t("mine.answer_all", "en", numbers=i18n.question_numbers([1, 2], "en"))
    assert "questions 1 and 2." in text and " has " not in text
    zh = i18n.t("mine.answer_all", "zh", numbers=i18n.question_numbers([1, 2], "zh"))
    assert "第 1、2 题尚未作答" in zh
