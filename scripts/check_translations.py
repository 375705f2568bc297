#!/usr/bin/env python3
"""Check the Simplified Chinese catalogue: complete, not fuzzy, placeholders kept, compiled.

Run from the repository root (standard library only, no Django):

    python scripts/check_translations.py

It fails (exit status 1, one line per problem) when an entry of
``casebook/locale/zh_Hans/LC_MESSAGES/django.po`` is untranslated or fuzzy, when a translation
does not keep the placeholders of its msgid (``%(name)s``, ``%s``, ``%d``, ``{{ name }}``), when
a plural entry has not exactly the number of forms the header's Plural-Forms gives, or when a
catalogue's ``django.mo`` is missing or older than its ``django.po`` ("compile needed").

"Older" is judged by content, not by file times: a fresh git checkout writes files in any order
with the time of the checkout, so a ``.mo`` may look older than its ``.po`` while being up to
date. The ``.mo`` is read back and compared with what the ``.po`` compiles to; if they differ,
the ``.po`` was changed after the last ``make messages`` / ``compilemessages``.
"""

from __future__ import annotations

import re
import struct
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "casebook" / "locale"
CHECKED = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"

# %(name)s with optional flags/width/precision; bare %s / %d (no space flag, so "50% done"
# is not taken for a placeholder); {{ name }} as written in templates.
NAMED = re.compile(r"%\((\w+)\)[-#0+ ]*\d*(?:\.\d+)?([sdrifxXeEgGco])")
POSITIONAL = re.compile(r"%[-#0+]*\d*(?:\.\d+)?[sdifr]")
TEMPLATE_VAR = re.compile(r"\{\{\s*([\w.]+)[^}]*\}\}")
PLURAL_FORMS = re.compile(r"nplurals\s*=\s*(\d+)")

ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    '"': '"',
    "\\": "\\",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
}


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    obsolete: bool = False

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def label(self) -> str:
        text = self.msgid if self.msgctxt is None else f"{self.msgctxt}|{self.msgid}"
        return repr(text)


