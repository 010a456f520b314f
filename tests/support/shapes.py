"""The reads of one shape (egov.db.SameShape) built anew: a test that must reach the code
that builds one (mutmut: the report's query) forgets the text an earlier test left."""


def built_anew(*reads):
    """Forget each SameShape read's built text, so its next run builds it again."""
    for read in reads:
        read._shapes.clear()
