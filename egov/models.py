"""The portal's data: citizens, their phone lines over time, calls, and the catalogue.

Timestamps are stored as naive UTC; conversion to Asia/Baku happens at the edges
(see egov.timeutil). Money is integer qəpik (1 AZN = 100 qəpik).
"""
from urllib.parse import urlsplit

from peewee import (
    SQL,
    BooleanField,
    CharField,
    Check,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from . import locales
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
    # «Chrome», «Firefox»… (egov.access_log.browser_family), for the citizen's list of open
    # sessions; never the address.
    browser = CharField(max_length=64, default="")


class PhoneLine(BaseModel):
    number = CharField(max_length=16, unique=True)  # national format: 0 + area code + subscriber


class LineOwnership(BaseModel):
    """The period [starts_at, ends_at) during which a citizen held a line."""

    line = ForeignKeyField(PhoneLine, backref="ownerships", on_delete="CASCADE")
    citizen = ForeignKeyField(Citizen, backref="ownerships", on_delete="CASCADE")
    starts_at = DateTimeField()
    ends_at = DateTimeField(null=True)
    # The tariff plan (egov.telephony.billing) the holder's calls are rated by; None in a
    # database made before plans: the book's default plan.
    plan = CharField(max_length=32, null=True)

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
    # How the amount was reached (egov.telephony.billing.Rating), kept as rated at import so
    # that a later change of the tariff book or the calendar never rewrites the explanation.
    # None on calls imported before these were kept: the page says so.
    plan = CharField(max_length=32, null=True)
    qepik_per_minute = IntegerField(null=True)
    band = CharField(max_length=8, null=True)
    factor_permille = IntegerField(null=True)
    billed_seconds = IntegerField(null=True)

    class Meta:
        # Every report reads one line's calls over a time range: this index serves it.
        indexes = ((("line", "started_at"), False),)

    @property
    def is_paid(self):
        return self.paid_at is not None

    @property
    def is_explained(self):
        return self.band is not None


class NamedInLanguages:
    """`name` is the Azerbaijani name; `local_name` the one in the page's language
    (CatalogueName rows, from catalogue.csv's columns), the Azerbaijani one when missing.

    The catalogue (egov.catalogue) attaches every row's names once per process; a row
    read elsewhere (the staff's feedback list) reads its own on first use."""

    @property
    def local_name(self):
        language = locales.language()
        if language == locales.DEFAULT:
            return self.name
        names = self.__dict__.get("names")
        if names is None:
            field = CatalogueName.agency if isinstance(self, Agency) else CatalogueName.service
            names = self.names = {row.language: row.name
                                  for row in CatalogueName.select().where(field == self)}
        return names.get(language) or self.name


class Agency(NamedInLanguages, BaseModel):
    """A ministry or state agency of the portal's catalogue."""

    slug = CharField(max_length=64, unique=True)
    name = CharField(max_length=255)
    position = IntegerField(default=0)


class Service(NamedInLanguages, BaseModel):
    agency = ForeignKeyField(Agency, backref="services", on_delete="CASCADE")
    slug = CharField(max_length=64)
    name = TextField()
    position = IntegerField(default=0)
    # Only the services this installation really provides are live; the rest are listed,
    # each with the address of the site that offers it (catalogue.csv's offered_at).
    endpoint = CharField(max_length=64, null=True)
    offered_at = CharField(max_length=200, null=True)
    usage_count = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])

    class Meta:
        indexes = ((("agency", "slug"), True),)

    @property
    def is_live(self):
        return self.endpoint is not None

    @property
    def offered_site(self):
        """The other site's name as a citizen reads it: «mia.gov.az», without «www.»."""
        host = urlsplit(self.offered_at or "").hostname or ""
        return host.removeprefix("www.")


class CatalogueName(BaseModel):
    """An agency's or a service's name in another language than Azerbaijani; a table of
    its own, so that adding languages changes no existing table."""

    agency = ForeignKeyField(Agency, null=True, backref="translated_names", on_delete="CASCADE")
    service = ForeignKeyField(Service, null=True, backref="translated_names",
                              on_delete="CASCADE")
    language = CharField(max_length=8)
    name = TextField()


class ProviderSignIn(BaseModel):
    """The ID token a provider issued at sign-in, kept on the server for signing out there too."""

    login_session = ForeignKeyField(LoginSession, primary_key=True, on_delete="CASCADE")
    provider = CharField(max_length=16)
    id_token = TextField()



