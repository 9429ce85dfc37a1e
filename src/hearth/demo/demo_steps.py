"""This app's own generation steps, found like any other app's (see `steps.py`)."""

from . import workforce  # noqa: F401  (registers roles, council and workforce)
