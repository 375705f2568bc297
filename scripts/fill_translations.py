#!/usr/bin/env python3
"""Fill the zh_Hans catalogue from a JSON file of {msgid: translation} (plural entries:
{msgid: [form0]} since Chinese has one form; a message with a context is keyed
"context\x04msgid"). A maintenance helper for `make messages`:

    .venv/bin/python scripts/fill_translations.py new-strings.json

Only untranslated or fuzzy entries are filled; the rest are left as they are. Lists what is
still untranslated afterwards."""

import json
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "casebook/locale/zh_Hans/LC_MESSAGES/django.po"


def main() -> None:
    table = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")) if len(sys.argv) > 1 else {}
    po = polib.pofile(str(PO))
    for entry in po:
        if entry.obsolete or (entry.translated() and "fuzzy" not in entry.flags):
            continue
        # a message with a context is keyed "context\x04msgid" (as gettext itself keys it)
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        value = table.get(key, table.get(entry.msgid))
        if value is None:
            continue
        if entry.msgid_plural:
            forms = value if isinstance(value, list) else [value]
            entry.msgstr_plural = dict(enumerate(forms))
        else:
            entry.msgstr = value
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = None
    po.save()
    missing = [e.msgid for e in po.untranslated_entries() + po.fuzzy_entries()]
    print(json.dumps(missing, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
