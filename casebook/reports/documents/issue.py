"""Issuing a document: render, then make it fit to leave the system.

* PDF: rendered (:mod:`.pdf`), made PDF/A-2b and validated (:mod:`.archival`), sealed
  (:mod:`.seal`), signed with the bureau's document-signing key as an incremental update
  (:mod:`.signature`), and the signed file checked once more against the PDF/A rules that a
  signature could break.
* Word and Excel: rendered and sealed.

Every caller that hands a document out (exports, periodic reports, destruction certificates)
goes through :func:`issue`, so no PDF leaves unsigned or outside PDF/A.
"""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext

from .archival import ArchiveMetadata, signed_file_problems, to_pdfa
from .excel import render_xlsx
from .model import Document, ProgressCallback, clean
from .pdf import render_pdf
from .seal import seal
from .signature import sign_pdf
from .word import render_docx


class IssueError(RuntimeError):
    """The signed PDF broke a PDF/A rule (a bug, never the user's input)."""


def issue_pdf(
    document: Document, *, progress: ProgressCallback | None = None, at: datetime | None = None
) -> tuple[bytes, str, str]:
    """The document as a signed PDF/A-2b file: ``(bytes, seal algorithm, seal digest)``."""
    at = timezone.localtime(at or timezone.now())
    meta = ArchiveMetadata(
        title=clean(document.title),
        author=clean(document.issuer),
        subject=clean(document.marking),
        reference=clean(document.reference),
        created=at,
    )
    archived = to_pdfa(render_pdf(document, progress=progress), meta)
    sealed, algorithm, digest = seal(archived)
    signed = sign_pdf(
        sealed,
        reason=gettext("Issued by Casebook: %(reference)s") % {"reference": meta.reference},
        location=meta.author,
    )
    problems = signed_file_problems(signed, sealed)
    if problems:
        raise IssueError("; ".join(problems))
    return signed, algorithm, digest


def issue(
    fmt: str, document: Document, *, progress: ProgressCallback | None = None
) -> tuple[bytes, str, str]:
    """The document in ``fmt`` ("pdf", "docx", "xlsx"), ready to hand out:
    ``(bytes, seal algorithm, seal digest)``."""
    if fmt == "pdf":
        return issue_pdf(document, progress=progress)
    renderer = {"docx": render_docx, "xlsx": render_xlsx}[fmt]
    return seal(renderer(document, progress=progress))
