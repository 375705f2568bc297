"""Tracked subjects in a real browser: a tracking officer registers a person with an ID number,
finds him by a fragment of his name and by the full ID, opens the dossier, states a purpose and
sees the unmasked ID — and an officer of another station cannot reach him."""

import re

from playwright.sync_api import expect
from stdnum.cn import ric

from .catalogue import zh

NAME = "欧阳建国"


def make_id() -> str:
    body = "11010119780512033"  # 东城区, 1978-05-12, sequence 033 (male)
    return body + ric.calc_check_digit(body + "0")


ID_NUMBER = make_id()


def table(page):
    return page.locator("[data-testid=subject-table] tbody")


def test_register_find_and_consult_a_person(page, login):
    login(page, "010001")
    page.click("nav >> text=" + zh("Tracked subjects"))
    page.click("[data-testid=new-person]")
    expect(page.locator("h1")).to_contain_text(zh("Key person"))

    form = page.locator("[data-testid=subject-form]")
    form.locator("input[name=name]").fill(NAME)
    form.locator("select[name=category]").select_option(label="有违法犯罪前科人员")
    form.locator("select[name=area]").select_option(label="东门社区")
    form.locator("input[name=legal_basis_ref]").fill("城公(治)字〔2026〕88号")
    form.locator("select[name=approved_by]").select_option(label="刘洋（010004）")
    form.locator("input[name=d-id_number]").fill(
        ID_NUMBER[:-1] + "0" if ID_NUMBER[-1] != "0" else ID_NUMBER[:-1] + "1"
    )
    form.locator("select[name=d-data_subject_category]").select_option("convicted")
    form.locator("input[name=d-phones]").fill("13705710033")
    form.locator("input[name=d-current_address]").fill("江州市城关区解放路88号3单元")

    # A wrong check digit: a clear error on the field, nothing saved, what was typed kept.
    with page.expect_navigation():
        page.click("[data-testid=subject-save]")
    expect(page.locator("[data-testid=error-id_number]")).to_have_text(
        zh("The check digit is wrong: please check the number again.")
    )
    expect(form.locator("input[name=name]")).to_have_value(NAME)

    form.locator("input[name=d-id_number]").fill(ID_NUMBER)
    with page.expect_navigation():
        page.click("[data-testid=subject-save]")
    expect(page.locator("[data-testid=subject-name]")).to_contain_text(NAME)
    masked = f"{ID_NUMBER[:6]}********{ID_NUMBER[-4:]}"
    expect(page.locator("[data-testid=masked-id_number]")).to_have_text(masked)
    expect(page.locator("main")).not_to_contain_text(ID_NUMBER)

    # Find him by a fragment of his name…
    page.goto("/subjects/")
    page.fill("input[name=q]", "建国")
    with page.expect_navigation():
        page.click("[data-testid=search-submit]")
    expect(table(page).locator("a", has_text=NAME)).to_be_visible()
    expect(table(page)).to_contain_text(masked)
    # …and by the full ID number, which matches exactly through the blind index.
    page.fill("input[name=q]", ID_NUMBER)
    with page.expect_navigation():
        page.click("[data-testid=search-submit]")
    expect(table(page).locator("tr")).to_have_count(1)
    expect(page.locator("main")).to_contain_text(zh("Exact match on a full identifier."))

    # Open the dossier; the details tab asks for a purpose before showing the ID.
    with page.expect_navigation():
        table(page).locator("a", has_text=NAME).click()
    page.click("[data-testid=tab-details]")
    expect(page.locator("[data-testid=purpose-prompt]")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(ID_NUMBER)
    page.fill("input[name=purpose]", "核实居住地址，走访前准备")
    with page.expect_navigation():
        page.click("[data-testid=consult-submit]")
    expect(page.locator("[data-testid=full-id]")).to_have_text(ID_NUMBER)
    expect(page.locator("main")).to_contain_text("江州市城关区解放路88号3单元")

    # The timeline shows the consultation with its purpose.
    page.click("[data-testid=tab-timeline]")
    expect(page.locator("[data-testid=timeline]")).to_contain_text("核实居住地址，走访前准备")
    dossier_url = page.url.split("?")[0]

    # An officer of another station finds nothing and cannot open the dossier.
    other = page.context.browser.new_context(
        locale="zh-CN", base_url=page.url.split("/subjects")[0]
    )
    other_page = other.new_page()
    login(other_page, "020001")
    other_page.goto("/subjects/?q=" + ID_NUMBER)
    expect(table(other_page).locator("a", has_text=NAME)).to_have_count(0)
    response = other_page.goto(dossier_url)
    assert response.status == 404
    expect(other_page.locator("main")).not_to_contain_text(NAME)
    other.close()


def test_map_shows_places_on_a_phone(page, login):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "010004")
    page.goto("/subjects/map/")
    expect(page.locator(".leaflet-interactive").first).to_be_visible()
    markers = page.locator(".leaflet-interactive")
    assert markers.count() >= 30
    # No horizontal scrolling on a phone.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 392, width
    assert re.search(r"\d+", page.locator("main").inner_text())
