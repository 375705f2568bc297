"""The foundation, end to end in a real browser: login and language, lockout, separation of the
administrators' duties, the audit chain, and a forged form.

Each test opens its own browser context (own cookies) and uses its own accounts where state
matters, so the tests pass in any order. Texts are asserted in Chinese as the zh_Hans catalogue
has them (see ``catalogue.zh``), falling back to English for messages not yet translated.
"""

import re

from playwright.sync_api import expect

from .catalogue import has_cjk, is_translated, zh, zh_pattern
from .server import DEMO_PASSWORD

LOGIN_URL = re.compile(r"/accounts/login/(\?.*)?$")


def login_path_for(next_path: str) -> re.Pattern[str]:
    """The login page, asked to come back to ``next_path`` afterwards."""
    quoted = re.escape(next_path) + "|" + re.escape(next_path.replace("/", "%2F"))
    return re.compile(rf"/accounts/login/\?next=({quoted})$")


def open_user_menu(page):
    page.click("[data-testid=user-menu]")
    expect(page.locator("[data-testid=logout]")).to_be_visible()


def open_nav_group(page, key, label):
    """Open one of the menu bar's drop-down groups (the links beyond the daily ones sit in them)."""
    toggle = page.locator(f"[data-testid=nav-group-{key}] > button")
    expect(toggle).to_contain_text(label)
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")


