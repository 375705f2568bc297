"""The font of every PDF: Noto Sans CJK SC, converted once to TrueType outlines.

ReportLab embeds (subsets of) TrueType fonts only, and Noto Sans CJK — like Source Han Sans,
from which it is built — is published with CFF (PostScript) outlines only. So the face
"Noto Sans CJK SC" of Debian's ``fonts-noto-cjk`` collection is converted once per machine
into a TrueType font holding every character it maps (about 44,000: all of Unicode's CJK
ideographs that Simplified Chinese uses, extension A and B included, Latin, punctuation,
full-width forms): the cubic outlines become quadratic ones (``fontTools.cu2qu``, at most one
font unit of error in 1,000), the metrics and the character map are copied, the layout and
hinting tables (which ReportLab does not use) are left out. The conversion takes about a minute
on two cores; ``make run`` and ``make test`` do it (``manage.py build_pdf_font``) and the
result is kept in the cache directory, named after the source file and the converter version,
so it is made again only when either changes.

Licence: Noto Sans CJK is under the SIL Open Font License 1.1, which allows modification,
embedding and redistribution. The converted font is a Modified Version, so it carries a name of
its own ("Casebook Sans CJK SC"; the licence reserves the name "Source") and keeps the
copyright notice and the licence in its name table. See docs/operations.md.

Settings (environment): ``CASEBOOK_FONT_SOURCE`` — the OpenType file (``.otf``, ``.ttc`` or
``.otc``) to convert, default Debian's ``NotoSansCJK-Regular.ttc`` (face "Noto Sans CJK SC");
``CASEBOOK_FONT_DIR`` — where the converted font is kept, default ``~/.cache/casebook/fonts``.
"""

import fcntl
import hashlib
import logging
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.ttLib import TTCollection, TTFont, TTLibError

from casebook.reports.glyph_outlines import convert_chunk

logger = logging.getLogger(__name__)

CONVERTER_VERSION = "1"
DEFAULT_SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SOURCE_FACE = "Noto Sans CJK SC"
FAMILY = "Casebook Sans CJK SC"
POSTSCRIPT_NAME = "CasebookSansCJKSC-Regular"
_CHUNK = 2000


class FontUnavailable(RuntimeError):
    """The PDF font can neither be found nor made; the message says what to install."""


def source_path() -> Path:
    return Path(os.environ.get("CASEBOOK_FONT_SOURCE") or DEFAULT_SOURCE)


def font_dir() -> Path:
    configured = os.environ.get("CASEBOOK_FONT_DIR")
    if configured:
        return Path(configured)
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "casebook" / "fonts"


def _fingerprint(source: Path) -> str:
    stat = source.stat()
    text = f"{source.resolve()}|{stat.st_size}|{int(stat.st_mtime)}|{CONVERTER_VERSION}"
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def converted_path(source: Path | None = None) -> Path:
    """Where the converted font of ``source`` is (or will be) kept."""
    source = source or source_path()
    if not source.exists():
        raise FontUnavailable(
            f"The CJK font {source} is missing: install Debian's fonts-noto-cjk "
            "(apt-get install fonts-noto-cjk) or set CASEBOOK_FONT_SOURCE to an OpenType file "
            "of Noto Sans CJK SC or Source Han Sans SC."
        )
    return font_dir() / f"{POSTSCRIPT_NAME}-{_fingerprint(source)}.ttf"


def _face_index(source: Path) -> int:
    """The index of the Simplified Chinese face in a collection (0 for a single font)."""

    try:
        collection = TTCollection(str(source), lazy=True)
    except TTLibError:
        return 0
    names = []
    for index, face in enumerate(collection.fonts):
        name = face["name"].getDebugName(4) or ""
        names.append(name)
        if name in (SOURCE_FACE, "Source Han Sans SC", "Source Han Sans CN"):
            return index
    raise FontUnavailable(f"{source} has no face named {SOURCE_FACE} (it has {names}).")


