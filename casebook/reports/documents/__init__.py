"""The document layer of exports: a format-neutral :class:`Document`, its renderers (PDF, Word,
Excel; each returns unsealed bytes), the seal every exported file carries, and :func:`issue`,
which makes a file fit to hand out (PDF: PDF/A-2b, sealed and signed; Word, Excel: sealed), and
:mod:`.transport`, which encrypts an issued file for its recipient."""

from . import transport
from .excel import render_xlsx
from .issue import issue, issue_pdf
from .model import Document, Entry, Table
from .pdf import render_pdf
from .seal import Seal, SealError, read_seal, seal, verify
from .word import render_docx

RENDERERS = {"pdf": render_pdf, "docx": render_docx, "xlsx": render_xlsx}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {"pdf": ".pdf", "docx": ".docx", "xlsx": ".xlsx"}

__all__ = [
    "CONTENT_TYPES",
    "EXTENSIONS",
    "RENDERERS",
    "Document",
    "Entry",
    "Seal",
    "SealError",
    "Table",
    "issue",
    "issue_pdf",
    "read_seal",
    "render_docx",
    "render_pdf",
    "render_xlsx",
    "seal",
    "transport",
    "verify",
]
