"""Forms of the officer file, the pledge and training (the services validate again)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casebook.accounts.roles import Role
from casebook.core.forms import IsoDateInput

from .choices import ConductKind, CourseCategory, Post, QuotaUnit


class ProfileForm(forms.Form):
    post = forms.ChoiceField(label=_("Post"), choices=Post.choices)
    post_since = forms.DateField(label=_("In this post since"), required=False, widget=IsoDateInput)
    duties_note = forms.CharField(
        label=_("Further duties"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CertificateForm(forms.Form):
    name = forms.CharField(label=_("Qualification or certificate"), max_length=100)
    issuer = forms.CharField(label=_("Issued by"), max_length=100, required=False)
    number = forms.CharField(label=_("Certificate number"), max_length=50, required=False)
    issued_on = forms.DateField(label=_("Issued on"), widget=IsoDateInput)
    expires_on = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=IsoDateInput,
        help_text=_("Empty: it does not expire."),
    )
    file = forms.FileField(
        label=_("Scan (PDF or image)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )


class ConductForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ConductKind.choices)
    decided_on = forms.DateField(label=_("Decided on"), widget=IsoDateInput)
    decided_by = forms.CharField(label=_("Decided by"), max_length=100)
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class PledgeSignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Signing asks for your password again: it is your signature."),
    )


class PledgeIssueForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("pledge", "Title"), max_length=100)
    text = forms.CharField(
        label=_("Text of the pledge"), max_length=10000, widget=forms.Textarea(attrs={"rows": 10})
    )


class PolicyForm(forms.Form):
    training_lapse_blocks = forms.BooleanField(
        label=_("Lapsed training or certificates block access to personal data"), required=False
    )


class CourseForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("course", "Title"), max_length=100)
    category = forms.ChoiceField(label=_("Category"), choices=CourseCategory.choices)
    hours = forms.DecimalField(label=_("Hours"), max_digits=5, decimal_places=1)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SessionForm(forms.Form):
    course = forms.ModelChoiceField(label=_("Course"), queryset=None)
    held_on = forms.DateField(label=_("Date"), widget=IsoDateInput)
    place = forms.CharField(label=_("Place"), max_length=100)
    trainer = forms.CharField(label=_("Trainer"), max_length=50)
    pass_mark = forms.IntegerField(
        label=_("Pass mark of the test"),
        required=False,
        min_value=1,
        max_value=100,
        help_text=_("Empty: no test."),
    )

    def __init__(self, *args, courses=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses.filter(is_active=True)


class MaterialForm(forms.Form):
    file = forms.FileField(label=_("Material (PDF, Word, Excel, PowerPoint or image)"))


class AttendanceForm(forms.Form):
    officer = forms.ModelChoiceField(label=_("Officer"), queryset=None)
    attended = forms.BooleanField(label=_("Attended"), required=False, initial=True)
    score = forms.IntegerField(label=_("Test score"), required=False, min_value=0, max_value=100)

    def __init__(self, *args, officers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers


class RequirementForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (r.value, r.label)
            for r in Role
            if r.value not in ("system_admin", "security_admin", "audit_admin")
        ],
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("Any category")), *CourseCategory.choices],
    )
    unit = forms.ChoiceField(label=_("Counted in"), choices=QuotaUnit.choices)
    quota = forms.DecimalField(label=_("Yearly quota"), max_digits=5, decimal_places=1)
