"""What officers hit in their first week (issue #18), in a real Chromium in Chinese: a visit made
from the task it serves lands in the task's records; accepting starts the collection and every
task page says what the next stage needs; the informants page is in the menu and the subject
picker tells namesakes apart; inspections say 检查, dates read yyyy-mm-dd, public pages carry
their own footer, the audit log names actors by 警号; and an officer's phone home page opens on
the day's work. Each test creates what it changes; demo rows are only read."""

import re

from playwright.sync_api import expect

from .catalogue import _catalogue, zh
from .picker import pick_subject
from .server import REPO_ROOT
from .test_tooltips import register_place

PLACE = "日常使用测试网咖"
TITLE = "日常检查任务（浏览器测试）"


def zh_ctx(context: str, msgid: str) -> str:
    """The Chinese of a message with a context (pgettext), English until it is translated."""
    return _catalogue().pgettext(context, msgid)


def test_visit_from_the_task_joins_its_records_and_accept_starts_collection(
    page, login, browser, casebook_server
):
    # The officer registers a place; the station leader gives him a task on it.
    login(page, "010001")
    register_place(page, PLACE, "30.2721", "120.1521")
    leader_context = browser.new_context(locale="zh-CN", base_url=casebook_server.base_url)
    leader = leader_context.new_page()
    login(leader, "010004")
    leader.goto("/tasks/new/")
    form = leader.locator("[data-testid=task-form]")
    form.locator("input[name=title]").fill(TITLE)
    pick_subject(form, PLACE)
    form.locator("select[name=lead]").select_option(label="张伟（010001）")
    with leader.expect_navigation():
        leader.click("[data-testid=task-save]")
    task_url = leader.url
    leader_context.close()

    # Before accepting, the page says what collection needs; accepting moves on at once.
    page.goto(task_url)
    needs = page.locator("[data-testid=next-needs]")
    expect(needs.locator("[data-testid=requirement][data-met='0']")).to_have_count(1)
    with page.expect_navigation():
        page.click("[data-testid=accept]")
    expect(page.locator("[data-testid=task-title]")).to_contain_text(zh("Collecting information"))
    expect(needs).to_contain_text(zh("at least one information record for this task"))
    history = page.locator("[data-testid=history]")
    expect(history).to_contain_text(zh("Task accepted"))
    expect(history).to_contain_text(zh("Collecting information"))

    # The inspection starts from the task and names it; the words are 检查, not 走访.
    with page.expect_navigation():
        page.locator("[data-testid=task-visit]", has_text=PLACE).click()
    expect(page.locator("[data-testid=visit-task]")).to_contain_text(TITLE)
    visit = page.locator("[data-testid=visit-form]")
    expect(visit).to_contain_text(zh_ctx("place", "Time of the inspection"))
    expect(page.locator("[data-testid=visit-save]")).to_have_text(
        zh_ctx("place", "Save the inspection record")
    )
    for item in visit.locator("fieldset[data-testid^=item-]").all():
        item.locator("input[type=radio][value=pass] + label").click()
    visit.locator("textarea[name=findings]").fill("例行检查，实名登记落实，未见未成年人。")
    with page.expect_navigation():
        page.click("[data-testid=visit-save]")
    expect(page.locator(".alert-success")).to_contain_text(zh_ctx("place", "Inspection recorded."))

    # It is one of the task's records, so organising may start — and analysis waits for 去伪存真.
    page.goto(task_url)
    expect(page.locator("[data-testid=task-records]")).to_contain_text("实名登记落实")
    with page.expect_navigation():
        page.click("[data-testid=advance]")
    expect(page.locator("[data-testid=task-title]")).to_contain_text(zh("Organising information"))
    expect(page.locator("[data-testid=next-needs] [data-testid=missing]")).to_be_visible()
    expect(page.locator("[data-testid=advance]")).to_be_disabled()

    # From the place's Information tab, the visit button carries the open task.
    place_url = page.locator("[data-testid=task-visits] a").first.get_attribute("href")
    subject_pk = re.search(r"/subjects/(\d+)/visit/", place_url).group(1)
    page.goto(f"/subjects/{subject_pk}/?tab=records")
    task_pk = task_url.rstrip("/").rsplit("/", 1)[-1]
    expect(page.locator("[data-testid=visit-subject]")).to_have_attribute(
        "href", f"/subjects/{subject_pk}/visit/?task={task_pk}"
    )


