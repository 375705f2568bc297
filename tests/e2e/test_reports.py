"""Urgent reports in a real browser: a tracking officer on a phone-sized screen sends one from a
subject's dossier with one tap; the station leader sees the red banner at once and acknowledges
it; the officer sees who acknowledged it and when, on the report's timeline."""

import re

from playwright.sync_api import expect

from .catalogue import zh, zhp

PHONE = {"width": 390, "height": 844}
TEXT = "对象在超市门口与人争执，扬言报复（浏览器测试）"


def test_officer_sends_urgent_report_from_phone_and_leader_acknowledges(
    page, login, browser, casebook_server
):
    phone_context = browser.new_context(
        locale="zh-CN",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        base_url=casebook_server.base_url,
    )
    phone = phone_context.new_page()
    login(phone, "010001")
    phone.goto("/subjects/")
    phone.locator("[data-testid=subject-table] a").first.click()
    name = phone.locator("[data-testid=subject-name]").inner_text().strip()
    # One tap from the dossier: the form already knows the subject and who it will reach.
    phone.locator("[data-testid=subject-urgent]").tap()
    expect(phone.locator("[data-testid=urgent-about]")).to_contain_text(name.split()[0])
    button = phone.locator("[data-testid=urgent-send]")
    box = button.bounding_box()
    assert box is not None and box["width"] > PHONE["width"] * 0.8  # a thumb-sized button
    # Sending with no text is refused with the reason, nothing sent.
    with phone.expect_navigation():
        button.tap()
    expect(phone.locator("[data-testid=error-text]")).to_be_visible()
    phone.locator("textarea[name=text]").fill(TEXT)
    phone.locator("input[name=place]").fill("城南路88号")
    with phone.expect_navigation():
        phone.locator("[data-testid=urgent-send]").tap()
    expect(phone.locator("[data-testid=urgent-status]")).to_have_text(
        zh("Awaiting acknowledgement")
    )
    expect(phone.locator("[data-testid=urgent-timeline]")).to_contain_text("刘洋")
    report_url = phone.url

    # The station leader: the red banner on whatever page is open, then acknowledge.
    login(page, "010004")
    banner = page.locator("[data-testid=urgent-banner]")
    expect(banner).to_contain_text(TEXT[:20])
    with page.expect_navigation():
        banner.locator("[data-testid=urgent-open]").first.click()
    page.locator("input[name=note]").fill("立即出警，保持联系")
    with page.expect_navigation():
        page.click("[data-testid=urgent-ack]")
    expect(page.locator("[data-testid=urgent-status]")).to_have_text(
        zhp("urgent report", "Acknowledged")
    )
    page.goto("/")
    expect(page.locator("[data-testid=urgent-banner]")).to_have_count(0)

    # The officer sees the acknowledgement on the timeline, and a notification.
    phone.goto(report_url)
    expect(phone.locator("[data-testid=urgent-status]")).to_have_text(
        zhp("urgent report", "Acknowledged")
    )
    expect(phone.locator("[data-testid=urgent-timeline]")).to_contain_text("立即出警，保持联系")
    phone.goto("/tasks/notifications/")  # on a phone the bell sits in the collapsed menu
    expect(phone.locator("[data-testid=notification-list]")).to_contain_text("立即出警，保持联系")
    phone_context.close()


def test_leader_exports_a_dossier_and_watches_it_being_prepared(page, login, casebook_server):
    """The archive tab → a purpose → the progress page polls until the worker is done → the
    download is a sealed PDF with the exporting leader's name in it. (The analyst 王强 is kept
    for the lockout test.)"""
    import io

    from pypdf import PdfReader

    login(page, "010004")
    page.goto("/subjects/?kind=person&sort=name")
    with page.expect_navigation():
        page.locator("[data-testid=subject-table] tbody a").first.click()
    page.locator("[data-testid=tab-archive]").click()
    expect(page.locator("[data-testid=archive]")).to_be_visible()
    form = page.locator("[data-testid=export-form]")
    form.locator("[data-testid=export-submit]").click()  # no purpose: the browser refuses
    expect(page.locator("[data-testid=export-form]")).to_be_visible()
    form.locator("[data-testid=export-purpose]").fill("季度案卷检查（浏览器测试）")
    with page.expect_navigation():
        form.locator("[data-testid=export-submit]").click()
    download_link = page.locator("[data-testid=export-download]")
    expect(download_link).to_be_visible(timeout=30_000)  # htmx polls the status every second
    expect(page.locator("[data-testid=export-status]")).to_contain_text("verify_export")
    with page.expect_download() as info:
        download_link.click()
    data = open(info.value.path(), "rb").read()  # noqa: SIM115 - small file, test only
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "刘洋" in text and "010004" in text
    # Sealed, then signed: the seal line follows the PDF/A revision's %%EOF and the signing
    # revision is appended after it, so the seal is no longer at the very end of the file.
    seal_at = data.find(b"CASEBOOK-SEAL v1 ")
    assert seal_at > 0
    assert b"/ByteRange" in data[seal_at:]  # the signature's revision comes after the seal
    # The check the status page names: this system's verify_export accepts the downloaded file
    # (seal, MAC, register of issued documents and the signature over the whole file).
    saved = casebook_server.var_dir / "downloaded-dossier.pdf"
    saved.write_bytes(data)
    out = casebook_server._manage("verify_export", str(saved))
    digest = re.search(rb"CASEBOOK-SEAL v1 (\w+) ([0-9a-f]{64}) ", data[seal_at:]).group(2)
    assert out.startswith(f"OK  {saved}  ") and digest.decode() in out, out
