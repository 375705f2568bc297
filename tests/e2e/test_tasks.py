"""A task through the six stages in a real browser: the station leader assigns it, the officer
accepts it and moves it stage by stage, the leader sees it archived."""

from playwright.sync_api import expect

from .catalogue import zh

TITLE = "核查近期交往人员（浏览器测试）"


def test_leader_assigns_officer_works_leader_sees_it_archived(
    page, login, browser, casebook_server
):
    # The station leader assigns a task to the tracking officer 张伟.
    login(page, "010004")
    page.goto("/tasks/new/")
    form = page.locator("[data-testid=task-form]")
    form.locator("input[name=title]").fill(TITLE)
    form.locator("select[name=subjects]").select_option(index=0)
    form.locator("select[name=lead]").select_option(label="张伟（010001）")
    form.locator("select[name=priority]").select_option("high")
    with page.expect_navigation():
        page.click("[data-testid=task-save]")
    expect(page.locator("[data-testid=task-title]")).to_contain_text(TITLE)
    task_url = page.url

    # The officer: the new task is in "my tasks", not yet accepted; the bell shows it.
    officer_context = browser.new_context(locale="zh-CN", base_url=casebook_server.base_url)
    officer = officer_context.new_page()
    login(officer, "010001")
    expect(officer.locator("[data-testid=unread-count]")).to_be_visible()
    officer.goto("/tasks/?queue=mine")
    officer.locator("[data-testid=task-table] a", has_text=TITLE).click()
    # Moving before accepting is refused with the reason shown on the page.
    expect(officer.locator("[data-testid=missing]")).to_contain_text(
        zh("The lead officer has not accepted the task yet.")
    )
    with officer.expect_navigation():
        officer.click("[data-testid=accept]")
    expect(officer.locator(".alert-success")).to_contain_text(zh("Task accepted."))
    stages = [
        "Collecting information",
        "Organising information",
        "Analysis",
        "Feedback",
        "Archived",
    ]
    for stage in stages:
        officer.fill("#advance-note", f"进入{zh(stage)}")
        with officer.expect_navigation():
            officer.click("[data-testid=advance]")
        expect(officer.locator("[data-testid=task-title]")).to_contain_text(zh(stage))
    expect(officer.locator("[data-testid=archived]")).to_be_visible()
    officer_context.close()

    # The leader sees it archived, with the whole history.
    page.goto(task_url)
    expect(page.locator("[data-testid=archived]")).to_be_visible()
    history = page.locator("[data-testid=history]")
    expect(history).to_contain_text(zh("Task accepted"))
    expect(history.locator("li")).to_have_count(7)  # created, accepted, five transitions
    page.goto("/tasks/?queue=archived")
    expect(page.locator("[data-testid=task-table]")).to_contain_text(TITLE)
