"""The month's call report of one line: rows, the three summary rows and totals per kind.

A row shows the amount as it stands: corrected when an accepted claim said so,
as billed otherwise; the summary rows add up what the rows show, for the whole month.
What the citizen asks to see (kind, search, order: ReportOptions) only narrows and
orders the rows shown, in memory: the database is asked the same one question.
"""
from dataclasses import dataclass, field

from peewee import JOIN

from ..db import SameShape
from ..errors import NotVisible
from ..models import Call, Claim, ClaimCall
from ..timeutil import Month
from . import access
from .numbering import INTERCITY, INTERNATIONAL

SERVICE_TITLE = "Cari ay ərzində aparılmış şəhərlərarası və beynəlxalq danışıqlar üzrə məlumat"


@dataclass(frozen=True)
class Summary:
    count: int
    amount_qepik: int


KINDS = (INTERCITY, INTERNATIONAL)
SORTS = ("date", "duration", "amount")
MAX_SEARCH_DIGITS = 20


def open_months(now, window):
    """The months a citizen can open, newest first: the month of `now` and the `window`
    before it (the claim window: a call of any of them can still be disputed)."""
    months = [Month.containing(now)]
    for _ in range(window):
        months.append(months[-1].previous())
    return months


def open_month(text, months):
    """The month «2026-11» if it is one of the open `months`; the first of them when
    `text` is empty; NotVisible otherwise (not the citizen's to see, or not a month)."""
    if not text:
        return months[0]
    month = Month.parse(text)
    if month not in months:
        raise NotVisible(text)
    return month


@dataclass(frozen=True)
class ReportOptions:
    """What the citizen asked to see, from the URL's query: every value is checked, and
    anything else (a hostile or mistyped parameter) reads as the default."""

    month: Month
    kind: str = ""  # "" all, or one of KINDS
    sort: str = "date"
    descending: bool = False
    search: str = ""  # digits of the dialled number

    @classmethod
    def from_args(cls, args, months):
        """The options in `args`; `months` are the open ones (the first is the default).
        A month outside them is NotVisible: it is not the citizen's to see."""
        month = open_month(args.get("month"), months)
        kind = args.get("kind", "")
        sort = args.get("sort", "date")
        descending = sort.startswith("-")
        sort = sort.lstrip("-")
        search = "".join(ch for ch in args.get("q", "") if ch.isascii() and ch.isdigit())
        return cls(month=month, kind=kind if kind in KINDS else "",
                   sort=sort if sort in SORTS else "date",
                   descending=descending and sort in SORTS,
                   search=search[:MAX_SEARCH_DIGITS])

    # Each property made from a plain method: mutmut does not mutate decorated functions
    # (docs/testing.md).
    def _narrows(self):
        """True when only some of the month's calls are shown."""
        return bool(self.kind or self.search)

    narrows = property(_narrows)

    def _sort_value(self):
        """The `sort` parameter as the URL writes it: date, -amount, …"""
        return ("-" if self.descending else "") + self.sort

    sort_value = property(_sort_value)

    def query(self, **changes):
        """The URL query of these options (with `changes`), defaults left out."""
        values = {"month": str(self.month), "kind": self.kind, "sort": self.sort_value,
                  "q": self.search, **changes}
        defaults = {"kind": "", "sort": "date", "q": ""}
        return {k: v for k, v in values.items() if v and v != defaults.get(k)}


@dataclass(frozen=True)
class ReportRow:
    call: object
    amount_qepik: int  # as shown: corrected by an accepted claim, else as billed
    claim: object = None  # the claim disputing this call, if any (not a rejected one)
    position: int = 0  # the call's place in the month, by time: «#» whatever the order

    def _is_corrected(self):
        return self.amount_qepik != self.call.amount_qepik

    is_corrected = property(_is_corrected)

    def _is_paid(self):
        return self.call.is_paid

    is_paid = property(_is_paid)


@dataclass(frozen=True)
class CallReport:
    held: object
    month: object
    rows: list  # the month's rows, by time
    unpaid: Summary
    paid: Summary
    total: Summary
    by_kind: dict = field(default_factory=dict)  # {kind: Summary} for the whole month
    options: ReportOptions = None
    shown: list = None  # the rows the options keep, in their order
    shown_total: Summary = None

    def _calls(self):
        return [row.call for row in self.rows]

    calls = property(_calls)

    def _is_empty(self):
        return not self.rows

    is_empty = property(_is_empty)


def _summary(rows):
    return Summary(len(rows), sum(row.amount_qepik for row in rows))


def _calls_with_claims(line_id, *window_bounds):
    """The line's calls in the held windows (the access rule's query) with their live
    claims, in one query. A call appears once per claim not rejected that disputes it
    (usually none), oldest claim first."""
    live = (ClaimCall.select(ClaimCall.call, ClaimCall.corrected_qepik,
                             Claim.id.alias("claim_id"), Claim.reference, Claim.status,
                             Claim.created_at.alias("claimed_at"))
            .join(Claim).where(Claim.status != Claim.REJECTED).alias("live"))
    return (access.calls_in_windows(line_id, *window_bounds)
            .select_extend(live.c.corrected_qepik, live.c.claim_id, live.c.reference,
                           live.c.status)
            .join(live, JOIN.LEFT_OUTER, on=(live.c.call_id == Call.id))
            .order_by(Call.started_at, Call.id, live.c.claimed_at)
            .objects())


# On every report: built once, prepared once per connection (egov.db.SameShape).
CALLS_WITH_CLAIMS = SameShape("calls_with_claims", _calls_with_claims)


def _matches(row, options):
    call = row.call
    return ((not options.kind or call.kind == options.kind)
            and options.search in call.dialled_number)


_SORT_KEYS = {
    "date": lambda row: row.position,
    "duration": lambda row: (row.call.duration_seconds, row.position),
    "amount": lambda row: (row.amount_qepik, row.position),
}


def call_report(held, month, options=None):
    """The report of a held line in `month`; `options` choose the rows shown."""
    options = options or ReportOptions(month)
    calls, corrected, disputed = {}, {}, {}
    for call in CALLS_WITH_CLAIMS.run(held.line.id, *access.window_bounds(held)):
        calls.setdefault(call.id, call)
        if call.claim_id is None:
            continue
        # The newest live claim is the one shown; an accepted one's amount stands.
        disputed[call.id] = Claim(id=call.claim_id, reference=call.reference, status=call.status)
        if call.status == Claim.ACCEPTED and call.corrected_qepik is not None:
            corrected[call.id] = call.corrected_qepik
    rows = [ReportRow(call=call, amount_qepik=corrected.get(call_id, call.amount_qepik),
                      claim=disputed.get(call_id), position=position)
            for position, (call_id, call) in enumerate(calls.items(), start=1)]
    shown = sorted((row for row in rows if _matches(row, options)),
                   key=_SORT_KEYS[options.sort], reverse=options.descending)
    return CallReport(
        held=held,
        month=month,
        rows=rows,
        unpaid=_summary([r for r in rows if not r.is_paid]),
        paid=_summary([r for r in rows if r.is_paid]),
        total=_summary(rows),
        by_kind={kind: _summary([r for r in rows if r.call.kind == kind]) for kind in KINDS},
        options=options,
        shown=shown,
        shown_total=_summary(shown),
    )
