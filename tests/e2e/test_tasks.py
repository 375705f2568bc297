"""A task through the six stages in a real browser: the station leader assigns it, the officer
accepts it and moves it stage by stage, reports the result, the leader gives an instruction
(批示), the officer archives it and the leader sees it archived."""

from playwright.sync_api import expect

from .catalogue import zh
from .picker import pick_subject

TITLE = "核查近期交往人员（浏览器测试）"


def test_leader_assigns_officer_works_leader_sees_it_archived(
    page, login, browser, casebook_server
):
    # The station leader assigns a task to the tracking officer 张伟.
    login(page, "010004")
    page.goto("/tasks/new/")
    form = page.locator("[data-testid=task-form]")
    form.locator("input[name=title]").fill(TITLE)
    pick_subject(form, "网")  # a station's internet café
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
    # Accepting starts the collection at once (issue #18 item 3): no second click.
    expect(officer.locator("[data-testid=task-title]")).to_contain_text(
        zh("Collecting information")
    )
    stages = [
        "Organising information",
        "Analysis",
        "Feedback",
        "Archived",
    ]
    for stage in stages:
        if stage == "Organising information":
            record_and_verify(officer)
        if stage == "Feedback":
            assess(officer)
        if stage == "Archived":
            feed_back(officer, page)
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
    # (the one to collection made by the acceptance itself)
    expect(page.locator("[data-testid=task-records]")).to_contain_text("本人在家")
    page.goto("/tasks/?queue=archived")
    expect(page.locator("[data-testid=task-table]")).to_contain_text(TITLE)


def record_and_verify(officer) -> None:
    """Collecting needs a record before organising; the record must be verified too."""
    expect(officer.locator("[data-testid=missing]")).to_contain_text(
        zh("Record at least one piece of information for this task.")
    )
    task_url = officer.url
    with officer.expect_navigation():
        officer.click("[data-testid=task-record]")
    form = officer.locator("[data-testid=record-form]")
    form.locator("select[name=method]").select_option("field_visit")
    form.locator("select[name=channel]").select_option("own")
    form.locator("textarea[name=content]").fill("走访时本人在家，近期无异常。")
    form.locator("select[name=source_evaluation]").select_option("A")
    form.locator("select[name=info_assessment]").select_option("1")
    with officer.expect_navigation():
        officer.click("[data-testid=record-save]")
    verify = officer.locator("[data-testid=verify-form]")
    verify.locator("select[name=status]").select_option("verified")
    verify.locator("input[name=note]").fill("当面核实")
    with officer.expect_navigation():
        verify.locator("button[type=submit]").click()
    expect(officer.locator("main")).to_contain_text(zh("Verification recorded."))
    officer.goto(task_url)


def assess(officer) -> None:
    """Analysing needs a signed risk assessment of the subject before feeding back."""
    task_url = officer.url
    with officer.expect_navigation():
        officer.click("[data-testid=task-assess]")
    form = officer.locator("[data-testid=assess-form]")
    factor = form.locator("[data-testid^=factor-]").first
    factor.locator("input[type=checkbox]").check()
    factor.locator("select").select_option(index=0)
    with officer.expect_navigation():
        officer.click("[data-testid=assess-preview]")
    expect(officer.locator("[data-testid=assess-suggestion]")).to_be_visible()
    with officer.expect_navigation():
        officer.click("[data-testid=assess-save]")
    expect(officer.locator("[data-testid=explanation]")).to_be_visible()
    officer.goto(task_url)


def feed_back(officer, leader) -> None:
    """Archiving needs a feedback report that a leader has acknowledged with an instruction."""
    expect(officer.locator("[data-testid=missing]")).to_contain_text(
        zh("A leader must acknowledge a feedback report on this task.")
    )
    task_url = officer.url
    with officer.expect_navigation():
        officer.click("[data-testid=feedback-new]")
    form = officer.locator("[data-testid=feedback-form]")
    form.locator("textarea[name=summary]").fill("对象近期情况稳定。")
    form.locator("textarea[name=findings]").fill("走访核实，本人在家，无异常往来。")
    form.locator("textarea[name=recommendations]").fill("维持现有管控措施。")
    with officer.expect_navigation():
        officer.click("[data-testid=feedback-submit]")
    expect(officer.locator("[data-testid=feedback-status]")).to_have_text(zh("Awaiting the leader"))
    report_url = officer.url

    # The leader reads it (a read receipt) and gives an instruction.
    leader.goto(report_url)
    leader.locator("#id_instruction").fill("同意，按建议落实。")
    with leader.expect_navigation():
        leader.click("[data-testid=ack-submit]")
    expect(leader.locator("[data-testid=instruction]")).to_have_text("同意，按建议落实。")
    expect(leader.locator("[data-testid=receipts]")).to_contain_text(zh("read"))
    officer.goto(task_url)
    expect(officer.locator("[data-testid=task-feedback]")).to_contain_text("同意，按建议落实。")
