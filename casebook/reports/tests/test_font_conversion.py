"""The PDF font conversion on a fresh machine: its worker processes start without Django."""

from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import pytest
from fontTools.ttLib import TTFont

from casebook.reports.documents import fonts
from casebook.reports.glyph_outlines import convert_chunk


def test_glyphs_convert_in_a_spawned_worker():
    """A spawned worker imports only the converter's module: it must not reach the models.

    This is what ``make font`` does on a machine with no converted font yet; it failed with
    "Apps aren't loaded yet" when the converter lived under ``reports.documents``.
    """
    source = fonts.source_path()
    if not source.exists():
        pytest.skip(f"no CJK source font here ({source}): Debian's fonts-noto-cjk")
    index = fonts._face_index(source)
    font = TTFont(str(source), fontNumber=index, lazy=True)
    names = [font.getBestCmap()[ord(c)] for c in "派出所"]
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        [converted] = list(pool.map(convert_chunk, [(str(source), index, names)]))
    assert [name for name, _ in converted] == names
    assert all(glyph.numberOfContours > 0 for _, glyph in converted)
