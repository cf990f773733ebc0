"""Signals other apps hook into without `projects` knowing them."""

from django.dispatch import Signal

# Sent inside the duplicating transaction with `source` and `copy` (Projects): receivers copy
# what their app holds for the project, leaving nothing in flight in the copy.
project_duplicated = Signal()