def build(source: Path | None = None, dest: Path | None = None, workers: int | None = None):
    """Convert ``source`` (CFF outlines) into a TrueType font at ``dest``; returns ``dest``."""

    source = source or source_path()
    dest = dest or converted_path(source)
    started = time.perf_counter()
    index = _face_index(source)
    font = TTFont(str(source), fontNumber=index, lazy=True)
    if "CFF " not in font and "glyf" in font:
        raise FontUnavailable(f"{source} has TrueType outlines already: use it as it is.")
    cmap = font.getBestCmap()
    names = sorted(set(cmap.values()) - {".notdef"}, key=font.getGlyphID)
    order = [".notdef", *names]
    chunks = [(str(source), index, order[i : i + _CHUNK]) for i in range(0, len(order), _CHUNK)]
    workers = workers or min(os.cpu_count() or 1, 4)
    if workers > 1:
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            parts = list(pool.map(convert_chunk, chunks))
    else:
        parts = [convert_chunk(chunk) for chunk in chunks]
    glyphs = {name: glyph for part in parts for name, glyph in part}

    head, hhea, os2 = font["head"], font["hhea"], font["OS/2"]
    metrics = font["hmtx"].metrics
    names_table = font["name"]

    def source_name(name_id: int) -> str:
        return names_table.getDebugName(name_id) or ""

    builder = FontBuilder(head.unitsPerEm, isTTF=True)
    builder.setupGlyphOrder(order)
    builder.setupCharacterMap(cmap)
    builder.setupGlyf(glyphs)
    builder.setupHorizontalMetrics({name: metrics[name] for name in order})
    builder.setupHorizontalHeader(ascent=hhea.ascent, descent=hhea.descent, lineGap=hhea.lineGap)
    builder.setupNameTable(
        {
            "copyright": source_name(0),
            "familyName": FAMILY,
            "styleName": "Regular",
            "uniqueFontIdentifier": f"{POSTSCRIPT_NAME};{source_name(5)}",
            "fullName": f"{FAMILY} Regular",
            "version": source_name(5),
            "psName": POSTSCRIPT_NAME,
            "manufacturer": source_name(8),
            "description": (
                f"{source_name(4)} ({source_name(5)}) with TrueType outlines, "
                "converted by Casebook for embedding in PDF documents."
            ),
            "licenseDescription": source_name(13),
            "licenseInfoURL": source_name(14),
        }
    )
    builder.setupOS2(
        usWeightClass=os2.usWeightClass,
        usWidthClass=os2.usWidthClass,
        fsType=0,  # installable embedding: the OFL allows it
        sTypoAscender=os2.sTypoAscender,
        sTypoDescender=os2.sTypoDescender,
        sTypoLineGap=os2.sTypoLineGap,
        usWinAscent=os2.usWinAscent,
        usWinDescent=os2.usWinDescent,
        sxHeight=getattr(os2, "sxHeight", 0),
        sCapHeight=getattr(os2, "sCapHeight", 0),
        ulUnicodeRange1=os2.ulUnicodeRange1,
        ulUnicodeRange2=os2.ulUnicodeRange2,
        ulUnicodeRange3=os2.ulUnicodeRange3,
        ulUnicodeRange4=os2.ulUnicodeRange4,
        ulCodePageRange1=os2.ulCodePageRange1,
        ulCodePageRange2=os2.ulCodePageRange2,
        panose=os2.panose,
        achVendID=os2.achVendID,
    )
    builder.setupPost(keepGlyphNames=False)
    builder.setupHead(
        unitsPerEm=head.unitsPerEm,
        fontRevision=head.fontRevision,
        created=head.created,
        modified=head.modified,
    )
    builder.font["head"].macStyle = 0
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".font-", suffix=".ttf")
    os.close(fd)
    try:
        builder.save(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)  # atomic: a reader sees the old state or the whole font
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    logger.info(
        "Converted %s (%d glyphs) to %s in %.1f s",
        source,
        len(order),
        dest,
        time.perf_counter() - started,
    )
    return dest


def ensure() -> Path:
    """The converted font, made now when it is not there yet (about a minute; processes that
    need it at the same time wait for the one converting it)."""
    dest = converted_path()
    if dest.exists():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(dest.parent / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not dest.exists():
                logger.warning("The PDF font %s is missing: converting it now.", dest)
                build(dest=dest)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return dest
