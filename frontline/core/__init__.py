"""Pure domain logic: standard library only, no Django (checked by import-linter)."""
