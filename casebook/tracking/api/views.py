"""/api/v1/tasks/: the same rules as the pages; transitions are explicit actions."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from casebook.accounts.models import User
from casebook.audit.reads import ReadLoggedMixin
from casebook.core.api import JsonInput, ObjectIdField
from casebook.subjects.selectors import visible_subjects

from .. import selectors, services
from ..choices import Origin, Priority, Stage
from ..filters import TaskFilterSet
from ..models import Task


class DeadlineOut(serializers.Serializer):
    stage = serializers.CharField()
    due_at = serializers.DateTimeField()


class TaskOut(serializers.ModelSerializer):
    lead = serializers.CharField(source="lead.username")
    assigner = serializers.CharField(source="assigner.username", default=None, allow_null=True)
    station = serializers.CharField(source="station.code")
    subjects = serializers.SerializerMethodField()
    deadlines = DeadlineOut(many=True)
    due = serializers.DateTimeField(allow_null=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "reference",
            "title",
            "instructions",
            "origin",
            "priority",
            "stage",
            "station",
            "lead",
            "assigner",
            "subjects",
            "deadlines",
            "due",
            "accepted_at",
            "archived_at",
            "created_at",
            "updated_at",
        ]

    def get_subjects(self, obj) -> list[int]:
        visible = set(
            visible_subjects(self.context["request"].user)
            .filter(tasks=obj)
            .values_list("pk", flat=True)
        )
        return sorted(visible)


class TaskIn(JsonInput):
    title = serializers.CharField(max_length=120)
    subjects = serializers.ListField(child=ObjectIdField(), min_length=1)
    lead = serializers.CharField(help_text="police number of the lead officer")
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    origin = serializers.ChoiceField(
        choices=[Origin.SUPERIOR, Origin.STATION], default=Origin.STATION
    )
    instructions = serializers.CharField(required=False, allow_blank=True, default="")
    deadlines = serializers.DictField(child=serializers.DateTimeField(), required=False)


class TransitionIn(JsonInput):
    to_stage = serializers.ChoiceField(choices=Stage.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class TaskViewSet(
    ReadLoggedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    filterset_class = TaskFilterSet  # the task list page's, too
    serializer_class = TaskOut
    read_object_type = "tracking.task"

    def get_queryset(self):
        return selectors.visible_tasks(self.request.user).order_by("due", "pk")

    @extend_schema(request=TaskIn, responses={201: TaskOut})
    def create(self, request):
        data = TaskIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        station = request.user.unit.station
        subjects = list(visible_subjects(request.user).filter(pk__in=d["subjects"]))
        if len(subjects) != len(set(d["subjects"])):
            raise ValidationError({"subjects": ["Unknown subject."]})
        lead = User.objects.filter(username=d["lead"]).first()
        task = services.task_create(
            actor=request.user,
            title=d["title"],
            station=station,
            lead=lead,
            subjects=subjects,
            origin=d["origin"],
            priority=d["priority"],
            instructions=d["instructions"],
            deadlines=d.get("deadlines"),
        )
        task = selectors.visible_tasks(request.user).get(pk=task.pk)
        return Response(
            TaskOut(task, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses=TaskOut, summary="Accept the task (签收)")
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._do(lambda task: services.task_accept(actor=request.user, task=task))

    @extend_schema(
        request=TransitionIn, responses=TaskOut, summary="Move the task to the next stage"
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        self.get_object()  # another station's task: 404 before its input is judged (A1)
        data = TransitionIn(data=request.data)
        data.is_valid(raise_exception=True)
        return self._do(
            lambda task: services.task_advance(actor=request.user, task=task, **data.validated_data)
        )

    def _do(self, operation):
        task = self.get_object()
        operation(task)
        task = self.get_queryset().get(pk=task.pk)
        return Response(TaskOut(task, context={"request": self.request}).data)