class PendingSignIn(BaseModel):
    """A sign-in sent to a provider and not yet back (egov.identity.pending_sign_ins).

    Kept on the server, not in the cookie, so that taking it is one DELETE that only one
    callback can win, whatever copy of the cookie a replay carries."""

    state = CharField(max_length=128, primary_key=True)
    means = CharField(max_length=16)
    nonce = CharField(max_length=128)
    code_verifier = CharField(max_length=128)
    redirect_uri = TextField()
    next_url = TextField(null=True)
    expires_at = DateTimeField(index=True)


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
    """A call disputed by a claim, with the amount it had when the claim was filed.

    The call's start, duration and number are copied here when the claim is filed: they
    are part of what the claim decided on, and stay when the call itself is gone (its
    month dropped by the retention prune, egov.call_partitions). Then `call` is None.
    The reference to the call is (call, call_started_at): on PostgreSQL the call table is
    partitioned by its start, so a call is found by its id and start together (a
    composite foreign key there; SQLite keeps a plain table and a key on the id)."""

    claim = ForeignKeyField(Claim, backref="claim_calls", on_delete="CASCADE")
    call = ForeignKeyField(Call, null=True, backref="claim_calls", on_delete="CASCADE",
                           index=False)
    call_started_at = DateTimeField()
    call_duration_seconds = IntegerField()
    call_dialled_number = CharField(max_length=32)
    original_qepik = IntegerField()
    # Set only when the claim is accepted; Call.amount_qepik itself is never rewritten.
    corrected_qepik = IntegerField(null=True, constraints=[Check("corrected_qepik >= 0")])
    # True until the claim is rejected (set in the same transaction as the status). It is
    # here, not read from Claim.status, so that the database itself can hold the rule "a
    # call has at most one claim not rejected": a partial unique index (below) makes the
    # second of two simultaneous filings fail, whichever process or engine runs them.
    disputing = BooleanField(default=True, constraints=[SQL("DEFAULT TRUE")])

    class Meta:
        indexes = ((("claim", "call"), True), (("call", "call_started_at"), False))


ClaimCall.add_index(ClaimCall.index(ClaimCall.call, ClaimCall.call_started_at, unique=True,
                                    where=SQL("disputing"),
                                    name="claim_call_one_standing_dispute"))


class ClaimEvent(BaseModel):
    """One step of a claim's history: its status from then on, and what staff said."""

    claim = ForeignKeyField(Claim, backref="events", on_delete="CASCADE")
    status = CharField(max_length=16)
    answer = TextField(default="")
    staff = ForeignKeyField(StaffMember, null=True, backref="claim_events", on_delete="SET NULL")
    created_at = DateTimeField()


class AccessEntry(BaseModel):
    """One line of a citizen's access log («Məlumatlarıma kim baxıb?»): append-only.

    Who acted is kept as it was then (the staff member's name as text, their id as a
    plain number, not a foreign key: removing a staff account must not rewrite or remove
    what they did). Nothing removes an entry but the retention prune and the removal
    of the citizen it is about (egov.access_log; on PostgreSQL a trigger refuses
    anything else, ACCESS_LOG_GUARD)."""

    CITIZEN, STAFF, IMPORT = "citizen", "staff", "import"

    at = DateTimeField(index=True)  # the prune deletes by age
    citizen = ForeignKeyField(Citizen, backref="access_entries", on_delete="CASCADE",
                              index=False)  # whose data
    actor_kind = CharField(max_length=8, constraints=[
        Check("actor_kind IN ('citizen', 'staff', 'import')")])
    actor_staff = IntegerField(null=True)  # StaffMember.id, when staff acted
    actor_name = CharField(max_length=255, default="")  # a staff member's name, a file name
    action = CharField(max_length=24)
    reason = CharField(max_length=255, default="")  # e.g. the claim reference
    detail = CharField(max_length=255, default="")  # the means, the line, the number of calls
    address = CharField(max_length=64, null=True)
    browser = CharField(max_length=64, default="")

    class Meta:
        # The citizen's sign-ins and staff's own actions: one backward index range each,
        # however many millions the table holds (bench/access_log_bench.py).
        indexes = ((("citizen", "id"), False), (("actor_staff", "id"), False))


# «Who other than me»: a literal, not a bound parameter, so that SQLite as well as
# PostgreSQL matches queries to the partial index below. Without it a citizen with
# 20 000 sign-ins of their own had all of them read to find the five entries by others
# (14.5 ms at 10 million entries; an exact index range with it).
BY_OTHERS = SQL("actor_kind <> 'citizen'")
AccessEntry.add_index(AccessEntry.index(AccessEntry.citizen, AccessEntry.id, where=BY_OTHERS,
                                        name="access_entry_by_others"))


# PostgreSQL refuses any UPDATE, and any DELETE but two: the retention prune's, which first
# sets egov.access_log_prune_before (SET LOCAL, its own transaction) and may remove only
# entries older than that; and the cascade when the citizen the entry is about is removed
# (the demo rebuilds its citizens). TRUNCATE (tests emptying the database) is not a row change.
# (psycopg2 reads %% as a literal percent sign.)
ACCESS_LOG_GUARD = """
CREATE OR REPLACE FUNCTION access_entry_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM citizen WHERE id = OLD.citizen_id) THEN
    RETURN OLD;
  END IF;
  IF TG_OP = 'DELETE'
     AND current_setting('egov.access_log_prune_before', true) IS NOT NULL
     AND current_setting('egov.access_log_prune_before', true) <> ''
     AND OLD.at < current_setting('egov.access_log_prune_before', true)::timestamp THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'access_entry is append-only: %% refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
CREATE OR REPLACE TRIGGER access_entry_append_only
  BEFORE UPDATE OR DELETE ON access_entry
  FOR EACH ROW EXECUTE FUNCTION access_entry_append_only();
"""


# Every table, parents before children (created in this order, emptied in reverse).
ALL_MODELS = [Citizen, CitizenLanguage, LoginSession, PhoneLine, LineOwnership, Call, Agency,
              Service, CatalogueName, ProviderSignIn, PendingSignIn, Feedback, StaffMember,
              StaffSession, Claim, ClaimCall, ClaimEvent, AccessEntry]