def _unquote(token: str, path: Path, lineno: int) -> str:
    token = token.strip()
    if len(token) < 2 or token[0] != '"' or token[-1] != '"':
        raise SystemExit(f"{path}:{lineno}: cannot parse {token!r}")

    def unescape(match: re.Match[str]) -> str:
        seq = match.group(1)
        if seq in ESCAPES:
            return ESCAPES[seq]
        if seq.startswith("x"):
            return chr(int(seq[1:], 16))
        return chr(int(seq, 8))

    return re.sub(r"\\(x[0-9a-fA-F]+|[0-7]{1,3}|.)", unescape, token[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file in order; the header is the entry whose msgid is ''."""
    entries: list[Entry] = []
    entry: Entry | None = None
    key: str | None = None  # the field that continuation lines ("...") extend

    def start(lineno: int) -> Entry:
        new = Entry(line=lineno)
        entries.append(new)
        return new

    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if line.startswith(("#~|", "#|")):
            continue  # the previous msgid of a fuzzy entry
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            entry, key = None, None
            continue
        if line.startswith("#"):
            if entry is None or key is not None:
                entry, key = start(lineno), None
            if line.startswith("#,"):
                entry.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            continue
        if line.startswith('"'):
            if entry is None or key is None:
                raise SystemExit(f"{path}:{lineno}: string outside an entry")
            text = _unquote(line, path, lineno)
            if key.startswith("msgstr["):
                index = int(key[7:-1])
                entry.msgstr[index] += text
            else:
                setattr(entry, key, getattr(entry, key) + text)
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and (
            entry is None
            or (key is not None and key.startswith("msgstr"))
            or (keyword == "msgid" and key == "msgid")
        ):
            entry = start(lineno)
        if entry is None:
            raise SystemExit(f"{path}:{lineno}: {keyword} outside an entry")
        entry.obsolete = entry.obsolete or obsolete
        text = _unquote(rest, path, lineno)
        if keyword == "msgstr":
            key = "msgstr[0]"
            entry.msgstr[0] = text
        elif re.fullmatch(r"msgstr\[\d+\]", keyword):
            key = keyword
            entry.msgstr[int(keyword[7:-1])] = text
        elif keyword in ("msgctxt", "msgid", "msgid_plural"):
            key = keyword
            setattr(entry, keyword, text)
        else:
            raise SystemExit(f"{path}:{lineno}: unknown keyword {keyword!r}")
    return [e for e in entries if not e.obsolete and (e.msgid or e.msgstr)]


def placeholders(text: str) -> Counter[str]:
    """The placeholders of a message, as a multiset (order may change in a translation)."""
    text = text.replace("%%", "")
    found: Counter[str] = Counter()
    found.update(f"%({name}){kind}" for name, kind in NAMED.findall(text))
    found.update(POSITIONAL.findall(NAMED.sub("", text)))
    found.update(f"{{{{ {name} }}}}" for name in TEMPLATE_VAR.findall(text))
    return found


def _show(found: Counter[str]) -> str:
    return ", ".join(sorted(found.elements())) or "none"


def compiled(entries: list[Entry]) -> dict[str, str]:
    """What msgfmt puts in the .mo: translated, non-fuzzy entries (and the header)."""
    catalogue: dict[str, str] = {}
    for e in entries:
        if e.fuzzy or not e.msgstr or not all(e.msgstr.values()):
            continue
        key = e.msgid if e.msgid_plural is None else f"{e.msgid}\0{e.msgid_plural}"
        if e.msgctxt is not None:
            key = f"{e.msgctxt}\x04{key}"
        catalogue[key] = "\0".join(e.msgstr[i] for i in sorted(e.msgstr))
    return _without_creation_date(catalogue)


def _without_creation_date(catalogue: dict[str, str]) -> dict[str, str]:
    """Drop the header's POT-Creation-Date: recent msgfmt leaves it out of the .mo, and
    makemessages rewrites it on every run even when no message changed."""
    if "" in catalogue:
        lines = catalogue[""].splitlines(keepends=True)
        catalogue[""] = "".join(x for x in lines if not x.startswith("POT-Creation-Date:"))
    return catalogue


def read_mo(path: Path) -> dict[str, str]:
    data = path.read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    order = {0x950412DE: "<", 0xDE120495: ">"}.get(magic)
    if order is None:
        raise ValueError("not a GNU .mo file")
    _, count, originals, translations = struct.unpack(order + "4I", data[4:20])

    def string(table: int, i: int) -> str:
        length, offset = struct.unpack(order + "2I", data[table + 8 * i : table + 8 * i + 8])
        return data[offset : offset + length].decode("utf-8")

    return _without_creation_date(
        {string(originals, i): string(translations, i) for i in range(count)}
    )


def check_compiled(po: Path, entries: list[Entry]) -> list[str]:
    mo = po.with_suffix(".mo")
    rel = mo.relative_to(ROOT)
    if not mo.exists():
        return [f"{rel}: missing: compile needed (make messages)"]
    try:
        have = read_mo(mo)
    except (ValueError, struct.error, UnicodeDecodeError) as exc:
        return [f"{rel}: unreadable ({exc}): compile needed (make messages)"]
    want = compiled(entries)
    if have == want:
        return []
    stale = sorted(k for k in set(want) | set(have) if want.get(k) != have.get(k))
    sample = ", ".join(repr(k.split("\0")[0][:60] or "(header)") for k in stale[:5])
    more = f" and {len(stale) - 5} more" if len(stale) > 5 else ""
    return [
        f"{rel}: older than {po.name} ({len(stale)} messages differ: {sample}{more}): "
        "compile needed (make messages)"
    ]


def check_catalogue(po: Path) -> tuple[int, list[str]]:
    entries = parse_po(po)
    header = next((e for e in entries if e.msgid == "" and e.msgctxt is None), None)
    problems: list[str] = []
    nplurals = None
    if header is None:
        problems.append(f"{po.relative_to(ROOT)}: no header entry")
    else:
        if header.fuzzy:
            problems.append(f"{po.relative_to(ROOT)}:{header.line}: the header is fuzzy")
        match = PLURAL_FORMS.search(header.msgstr.get(0, ""))
        nplurals = int(match.group(1)) if match else None
        if nplurals is None:
            problems.append(f"{po.relative_to(ROOT)}: the header has no Plural-Forms")

    messages = [e for e in entries if e is not header]
    for e in messages:
        where = f"line {e.line}: {e.label}"
        if e.fuzzy:
            problems.append(f"{where}: fuzzy")
        if not e.msgstr or not all(e.msgstr.values()):
            problems.append(f"{where}: untranslated")
            continue
        if e.msgid_plural is not None and nplurals is not None and len(e.msgstr) != nplurals:
            problems.append(f"{where}: {len(e.msgstr)} plural forms, the header says {nplurals}")
        sources = [placeholders(e.msgid)]
        if e.msgid_plural is not None:
            sources.append(placeholders(e.msgid_plural))
        for index, text in sorted(e.msgstr.items()):
            got = placeholders(text)
            if got not in sources:
                form = f"msgstr[{index}]" if e.msgid_plural is not None else "msgstr"
                problems.append(
                    f"{where}: placeholders differ: msgid has {_show(sources[-1])}, "
                    f"{form} has {_show(got)}"
                )
    return len(messages), problems


def main() -> int:
    if not CHECKED.exists():
        print(f"{CHECKED.relative_to(ROOT)} is missing (make messages)")
        return 1
    count, problems = check_catalogue(CHECKED)
    # Every catalogue must be compiled, not only the Chinese one (the .mo files are committed).
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        problems += check_compiled(po, parse_po(po))
    if problems:
        print(f"{CHECKED.relative_to(ROOT)}: {len(problems)} problems")
        for problem in problems:
            print(f"  {problem}")
        return 1
    print(f"{count} messages, all translated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
