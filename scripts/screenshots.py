#!/usr/bin/env python3
"""Screenshots of Casebook for the documentation (``make screenshots``).

    .venv/bin/python scripts/screenshots.py [--base-url URL] [--out docs/img]

Without ``--base-url`` it starts its own server exactly like the browser tests do (a fresh
database with the demo bureau, its own var directory; see ``tests/e2e/server.py``) and stops it
afterwards. With ``--base-url`` it uses a running Casebook that has the demo accounts loaded.
Needs Playwright (dev dependencies) and Chromium at /usr/bin/chromium (or ``--chromium``).
"""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import ExitStack
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from tests.e2e.server import DEMO_PASSWORD, CasebookServer, ServerError  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", help="a running Casebook (default: start one)")
    parser.add_argument(
        "--out",
        default=str(REPO_ROOT / "docs" / "img"),
        help="output directory (default: docs/img)",
    )
    parser.add_argument(
        "--chromium",
        default="/usr/bin/chromium",
        help="Chromium executable (default: /usr/bin/chromium)",
    )
    parser.add_argument("--locale", default="zh-CN", help="browser locale (default: zh-CN)")
    parser.add_argument(
        "--full-page", action="store_true", help="capture whole pages instead of the first screen"
    )
    return parser.parse_args(argv)


