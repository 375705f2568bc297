"""``manage.py build_pdf_font``: convert the PDF font once (see reports/documents/fonts.py).

Does nothing when the converted font is there already; ``--force`` converts again. ``make run``
and ``make test`` run it; a production install runs it once after installing (docs/operations.md).
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from casebook.reports.documents import fonts


class Command(BaseCommand):
    help = "Convert Noto Sans CJK SC to TrueType outlines for the PDF renderer (once)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true")

    def handle(self, *args, force=False, **options):
        try:
            dest = fonts.converted_path()
            if force or not dest.exists():
                self.stdout.write(gettext("Converting the PDF font (about a minute)…"))
                fonts.build(dest=dest)
        except fonts.FontUnavailable as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(gettext("PDF font: %(path)s") % {"path": dest})
