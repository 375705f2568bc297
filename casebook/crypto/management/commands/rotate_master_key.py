"""``manage.py rotate_master_key``: put a new master key first and rewrap every data key."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from casebook.audit.services import record_event
from casebook.crypto import keyring as kr
from casebook.crypto.models import DataKey
from casebook.crypto.services import clear_key_cache, rewrap_all


def _audit(action: str, object_repr: str, details: dict) -> None:
    """Record a key event in the audit log (no actor: an operator's command)."""
    record_event(
        actor=None,
        action=action,
        object_type="crypto.DataKey",
        object_repr=object_repr,
        details=details,
    )


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse needs a real str, so translate when the parser is built
        return gettext(
            "Rotate the master key: put a new entry first in the keyring file and rewrap every "
            "data key under it. Old entries stay until --prune removes those no data key uses."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--new-key",
            metavar="ENTRY",
            help=gettext("Use this keyring entry (kid:base64url) instead of a new one."),
        )
        mode.add_argument(
            "--rewrap-only",
            action="store_true",
            help=gettext("Rewrap to the current active key (after editing the keyring)."),
        )
        mode.add_argument(
            "--prune",
            action="store_true",
            help=gettext("Remove keyring entries that no live data key uses."),
        )
        mode.add_argument(
            "--generate-entry",
            action="store_true",
            help=gettext("Print a new keyring entry and change nothing."),
        )
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, **options) -> None:
        if options["generate_entry"]:
            self.stdout.write(kr.new_entry())
            return
        kr.reset_cache()
        clear_key_cache()
        if options["prune"]:
            self._prune()
        elif options["rewrap_only"]:
            self._rewrap(kr.load_keyring(), mode="rewrap-only", batch_size=options["batch_size"])
        else:
            self._rotate(options["new_key"], batch_size=options["batch_size"])

    def _rotate(self, entry: str | None, *, batch_size: int) -> None:
        if kr.keyring_from_environment():
            raise CommandError(
                _(
                    "The keyring comes from CASEBOOK_MASTER_KEY, which this command cannot edit. "
                    "Generate an entry with --generate-entry, put it FIRST in CASEBOOK_MASTER_KEY "
                    "(keep the old entries after it, comma-separated), restart, then run "
                    "rotate_master_key --rewrap-only."
                )
            )
        current = kr.load_keyring()
        entry = (entry or kr.new_entry()).strip()
        try:
            new_kid = kr.parse_keyring(entry, source="--new-key").active[0]
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        if new_kid in current.kids:
            raise CommandError(_("Key id %(kid)s is already in the keyring.") % {"kid": new_kid})
        # The file is written before the database changes: if rewrapping fails, the old keys
        # are still in the file and --rewrap-only finishes the job.
        kr.write_keyring_file([entry, *current.entry_strings()])
        kr.reset_cache()
        self._rewrap(kr.load_keyring(), mode="rotate", batch_size=batch_size)

    def _rewrap(self, keyring: kr.Keyring, *, mode: str, batch_size: int) -> None:
        to_kid = keyring.active[0]
        with transaction.atomic():
            count = rewrap_all(from_keyring=keyring, to_kid=to_kid, batch_size=batch_size)
            _audit(
                "crypto.master_key.rotate",
                f"master key {to_kid}",
                {"mode": mode, "to_kid": to_kid, "rewrapped": count, "keyring_kids": keyring.kids},
            )
        kr.reset_cache()
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Active master key %(kid)s: %(count)s data keys rewrapped. Restart every web "
                    "and worker process before pruning old entries."
                )
                % {"kid": to_kid, "count": count}
            )
        )

    def _prune(self) -> None:
        keyring = kr.load_keyring()
        used = set(
            DataKey.objects.filter(destroyed_at__isnull=True)
            .values_list("master_kid", flat=True)
            .distinct()
        )
        active = keyring.active[0]
        unused = [kid for kid in keyring.kids if kid != active and kid not in used]
        if not unused:
            self.stdout.write(_("No keyring entry to prune."))
            return
        if kr.keyring_from_environment():
            raise CommandError(
                _(
                    "The keyring comes from CASEBOOK_MASTER_KEY: remove these entries from it "
                    "yourself: %(kids)s"
                )
                % {"kids": ", ".join(unused)}
            )
        with transaction.atomic():
            _audit(
                "crypto.master_key.prune",
                f"master keys {', '.join(unused)}",
                {"removed_kids": unused, "kept_kids": [k for k in keyring.kids if k not in unused]},
            )
            keep = [e for e in keyring.entry_strings() if e.partition(":")[0] not in unused]
            kr.write_keyring_file(keep)
        kr.reset_cache()
        self.stdout.write(
            self.style.SUCCESS(
                _("Removed %(count)s keyring entries: %(kids)s")
                % {"count": len(unused), "kids": ", ".join(unused)}
            )
        )
