"""Access rules of the retention module, registered from ``RetentionConfig.ready()``.

Proposals, certificates, restrictions and legal holds carry their station: the station leader
reaches their own station's, the security and audit administrators those of their bureau
(``Action.RETENTION_VIEW``; approving is ``Action.DESTRUCTION_APPROVE``). None of them holds
personal data but a hold's reference and the ids of what is proposed.

Retention classes belong to a bureau (``BureauRule``): its station leaders and administrators
read them (``RETENTION_VIEW``), its security administrator changes them
(``RETENTION_CONFIGURE``); another bureau's classes look absent (404, never listed).
"""

from casebook.access.policy import AccessPaths, Action
from casebook.access.registry import BureauRule, ScopeRule, register

from .models import (
    DestructionCertificate,
    DestructionProposal,
    LegalHold,
    Restriction,
    RetentionClass,
)


def register_rules() -> None:
    for model in (DestructionProposal, DestructionCertificate, LegalHold, Restriction):
        register(
            model, ScopeRule(AccessPaths(station="station"), default_action=Action.RETENTION_VIEW)
        )
    register(
        RetentionClass,
        BureauRule(
            [Action.RETENTION_VIEW, Action.RETENTION_CONFIGURE],
            default_action=Action.RETENTION_CONFIGURE,
        ),
    )
