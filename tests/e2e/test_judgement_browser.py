"""In a real browser: classify a loan to special mention with a reason, add a resolution
at the first review meeting, and find both in the debrief. Screenshots go to
test-output/ (judgement_*.png)."""

from __future__ import annotations

from tests.e2e.harness import (
    MARKS,
    OUT,
    choose,
    chromium,
    click,
    end_month,
    idle,
    new_page,
)

pytestmark = MARKS


def test_classify_and_a_resolution_reach_the_debrief(server):
    from playwright.sync_api import expect

    with chromium("judgement") as browser:
        page = new_page(browser)
        page.goto(server + "/")
        click(page, "start_intro")
        expect(page.locator(".st-key-to_desk button")).to_be_visible()
        click(page, "to_desk")
        expect(page.locator(".st-key-end_month_0 button")).to_be_visible()
        end_month(page, 0)

        # a loan still normal (the book filtered to normal loans, the first one opened):
        # book it special mention on judgement, with a reason
        choose(page, "f_cls", "正常")
        page.keyboard.press("Escape")  # close the class filter's list
        choose(page, "loan_pick", shown=True)
        box = page.locator(".st-key-classify_box")
        expect(box).to_be_visible()
        expect(box).to_contain_text("客观底线：正常")
        choose(page, "classify_cls_", "关注")
        idle(page)
        click(page, "classify_submit")  # no reason yet: refused, nothing queued
        expect(box).to_contain_text("请从列表中选择理由")
        choose(page, "classify_reason_", "出现预警信号")
        click(page, "classify_submit")
        expect(box).to_contain_text("下月生效：关注")
        box.scroll_into_view_if_needed()
        page.screenshot(path=str(OUT / "judgement_classify.png"), full_page=True)
        end_month(page, 1)
        end_month(page, 2)

        # the first review meeting: add a resolution to the ledger
        idle(page)
        page.get_by_text("第 1 季度贷后管理例会").click()
        expect(page.locator(".st-key-ledger_add button")).to_be_visible()
        choose(page, "ledger_what", "主观判断分类")
        choose(page, "ledger_loan")
        idle(page)
        owner = page.locator(".st-key-ledger_owner input")
        owner.fill("王经理")
        click(page, "ledger_add")
        expect(page.get_by_text("已新增决议")).to_be_visible()
        expect(page.get_by_text("暂无决议")).to_have_count(0)
        page.screenshot(path=str(OUT / "judgement_ledger.png"), full_page=True)

        for month in range(3, 12):
            idle(page)
            page.locator(f".st-key-end_month_{month} button").click()
            if month < 11:
                expect(page.locator(f".st-key-end_month_{month + 1} button")).to_be_visible()
        expect(page.locator(".st-key-debrief_index")).to_be_visible()
        dev = page.locator(".st-key-debrief_deviation")
        expect(dev).to_be_visible()
        expect(dev).to_contain_text("按你的判断分类的户月占比")
        expect(dev).not_to_contain_text("你没有做过主观判断分类")
        ft = page.locator(".st-key-debrief_followthrough")
        expect(ft).to_contain_text("决议落实率")
        expect(ft).to_contain_text("共形成 1 项决议")
        ft.scroll_into_view_if_needed()
        page.wait_for_timeout(800)
        page.screenshot(path=str(OUT / "judgement_debrief.png"), full_page=False)
        page.set_viewport_size({"width": 1400, "height": 3600})
        page.screenshot(path=str(OUT / "judgement_debrief_full.png"), full_page=True)
