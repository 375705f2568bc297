"""Readable, translated names of audit action codes."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "auth.login": _("Login"),
    "auth.logout": _("Logout"),
    "auth.mfa": _("Second-factor check"),
    "auth.step_up": _("Re-authentication"),
    "auth.session_end": _("Session ended"),
    "mfa.enrol": _("Two-factor enrolment"),
    "mfa.reset": _("Two-factor reset"),
    "account.create": _("Account created"),
    "account.update": _("Account changed"),
    "account.roles": _("Roles changed"),
    "account.enable": _("Account enabled"),
    "account.disable": _("Account disabled"),
    "account.password": _("Password changed"),
    "api_token.create": _("API token created"),
    "api_token.revoke": _("API token revoked"),
    "policy.mfa": _("Two-factor policy changed"),
    "compartment.create": _("Compartment created"),
    "unit.create": _("Unit created"),
    "unit.update": _("Unit changed"),
    "audit.view": _("Audit log viewed"),
    "audit.export": _("Audit log exported"),
    "audit.verify": _("Audit chain verified"),
    "audit.checkpoint": _("Audit checkpoint written"),
    "security.csrf": _("Forged or expired form refused"),
    "crypto.master_key.rotate": _("Master key rotated"),
    "demo.load": _("Demo data loaded"),
}


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))
