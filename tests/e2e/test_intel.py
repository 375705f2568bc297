"""Information collection in a real browser: a place inspection on a phone-sized screen in which
a failed checklist point creates a rectification order and a follow-up task; a public tip from
the form to the triage queue, and its status by reference code."""

from playwright.sync_api import expect

from .catalogue import zh
from .picker import pick_subject

PHONE = {"width": 390, "height": 844}


def test_place_inspection_on_a_phone_creates_rectification(browser, casebook_server, login):
    context = browser.new_context(
        locale="zh-CN",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        base_url=casebook_server.base_url,
    )
    page = context.new_page()
    login(page, "010001")
    page.goto("/subjects/?category=internet_cafe&sort=name")
    with page.expect_navigation():
        page.locator("[data-testid=subject-table] tbody a").first.click()
    place_url = page.url.split("?")[0]
    page.click("[data-testid=tab-records]")
    with page.expect_navigation():
        page.click("[data-testid=visit-subject]")

    items = page.locator("fieldset[data-testid^=item-]")
    count = items.count()
    assert count >= 5
    for i in range(count):
        item = items.nth(i)
        value = "fail" if i == 2 else "pass"
        radio_id = item.locator(f"input[value={value}]").get_attribute("id")
        item.locator(f"label[for={radio_id}]").click()
    # The failed point needs a finding: saving without one keeps everything and says so.
    page.fill("textarea[name=findings]", "例行检查，现场有两名未成年人上网。")
    with page.expect_navigation():
        page.click("[data-testid=visit-save]")
    failed = page.locator("fieldset[data-testid^=item-]").nth(2)
    expect(failed.locator(".invalid-feedback")).to_have_text(zh("Describe what failed."))
    expect(page.locator("textarea[name=findings]")).to_have_value(
        "例行检查，现场有两名未成年人上网。"
    )
    failed.locator("input[name^=finding_]").fill("发现两名未成年人在上网")
    with page.expect_navigation():
        page.click("[data-testid=visit-save]")

    # The record shows the failed point with its rectification and follow-up task.
    results = page.locator("[data-testid=checklist-results]")
    expect(results).to_contain_text("发现两名未成年人在上网")
    expect(page.locator(".alert-warning")).to_be_visible()
    with page.expect_navigation():
        results.locator("a").first.click()
    expect(page.locator("[data-testid=task-title]")).to_be_visible()
    expect(page.locator("main")).to_contain_text("发现两名未成年人在上网")  # the instructions
    # The dossier lists the open order; nothing overflows the phone's width.
    page.goto(place_url + "?tab=records")
    expect(page.locator("[data-testid=rectifications]")).to_contain_text("发现两名未成年人在上网")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 2
    context.close()


def test_public_tip_to_triage_and_status(browser, casebook_server, login, page):
    public_context = browser.new_context(locale="zh-CN", base_url=casebook_server.base_url)
    public = public_context.new_page()
    public.goto("/tip/")
    expect(public.locator("[data-testid=user-menu]")).to_have_count(0)  # no login needed
    public.fill("textarea[name=what]", "解放路夜市每晚有人<b>聚众赌博</b>，持续一周了。")
    public.fill("input[name=where]", "解放路夜市")
    public.select_option("select[name=station]", label="城关派出所")
    with public.expect_navigation():
        public.click("[data-testid=tip-submit]")
    reference = public.locator("[data-testid=tip-reference]").inner_text().strip()
    assert reference.startswith("JB-")
    public.goto(f"/tip/status/?reference={reference}")
    expect(public.locator("[data-testid=tip-status]")).to_have_text(zh("Received"))

    # The station's officer finds it in the triage queue and links it to a subject.
    login(page, "010001")
    page.goto("/tips/")
    with page.expect_navigation():
        page.locator("[data-testid=tip-queue] a", has_text=reference).click()
    expect(page.locator("[data-testid=tip-what]")).to_contain_text("<b>聚众赌博</b>")  # escaped
    pick_subject(page.locator("[data-testid=tip-link]"), "网")  # a station's internet café
    with page.expect_navigation():
        page.click("[data-testid=tip-link] button[name=link]")
    expect(page.locator("[data-testid=record-content]")).to_contain_text("聚众赌博")

    public.goto(f"/tip/status/?reference={reference}")
    expect(public.locator("[data-testid=tip-status]")).to_have_text(zh("Being handled"))
    expect(public.locator("main")).not_to_contain_text("聚众赌博")
    public_context.close()
