"""Models of the staff app."""

from .supervision_models import *  # noqa: E402, F403
