"""The README says what is true (issue #18 item 8): every demo account load_demo creates is in
its table with its name, and nothing else is; the step-up window it names is the setting's
default; the default language it names is the setting's."""

import re
from pathlib import Path

from django.conf import settings

from casebook.site.management.commands.load_demo import ACCOUNTS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_demo_account_is_listed():
    rows = dict(re.findall(r"^\| (\d{6}) \| (\S+) \|", README, re.M))
    assert rows == {number: name for number, name, *_rest in ACCOUNTS}


def test_step_up_window_and_language_as_configured():
    minutes = int(settings.CASEBOOK_STEP_UP_WINDOW.total_seconds() // 60)
    words = {5: "five"}  # the README spells the default out
    assert f"older than {words.get(minutes, minutes)} minutes" in README.replace("\n  ", " ")
    assert "CASEBOOK_STEP_UP_MINUTES" in README
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert "follows the\nbrowser's language" in README and "Chinese when the browser" in README
