"""Integrity of important data (GB/T 39786 §8.4 f; SECURITY.md D3).

The key fields of a subject (kind, name, category, owning station, risk level, legal basis,
approver, approval date), of a risk assessment (the judgement, its level, who assessed and
approved it, when) and of the decisions the audit relies on — a destruction proposal, each of its
two approvals and its certificate's register row (what, who, when, which keys, the digests), an
access request and its decision (the account, the roles, clearance and compartments asked for
and held before, who asked, who decided, when, the outcome), a category change with the bureau
leader's decision and a legal hold with its release — carry a keyed MAC: an HMAC under the
system key "integrity", itself wrapped by the master key, so someone with write access to the
database but not the keyring cannot make a valid tag after editing a row.

* **On write**: every ORM save of a covered model (the services save through the ORM, inside
  their transaction) re-reads the row's covered fields and stores the tag in
  ``crypto.IntegrityTag``, in the same transaction; a delete removes it.
* **On read**: the dossier's overview checks the subject and its assessments, a destruction
  proposal's page the proposal, its approvals and certificate, the access requests' page the
  requests it lists (through ``core.integrity.check_on_read``); a mismatch is shown to the reader as a warning and recorded as an ``integrity.mismatch`` audit event — the
  page still works.
* **In bulk**: ``manage.py integrity_verify`` lists every mismatching, untagged or orphaned row
  (exit 1 if any).
* **Existing rows**: ``post_migrate`` tags the rows that have no tag yet (a fresh database has
  none; an upgraded one is tagged at its first migrate), recording how many in an
  ``integrity.seal`` event — so even that is never silent.
"""

import json
import logging
from dataclasses import dataclass

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _

from casebook.audit.labels import register_action
from casebook.audit.services import record_event
from casebook.core.integrity import register_checker
from casebook.crypto.models import IntegrityTag
from casebook.crypto.services import integrity_mac, integrity_verify
from casebook.subjects.dossier import register_overview_panel

#: model label -> covered fields (attribute names: foreign keys by their ``_id``)
COVERED: dict[str, tuple[str, ...]] = {
    "subjects.subject": (
        "kind",
        "name",
        "category_id",
        "station_id",
        "risk_level",
        "legal_basis_ref",
        "approved_by_id",
        "approved_on",
    ),
    "analysis.riskassessment": (
        "subject_id",
        "assessor_id",
        "assessed_at",
        "score",
        "suggested_level",
        "level",
        "override_reason",
        "status",
        "approved_by_id",
        "approved_at",
        "summary",
    ),
    # certified destruction (issue #14 item 2): what was proposed, who approved, what was issued
    "retention.destructionproposal": (
        "reference",
        "station_id",
        "retention_class",
        "items",
        "status",
        "proposed_at",
        "decided_at",
        "withdrawn_reason",
    ),
    "retention.destructionapproval": ("proposal_id", "user_id", "role", "approved_at"),
    "retention.destructioncertificate": (
        "proposal_id",
        "reference",
        "station_id",
        "item_count",
        "key_ids",
        "list_digest",
        "method",
        "issued_at",
        "algorithm",
        "digest",
    ),
    # access grants and their decisions (SECURITY.md A3): the second person's approval
    "accounts.grantrequest": (
        "kind",
        "user_id",
        "bureau_id",
        "roles",
        "clearance",
        "compartments",
        "previous",
        "reason",
        "status",
        "requested_by_id",
        "requested_at",
        "decided_by_id",
        "decided_at",
        "decision_note",
    ),
    # a category's change and the bureau leader's sign-off (what was proposed, who decided, when)
    "subjects.categorychange": (
        "category_id",
        "creating",
        "values",
        "status",
        "proposed_by_id",
        "proposed_at",
        "decided_by_id",
        "decided_at",
        "note",
    ),
    # a legal hold keeps a subject from destruction: who placed it, on what, who released it
    "retention.legalhold": (
        "subject_id",
        "station_id",
        "kind",
        "reference",
        "placed_by_id",
        "placed_at",
        "released_by_id",
        "released_at",
        "release_reason",
    ),
}

ACTIONS = {
    "integrity.mismatch": _("Integrity check failed"),
    "integrity.verify": _("Integrity verified"),
    "integrity.seal": _("Integrity tags created"),
}


def _label(model) -> str:
    return model._meta.label_lower


def _canonical(label: str, pk, values: dict) -> bytes:
    body = [label, str(pk), [[name, values[name]] for name in COVERED[label]]]
    # sort_keys: a JSON column's object (a request's ``previous``, a proposal's items) reads back
    # with its keys in the database's order (PostgreSQL's jsonb reorders them)
    return json.dumps(
        body, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"), sort_keys=True
    ).encode()


def _rows(model, pks=None):
    """``(pk, covered values)`` as stored in the database."""
    label = _label(model)
    query = model._base_manager.order_by("pk")
    if pks is not None:
        query = query.filter(pk__in=pks)
    for row in query.values("pk", *COVERED[label]).iterator(chunk_size=2000):
        yield row["pk"], row


def tag_for(model, pk) -> str | None:
    """The tag the row ``pk`` should carry now (``None`` if the row is gone)."""
    for _pk, values in _rows(model, [pk]):
        return integrity_mac(_canonical(_label(model), pk, values))
    return None


def seal(model, pk) -> None:
    """Store the tag of the row as it is in the database now (inside the caller's transaction)."""
    tag = tag_for(model, pk)
    if tag is None:
        return
    IntegrityTag.objects.update_or_create(
        model=_label(model), object_id=str(pk), defaults={"tag": tag}
    )


