"""Work assessment (issue #17, 六) in a real browser: the station leader 刘洋 draws a spot check
of 城关派出所's information records — refused when the sample is larger than its population,
drawn (and reproducible) otherwise — and records a discrepancy; then scores an officer's draft
assessment, and the officer states an objection."""

import pytest
from playwright.sync_api import expect

from .catalogue import zh

pytestmark = pytest.mark.browser


def test_leader_draws_a_spot_check_and_records_a_discrepancy(page, login):
    login(page, "010004")
    page.goto("/assessment/spot-checks/")
    form = page.locator("[data-testid=spot-form]")
    form.locator("select[name=kind]").select_option("records")
    form.locator("input[name=size]").fill("500")
    before = page.locator("[data-testid=check-size]").count()
    with page.expect_navigation():
        page.click("[data-testid=spot-draw]")
    expect(page.locator("[data-testid=error-size]")).to_be_visible()
    assert page.locator("[data-testid=check-size]").count() == before  # nothing drawn
    size = page.locator("[data-testid=check-size]").first.inner_text().strip()
    page.locator("input[name=size]").fill(size)
    with page.expect_navigation():
        page.click("[data-testid=spot-draw]")
    expect(page.locator("[data-testid=reproduced]")).to_have_text(
        zh("Redrawn from the seed: the same sample")
    )
    row = page.locator("tr[data-testid^=item-]").first
    row.locator("select[name=result]").select_option("discrepancy")
    row.locator("input[name=note]").fill("电话回访：被走访人称当日无人上门（浏览器测试）")
    with page.expect_navigation():
        row.locator("[data-testid=record-check]").click()
    first = page.locator("tr[data-testid^=item-]").first
    expect(first.locator("[data-testid=result]")).to_contain_text(zh("Discrepancy"))
    expect(first.locator("[data-testid=result]")).to_contain_text("被走访人称当日无人上门")


def test_officer_states_an_objection(page, login, browser, casebook_server):
    login(page, "010004")
    page.goto("/assessment/quarterly/")
    unsigned = ":not([data-testid=row-010010])"  # 010010 has not signed the pledge
    drafts = page.locator(f"tr[data-status=draft]{unsigned}")
    if drafts.count() == 0:  # a second run: the drafts were scored already
        drafts = page.locator(f"tr[data-status=scored]{unsigned}")
    row = drafts.first
    username = row.get_attribute("data-testid").removeprefix("row-")
    with page.expect_navigation():
        row.locator("a").click()
    url = page.url
    if page.locator("[data-testid=score-form]").count():
        form = page.locator("[data-testid=score-form]")
        form.locator("select[name=grade]").select_option("competent")
        form.locator("textarea[name=reasons]").fill("按时完成任务，抽查发现一处出入（浏览器测试）")
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=status]")).to_have_text(zh("Scored, awaiting the officer"))

    context = browser.new_context(locale="zh-CN", base_url=casebook_server.base_url)
    officer = context.new_page()
    login(officer, username)
    officer.goto(url)
    objection = officer.locator("[data-testid=objection-form]")
    objection.locator("textarea[name=objection]").fill(
        "抽查中的出入系被走访人记错日期（浏览器测试）"
    )
    with officer.expect_navigation():
        officer.click("[data-testid=object]")
    expect(officer.locator("[data-testid=status]")).to_have_text(zh("Objection stated"))
    expect(officer.locator("[data-testid=objection]")).to_contain_text("记错日期")
    context.close()

    page.goto(url)
    expect(page.locator("[data-testid=objection]")).to_contain_text("记错日期")
