"""Keeping secrets: the deploy checklist (`frontline check --deploy`) and secret model fields."""
