"""Subject pickers in a real browser (issue #13): an officer opens the record form, types part
of a subject's name, chooses it from the results by mouse or keyboard, fills the rest and saves;
the record shows the subject. The test registers its own places, so it depends on no demo row
another test may change."""

from playwright.sync_api import expect

from .picker import pick_subject
from .test_tooltips import register_place

FIRST = "拾光选择器测试网咖"
SECOND = "拾光选择器测试歌城"


def test_officer_picks_subjects_while_typing(page, login):
    login(page, "010001")
    first_url = register_place(page, FIRST, "30.2711", "120.1511")
    second_url = register_place(page, SECOND, "30.2712", "120.1512")
    first_pk = first_url.rstrip("/").rsplit("/", 1)[-1]
    second_pk = second_url.rstrip("/").rsplit("/", 1)[-1]

    page.goto("/records/new/")
    form = page.locator("[data-testid=record-form]")
    assert form.locator("select[name=subjects]").count() == 0
    # Typing part of the name shows matches; choosing one adds a chip with a hidden input.
    picker = pick_subject(form, "拾光选择", choose=FIRST)
    expect(picker.locator("input[type=hidden][name=subjects]")).to_have_attribute("value", first_pk)
    # The keyboard alone: type, arrow down to the result, Enter.
    search = picker.locator("input[data-picker-input]")
    search.fill("测试歌城")
    expect(picker.locator("[data-pick]", has_text=SECOND)).to_be_visible()
    search.press("ArrowDown")
    expect(picker.locator("[data-pick]", has_text=SECOND)).to_be_focused()
    page.keyboard.press("Enter")
    expect(picker.locator("input[type=hidden][name=subjects]")).to_have_count(2)
    expect(search).to_be_focused()
    # Enter in the search box never submits the form; a chip can be removed again.
    search.press("Enter")
    assert page.url.endswith("/records/new/")
    picker.locator("[data-picker-chip]", has_text=SECOND).locator("[data-picker-remove]").click()
    expect(picker.locator("input[type=hidden][name=subjects]")).to_have_count(1)

    # Saving without the content comes back with the error and keeps the chosen subject.
    form.locator("select[name=method]").select_option("field_visit")
    form.locator("select[name=channel]").select_option("community_police")
    form.locator("select[name=source_evaluation]").select_option("B")
    form.locator("select[name=info_assessment]").select_option("2")
    with page.expect_navigation():
        page.click("[data-testid=record-save]")
    expect(page.locator("[data-testid=error-content]")).to_be_visible()
    chips = page.locator("[data-testid=picker-subjects] [data-picker-chip]")
    expect(chips).to_have_count(1)
    expect(chips).to_contain_text(FIRST)
    page.locator("textarea[name=content]").fill("夜间检查时发现该网咖有未成年人上网。")
    with page.expect_navigation():
        page.click("[data-testid=record-save]")

    expect(page.locator("[data-testid=record-content]")).to_contain_text("未成年人上网")
    main = page.locator("main")
    expect(main.locator(f"a[href='/subjects/{first_pk}/']")).to_contain_text(FIRST)
    expect(main).not_to_contain_text(SECOND)
    assert second_pk != first_pk
