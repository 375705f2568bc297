"""manage.py verify_export FILE [FILE...]: check the seal of exported files.

A file passes when its content matches the digest in its seal, the seal's MAC was made by this
system, the digest is in this system's register of issued exports and, for a signed PDF, the
digital signature is intact, covers the whole file and chains to a root of this deployment's
signing authority. One line per file: ``OK  <file>  <algorithm> <digest>`` (then what the
register says of it, then who signed it) on standard output, or ``FAILED <file>: <reason>`` on
standard error. Exit status 1 if any file failed.

A transport copy encrypted for its recipient is checked with ``--password``: an encrypted Word
or Excel file is decrypted and the original inside checked; an encrypted PDF carries its own
seal and its signature is checked once the file is opened with the password. Without the
password such a file fails with a message saying that it needs one.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext, ngettext

from casebook.reports.documents.seal import SealError, verify
from casebook.reports.selectors import issued_document


def _issued_document(digest: str):
    """What the register of issued documents holds for ``digest``: an object with
    ``describe()``, or None."""
    return issued_document(digest)


class Command(BaseCommand):
    help = "Verify the seal of exported PDF, Word or Excel files; exit 1 if any fails."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument(
            "--password",
            default=None,
            help="the password of files encrypted for their recipient",
        )

    def handle(self, *args, files, password=None, **options):
        failed = 0
        for path in files:
            try:
                self._check(path, password)
            except SealError as exc:
                failed += 1
                self.stderr.write(f"FAILED {path}: {exc}")
        if failed:
            raise CommandError(
                ngettext(
                    "%(failed)d of %(total)d file failed verification.",
                    "%(failed)d of %(total)d files failed verification.",
                    len(files),
                )
                % {"failed": failed, "total": len(files)}
            )

    def _check(self, path: Path, password: str | None = None) -> None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SealError(
                gettext("Cannot read the file: %(error)s") % {"error": exc.strerror or exc}
            ) from exc
        found = verify(data, password=password)
        issued = _issued_document(found.digest)
        if issued is None:
            raise SealError(
                gettext(
                    "The seal is valid, but no export with this digest is registered in "
                    "this system."
                )
            )
        self.stdout.write(f"OK  {path}  {found.algorithm} {found.digest}")
        if issued is not NotImplemented:
            self.stdout.write(f"    {issued.describe()}")
        if found.signature is not None:
            self.stdout.write(
                "    "
                + gettext("Signed by %(signer)s at %(time)s; the signature covers the whole file.")
                % {"signer": found.signature.signer, "time": found.signature.signed_at}
            )
        elif found.fmt == "pdf":
            self.stdout.write(
                "    " + gettext("No digital signature (the seal alone vouches for the content).")
            )