def test_login_language_switch_and_logout(page, login):
    login(page, "010001")

    # Chinese by default (the browser asks for zh-CN).
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    title = page.locator("[data-testid=home-title]")
    expect(title).to_have_text(zh("My work"))
    if is_translated("My work"):
        assert has_cjk(title.inner_text())
    expect(page.locator("[data-testid=user-menu]")).to_contain_text("张伟")
    expect(page.locator("[data-testid=user-menu]")).to_contain_text("010001")
    expect(page.locator("main")).to_contain_text("城关派出所")
    expect(page.locator("main")).to_contain_text(zh("Tracking officer"))
    expect(page.locator("nav a.nav-link[href='/']")).to_have_text(
        re.compile(rf"^\s*{re.escape(zh('Home'))}\s*$")
    )
    expect(page.locator("[data-testid=lang-en]")).to_be_visible()

    # Switch to English: the same page comes back in English.
    with page.expect_navigation():
        page.click("[data-testid=lang-en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("[data-testid=home-title]")).to_have_text("My work")
    expect(page.locator("nav a.nav-link[href='/']")).to_have_text(re.compile(r"^\s*Home\s*$"))
    expect(page.locator("[data-testid=lang-zh]")).to_be_visible()
    expect(page.locator("[data-testid=user-menu]")).to_contain_text("张伟")

    # Log out from the user menu: back on the login page, told so.
    open_user_menu(page)
    with page.expect_navigation():
        page.click("[data-testid=logout]")
    expect(page).to_have_url(LOGIN_URL)
    expect(page.locator("[data-testid=login-form]")).to_be_visible()
    expect(page.locator(".cb-messages")).to_contain_text("You have logged out.")
    expect(page.locator("[data-testid=user-menu]")).to_have_count(0)

    # The session is gone: the home page sends us to the login page.
    page.goto("/")
    expect(page).to_have_url(login_path_for("/"))
    expect(page.locator("[data-testid=login-form]")).to_be_visible()


def test_lockout_after_five_wrong_passwords(page, login):
    username = "010003"  # 王强, used by no other test
    wrong_password = zh("The police number or password is not correct.")
    lockout_text = zh(
        "Too many wrong passwords. This account is locked for %(minutes)s minutes. "
        "Try again later, or ask the system administrator to unlock it.",
        minutes=10,
    )

    def attempt(password):
        page.goto("/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        with page.expect_navigation() as navigation:
            page.click("[data-testid=login-submit]")
        return navigation.value

    # Failures 1-4: the login form again, with the error message.
    for n in range(1, 5):
        response = attempt(f"wrong-password-{n}")
        assert response.status == 200, f"attempt {n}"
        expect(page.locator("[data-testid=form-errors]")).to_have_text(wrong_password)
        expect(page.locator("[data-testid=lockout]")).to_have_count(0)

    # Failure 5 reaches AXES_FAILURE_LIMIT: the account is locked at once.
    response = attempt("wrong-password-5")
    assert response.status == 429
    expect(page.locator("[data-testid=lockout]")).to_be_visible()

    # Attempt 6, with the RIGHT password, is refused too: no session is given.
    response = attempt(DEMO_PASSWORD)
    assert response.status == 429
    lockout = page.locator("[data-testid=lockout]")
    expect(lockout).to_be_visible()
    expect(lockout).to_contain_text(lockout_text)
    assert "10" in lockout.inner_text()
    expect(page.locator("[data-testid=user-menu]")).to_have_count(0)

    page.goto("/")
    expect(page).to_have_url(login_path_for("/"))
    expect(page.locator("[data-testid=home-title]")).to_have_count(0)


def test_system_admin_manages_accounts_but_cannot_read_the_audit_log(page, login):
    login(page, "000003")  # 孙丽, system administrator
    expect(page.locator("[data-testid=user-menu]")).to_contain_text("孙丽")
    nav = page.locator("#cb-nav")
    # the accounts link sits in the administration group's drop-down: open the group first
    accounts_link = nav.locator("a.dropdown-item[href='/accounts/users/']")
    expect(accounts_link).to_be_hidden()
    open_nav_group(page, "admin", zh("Administration"))
    expect(accounts_link).to_be_visible()
    expect(accounts_link).to_have_text(re.compile(re.escape(zh("Accounts"))))
    expect(nav.locator("a[href^='/audit/']")).to_have_count(0)
    expect(nav.locator("[data-testid=nav-group-audit]")).to_have_count(0)
    expect(nav).not_to_contain_text(zh("Audit log"))

    with page.expect_navigation():
        accounts_link.click()
    expect(page.locator("h1")).to_have_text(zh("Accounts"))
    table = page.locator("main table")
    expect(table.locator("thead")).to_contain_text(zh("Police number"))
    for number, name in [("000003", "孙丽"), ("000005", "吴敏"), ("010001", "张伟")]:
        row = table.locator("tbody tr", has=page.locator(f"a:text-is('{number}')"))
        expect(row).to_have_count(1)
        expect(row).to_contain_text(name)

    response = page.goto("/audit/")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text(zh("You are not allowed to do this"))
    expect(page.locator("main table.cb-audit")).to_have_count(0)


def test_audit_admin_reads_the_log_and_verifies_the_chain(page, login):
    login(page, "000005")  # 吴敏, audit administrator
    nav = page.locator("#cb-nav")
    # the audit log sits in the audit group's drop-down: open the group first
    audit_link = nav.locator("a.dropdown-item[href='/audit/']")
    expect(audit_link).to_be_hidden()
    open_nav_group(page, "audit", zh("Audit"))
    expect(audit_link).to_be_visible()
    expect(audit_link).to_have_text(re.compile(re.escape(zh("Audit log"))))
    expect(nav.locator("a[href='/accounts/users/']")).to_have_count(0)

    with page.expect_navigation():
        audit_link.click()
    expect(page.locator("h1")).to_have_text(zh("Audit log"))
    rows = page.locator("table.cb-audit tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 1
    # At least this test's own login is there (and those of the other tests, if they ran).
    logins = rows.filter(has=page.locator(f"td:text-is('{zh('Login')}')"))
    expect(logins.first).to_be_visible()
    expect(rows.filter(has_text="吴敏").first).to_be_visible()

    with page.expect_navigation():
        page.click("[data-testid=verify-chain]")
    success = page.locator(".cb-messages .alert-success")
    expect(success).to_be_visible()
    expect(success).to_contain_text(
        zh_pattern("%(n)s events verified, chain intact up to #%(last)s.")
    )
    expect(page.locator(".cb-messages .alert-danger")).to_have_count(0)


def test_forged_csrf_token_is_refused(page, login):
    login(page, "010004")  # 刘洋, station leader
    expect(page.locator("[data-testid=home-title]")).to_have_text(zh("Station overview"))
    expect(page.locator("main")).to_contain_text("张伟")  # the officers of the station

    open_user_menu(page)
    token = page.locator("form[action='/accounts/logout/'] input[name=csrfmiddlewaretoken]")
    original = token.input_value()
    forged = ("X" if original[:1] != "X" else "Y") + original[1:]
    token.evaluate("(el, value) => { el.value = value; }", forged)
    assert token.input_value() == forged

    with page.expect_response(lambda r: r.url.endswith("/accounts/logout/")) as refused:
        page.click("[data-testid=logout]")
    assert refused.value.status == 403
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text(zh("The form was refused"))
    expect(page.locator("main")).to_contain_text(
        zh(
            "The form had expired or did not come from this system, so nothing was saved. "
            "Go back, reload the page and submit it again."
        )
    )

    # Nothing happened: still logged in.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("[data-testid=home-title]")).to_have_text(zh("Station overview"))
    expect(page.locator("[data-testid=user-menu]")).to_contain_text("刘洋")


def test_login_page_is_usable_on_desktop_and_phone(page):
    """The login card is centred and wide enough to type in, on a desktop and on a phone."""
    for width, height, min_card in [(1280, 800, 320), (390, 844, 320)]:
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/accounts/login/")
        card = page.locator(".card", has=page.locator("[data-testid=login-form]"))
        box = card.bounding_box()
        assert box is not None
        left, right = box["x"], width - box["x"] - box["width"]
        assert box["width"] >= min_card, (
            f"at {width}x{height} the login card is only {box['width']:.0f}px wide"
        )
        assert abs(left - right) <= 2, (
            f"at {width}x{height} the login card is off-centre: {left:.0f}px of margin on the "
            f"left, {right:.0f}px on the right"
        )
        field = page.locator("input[name=username]").bounding_box()
        assert field["width"] >= min_card - 80
        # No horizontal scrolling on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
