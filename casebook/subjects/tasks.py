"""Background jobs of the subjects module (django-tasks, run by ``manage.py casebook_worker``)."""

from django_tasks import task


@task()
def run_import(import_id: int) -> None:
    """Register the rows of a checked register import (``services.imports.import_run``)."""
    from .services.imports import import_run

    import_run(import_id)
