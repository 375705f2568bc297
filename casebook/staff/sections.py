"""The officer file's own sections (``accounts.officer_file``): post and duties, certificates,
training, pledges, commendations and discipline. Others (summaries, assessment results) are
registered by their modules at orders in between."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casebook.accounts.officer_file import register_section

from . import selectors
from .access import may_add_certificate, may_keep_file
from .choices import COMMON_DUTIES, DISCIPLINE, POST_DUTIES


def post_section(viewer, officer) -> dict:
    profile = selectors.profile_of(officer)
    duties = POST_DUTIES.get(profile.post, []) if profile else []
    return {
        "profile": profile,
        "post_duties": duties,
        "common_duties": COMMON_DUTIES,
        "may_keep": may_keep_file(viewer, officer),
    }


def certificates_section(viewer, officer) -> dict:
    today = timezone.localdate()
    certificates = list(selectors.certificates_of(viewer, officer))
    for c in certificates:
        c.expired = c.is_expired(today)
    return {"certificates": certificates, "may_add": may_add_certificate(viewer, officer)}


def training_section(viewer, officer) -> dict:
    return {
        "attendance": list(selectors.attendance_of(viewer, officer)),
        "training": selectors.training_status(officer),
    }


def pledge_section(viewer, officer) -> dict:
    version, signed = selectors.pledge_state(officer)
    return {
        "pledge_version": version,
        "pledge_signed": signed,
        "signatures": list(selectors.signatures_of(viewer, officer)),
    }


def conduct_section(viewer, officer) -> dict:
    entries = list(selectors.conduct_of(viewer, officer))
    for e in entries:
        e.is_discipline = e.kind in DISCIPLINE
    return {"entries": entries, "may_keep": may_keep_file(viewer, officer)}


def register_sections() -> None:
    register_section("post", _("Post and duties"), post_section, "staff/file_post.html", 10)
    register_section(
        "certificates",
        _("Qualifications and certificates"),
        certificates_section,
        "staff/file_certificates.html",
        20,
    )
    register_section("training", _("Training"), training_section, "staff/file_training.html", 30)
    register_section(
        "pledge", _("Confidentiality pledge"), pledge_section, "staff/file_pledge.html", 40
    )
    register_section(
        "conduct",
        _("Commendations and discipline"),
        conduct_section,
        "staff/file_conduct.html",
        80,
    )
