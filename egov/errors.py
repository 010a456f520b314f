"""Errors shared by several layers, kept below all of them.

`NotVisible` is raised by whatever decides what a citizen may see (telephony's access
rule, the access log's pages) and answered with a 404 by `security.py`; living here, it
lets the sign-in and error-page side import it without depending on telephony.
"""


class NotVisible(LookupError):
    """What was asked for is not the citizen's to see: a line they never held in the
    period asked, a month outside those open to them, a claim or a page that is not theirs.
    Every view answers it with the same 404, so nobody learns whether it exists."""
