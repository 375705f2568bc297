"""manage.py audit_verify [--checkpoint FILE]: prove the audit chain end to end."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from casebook.audit import chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exit 1 and name the first broken event if not."

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoint", type=Path, help="checkpoint file (JSON lines); the last line is checked"
        )
        parser.add_argument(
            "--latest-checkpoint",
            action="store_true",
            help="use the newest checkpoint from the configured directory",
        )

    def handle(self, *args, checkpoint=None, latest_checkpoint=False, **options):
        cp = None
        if checkpoint is not None:
            if not checkpoint.exists():
                raise CommandError(f"no such checkpoint file: {checkpoint}")
            lines = [line for line in checkpoint.read_text().splitlines() if line.strip()]
            if not lines:
                raise CommandError(f"empty checkpoint file: {checkpoint}")
            cp = json.loads(lines[-1])
        elif latest_checkpoint:
            cps = chain.read_checkpoints()
            cp = cps[-1] if cps else None
        result = chain.verify(cp)
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"OK: {result.message}"))
            return
        self.stderr.write(f"BROKEN: {result.message}")
        if result.broken_seq is not None:
            self.stderr.write(f"first broken event: #{result.broken_seq}")
        sys.exit(1)