def test_informants_in_the_menu_and_the_picker_tells_namesakes_apart(page, login):
    login(page, "010001")
    menu = page.locator("#cb-nav a[href='/informants/']").first
    expect(menu).to_contain_text(zh("Informants"))
    if not menu.is_visible():  # the link sits in a drop-down group of the menu
        group = page.locator("#cb-nav .dropdown", has=page.locator("a[href='/informants/']"))
        group.locator("[data-bs-toggle=dropdown]").click()
    with page.expect_navigation():
        menu.click()
    assert page.url.endswith("/informants/")

    # The picker shows category, station and the masked ID of each match (demo rows, read only).
    page.goto("/records/new/")
    picker = page.locator("[data-testid=picker-subjects]")
    picker.locator("input[data-picker-input]").fill("张")
    identities = picker.locator("[data-pick-identity]")
    expect(identities.first).to_be_visible()
    texts = identities.all_inner_texts()
    assert texts and all("城关派出所" in t for t in texts)
    assert any(re.search(r"\d{6}\*{8}\d{3}[\dX]", t) for t in texts), texts
    assert not any(re.search(r"\d{17}[\dX]", t) for t in texts)  # never a whole ID number


def test_words_dates_footer_and_audit_actor(page, login, browser, casebook_server):
    # Dates read yyyy-mm-dd in a Chinese browser, typed or picked.
    login(page, "010004")
    page.goto("/tasks/new/")
    due = page.locator("input[name=due_collecting]")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", due.input_value())
    assert due.get_attribute("type") == "text"
    due.fill("2031/7/8 9:05")
    due.blur()
    expect(due).to_have_value("2031-07-08 09:05")
    # the calendar button lends the browser's picker; a date chosen there comes back as ISO
    group = page.locator(".cb-iso-group", has=due)
    expect(group.locator("[data-iso-open]")).to_be_visible()
    group.locator("input.cb-iso-native").evaluate(
        "el => { el.value = '2031-09-10T14:30'; el.dispatchEvent(new Event('change')); }"
    )
    expect(due).to_have_value("2031-09-10 14:30")

    # The public tip page has its own footer, not the internal one.
    public = browser.new_context(locale="zh-CN", base_url=casebook_server.base_url)
    tip = public.new_page()
    tip.goto("/tip/")
    footer = tip.locator("[data-testid=footer]")
    expect(footer).not_to_contain_text("所有访问均有记录")
    expect(footer).to_contain_text("110")
    public.close()

    # The audit log shows actors with their 警号 and filters by it.
    audit_context = browser.new_context(locale="zh-CN", base_url=casebook_server.base_url)
    auditor = audit_context.new_page()
    login(auditor, "000005")
    auditor.goto("/audit/?actor=010004")
    actors = auditor.locator("[data-testid=actor]")
    expect(actors.first).to_contain_text("刘洋（010004）")
    assert all("（010004）" in t for t in actors.all_inner_texts())
    audit_context.close()


def test_phone_home_opens_on_the_days_work(browser, casebook_server, login):
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        base_url=casebook_server.base_url,
    )
    phone = context.new_page()
    login(phone, "010001")
    today = phone.locator("[data-testid=home-today]")
    counters = phone.locator("[data-testid=subject-stats]")
    expect(today).to_be_visible()
    assert today.bounding_box()["y"] < counters.bounding_box()["y"]
    assert today.bounding_box()["y"] < 844  # on the first screen
    expect(today).to_contain_text(zh("Visits and inspections due today"))
    artifacts = REPO_ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    phone.screenshot(path=str(artifacts / "home-phone-390x844.png"))
    context.close()
