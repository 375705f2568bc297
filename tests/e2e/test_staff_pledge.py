"""Issue 16 in a real browser: an officer who has not signed the confidentiality pledge in force
(the demo's 010010) meets the gate on every page, follows its link, signs with the password and
then works as usual; the station leader no longer lists them as unsigned."""

from playwright.sync_api import expect

from .server import DEMO_PASSWORD


def test_an_unsigned_officer_signs_the_pledge(page, login):
    login(page, "010010", expect_home=False)
    gate = page.locator("[data-testid=gate]")
    expect(gate).to_be_visible()
    assert gate.get_attribute("data-gate") == "pledge_unsigned"
    page.goto("/subjects/")
    expect(page.locator("[data-testid=gate]")).to_be_visible()

    with page.expect_navigation():
        page.click("[data-testid=gate-link]")
    expect(page.locator("[data-testid=pledge-text]")).to_contain_text("保密")
    form = page.locator("[data-testid=pledge-form]")
    form.locator("input[name=password]").fill("not-my-password")
    with page.expect_navigation():
        page.click("[data-testid=pledge-sign]")
    expect(page.locator("[data-testid=error-password]")).to_be_visible()
    page.locator("[data-testid=pledge-form] input[name=password]").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("[data-testid=pledge-sign]")
    page.wait_for_selector("[data-testid=home-title]")
    page.goto("/subjects/")
    expect(page.locator("[data-testid=gate]")).to_have_count(0)
    page.goto("/staff/pledge/")
    expect(page.locator("[data-testid=pledge-signed]")).to_be_visible()

    # the station leader's home no longer names them among the unsigned
    page.context.clear_cookies()
    login(page, "010004")
    expect(page.locator("[data-testid=home-unsigned]")).to_have_count(0)
    expect(page.locator("[data-testid=home-lapsed]")).to_contain_text("010005")
