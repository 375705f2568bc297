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
    "subject.create": _("Subject registered"),
    "subject.update": _("Subject changed"),
    "subject.status": _("Subject status changed"),
    "subject.review": _("Tracking basis reviewed"),
    "subject.consult": _("Full particulars consulted"),
    "subject.link": _("Subjects linked"),
    "subject.unlink": _("Link removed"),
    "subject.photo": _("Photo changed"),
    "subject.situation": _("Situation logged"),
    "subject.offence.add": _("Offence recorded"),
    "subject.rehab.add": _("Rehabilitation period recorded"),
    "subject.drug_test.add": _("Drug test recorded"),
    "subject.threat.add": _("Threat recorded"),
    "subject.duplicate_blocked": _("Duplicate registration refused"),
    "crypto.master_key.prune": _("Old master keys pruned"),
    "category.create": _("Category created"),
    "category.update": _("Category changed"),
    "category.checklist": _("Inspection checklist changed"),
}


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))
