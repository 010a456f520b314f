"""The portal's data: citizens, their phone lines over time, calls, and the catalogue.

Timestamps are stored as naive UTC; conversion to Asia/Baku happens at the edges
(see egov.timeutil). Money is integer qəpik (1 AZN = 100 qəpik).
"""
from peewee import (
    SQL,
    CharField,
    Check,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from .db import database


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class Citizen(BaseModel):
    fin = CharField(max_length=7, unique=True)  # the personal identification code
    full_name = CharField(max_length=200)
    username = CharField(max_length=64, unique=True, null=True)
    password_hash = CharField(max_length=255, null=True)


class CitizenLanguage(BaseModel):
    """The language a citizen chose last (egov.i18n); a table of its own, so adding it
    needs no change to an existing citizen table."""
    citizen = ForeignKeyField(Citizen, unique=True, backref="language_choice", on_delete="CASCADE")
    language = CharField(max_length=8)


class LoginSession(BaseModel):
    """A citizen's signed-in browser (egov.identity.sessions). The cookie only names it."""

    token = CharField(max_length=64, primary_key=True)
    citizen = ForeignKeyField(Citizen, backref="login_sessions", on_delete="CASCADE")
    means = CharField(max_length=16)
    created_at = DateTimeField()
    last_seen_at = DateTimeField()


class PhoneLine(BaseModel):
    number = CharField(max_length=16, unique=True)  # national format: 0 + area code + subscriber


class LineOwnership(BaseModel):
    """The period [starts_at, ends_at) during which a citizen held a line."""

    line = ForeignKeyField(PhoneLine, backref="ownerships", on_delete="CASCADE")
    citizen = ForeignKeyField(Citizen, backref="ownerships", on_delete="CASCADE")
    starts_at = DateTimeField()
    ends_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("citizen", "line"), False), (("line", "starts_at"), True))
        constraints = [Check("ends_at IS NULL OR ends_at > starts_at")]


class Call(BaseModel):
    record_id = CharField(max_length=64, unique=True)  # the operator's id of the call record
    line = ForeignKeyField(PhoneLine, backref="calls", on_delete="CASCADE", index=False)
    started_at = DateTimeField()
    duration_seconds = IntegerField(constraints=[Check("duration_seconds >= 0")])
    dialled_number = CharField(max_length=32)
    # The two kinds of egov.telephony.numbering (INTERCITY, INTERNATIONAL), as the schema
    # says them; tests/test_numbering.py checks that the two agree.
    kind = CharField(max_length=16, constraints=[Check("kind IN ('intercity', 'international')")])
    amount_qepik = IntegerField(constraints=[Check("amount_qepik >= 0")])
    paid_at = DateTimeField(null=True)

    class Meta:
        # Every report reads one line's calls over a time range: this index serves it.
        indexes = ((("line", "started_at"), False),)

    @property
    def is_paid(self):
        return self.paid_at is not None


class Agency(BaseModel):
    """A ministry or state agency of the portal's catalogue."""

    slug = CharField(max_length=64, unique=True)
    name = CharField(max_length=255)
    position = IntegerField(default=0)


class Service(BaseModel):
    agency = ForeignKeyField(Agency, backref="services", on_delete="CASCADE")
    slug = CharField(max_length=64)
    name = TextField()
    position = IntegerField(default=0)
    # Only the services this installation really provides are live; the rest are listed.
    endpoint = CharField(max_length=64, null=True)
    usage_count = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])

    class Meta:
        indexes = ((("agency", "slug"), True),)

    @property
    def is_live(self):
        return self.endpoint is not None


class ProviderSignIn(BaseModel):
    """The ID token a provider issued at sign-in, kept on the server for signing out there too."""

    login_session = ForeignKeyField(LoginSession, primary_key=True, on_delete="CASCADE")
    provider = CharField(max_length=16)
    id_token = TextField()



class Feedback(BaseModel):
    """A citizen's rating (1–5) and message about a service."""

    service = ForeignKeyField(Service, backref="feedback", on_delete="CASCADE")
    citizen = ForeignKeyField(Citizen, backref="feedback", on_delete="CASCADE")
    rating = IntegerField(constraints=[Check("rating BETWEEN 1 AND 5")])
    message = TextField()
    created_at = DateTimeField()


class StaffMember(BaseModel):
    """An employee of the operator who answers claims; not a citizen, signed in apart."""

    username = CharField(max_length=64, unique=True)
    full_name = CharField(max_length=200)
    password_hash = CharField(max_length=255)


class StaffSession(BaseModel):
    """A signed-in staff browser; kept apart from LoginSession so neither opens the other."""

    token = CharField(max_length=64, primary_key=True)
    staff = ForeignKeyField(StaffMember, backref="sessions", on_delete="CASCADE")
    created_at = DateTimeField()
    last_seen_at = DateTimeField()


class Claim(BaseModel):
    """A citizen disputing the charge of one or more calls of one line (a «reklamasiya»)."""

    RECEIVED = "received"
    UNDER_REVIEW = "under_review"
    ACCEPTED = "accepted"
    REJECTED = "rejected"

    reference = CharField(max_length=16, unique=True)
    citizen = ForeignKeyField(Citizen, backref="claims", on_delete="CASCADE")
    line = ForeignKeyField(PhoneLine, backref="claims", on_delete="CASCADE")
    reason = TextField()
    status = CharField(max_length=16, default=RECEIVED, constraints=[
        Check("status IN ('received', 'under_review', 'accepted', 'rejected')")])
    created_at = DateTimeField()

    @property
    def is_open(self):
        return self.status in (self.RECEIVED, self.UNDER_REVIEW)


class ClaimCall(BaseModel):
    """A call disputed by a claim, with the amount it had when the claim was filed."""

    claim = ForeignKeyField(Claim, backref="claim_calls", on_delete="CASCADE")
    call = ForeignKeyField(Call, backref="claim_calls", on_delete="CASCADE")
    original_qepik = IntegerField()
    # Set only when the claim is accepted; Call.amount_qepik itself is never rewritten.
    corrected_qepik = IntegerField(null=True, constraints=[Check("corrected_qepik >= 0")])

    class Meta:
        indexes = ((("claim", "call"), True), (("call",), False))


class ClaimEvent(BaseModel):
    """One step of a claim's history: its status from then on, and what staff said."""

    claim = ForeignKeyField(Claim, backref="events", on_delete="CASCADE")
    status = CharField(max_length=16)
    answer = TextField(default="")
    staff = ForeignKeyField(StaffMember, null=True, backref="claim_events", on_delete="SET NULL")
    created_at = DateTimeField()


# Every table, parents before children (created in this order, emptied in reverse).
ALL_MODELS = [Citizen, CitizenLanguage, LoginSession, PhoneLine, LineOwnership, Call, Agency,
              Service, ProviderSignIn, Feedback, StaffMember, StaffSession, Claim, ClaimCall, ClaimEvent]


def create_tables():
    """Create every table that does not exist yet (safe to repeat)."""
    with database.connection_context():
        database.create_tables(ALL_MODELS, safe=True)