def _on_save(sender, instance, raw=False, **kwargs):
    if not raw:
        seal(sender, instance.pk)


def _on_delete(sender, instance, **kwargs):
    IntegrityTag.objects.filter(model=_label(sender), object_id=str(instance.pk)).delete()


@dataclass(frozen=True)
class Mismatch:
    model: str
    object_id: str
    problem: str  # "changed", "untagged" or "orphaned"

    def __str__(self) -> str:
        return f"{self.model}#{self.object_id}: {self.problem}"


def check_rows(model, pks) -> list[Mismatch]:
    """Check the rows ``pks`` of ``model`` against their tags: two queries however many."""
    label = _label(model)
    pks = list(pks)
    tags = dict(
        IntegrityTag.objects.filter(model=label, object_id__in=[str(pk) for pk in pks]).values_list(
            "object_id", "tag"
        )
    )
    found = []
    for pk, values in _rows(model, pks):
        tag = tags.get(str(pk))
        if tag is None:
            found.append(Mismatch(label, str(pk), "untagged"))
        elif not integrity_verify(_canonical(label, pk, values), tag):
            found.append(Mismatch(label, str(pk), "changed"))
    return found


def check(instance) -> Mismatch | None:
    """Check one row against its tag (``None``: intact)."""
    found = check_rows(type(instance), [instance.pk])
    return found[0] if found else None


def verify_all() -> list[Mismatch]:
    """Every covered row that is changed or untagged, and every tag whose row is gone."""
    found = []
    for label in COVERED:
        model = apps.get_model(label)
        tags = dict(IntegrityTag.objects.filter(model=label).values_list("object_id", "tag"))
        for pk, values in _rows(model):
            tag = tags.pop(str(pk), None)
            if tag is None:
                found.append(Mismatch(label, str(pk), "untagged"))
            elif not integrity_verify(_canonical(label, pk, values), tag):
                found.append(Mismatch(label, str(pk), "changed"))
        found.extend(Mismatch(label, object_id, "orphaned") for object_id in sorted(tags))
    return found


def seal_untagged(*, actor=None) -> int:
    """Tag the covered rows that have no tag (existing rows after an upgrade); audited."""
    count = 0
    with transaction.atomic():
        for label in COVERED:
            model = apps.get_model(label)
            tagged = set(
                IntegrityTag.objects.filter(model=label).values_list("object_id", flat=True)
            )
            fresh = [
                IntegrityTag(
                    model=label, object_id=str(pk), tag=integrity_mac(_canonical(label, pk, v))
                )
                for pk, v in _rows(model)
                if str(pk) not in tagged
            ]
            IntegrityTag.objects.bulk_create(fresh, batch_size=1000)
            count += len(fresh)
        if count:
            record_event(
                actor=actor,
                actor_name="" if actor else "manage.py",
                action="integrity.seal",
                details={"rows": count},
            )
    return count


def report_mismatch(request, mismatch: Mismatch) -> None:
    """Record a failed check seen by a reader (the page goes on, with a warning)."""
    record_event(
        actor=request.user,
        action="integrity.mismatch",
        object_type=mismatch.model,
        object_id=mismatch.object_id,
        outcome="failure",
        details={"problem": mismatch.problem, "seen_by_reader": True},
    )


def _report_changed(request, problems) -> list[Mismatch]:
    """Only changed rows warn the reader; untagged ones are integrity_verify's to list."""
    problems = [p for p in problems if p.problem == "changed"]
    for problem in problems:
        report_mismatch(request, problem)
    return problems


def check_on_read(request, rows) -> list[Mismatch]:
    """Check the covered rows among ``rows`` (instances) shown on a page, two queries per model;
    the changed ones are reported (``integrity.mismatch``) and returned for the warning."""
    by_model: dict = {}
    for row in rows:
        if row is not None and row._meta.label_lower in COVERED:
            by_model.setdefault(row._meta.model, []).append(row.pk)
    found = [p for model, pks in by_model.items() for p in check_rows(model, pks)]
    return _report_changed(request, found)


def dossier_panel(request, subject) -> dict:
    """The dossier's integrity warning: the subject and its latest assessments checked on read
    (four queries)."""
    assessments = apps.get_model("analysis.riskassessment")
    latest = assessments._base_manager.filter(subject_id=subject.pk).order_by("-pk")
    problems = [
        *check_rows(type(subject), [subject.pk]),
        *check_rows(assessments, latest.values_list("pk", flat=True)[:20]),
    ]
    return {"integrity_problems": _report_changed(request, problems)}


def _post_migrate(sender, app_config=None, using="default", **kwargs):
    if app_config is None or app_config.label != "retention":
        return
    try:
        seal_untagged()
    except Exception:  # noqa: BLE001 - a migrate must not fail on it; integrity_verify reports
        logging.getLogger(__name__).exception("could not tag existing rows")


def register() -> None:
    for code, label in ACTIONS.items():
        register_action(code, label)
    for label in COVERED:
        model = apps.get_model(label)
        post_save.connect(_on_save, sender=model, dispatch_uid=f"integrity-save-{label}")
        post_delete.connect(_on_delete, sender=model, dispatch_uid=f"integrity-delete-{label}")
    post_migrate.connect(_post_migrate, dispatch_uid="integrity-post-migrate")
    register_overview_panel("integrity", 1, "retention/integrity_panel.html", dossier_panel)
    register_checker(check_on_read)
