"""casebook.access — the one place that decides who may do what to which object."""
