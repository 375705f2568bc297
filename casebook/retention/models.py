"""Retention: review and expiry of subjects, certified destruction, legal holds (issue #14)."""
