"""Reads of the information module that views, the API and other modules use; each scoped by
`access` (a record the user may not see does not exist for them)."""

from django.http import Http404

from casebook.access.policy import Action

from .models import InformationRecord


def visible_records(user):
    return (
        InformationRecord.objects.restrict(user, Action.SUBJECT_VIEW)
        .select_related("informant", "created_by", "task")
        .prefetch_related("subjects", "tags")
    )


def get_record(user, pk) -> InformationRecord:
    try:
        return visible_records(user).get(pk=pk)
    except (InformationRecord.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
