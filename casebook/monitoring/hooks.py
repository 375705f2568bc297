"""What the monitoring app plugs into the lower layers' registries (from ``ready()``)."""


def register() -> None:
    pass
