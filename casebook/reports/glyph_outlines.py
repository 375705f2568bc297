"""The glyph conversion that ``reports.documents.fonts`` runs in worker processes.

It lives outside ``reports.documents`` on purpose: a spawned worker imports the module of the
function it runs, and importing anything under ``reports.documents`` runs that package's
``__init__``, which reaches the models (the export seal) before Django is set up in the worker.
This module needs fontTools only.
"""

from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont

MAX_ERROR = 1.0  # font units (of 1,000) that a quadratic curve may stray from the cubic one


def convert_chunk(args: tuple[str, int, list[str]]) -> list[tuple[str, object]]:
    """TrueType glyphs of the named CFF glyphs (run in a worker process)."""

    path, index, names = args
    glyphs = TTFont(path, fontNumber=index, lazy=True).getGlyphSet()
    converted = []
    for name in names:
        pen = TTGlyphPen(None)
        glyphs[name].draw(Cu2QuPen(pen, MAX_ERROR, reverse_direction=True))
        converted.append((name, pen.glyph()))
    return converted
