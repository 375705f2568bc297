"""Access rules of geofences, bindings and alerts, and what part B of the monitoring app plugs
into the registries (``register``, called from ``MonitoringConfig.ready()``).

Fences, bindings and alerts belong to one station (``station``): another station's fence,
binding or alert looks absent (404). The actions reuse the policy's grants:

* seeing them — ``SUBJECT_VIEW`` (the station's officers; the bureau's leaders and supervisors);
* drawing and importing fences — ``SUBJECT_CREATE`` (the station's officers and leader);
* binding a camera or device to a place or a person — ``SUBJECT_APPROVE`` (the station leader:
  a binding rests on a legal basis such as a court-ordered monitoring measure);
* triaging alerts (acknowledge, dismiss, promote, urgent report) — ``TIP_TRIAGE``.
"""

from django.utils.translation import gettext_lazy as _

from casebook.access.policy import AccessPaths, Action, reach
from casebook.access.registry import ParentRule, ScopeRule
from casebook.access.registry import register as register_rule
from casebook.accounts.navigation import DAILY_WORK
from casebook.audit.labels import register_action
from casebook.core.context_processors import NavItem, register_nav, register_nav_badge

from . import alert_selectors, alerts, demo, geo_demo, matching
from .geo_models import Alert, AlertEvent, Binding, FenceState, Geofence

VIEW = Action.SUBJECT_VIEW
FENCE_MANAGE = Action.SUBJECT_CREATE
BINDING_MANAGE = Action.SUBJECT_APPROVE
TRIAGE = Action.TIP_TRIAGE

ACTIONS = {
    "monitoring.fence_create": _("Geofence drawn"),
    "monitoring.fence_update": _("Geofence changed"),
    "monitoring.fence_withdraw": _("Geofence withdrawn"),
    "monitoring.fence_import": _("Geofences imported"),
    "monitoring.binding_create": _("Camera or device bound"),
    "monitoring.binding_revoke": _("Binding revoked"),
    "monitoring.alert_acknowledge": _("Monitoring alert acknowledged"),
    "monitoring.alert_dismiss": _("Monitoring alert dismissed"),
    "monitoring.alert_promote": _("Monitoring alert promoted to a record"),
    "monitoring.alert_urgent": _("Urgent report raised from a monitoring alert"),
    "read.monitoring_alerts": _("Monitoring alerts viewed"),
    "read.monitoring_alert": _("Monitoring alert viewed"),
    "read.monitoring_fences": _("Geofences viewed"),
    "read.monitoring_bindings": _("Bindings viewed"),
}


def register_rules() -> None:
    for model in (Geofence, Binding, Alert):
        register_rule(model, ScopeRule(AccessPaths(station="station"), default_action=VIEW))
    register_rule(FenceState, ParentRule(Geofence, "fence"))
    register_rule(AlertEvent, ParentRule(Alert, "alert"))


def _triager(user) -> bool:
    return reach(user, TRIAGE) is not None


def register() -> None:
    register_rules()
    for code, label in ACTIONS.items():
        register_action(code, label)
    matching.register()  # the preparer: raw positions -> crossings
    alerts.register()  # the listener: stored events -> alerts
    demo.register_extra(geo_demo.load)  # demo fences, bindings, alerts after the demo sources
    register_nav(
        NavItem(
            "monitoring:alerts", _("Monitoring alerts"), "broadcast", _triager, group=DAILY_WORK
        )
    )
    register_nav_badge("monitoring:alerts", alert_selectors.open_count)
