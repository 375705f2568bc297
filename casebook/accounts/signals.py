"""Signals of the accounts app, for the modules above it (accounts imports none of them).

``credential_reset_done(request=GrantRequest)``: a credential reset was approved (sent after the
commit). The tracking module tells the officer and the requester (never the password).
"""

from django.dispatch import Signal

credential_reset_done = Signal()
