"""Frontline: an open-source customer service platform."""
