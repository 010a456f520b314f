"""Who may see what: the one place that decides which lines and calls a citizen sees.

A citizen sees a line only for the periods it was registered in their name, and
only the calls made within those periods. Every view that shows lines or calls
goes through this module: its functions are what a citizen-facing view may
show. (What the operator's staff see is decided in egov.backoffice.)
"""
import operator
from dataclasses import dataclass
from datetime import datetime
from functools import reduce

from ..db import SameShape
from ..errors import NotVisible
from ..models import Call, Claim, LineOwnership, PhoneLine


@dataclass(frozen=True)
class HeldLine:
    """A line as one citizen may see it: the number and the windows they held it in."""

    line: PhoneLine
    windows: tuple  # ((start, end), ...) naive UTC, clipped to the month
    month: object

    # Each property made from a plain method: mutmut does not mutate decorated functions
    # (docs/testing.md).
    def _number(self):
        return self.line.number

    number = property(_number)

    def _held_since(self):
        """When the line became the citizen's, if that was within the month."""
        start = self.windows[0][0]
        return start if start > self.month.start else None

    held_since = property(_held_since)

    def _held_until(self):
        """When the line stopped being the citizen's, if that was within the month."""
        end = self.windows[-1][1]
        return end if end < self.month.end else None

    held_until = property(_held_until)


def _windows(ownerships, start, end):
    clipped = []
    for own in ownerships:
        lo = max(own.starts_at, start)
        hi = min(own.ends_at or datetime.max, end)
        if lo < hi:
            clipped.append((lo, hi))
    return tuple(sorted(clipped))


def holdings_query(citizen, month):
    """The citizen's holder periods overlapping the month (the benchmark prints its plan)."""
    return _holdings(citizen.id, month.start, month.end)


def _holdings(citizen_id, start, end):
    return (
        LineOwnership.select(LineOwnership, PhoneLine)
        .join(PhoneLine)
        .where(
            (LineOwnership.citizen == citizen_id)
            & (LineOwnership.starts_at < end)
            & (LineOwnership.ends_at.is_null() | (LineOwnership.ends_at > start))
        )
        .order_by(PhoneLine.number, LineOwnership.starts_at)
    )


# On every report: built once, prepared once per connection (egov.db.SameShape).
HOLDINGS = SameShape("holdings", _holdings)


def lines_of(citizen, month):
    """The citizen's lines held at any moment of the month, in number order."""
    rows = HOLDINGS.run(citizen.id, month.start, month.end)
    by_line = {}
    for own in rows:
        by_line.setdefault(own.line.id, (own.line, []))[1].append(own)
    held = []
    for line, ownerships in by_line.values():
        windows = _windows(ownerships, month.start, month.end)
        if windows:
            held.append(HeldLine(line, windows, month))
    return held


def line_of(citizen, number, month):
    """One of the citizen's lines by its number, or NotVisible."""
    return _by_number(lines_of(citizen, month), number)


def _by_number(held_lines, number):
    for held in held_lines:
        if held.number == number:
            return held
    raise NotVisible(number)


def chosen_line(citizen, month, number):
    """The citizen's held lines, and the one named by `number` (the first when none is
    named; None when they hold none); NotVisible when `number` is not theirs."""
    held_lines = lines_of(citizen, month)
    if not number:
        return held_lines, (held_lines[0] if held_lines else None)
    return held_lines, _by_number(held_lines, number)


def calls_query(held):
    """The query behind calls_of (the benchmark prints its plan)."""
    return calls_in_windows(held.line.id, *window_bounds(held))


def window_bounds(held):
    """The held line's windows as flat values: start, end, start, end…"""
    return [bound for window in held.windows for bound in window]


def calls_in_windows(line_id, *bounds):
    """The line's calls made in the windows [bounds[0], bounds[1]), [bounds[2], …)."""
    in_windows = reduce(
        operator.or_,
        [(Call.started_at >= lo) & (Call.started_at < hi)
         for lo, hi in zip(bounds[::2], bounds[1::2])],
    )
    return (
        Call.select()
        .where((Call.line == line_id) & in_windows)
        .order_by(Call.started_at, Call.id)
    )


def calls_of(held):
    """The calls of a held line within its windows, oldest first."""
    return list(calls_query(held))


# --- Claims on charges: what a citizen may dispute, and their own claims ---


def claimable_calls(citizen, number, month, call_ids):
    """The calls with these ids, if every one is in the citizen's report of that line.

    One id outside it (another citizen's call, a call from before a handover, a
    made-up id) makes the whole request NotVisible."""
    held = line_of(citizen, number, month)
    by_id = {call.id: call for call in calls_of(held)}
    wanted = set(call_ids)
    if not wanted or not wanted <= by_id.keys():
        raise NotVisible(number)
    return held, [call for call_id, call in by_id.items() if call_id in wanted]


def claims_of(citizen):
    """The citizen's own claims, newest first."""
    return list(Claim.select(Claim, PhoneLine).join(PhoneLine).where(Claim.citizen == citizen)
                .order_by(Claim.created_at.desc(), Claim.id.desc()))


def claim_of(citizen, reference):
    """One of the citizen's own claims by its reference, or NotVisible."""
    claim = Claim.get_or_none((Claim.reference == reference) & (Claim.citizen == citizen))
    if claim is None:
        raise NotVisible(reference)
    return claim
