"""The registry of audit action codes, with their readable, translated names.

Every event's action code is declared here (or registered by a module from its
``AppConfig.ready()`` with :func:`register_action`); ``record_event`` refuses a code that is
not, so a typo cannot create an event kind that no report, filter or label knows."""

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
    "account.grant_request": _("Access change requested"),
    "account.grant_approve": _("Access change approved"),
    "account.grant_reject": _("Access change rejected"),
    "account.grant_withdraw": _("Access change withdrawn"),
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
    "task.create": _("Task assigned"),
    "task.accept": _("Task accepted"),
    "task.transition": _("Stage changed"),
    "task.return": _("Sent back a stage"),
    "task.reassign": _("Handed over"),
    "task.deadlines": _("Deadlines changed"),
    "task.share": _("Shared with another unit"),
    "task.comment": _("Comment"),
    "task.escalate": _("Reminder or escalation"),
    "assessment.create": _("Risk assessed"),
    "assessment.approve": _("Risk level approved"),
    "assessment.reject": _("Risk assessment returned"),
    "subject.risk": _("Risk level in force"),
    "warning.raise": _("Warnings raised"),
    "warning.acknowledge": _("Warning acknowledged"),
    "warning.dismiss": _("Warning dismissed"),
    "warning.task": _("Warning turned into a task"),
    "warning_rule.configure": _("Warning rule changed"),
    "deadline_rule.configure": _("Task deadline rule changed"),
    "category.factor": _("Assessment factors changed"),
    "record.create": _("Information recorded"),
    "record.verify": _("Information verified"),
    "record.organise": _("Information organised"),
    "record.merge": _("Records merged"),
    "record.attach": _("File attached"),
    "record.export": _("Information exported"),
    "informant.register": _("Informant registered"),
    "informant.reveal": _("Informant identity viewed"),
    "rectification.order": _("Rectification ordered"),
    "rectification.close": _("Rectification closed"),
    "tip.receive": _("Public tip received"),
    "tip.link": _("Public tip linked"),
    "tip.dismiss": _("Public tip dismissed"),
    "category.create": _("Category created"),
    "category.update": _("Category changed"),
    "category.approve": _("Category change approved"),
    "category.reject": _("Category change rejected"),
    "category.checklist": _("Inspection checklist changed"),
    "feedback.submit": _("Feedback report submitted"),
    "feedback.read": _("Feedback report read"),
    "feedback.acknowledge": _("Leader's instruction on feedback"),
    "feedback.instruction_task": _("Task assigned from an instruction"),
    "duty.add": _("Duty shift added"),
    "duty.remove": _("Duty shift removed"),
    "urgent.create": _("Urgent report sent"),
    "urgent.acknowledge": _("Urgent report acknowledged"),
    "urgent.escalate": _("Urgent report escalated"),
    "export.request": _("Export requested"),
    "export.complete": _("Export prepared"),
    "export.fail": _("Export failed"),
    "export.download": _("Export downloaded"),
    "export.expire": _("Exported file discarded"),
    "dossier.print": _("Archive printed"),
    "report.generate": _("Periodic report generated"),
    "report.download": _("Periodic report downloaded"),
    "read.subject": _("Dossier viewed"),
    "read.subject_list": _("Subject list viewed"),
    "read.search": _("Subjects searched"),
    "read.graph": _("Link graph viewed"),
    "read.map": _("Map of subjects viewed"),
    "read.trail": _("Trail viewed"),
    "read.record_list": _("Information list viewed"),
    "read.record": _("Information record viewed"),
    "read.task": _("Task viewed (its subjects)"),
    "read.informant_list": _("Informant register viewed"),
    "read.tip": _("Public tip viewed"),
    "read.api": _("Data read through the API"),
    "read.dashboard": _("Dashboard viewed"),
    "read.warning_list": _("Warnings viewed"),
    "read.assessment": _("Risk assessment viewed"),
    "read.assessment_form": _("Risk assessment form opened"),
    "read.task_list": _("Task list viewed"),
    "read.task_board": _("Stage board viewed"),
    "read.reports_inbox": _("Reports inbox viewed"),
    "read.feedback": _("Feedback report viewed"),
    "read.urgent": _("Urgent report viewed"),
    "read.photo": _("Photo viewed"),
    "read.attachment": _("Attachment viewed"),
}


class UnknownAction(ValueError):
    """An audit action code that was never declared."""


def register_action(code: str, label) -> None:
    """Declare an action code of a module above audit (call from ``AppConfig.ready()``)."""
    if code in ACTION_LABELS and str(ACTION_LABELS[code]) != str(label):
        raise ValueError(f"audit action {code!r} is already declared with another label")
    ACTION_LABELS[code] = label


def check_action(code: str) -> None:
    if code not in ACTION_LABELS:
        raise UnknownAction(f"undeclared audit action code {code!r}: declare it in audit/labels.py")


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))
