"""``manage.py issue_signing_certificate``: the bureau's document-signing key and certificate.

Without options: issue a new signing key and certificate from this deployment's own CA (made
the first time, named after the bureau) — the first issue, or a rotation (the previous
certificate is retired; files it signed still verify, the CA being the same).
``--import-key KEY.pem --certificates CHAIN.pem``: use the bureau's own key and certificate
chain instead (leaf first, up to the root). ``--rewrap``: encrypt the keys again under the
active master key (after ``rotate_master_key``, before ``--prune``). ``--show``: print the
current certificate. See docs/operations.md.
"""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext

from casebook.audit.services import record_event
from casebook.crypto import signing


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse needs a real str, so translate when the parser is built
        return gettext(
            "Issue, rotate or import the document-signing certificate that signs every PDF."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", help=gettext("Organisation named in a new CA."))
        parser.add_argument("--import-key", type=Path, metavar="KEY.pem")
        parser.add_argument("--certificates", type=Path, metavar="CHAIN.pem")
        parser.add_argument(
            "--password-env",
            metavar="VAR",
            help=gettext("Environment variable holding the password of an encrypted key."),
        )
        parser.add_argument("--rewrap", action="store_true")
        parser.add_argument("--show", action="store_true")

    def handle(self, *args, **options):
        if options["show"]:
            return self._show()
        if options["rewrap"]:
            signing.rewrap()
            self._audit("crypto.signing.rewrap", signing.load_credential(), {})
            self.stdout.write(
                gettext("The signing keys are encrypted under the active master key.")
            )
            return None
        if options["import_key"] or options["certificates"]:
            credential = self._import(options)
            action = "crypto.signing.import"
        else:
            organisation = options["organisation"] or signing.default_organisation()
            credential = signing.issue_self_signed(organisation)
            action = "crypto.signing.issue"
        self._audit(
            action, credential, {"certificate": signing.fingerprint(credential.certificate)}
        )
        self._print(credential)
        return None

    def _import(self, options) -> signing.Credential:
        if not (options["import_key"] and options["certificates"]):
            raise CommandError(gettext("--import-key and --certificates go together."))
        password = None
        if options["password_env"]:
            value = os.environ.get(options["password_env"])
            if value is None:
                raise CommandError(
                    gettext("The environment variable %(name)s is not set.")
                    % {"name": options["password_env"]}
                )
            password = value.encode()
        try:
            return signing.import_credential(
                options["import_key"].read_bytes(),
                options["certificates"].read_bytes(),
                password=password,
            )
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        except (ValueError, TypeError) as exc:
            raise CommandError(str(exc)) from exc

    def _audit(self, action: str, credential: signing.Credential, details: dict) -> None:
        with transaction.atomic():
            record_event(
                actor=None,
                actor_name="system",
                action=action,
                object_type="crypto.SigningCertificate",
                object_id=f"{credential.certificate.serial_number:x}"[:64],
                object_repr=credential.signer_name[:200],
                details=details,
            )

    def _show(self) -> None:
        try:
            credential = signing.load_credential()
        except signing.SigningUnavailable as exc:
            raise CommandError(str(exc)) from exc
        self._print(credential)
        for root in signing.trust_roots():
            self.stdout.write(
                gettext("Trusted root: %(subject)s (SHA-256 %(fp)s)")
                % {"subject": root.subject.rfc4514_string(), "fp": signing.fingerprint(root)}
            )

    def _print(self, credential: signing.Credential) -> None:
        certificate = credential.certificate
        self.stdout.write(
            gettext("Signing certificate: %(subject)s")
            % {"subject": certificate.subject.rfc4514_string()}
        )
        self.stdout.write(
            gettext("Issued by: %(issuer)s") % {"issuer": certificate.issuer.rfc4514_string()}
        )
        self.stdout.write(
            gettext("Valid from %(start)s to %(end)s")
            % {
                "start": certificate.not_valid_before_utc.isoformat(),
                "end": certificate.not_valid_after_utc.isoformat(),
            }
        )
        self.stdout.write(
            gettext("SHA-256 fingerprint: %(fp)s") % {"fp": signing.fingerprint(certificate)}
        )
