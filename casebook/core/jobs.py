"""The periodic background jobs of every module, for `run_scheduler` and `tracking_jobs`."""


def periodic_jobs() -> list:
    from casebook.analysis.tasks import evaluate_warning_rules
    from casebook.reports.tasks import export_housekeeping, generate_periodic_reports
    from casebook.tracking.tasks import create_scheduled_tasks, escalate_deadlines

    return [
        create_scheduled_tasks,
        escalate_deadlines,
        evaluate_warning_rules,
        generate_periodic_reports,
        export_housekeeping,
    ]


def frequent_jobs() -> list:
    """Jobs that must run every minute or so: urgent reports cannot wait five minutes."""
    from casebook.reports.tasks import deliver_urgent_reports, escalate_urgent_reports

    return [escalate_urgent_reports, deliver_urgent_reports]
