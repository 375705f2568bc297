"""Forms of the accounts app: login steps, profile, and the system administrator's user forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from casebook.access.policy import Action
from casebook.access.registry import restrict
from casebook.core.choices import Classification, UnitKind
from casebook.core.models import Unit

from .models import Compartment, User
from .roles import Role


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Police number"),
        max_length=12,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=_("Verification code"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the 6-digit code shown in your authenticator app.")},
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "maxlength": 6,
            }
        ),
    )


class ReauthForm(forms.Form):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autofocus": True, "autocomplete": "current-password"}),
    )
    token = forms.CharField(
        label=_("Verification code"),
        required=False,
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"), strip=False, widget=forms.PasswordInput
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput,
        help_text=_(
            "At least 12 characters. A short sentence is easier to remember and "
            "harder to guess than a jumble of symbols."
        ),
    )
    new_password2 = forms.CharField(
        label=_("New password again"), strip=False, widget=forms.PasswordInput
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(_("The current password is not correct."))
        return value

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("The two new passwords differ."))
        return data


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=64,
        help_text=_("What the token is for, e.g. the system that uses it."),
    )
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=365, initial=90)


class UserForm(forms.ModelForm):
    """The system administrator's form for an account of their bureau. There is no password:
    a new account gets a temporary one, shown once. Administrator roles, a raised clearance and
    compartments take effect when the security administrator approves."""

    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    compartments = forms.ModelMultipleChoiceField(
        label=_("Compartments"),
        queryset=Compartment.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=_("Reason for the access change"),
        max_length=200,
        required=False,
        help_text=_(
            "Administrator roles, a higher clearance and compartments take effect only when the "
            "security administrator approves; they read this reason."
        ),
    )

    class Meta:
        model = User
        fields = ["username", "real_name", "unit", "title", "phone", "email", "clearance"]

    def __init__(self, *args, actor, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.creating = creating
        self.fields["unit"].queryset = (
            restrict(actor, Unit.objects.filter(is_active=True), Action.USER_MANAGE)
            .select_related("parent")
            .order_by("kind", "code")
        )
        self.fields["unit"].label_from_instance = lambda u: u.path()
        self.fields["clearance"].choices = Classification.choices
        if not creating:
            self.fields["username"].disabled = True
            self.fields["roles"].initial = sorted(self.instance.role_set)
            self.fields["compartments"].initial = list(self.instance.compartments.all())


class SetPasswordForm(forms.Form):
    """The officer replaces a temporary password with their own at the first login."""

    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autofocus": True, "autocomplete": "new-password"}),
        help_text=_(
            "At least 12 characters. A short sentence is easier to remember and "
            "harder to guess than a jumble of symbols."
        ),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("The two new passwords differ."))
        return data


class GrantDecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["kind", "name", "code", "parent", "address", "phone", "time_zone", "is_active"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = restrict(
            actor, Unit.objects.exclude(kind=UnitKind.AREA), Action.UNIT_MANAGE
        ).order_by("kind", "code")
        self.fields["parent"].label_from_instance = lambda u: u.path()


class DisableForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class CredentialResetForm(forms.Form):
    """The system administrator asks the security administrator to reset an officer's password
    and second factor."""

    reason = forms.CharField(label=_("Reason for the reset"), max_length=200)


class RolePolicyForm(forms.Form):
    """The roles whose members must use a second factor."""

    mfa = forms.MultipleChoiceField(
        label=_("Two-factor authentication by role"), choices=Role.choices, required=False
    )


class CompartmentForm(forms.ModelForm):
    class Meta:
        model = Compartment
        fields = ["code", "name", "description"]
