"""The one upload checker (SECURITY.md I1): image bombs refused before decoding, PDFs parsed."""

import io
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from casebook.core import uploads


def _writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    return writer


def _bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def handmade_pdf(*bodies: bytes) -> bytes:
    """A PDF written byte by byte (object 1 is the catalogue), with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(bodies) + 1,
        xref,
    )
    return bytes(out)


PAGES = (
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
)


def pdf_with_hidden_object_stream() -> bytes:
    """A PDF 1.5 whose JavaScript action lives compressed inside an object stream: the raw
    bytes never show '/JavaScript'; only a parser that opens object streams sees it."""
    action = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
    header = b"4 0 "
    packed = zlib.compress(header + action)
    out = bytearray(b"%PDF-1.5\n")
    offsets = {}
    plain = {
        1: b"<< /Type /Catalog /Pages 2 0 R /AA << /WC 4 0 R >> >>",
        2: PAGES[0],
        3: PAGES[1],
        5: b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(header), len(packed))
        + packed
        + b"\nendstream",
    }
    for number, body in plain.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    offsets[6] = len(out)
    rows = [b"\x00" + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big")]
    for number in range(1, 7):
        if number == 4:
            rows.append(b"\x02" + (5).to_bytes(4, "big") + (0).to_bytes(2, "big"))
        else:
            rows.append(b"\x01" + offsets[number].to_bytes(4, "big") + (0).to_bytes(2, "big"))
    table = b"".join(rows)
    out += (
        b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
        % len(table)
        + table
        + b"\nendstream\nendobj\n"
    )
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[6]
    return bytes(out)


ACTIVE = "PDF files with scripts, actions or embedded files are refused."
DAMAGED = "The PDF is damaged or incomplete."


def refused(data: bytes, reason: str = ACTIVE) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        uploads.check_pdf(data, field="file")
    assert caught.value.message_dict["file"] == [reason]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
class TestPdf:
    def test_plain_document_accepted(self):
        uploads.check_pdf(_bytes(_writer()), field="file")
        catalogue = b"<< /Type /Catalog /Pages 2 0 R >>"
        uploads.check_pdf(handmade_pdf(catalogue, *PAGES), field="file")

    def test_open_action_to_a_page_is_not_active(self):
        writer = _writer()
        page = writer.pages[0].indirect_reference
        writer._root_object[NameObject("/OpenAction")] = ArrayObject([page, NameObject("/Fit")])
        uploads.check_pdf(_bytes(writer), field="file")

    def test_open_action_javascript_refused(self):
        writer = _writer()
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("app.alert(1)"),
            }
        )
        refused(_bytes(writer))
        refused(handmade_pdf(b"<< /Type /Catalog /JS (x) >>"))

    def test_document_javascript_in_names_tree_refused(self):
        writer = _writer()
        writer.add_js("app.alert(1);")  # deprecated in pypdf, still what attackers do
        refused(_bytes(writer))

    def test_escaped_names_are_decoded(self):
        # /J#61vaScript is /JavaScript and /J#53 is /JS once the name is decoded
        catalogue = b"<< /Type /Catalog /Pages 2 0 R /AA << /WC 4 0 R >> >>"
        refused(handmade_pdf(catalogue, *PAGES, b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>"))
        # the short key alone, escaped, where no raw scan looks: only the parser finds it
        data = handmade_pdf(catalogue, *PAGES, b"<< /S /GoTo /D [3 0 R /Fit] /J#53 (x) >>")
        assert b"/JS" not in data
        refused(data)

    def test_javascript_hidden_in_an_object_stream_refused(self):
        data = pdf_with_hidden_object_stream()
        assert b"JavaScript" not in data  # invisible to any grep…
        refused(data)  # …but not to the parser

    def test_launch_action_in_a_link_annotation_refused(self):
        writer = _writer()
        annotation = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Link"),
                NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4),
                NameObject("/A"): DictionaryObject(
                    {
                        NameObject("/S"): NameObject("/SubmitForm"),
                        NameObject("/F"): TextStringObject("http://evil.example/"),
                    }
                ),
            }
        )
        writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])
        refused(_bytes(writer))

    def test_embedded_file_refused(self):
        writer = _writer()
        writer.add_attachment("payload.exe", b"MZ\x90\x00")
        refused(_bytes(writer))

    def test_password_protected_refused(self):
        writer = _writer()
        writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
        refused(_bytes(writer), DAMAGED)

    def test_damaged_refused(self):
        refused(b"%PDF-1.7\nthis is not a document\n%%EOF\n", DAMAGED)
        refused(_bytes(_writer())[:-200], DAMAGED)  # truncated: no %%EOF at the end


def _png(size: tuple[int, int], mode: str = "1") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, format="PNG", optimize=True)
    return out.getvalue()


class TestImages:
    def test_decompression_bomb_refused_before_decoding(self, monkeypatch):
        bomb = _png((9400, 9400))
        assert len(bomb) < 300_000  # small on disk, 88 million pixels once decoded
        decoded = []
        real_load = Image.Image.load

        def spy(self):
            decoded.append(self.size)
            return real_load(self)

        monkeypatch.setattr(Image.Image, "load", spy)
        monkeypatch.setattr("PIL.ImageFile.ImageFile.load", spy)
        with pytest.raises(ValidationError) as caught:
            uploads.reencode_image(bomb, field="photo")
        assert "photo" in caught.value.message_dict
        assert decoded == []  # refused from the header alone

    def test_pillow_guard_matches_the_limit(self):
        assert Image.MAX_IMAGE_PIXELS == uploads.MAX_IMAGE_PIXELS

    def test_normal_image_reencoded_with_thumbnail(self):
        full, thumb = uploads.reencode_image(_png((800, 600), "RGB"), field="file", thumbnail=64)
        assert full.startswith(b"\xff\xd8") and thumb.startswith(b"\xff\xd8")
        with Image.open(io.BytesIO(thumb)) as small:
            assert max(small.size) == 64

    def test_not_an_image_refused(self):
        for data in (b"GIF89a....", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10):
            with pytest.raises(ValidationError):
                uploads.reencode_image(data, field="file")
