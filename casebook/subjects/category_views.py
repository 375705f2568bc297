"""The system administrator's pages for the category taxonomy and inspection checklists."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from casebook.access.policy import Action, reach, require
from casebook.access.registry import get_for_user_or_404
from casebook.core.actions import run_service, submit

from . import category_services as services
from .category_approval import category_change_decide as decide
from .category_approval import may_decide, pending_for
from .models import Category, ChecklistItem
from .retention_classes import retention_class_choices


class CategoryForm(forms.ModelForm):
    # the retention app's current subject classes of the administrator's bureau, read when the
    # form is built (``bureau_id``)
    retention_class = forms.ChoiceField(label=gettext_lazy("retention class"), choices=[])

    def __init__(self, *args, bureau_id: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["retention_class"].choices = retention_class_choices(bureau_id)

    class Meta:
        model = Category
        fields = list(services.CATEGORY_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "legal_basis": forms.Textarea(attrs={"rows": 2}),
            "impact_assessment": forms.Textarea(attrs={"rows": 3}),
        }

    def _post_clean(self):  # the service validates (and knows whether the category is in use)
        pass


class ChecklistItemForm(forms.Form):
    section = forms.CharField(label=gettext_lazy("Section"), max_length=40)
    text = forms.CharField(label=gettext_lazy("Inspection point"), max_length=200)
    text_en = forms.CharField(
        label=gettext_lazy("Inspection point in English"), max_length=200, required=False
    )


@login_required
def category_list(request):
    require(request.user, Action.CATEGORY_MANAGE)
    # Only the administrator's own bureau: another bureau's categories are never listed.
    categories = (
        Category.objects.restrict(request.user, Action.CATEGORY_MANAGE)
        .annotate(n_subjects=Count("subjects"))
        .order_by("kind", "code")
    )
    return render(request, "subjects/category_list.html", {"categories": categories})


@login_required
def category_edit(request, pk: int | None = None):
    require(request.user, Action.CATEGORY_MANAGE)
    category = (
        get_for_user_or_404(request.user, Category, Action.CATEGORY_MANAGE, pk=pk)
        if pk
        else Category()
    )
    bureau = request.user.unit.bureau if request.user.unit_id else None
    form = CategoryForm(
        request.POST or None,
        instance=category if pk else None,
        bureau_id=category.bureau_id if pk else getattr(bureau, "pk", None),
    )
    if pk:
        form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if not (pk and k == "code")}
        saved = run_service(
            request,
            services.category_save,
            form=form,
            success=lambda saved: _("Category %(name)s saved.") % {"name": saved.name},
            actor=request.user,
            category=Category.objects.get(pk=category.pk) if pk else Category(),
            **data,
        )
        if saved is not None:
            return redirect("subjects:category_edit", pk=saved.pk)
    return render(
        request,
        "subjects/category_form.html",
        {
            "form": form,
            "category": category if pk else None,
            "checklist": category.checklist.filter(is_active=True) if pk else [],
            "item_form": ChecklistItemForm(),
            "factors": category.risk_factors.filter(is_active=True) if pk else [],
        },
    )


@login_required
@require_POST
def checklist_add(request, pk: int):
    require(request.user, Action.CATEGORY_MANAGE)
    category = get_for_user_or_404(request.user, Category, Action.CATEGORY_MANAGE, pk=pk)
    submit(
        request,
        ChecklistItemForm(request.POST),
        services.checklist_item_add,
        invalid=_("Give the section and the inspection point."),
        success=_("Inspection point added."),
        actor=request.user,
        category=category,
    )
    return redirect("subjects:category_edit", pk=pk)


@login_required
@require_POST
def checklist_retire(request, pk: int, item_pk: int):
    require(request.user, Action.CATEGORY_MANAGE)
    item = get_for_user_or_404(
        request.user,
        ChecklistItem.objects.filter(category_id=pk, is_active=True),
        Action.CATEGORY_MANAGE,
        pk=item_pk,
    )
    run_service(
        request,
        services.checklist_item_retire,
        success=_("Inspection point removed from future inspections."),
        actor=request.user,
        item=item,
    )
    return redirect("subjects:category_edit", pk=pk)


# --- sign-off of new and changed categories by a bureau leader (issue #14 item 9) -------------


class CategoryDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[("approve", gettext_lazy("Approve")), ("reject", gettext_lazy("Reject"))],
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)


@login_required
def category_changes(request):
    """The changes awaiting a bureau leader (who decides) or a system administrator (who
    follows the ones they proposed)."""

    if reach(request.user, Action.CATEGORY_APPROVE) is None and (
        reach(request.user, Action.CATEGORY_MANAGE) is None
    ):
        raise PermissionDenied
    changes = list(pending_for(request.user))
    for change in changes:
        change.decidable = may_decide(request.user, change)
        current = change.category
        change.rows = [
            (field, "" if change.creating else getattr(current, field), value)
            for field, value in change.values.items()
            if change.creating or getattr(current, field) != value
        ]
    return render(
        request,
        "subjects/category_changes.html",
        {"changes": changes, "form": CategoryDecisionForm()},
    )


@login_required
@require_POST
def category_change_decide(request, pk: int):
    change = get_object_or_404(pending_for(request.user), pk=pk)
    form = CategoryDecisionForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            decide,
            success=_("Decision recorded."),
            actor=request.user,
            change=change,
            approve=form.cleaned_data["decision"] == "approve",
            note=form.cleaned_data["note"],
        )
    else:
        messages.error(request, _("Choose approve or reject."))
    return redirect("subjects:category_changes")
