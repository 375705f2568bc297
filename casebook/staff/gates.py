"""The staff app's gates (``casebook.access.gates``): no personal data for an officer who has
not signed the confidentiality pledge in force (五(二)2), nor — where the bureau's security
administrator turns it on — for one whose required training or a certificate lapsed (八(一))."""

from django.urls import reverse
from django.utils.translation import gettext as _

from casebook.access.gates import Refusal

from . import selectors


def _gated(user) -> bool:
    return user.works_cases  # the administrators see no case data and sign nothing here


def _state(user) -> selectors.GateState:
    """One query per request for both gates (kept on the user object, which lives for one
    request; each request loads the user afresh)."""
    state = getattr(user, "_casebook_staff_gate", None)
    if state is None:
        state = selectors.gate_state(user)
        user._casebook_staff_gate = state
    return state


def pledge_gate(user) -> Refusal | None:
    if not _gated(user):
        return None
    state = _state(user)
    if state.pledge_number is None or state.pledge_signed:
        return None
    return Refusal(
        code="pledge_unsigned",
        title=_("Sign the confidentiality pledge first"),
        detail=_(
            "Version %(number)s of the confidentiality pledge is in force and you have not "
            "signed it. Until you do, no page or API call shows personal data to you."
        )
        % {"number": state.pledge_number},
        url=reverse("staff:pledge"),
        link_label=_("Read and sign the pledge"),
    )


def training_gate(user) -> Refusal | None:
    if not _gated(user) or not _state(user).lapse_blocks:
        return None
    status = selectors.training_status(user)
    if not status.lapsed:
        return None
    return Refusal(
        code="training_lapsed",
        title=_("Your required training or a certificate has lapsed"),
        detail=_(
            "Your bureau allows no access to personal data while required training or a "
            "certificate has lapsed. Your station leader records your training; your own file "
            "shows what is missing."
        ),
        url=reverse("staff:my_file"),
        link_label=_("Open my file"),
    )