class Shooter:
    def __init__(self, browser, base_url: str, out: Path, locale: str, full_page: bool):
        self.browser = browser
        self.base_url = base_url.rstrip("/")
        self.out = out
        self.locale = locale
        self.full_page = full_page
        self.saved: list[Path] = []

    def context(self, viewport=DESKTOP, **extra):
        context = self.browser.new_context(
            locale=self.locale, viewport=viewport, base_url=self.base_url, **extra
        )
        context.set_default_timeout(15_000)
        return context

    def shot(self, page, name: str, *, full_page: bool | None = None) -> None:
        page.wait_for_load_state("networkidle")
        page.evaluate("document.fonts.ready.then(() => true)")
        page.mouse.move(0, 0)  # no hover effects in the picture
        path = self.out / name
        page.screenshot(
            path=str(path), full_page=self.full_page if full_page is None else full_page
        )
        self.saved.append(path)
        print(f"  {path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path}")

    @staticmethod
    def login(page, username: str) -> None:
        page.goto("/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        with page.expect_navigation():
            page.click("[data-testid=login-submit]")
        page.wait_for_selector("[data-testid=home-title]")

    def as_user(self, username: str):
        context = self.context()
        page = context.new_page()
        self.login(page, username)
        return context, page

    def run(self) -> None:
        # The login page, desktop and phone.
        context = self.context()
        page = context.new_page()
        page.goto("/accounts/login/")
        self.shot(page, "login.png")
        context.close()

        context = self.context(PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
        page = context.new_page()
        page.goto("/accounts/login/")
        self.shot(page, "login-phone.png")
        context.close()

        # Home pages of a tracking officer and of the station leader.
        for username, name in [("010001", "home-officer.png"), ("010004", "home-leader.png")]:
            context, page = self.as_user(username)
            self.shot(page, name)
            context.close()

        # Tracked subjects: the list, a dossier with its link graph, the map, and on a phone.
        context, page = self.as_user("010004")
        page.goto("/subjects/?kind=person&sort=name")
        self.shot(page, "subjects-list.png")
        page.goto("/subjects/?kind=person&sort=name")
        with page.expect_navigation():
            page.locator("[data-testid=subject-table] tbody a").first.click()
        self.shot(page, "subject-dossier.png")
        page.goto(page.url.split("?")[0] + "?tab=associations")
        page.wait_for_timeout(1500)  # the force layout settles
        self.shot(page, "subject-associations.png")
        page.goto("/subjects/map/")
        page.wait_for_timeout(500)
        self.shot(page, "subjects-map.png")
        context.close()
        context = self.context(PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
        page = context.new_page()
        self.login(page, "010001")
        page.goto("/subjects/")
        self.shot(page, "subjects-phone.png")
        context.close()

        # A task in the middle of its stages and the stage board.
        context, page = self.as_user("010004")
        for stage in ("analysing", "organising", "feedback", "collecting", "assigned"):
            page.goto(f"/tasks/?queue=station&stage={stage}")
            link = page.locator("[data-testid=task-table] tbody a").first
            if link.count():
                with page.expect_navigation():
                    link.click()
                self.shot(page, "task.png")
                break
        page.goto("/tasks/board/")
        self.shot(page, "board.png", full_page=False)
        context.close()

        # The station dashboard and a risk assessment.
        context, page = self.as_user("010004")
        page.goto("/analysis/dashboard/")
        page.wait_for_timeout(800)
        self.shot(page, "dashboard.png")
        page.goto("/subjects/?sort=risk&status=active")
        with page.expect_navigation():
            page.locator("[data-testid=subject-table] tbody a").first.click()
        link = page.locator("[data-testid=assessments] a").first
        if link.count():
            with page.expect_navigation():
                link.click()
            self.shot(page, "assessment.png")
        context.close()

        # An information record, an inspection on a phone, the public tip page.
        context, page = self.as_user("010004")
        page.goto("/records/?source=A")
        link = page.locator("[data-testid=record-list] a").first
        if link.count():
            with page.expect_navigation():
                link.click()
            self.shot(page, "record.png")
        context.close()
        self.subject_picker()
        self.officers_and_monitoring()
        context = self.context(PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
        page = context.new_page()
        self.login(page, "010001")
        page.goto("/subjects/?category=internet_cafe&sort=name")
        with page.expect_navigation():
            page.locator("[data-testid=subject-table] tbody a").first.click()
        page.goto(page.url.split("?")[0].rstrip("/") + "/visit/")
        self.shot(page, "visit-phone.png")
        context.close()
        context = self.context()
        page = context.new_page()
        page.goto("/tip/")
        self.shot(page, "tip.png")
        context.close()

        # Reports: an urgent report sent from a phone, the leader's inbox and acknowledgement,
        # a feedback report awaiting an instruction, a dossier's archive and its print view, the
        # duty roster and the periodic reports.
        context = self.context(PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
        page = context.new_page()
        self.login(page, "010001")
        page.goto("/subjects/?kind=person&sort=name")
        with page.expect_navigation():
            page.locator("[data-testid=subject-table] tbody a").first.click()
        with page.expect_navigation():
            page.locator("[data-testid=subject-urgent]").click()
        page.fill("textarea[name=text]", "对象在超市门口与人发生争执，情绪激动，扬言报复。")
        page.fill("input[name=place]", "城南路88号超市门口")
        self.shot(page, "urgent-phone.png")
        with page.expect_navigation():
            page.locator("[data-testid=urgent-send]").click()
        context.close()
        context, page = self.as_user("010004")
        page.goto("/reports/")
        self.shot(page, "reports.png")
        with page.expect_navigation():
            page.locator("[data-testid=urgent-awaiting] a").first.click()
        page.fill("input[name=note]", "收到，立即出警，保持联系。")
        with page.expect_navigation():
            page.click("[data-testid=urgent-ack]")
        self.shot(page, "urgent.png")
        page.goto("/reports/")
        link = page.locator("[data-testid=feedback-awaiting] a").first
        if link.count():
            with page.expect_navigation():
                link.click()
            self.shot(page, "feedback.png")
        page.goto("/reports/duty/")
        self.shot(page, "duty.png")
        page.goto("/reports/periodic/")
        self.shot(page, "periodic.png")
        context.close()
        context, page = self.as_user("010003")
        page.goto("/subjects/?kind=person&sort=name")
        with page.expect_navigation():
            page.locator("[data-testid=subject-table] tbody a").first.click()
        page.goto(page.url.split("?")[0] + "?tab=archive")
        self.shot(page, "archive.png")
        page.fill("#pf-purpose", "季度案卷检查")
        with context.expect_page() as opened:
            page.locator("[data-testid=print-form] button[type=submit]").click()
        printed = opened.value
        printed.wait_for_load_state()
        self.shot(printed, "print.png")
        context.close()

        # The system administrator's account list.
        context, page = self.as_user("000003")
        page.goto("/accounts/users/")
        self.shot(page, "accounts.png")
        context.close()

        # The audit log, after the logins above, with the chain verified.
        context, page = self.as_user("000005")
        page.goto("/audit/")
        with page.expect_navigation():
            page.click("[data-testid=verify-chain]")
        self.shot(page, "audit-log.png")
        context.close()

    def officers_and_monitoring(self) -> None:
        """The station leader's officer file, live monitoring map and assessment figures; the
        supervisor's page (issues #15, #16, #17)."""
        context, page = self.as_user("010004")
        for url, name in (
            ("/staff/me/", "officer-file.png"),
            ("/monitoring/map/", "monitoring-map.png"),
            ("/assessment/", "assessment-figures.png"),
        ):
            page.goto(url)
            self.shot(page, name)
        context.close()
        context, page = self.as_user("000002")
        page.goto("/staff/supervision/")
        self.shot(page, "supervision.png")
        context.close()

    def subject_picker(self) -> None:
        """The record form's subject picker: one subject chosen, the results of a search open."""
        context, page = self.as_user("010001")
        page.goto("/records/new/")
        picker = page.locator("[data-testid=picker-subjects]")
        search = picker.locator("input[data-picker-input]")
        search.fill("网")
        picker.locator("[data-pick]").first.click()
        search.fill("网")
        picker.locator("[data-pick]").nth(1).wait_for()
        page.wait_for_load_state("networkidle")
        page.evaluate("document.fonts.ready.then(() => true)")
        path = self.out / "subject-picker.png"
        page.screenshot(path=str(path))  # no mouse move: the results stay open
        self.saved.append(path)
        print(f"  {path}")
        context.close()


def main(argv=None) -> int:
    args = parse_args(argv)
    chromium = Path(args.chromium)
    if not chromium.exists():
        print(f"Chromium not found at {chromium}.", file=sys.stderr)
        return 2
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("Playwright is missing: .venv/bin/pip install -e '.[dev]'", file=sys.stderr)
        return 2
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)

    with ExitStack() as stack:
        base_url = args.base_url
        if not base_url:
            print("Starting Casebook with a fresh demo database…")
            try:
                server = stack.enter_context(CasebookServer(os.environ.get("DATABASE_URL", "")))
            except ServerError as exc:
                print(exc, file=sys.stderr)
                return 1
            base_url = server.base_url
        print(f"Screenshots of {base_url} into {out}:")
        pw = stack.enter_context(sync_playwright())
        browser = pw.chromium.launch(
            executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS
        )
        stack.callback(browser.close)
        shooter = Shooter(browser, base_url, out, args.locale, args.full_page)
        shooter.run()
    print(f"{len(shooter.saved)} screenshots saved.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
