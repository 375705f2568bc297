"""The main menu on a laptop and a phone: the station leader has the most links (fourteen), yet
the bar stays one line at 1366×768 in Chinese and in English, and a link kept in a group's
drop-down is reached by clicking the group, with the mouse and with the keyboard; on a 390 px
phone the same group opens inside the collapsed menu."""

import re

import pytest
from playwright.sync_api import expect

from .catalogue import zh

LEADER = "010004"  # the station leader of the demo: the role with the most links


def bar_is_one_line(page) -> None:
    nav = page.locator("nav.cb-navbar")
    entries = page.locator("#cb-nav > ul > li.nav-item")
    assert entries.count() >= 6
    line = entries.first.bounding_box()["height"]
    tops = [entries.nth(i).bounding_box()["y"] for i in range(entries.count())]
    # every link, group and the user menu on the same line (a pixel or two apart: a button and a
    # link), and the bar no taller than one line
    assert max(tops) - min(tops) < line / 2, tops
    assert nav.bounding_box()["height"] < 1.5 * line
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_the_leaders_bar_is_one_line_and_a_grouped_link_opens(
    browser, casebook_server, login, locale
):
    context = browser.new_context(
        locale=locale, viewport={"width": 1366, "height": 768}, base_url=casebook_server.base_url
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        login(page, LEADER)
        bar_is_one_line(page)

        board = page.locator("#cb-nav a.dropdown-item[href='/tasks/board/']")
        expect(board).to_be_hidden()
        toggle = page.locator("[data-testid=nav-group-daily] > button")
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        with page.expect_navigation():
            board.click()
        expect(page).to_have_url(re.compile(r"/tasks/board/$"))
        # on the board the group shows as the active one, the link inside it as the page
        expect(page.locator("[data-testid=nav-group-daily] > button")).to_have_class(
            re.compile(r"\bactive\b")
        )
        expect(page.locator("#cb-nav a[aria-current=page]")).to_have_attribute(
            "href", "/tasks/board/"
        )
        bar_is_one_line(page)

        # the keyboard: focus the analysis group, open it with Enter, go down to its first link
        page.locator("[data-testid=nav-group-analysis] > button").focus()
        page.keyboard.press("Enter")
        page.keyboard.press("ArrowDown")
        focused = page.evaluate("document.activeElement.getAttribute('href')")
        assert focused == "/analysis/dashboard/"
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(r"/analysis/dashboard/$"))
    finally:
        context.close()


def test_on_a_phone_a_group_opens_inside_the_collapsed_menu(browser, casebook_server, login):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, base_url=casebook_server.base_url
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        login(page, LEADER)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        toggle = page.locator("[data-testid=nav-group-daily] > button")
        expect(toggle).to_be_hidden()
        page.click(".navbar-toggler")
        expect(toggle).to_be_visible()
        expect(toggle).to_contain_text(zh("Daily work"))
        toggle.click()
        board = page.locator("#cb-nav a.dropdown-item[href='/tasks/board/']")
        expect(board).to_be_visible()
        with page.expect_navigation():
            board.click()
        expect(page).to_have_url(re.compile(r"/tasks/board/$"))
    finally:
        context.close()
