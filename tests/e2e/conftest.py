"""Browser tests: the real Casebook in a subprocess, driven by Playwright in Debian's Chromium.

pytest-django's ``live_server`` cannot be used: its transactional flush deletes rows and the
audit table's triggers refuse DELETE/TRUNCATE. The server here runs with its own database,
var directory and ``CASEBOOK_TESTING=0``, so it behaves as installed (Argon2, axes, real tasks).

Without /usr/bin/chromium every test here is skipped with a visible reason, unless
``CASEBOOK_REQUIRE_BROWSER=1`` (CI), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

import pytest

from .catalogue import untranslated
from .server import DEMO_PASSWORD, REPO_ROOT, CasebookServer, ServerError

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
]
ARTIFACTS = REPO_ROOT / "test-artifacts"
HERE = Path(__file__).resolve().parent


def _browser_required() -> bool:
    return os.environ.get("CASEBOOK_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes"}


def _why_no_browser() -> str | None:
    if not CHROMIUM.exists():
        return f"Chromium not found at {CHROMIUM}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[dev]')"
    return None


def pytest_collection_modifyitems(config, items):
    """Every test of this folder is a browser test; skip them all when there is no browser."""
    reason = _why_no_browser()
    for item in items:
        if HERE not in Path(str(item.path)).resolve().parents:
            continue
        item.add_marker(pytest.mark.browser)
        if reason and not _browser_required():
            item.add_marker(pytest.mark.skip(reason=f"{reason}: browser tests skipped"))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


# -- the server ----------------------------------------------------------------------------
@pytest.fixture(scope="session")
def casebook_server():
    """The running app: ``.base_url``, ``.output()``. One per session (and per xdist worker)."""
    server = CasebookServer(os.environ.get("DATABASE_URL", ""))
    try:
        server.start()
    except ServerError as exc:
        pytest.fail(f"Casebook did not start for the browser tests:\n{exc}", pytrace=False)
    yield server
    server.stop()
    if untranslated:
        warnings.warn(
            "Browser tests fell back to English for messages not translated in the zh_Hans "
            "catalogue: " + "; ".join(sorted(untranslated)),
            stacklevel=1,
        )


# -- the browser ---------------------------------------------------------------------------
# Module scope, not session: Playwright's sync API keeps an asyncio loop running in the main
# thread while it lives, and Django then refuses every ORM call of the same process
# (SynchronousOnlyOperation). Ending it with the module keeps it away from the other tests,
# whatever order they run in (pytest tears module fixtures down before the next module).
@pytest.fixture(scope="module")
def browser():
    reason = _why_no_browser()
    if reason:
        if _browser_required():
            pytest.fail(
                f"{reason}, but CASEBOOK_REQUIRE_BROWSER=1 requires the browser tests",
                pytrace=False,
            )
        pytest.skip(f"{reason}: browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(request, browser, casebook_server):
    """A fresh browser context (own cookies) in Chinese, 1280×800, aimed at the server."""
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 800}, base_url=casebook_server.base_url
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    failed = any(
        getattr(request.node, f"rep_{when}", None) is not None
        and getattr(request.node, f"rep_{when}").failed
        for when in ("setup", "call")
    )
    if failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:]
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            (ARTIFACTS / f"{name}.html").write_text(page.content(), encoding="utf-8")
        except Exception as exc:  # noqa: BLE001 - the test's own failure matters more
            print(f"could not save the failure screenshot: {exc}")
        print(
            f"\n--- Casebook server output (last 4000 chars) ---\n"
            f"{casebook_server.output()[-4000:]}"
        )
    context.close()


# -- helpers -------------------------------------------------------------------------------
@pytest.fixture
def login():
    """login(page, username, password=DEMO_PASSWORD): submit the login form, wait for the home."""

    def do(page, username: str, password: str = DEMO_PASSWORD, *, expect_home: bool = True):
        page.goto("/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.click("[data-testid=login-submit]")
        if expect_home:
            page.wait_for_selector("[data-testid=home-title]")
        return page

    return do
