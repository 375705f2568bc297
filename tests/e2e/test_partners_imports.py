"""Issue 18 items 9 and 10 in a real browser: a task shared with a partner department, which
answers through its link (no account) and the officer sees the answer in the task's records;
a station leader brings in a register from the Excel template (download, fill, upload, preview
with the errors per row, import the clean rows, progress, the subjects listed)."""

import io
from datetime import date

from openpyxl import load_workbook
from playwright.sync_api import expect

from casebook.subjects.tests.conftest import make_id
from casebook.subjects.workbook import COLUMNS

from .picker import pick_subject

DEPARTMENT = "城关消防救援站（浏览器测试）"
TASK = "核查场所消防通道（浏览器测试）"


def test_share_with_a_department_which_answers(page, login, browser, casebook_server):
    # The station leader registers the department and assigns a task to 张伟.
    login(page, "010004")
    page.goto("/partners/new/")
    form = page.locator("[data-testid=partner-form]")
    form.locator("input[name=name]").fill(DEPARTMENT)
    form.locator("select[name=kind]").select_option("fire")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.locator("[data-testid=contact-form] input[name=name]").fill("周站长")
    page.locator("[data-testid=contact-form] input[name=phone]").fill("13912340000")
    with page.expect_navigation():
        page.locator("[data-testid=contact-form] button[type=submit]").click()
    expect(page.locator("[data-testid=contact-table]")).to_contain_text("13912340000")

    page.goto("/tasks/new/")
    form = page.locator("[data-testid=task-form]")
    form.locator("input[name=title]").fill(TASK)
    pick_subject(form, "网")
    form.locator("select[name=lead]").select_option(label="张伟（010001）")
    with page.expect_navigation():
        page.click("[data-testid=task-save]")
    task_url = page.url

    # The officer shares it with the department: the link is shown once.
    officer_context = browser.new_context(locale="zh-CN", base_url=casebook_server.base_url)
    officer = officer_context.new_page()
    login(officer, "010001")
    officer.goto(task_url)
    with officer.expect_navigation():
        officer.click("[data-testid=partner-share]")
    share = officer.locator("[data-testid=partner-share-form]")
    share.locator("select[name=partner]").select_option(label=DEPARTMENT)
    share.locator("textarea[name=summary]").fill("请协助检查该网吧的消防通道是否畅通。")
    share.locator("textarea[name=request]").fill("请于本周内回复检查结果。")
    with officer.expect_navigation():
        officer.click("[data-testid=partner-share-submit]")
    link = officer.locator("[data-testid=partner-link-url]").input_value()
    assert "/partner/" in link

    # The department opens the link without an account and answers.
    partner_context = browser.new_context(locale="zh-CN")
    partner = partner_context.new_page()
    partner.goto(link)
    expect(partner.locator("[data-testid=partner-summary]")).to_contain_text("消防通道是否畅通")
    expect(partner.locator("[data-testid=public-footer]")).to_be_visible()
    assert partner.locator("a[href^='/tasks/']").count() == 0  # no internal navigation
    assert TASK not in partner.content()
    answer = partner.locator("[data-testid=partner-answer-form]")
    answer.locator("textarea[name=text]").fill("已检查：后门消防通道堆放杂物，已责令清理。")
    answer.locator("input[name=answered_by]").fill("周站长")
    answer.locator("input[name=done]").check()
    with partner.expect_navigation():
        partner.click("[data-testid=partner-answer-submit]")
    expect(partner.locator("[data-testid=partner-answers]")).to_contain_text("周站长")
    # A wrong link shows the same neutral page as an expired or revoked one.
    partner.goto(link[:-3] + "xyz")
    expect(partner.locator("[data-testid=partner-404]")).to_be_visible()

    # The officer sees the answer on the task, among its records.
    officer.goto(task_url)
    card = officer.locator("[data-testid=task-partner-links]")
    expect(card).to_contain_text(DEPARTMENT)
    card.locator("[data-testid=partner-answer-link]").first.click()
    expect(officer.locator("body")).to_contain_text("后门消防通道堆放杂物")
    officer_context.close()
    partner_context.close()


def _fill(data: bytes, rows_by_kind: dict) -> bytes:
    book = load_workbook(io.BytesIO(data))
    sheets = {kind: book.worksheets[2 + i] for i, kind in enumerate(COLUMNS)}
    for kind, rows in rows_by_kind.items():
        keys = [c.key for c in COLUMNS[kind]]
        for r, row in enumerate(rows, start=2):
            for c, key in enumerate(keys, start=1):
                if key in row:
                    sheets[kind].cell(row=r, column=c, value=row[key])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_import_a_register_from_the_template(page, login, tmp_path):
    login(page, "010004")
    page.goto("/subjects/import/")
    with page.expect_download() as download:
        page.click("[data-testid=import-template]")
    template = download.value.path().read_bytes()

    def person(name, seq, **over):
        row = {
            "name": name,
            "category": "有违法犯罪前科人员",
            "legal_basis_ref": "城公(治)字〔2026〕88号",
            "approved_by": "010004",
            "approved_on": date(2026, 1, 5).isoformat(),
            "id_number": make_id(born="19700101", seq=seq),
            "data_subject_category": "convicted",
        }
        row.update(over)
        return row

    filled = _fill(
        template,
        {
            "person": [
                person("导入甲（浏览器测试）", "901"),
                person("导入乙（浏览器测试）", "902"),
                person("导入丙（浏览器测试）", "903", id_number="110101197001019999"),
            ]
        },
    )
    upload = tmp_path / "登记.xlsx"
    upload.write_bytes(filled)
    page.locator("[data-testid=import-upload] input[type=file]").set_input_files(str(upload))
    with page.expect_navigation():
        page.click("[data-testid=import-check]")
    expect(page.locator("[data-testid=import-rows]")).to_have_text("3")
    expect(page.locator("[data-testid=import-clean]")).to_have_text("2")
    errors = page.locator("[data-testid=import-errors] tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.first.locator("td").nth(1)).to_have_text("4")  # sheet row 4: the third person
    page.locator("[data-testid=import-start] input[value=clean]").check()
    with page.expect_navigation():
        page.click("[data-testid=import-go]")
    expect(page.locator("[data-testid=import-done]")).to_be_visible(timeout=60_000)
    expect(page.locator("#import-bar")).to_have_attribute("value", "100")

    page.goto("/subjects/?q=导入甲")
    expect(page.locator("body")).to_contain_text("导入甲（浏览器测试）")
    page.goto("/subjects/?q=导入丙")
    expect(page.locator("body")).not_to_contain_text("导入丙（浏览器测试）")
