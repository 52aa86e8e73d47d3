"""Cross-app reactions listen here instead of importing each other."""

from django.dispatch import Signal

#: Sent after commit with `event=`; listeners must not raise.
event_recorded = Signal()
