"""Access rules of the retention module, registered from ``RetentionConfig.ready()``.

Proposals, certificates, restrictions and legal holds carry their station: the station leader
reaches their own station's, the security and audit administrators those of their bureau
(``Action.RETENTION_VIEW``; approving is ``Action.DESTRUCTION_APPROVE``). None of them holds
personal data but a hold's reference and the ids of what is proposed.
"""

from casebook.access.policy import AccessPaths, Action
from casebook.access.registry import ScopeRule, register

from .models import DestructionCertificate, DestructionProposal, LegalHold, Restriction


def register_rules() -> None:
    for model in (DestructionProposal, DestructionCertificate, LegalHold, Restriction):
        register(
            model, ScopeRule(AccessPaths(station="station"), default_action=Action.RETENTION_VIEW)
        )
