"""The periodic background jobs of every module, for `run_scheduler` and `tracking_jobs`."""


def periodic_jobs() -> list:
    from casebook.analysis.tasks import evaluate_warning_rules
    from casebook.tracking.tasks import create_scheduled_tasks, escalate_deadlines

    return [create_scheduled_tasks, escalate_deadlines, evaluate_warning_rules]
