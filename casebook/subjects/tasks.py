"""Background jobs of the subjects module (django-tasks, run by ``manage.py casebook_worker``)."""

from django_tasks import task

from .services import imports as import_services  # the module: it enqueues this task (a cycle)


@task()
def run_import(import_id: int) -> None:
    """Register the rows of a checked register import (``services.imports.import_run``)."""
    import_services.import_run(import_id)
