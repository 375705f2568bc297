"""manage.py audit_checkpoint: sign the chain head into the checkpoint file."""

from django.core.management.base import BaseCommand

from casebook.audit import chain
from casebook.audit.services import record_event


class Command(BaseCommand):
    help = "Write a signed checkpoint of the audit chain head outside the database."

    def handle(self, *args, **options):
        record_event(actor=None, actor_name="manage.py", action="audit.checkpoint")
        cp = chain.make_checkpoint()
        path = chain.checkpoint_directory() / "checkpoints.jsonl"
        self.stdout.write(f"checkpoint #{cp['seq']} {cp['hash'][:16]}… appended to {path}")
