"""Forms for subjects: the common part, one detail form per kind, and the small action forms."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casebook.accounts.models import Compartment, User
from casebook.core.choices import Classification, UnitKind
from casebook.core.forms import IsoDateInput, IsoDateTimeInput
from casebook.core.models import Unit

from .choices import AssociationType, Confidence, IncidentStatus, Kind, RiskLevel, Status
from .models import (
    Category,
    DrugTest,
    IncidentDetail,
    Offence,
    PersonDetail,
    PlaceDetail,
    RehabPeriod,
    Subject,
    Threat,
)
from .services import INCIDENT_FIELDS, PERSON_FIELDS, approvers_for
from .widgets import SubjectPicker

DATE = IsoDateInput()
DATETIME = IsoDateTimeInput()


class SubjectForm(forms.ModelForm):
    """What every kind shares. The owning station is the user's own. ``version`` carries the
    version the editor opened, so that a stale save is refused instead of erasing a change."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    class Meta:
        model = Subject
        fields = [
            "name",
            "category",
            "area",
            "officers",
            "classification",
            "compartments",
            "legal_basis_ref",
            "approved_by",
            "approved_on",
            "notes",
        ]
        widgets = {
            "approved_on": DATE,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "officers": forms.CheckboxSelectMultiple,
            "compartments": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, kind: str, station: Unit, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        # the categories of the station's own bureau (configuration belongs to a bureau)
        self.fields["category"].queryset = Category.objects.filter(
            bureau=station.parent_id, kind=kind, is_active=True
        )
        self.fields["category"].label_from_instance = lambda c: c.label
        self.fields["area"].queryset = Unit.objects.filter(
            parent=station, kind=UnitKind.AREA, is_active=True
        )
        self.fields["officers"].queryset = (
            User.objects.filter(
                is_active=True,
                unit__in=[station, *station.children.all()],
                roles__role__in=[
                    "tracking_officer",
                    "community_officer",
                    "station_leader",
                    "analyst",
                ],
            )
            .distinct()
            .order_by("username")
        )
        self.fields["officers"].required = False
        self.fields["officers"].help_text = _("Leave empty to make yourself responsible.")
        approvers = approvers_for(station)
        self.fields["approved_by"].queryset = User.objects.filter(pk__in=[u.pk for u in approvers])
        self.fields["classification"].choices = [
            c for c in Classification.choices if c[0] <= user.clearance
        ]
        self.fields["compartments"].queryset = Compartment.objects.filter(
            code__in=user.compartment_codes
        )
        self.fields["compartments"].required = False
        if not self.instance.pk:
            self.fields["approved_on"].initial = timezone.localdate()
        names = {
            Kind.PERSON: _("Full name"),
            Kind.PLACE: _("Name of the place"),
            Kind.INCIDENT: _("Title of the incident"),
        }
        self.fields["name"].label = names[kind]


class PersonForm(forms.ModelForm):
    phones = forms.CharField(
        label=_("Phone numbers"), required=False, help_text=_("Separate several with commas.")
    )

    class Meta:
        model = PersonDetail
        fields = list(PERSON_FIELDS)
        widgets = {
            "date_of_birth": DATE,
            "economic_situation": forms.Textarea(attrs={"rows": 2}),
            "household_address": forms.TextInput,
            "current_address": forms.TextInput,
            "id_number": forms.TextInput(attrs={"autocomplete": "off", "maxlength": 18}),
        }
        help_texts = {"id_number": _("18 digits; the check digit is verified.")}

    def _post_clean(self):  # validation happens in the service, which knows the whole picture
        pass


class PlaceForm(forms.ModelForm):
    class Meta:
        model = PlaceDetail
        fields = [
            "licence_numbers",
            "credit_code",
            "address",
            "latitude",
            "longitude",
            "operator",
            "operator_name",
            "opening_hours",
        ]
        widgets = {"operator": SubjectPicker(multiple=False, kind=Kind.PERSON)}

    def __init__(self, *args, operators=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operator"].queryset = (
            operators if operators is not None else Subject.objects.none()
        )
        self.fields["address"].required = False  # the service says so, with its own message

    def _post_clean(self):
        pass


class IncidentForm(forms.ModelForm):
    class Meta:
        model = IncidentDetail
        fields = list(INCIDENT_FIELDS)
        widgets = {
            "started_at": DATETIME,
            "cause": forms.Textarea(attrs={"rows": 2}),
            "rescue_notes": forms.Textarea(attrs={"rows": 2}),
            "resettlement_notes": forms.Textarea(attrs={"rows": 2}),
        }

    def _post_clean(self):
        pass


DETAIL_FORMS = {Kind.PERSON: PersonForm, Kind.PLACE: PlaceForm, Kind.INCIDENT: IncidentForm}


class FilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(
            attrs={
                "placeholder": _("Name, pinyin, alias, address, or a full ID / phone number"),
                "type": "search",
            }
        ),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds"))] + list(Kind.choices)
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    risk = forms.ChoiceField(label=_("Risk"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status"))] + list(Status.choices)
    )
    station = forms.ChoiceField(label=_("Station"), required=False)
    officer = forms.ChoiceField(label=_("Officer"), required=False)
    overdue = forms.BooleanField(label=_("Review overdue"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("updated", _("Recently changed")),
            ("name", _("Name")),
            ("risk", _("Risk, highest first")),
            ("review", _("Review due, soonest first")),
            ("created", _("Newest")),
        ],
    )

    def __init__(self, *args, stations=(), officers=(), categories=(), **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["category"].choices = [("", _("All categories"))] + [
            (c.code, c.label) for c in categories
        ]
        self.fields["risk"].choices = [("", _("Any risk")), ("high+", _("High or critical"))] + [
            (str(v), label) for v, label in RiskLevel.choices
        ]
        self.fields["station"].choices = [("", _("All stations"))] + [
            (str(s.pk), s.name) for s in stations
        ]
        self.fields["officer"].choices = [("", _("All officers"))] + [
            (str(u.pk), str(u)) for u in officers
        ]


class PurposeForm(forms.Form):
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. monthly visit under task 2026-031")}),
        help_text=_("Why you need the full particulars. It is recorded with your name."),
    )


class StatusForm(forms.Form):
    # "restricted" is set by an overdue review only (retention), never by hand
    status = forms.ChoiceField(
        label=_("New status"),
        choices=[c for c in Status.choices if c[0] != Status.RESTRICTED],
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("Conclusion of the review"), max_length=300)


class AssociationForm(forms.Form):
    target = forms.ModelChoiceField(
        label=_("Linked subject"),
        queryset=Subject.objects.none(),
        widget=SubjectPicker(multiple=False),
    )
    type = forms.ChoiceField(label=_("Relation"), choices=AssociationType.choices)
    role = forms.CharField(label=_("Role"), max_length=60, required=False)
    source = forms.CharField(label=_("Source of the information"), max_length=200)
    confidence = forms.ChoiceField(
        label=_("Confidence"), choices=Confidence.choices, initial=Confidence.MEDIUM
    )

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if candidates is not None:
            self.fields["target"].queryset = candidates


class UnlinkForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class SituationForm(forms.Form):
    text = forms.CharField(label=_("Situation"), widget=forms.Textarea(attrs={"rows": 2}))
    at = forms.DateTimeField(label=_("Time"), required=False, widget=DATETIME)
    status = forms.ChoiceField(
        label=_("Situation now"),
        required=False,
        choices=[("", _("Unchanged"))] + list(IncidentStatus.choices),
    )


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("Photo (JPEG or PNG, at most 5 MB)"))


RECORD_FORMS = {
    "offence": forms.modelform_factory(
        Offence,
        fields=["offence_type", "offence_date", "judgment", "release_date"],
        widgets={"offence_date": DATE, "release_date": DATE},
    ),
    "rehab": forms.modelform_factory(
        RehabPeriod,
        fields=["rehab_type", "start", "end", "place"],
        widgets={"start": DATE, "end": DATE},
    ),
    "drug_test": forms.modelform_factory(
        DrugTest, fields=["tested_on", "result", "substance", "method"], widgets={"tested_on": DATE}
    ),
    "threat": forms.modelform_factory(
        Threat,
        fields=["what", "said_on", "where", "against", "measures"],
        widgets={
            "said_on": DATE,
            "what": forms.Textarea(attrs={"rows": 2}),
            "measures": forms.Textarea(attrs={"rows": 2}),
        },
    ),
}
#: Which records each person category shows.
CATEGORY_RECORDS = {
    "prior_offender": ["offence"],
    "drug_involved": ["rehab", "drug_test"],
    "threat_of_violence": ["threat"],
}
