"""Supervision (issue #16, 八(二)) in a real browser: the supervisor 赵磊 plans an inspection of
城关派出所, records it with a finding — refused while the finding has no owner, recorded once
张伟 is named — and 张伟 closes the rectification, which is refused without evidence."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from .catalogue import zh

pytestmark = pytest.mark.browser

SCOPE = "信息核实时效（浏览器测试）"
FINDING = "三条信息记录超过七日未核实（浏览器测试）"


def test_supervisor_records_an_inspection_with_a_finding(page, login, browser, casebook_server):
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    login(page, "000002")
    page.goto("/staff/supervision/")
    with page.expect_navigation():
        page.click("[data-testid=inspection-new]")
    form = page.locator("[data-testid=inspection-form]")
    form.locator("select[name=station]").select_option(label="城关派出所")
    form.locator("input[name=planned_for]").fill(today.isoformat())
    form.locator("input[name=scope]").fill(SCOPE)
    with page.expect_navigation():
        page.click("[data-testid=inspection-save]")
    expect(page.locator("[data-testid=inspection-status]")).to_have_text(zh("Planned"))
    inspection_url = page.url

    record = page.locator("[data-testid=record-form]")
    record.locator("textarea[name=checked]").fill("抽查跟踪任务五件、信息记录二十条")
    record.locator("textarea[name=conclusion]").fill("总体规范，核实不够及时")
    record.locator("select[name=rating]").select_option("needs_work")
    record.locator("textarea[name=finding]").fill(FINDING)
    record.locator("input[name=deadline]").fill((today + timedelta(days=10)).isoformat())
    # A finding without an owner: refused, nothing recorded, what was typed is kept.
    with page.expect_navigation():
        page.click("[data-testid=record-save]")
    expect(page.locator("[data-testid=error-owner]")).to_be_visible()
    expect(page.locator("[data-testid=inspection-status]")).to_have_text(zh("Planned"))
    expect(page.locator("textarea[name=finding]")).to_have_value(FINDING)
    page.locator("select[name=owner]").select_option(label="张伟（010001）")
    with page.expect_navigation():
        page.click("[data-testid=record-save]")
    expect(page.locator("[data-testid=inspection-status]")).to_have_text(zh("Recorded"))
    findings = page.locator("[data-testid=findings]")
    expect(findings).to_contain_text(FINDING)
    expect(findings).to_contain_text("张伟")
    rectification_url = findings.locator("a").first.get_attribute("href")
    assert page.url == inspection_url

    # 张伟 closes the rectification: not without evidence.
    officer_context = browser.new_context(locale="zh-CN", base_url=casebook_server.base_url)
    officer = officer_context.new_page()
    login(officer, "010001")
    officer.goto(rectification_url)
    expect(officer.locator("[data-testid=rectification-state]")).to_have_text(zh("Open"))
    with officer.expect_navigation():
        officer.click("[data-testid=close-save]")
    expect(officer.locator("[data-testid=error-evidence]")).to_be_visible()
    officer.locator("textarea[name=evidence]").fill("三条记录已电话回访核实，核实说明已补录。")
    with officer.expect_navigation():
        officer.click("[data-testid=close-save]")
    expect(officer.locator("[data-testid=rectification-state]")).to_have_text(
        zh("Closed with evidence")
    )
    expect(officer.locator("[data-testid=rectification-evidence]")).to_contain_text("电话回访")
    officer_context.close()

    page.goto(rectification_url)
    expect(page.locator("[data-testid=rectification-state]")).to_have_text(
        zh("Closed with evidence")
    )
