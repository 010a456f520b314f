"""The access log: who touched a citizen's call data, and the actions that matter.

Written for «Məlumatlarıma kim baxıb?»: a citizen sees every read of their data by
someone else (the operator's staff opening or answering their claim, an import adding
calls to their line) and their own sign-ins, exports, claims, ended sessions and
password changes.
A citizen's own report views are not written: the sign-in entry covers them, and the
report must cost what it cost before (tests/test_calls.py counts its queries).

The application only ever inserts here; the one delete is the retention prune. On
PostgreSQL a trigger refuses any other UPDATE or DELETE (egov.models.ACCESS_LOG_GUARD).

Every entry is kept, but the citizen reads repeated views as one line: the same staff
member opening the same claim again and again (each page they render, each save, each
change of language is a view) within REPEAT_WINDOW of the latest of them shows as one
line with the count and the time span (`Line`).
"""
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from ua_parser import parse as parse_user_agent

from .db import database, is_postgres
from .errors import NotVisible
from .models import BY_OTHERS, AccessEntry, Citizen
from .timeutil import utcnow

# What an entry records (AccessEntry.action).
SIGN_IN = "sign_in"
EXPORT = "export"
CLAIM_FILED = "claim_filed"
CLAIM_OPENED = "claim_opened"
CLAIM_ANSWERED = "claim_answered"
CALLS_IMPORTED = "calls_imported"
SESSIONS_ENDED = "sessions_ended"
PASSWORD_CHANGED = "password_changed"

ACTION_LABELS = {
    SIGN_IN: _l("Portala giriş"),
    EXPORT: _l("Zəng cədvəlini yüklədi"),
    CLAIM_FILED: _l("Reklamasiya verdi"),
    CLAIM_OPENED: _l("Reklamasiyaya və etiraz edilən zənglərə baxdı"),
    CLAIM_ANSWERED: _l("Reklamasiyaya cavab verdi"),
    SESSIONS_ENDED: _l("Digər sessiyaları bitirdi"),
    PASSWORD_CHANGED: _l("Şifrəni dəyişdi"),
}


def describe(entry):
    """What an entry says was done, in the reader's language."""
    if entry.action == CALLS_IMPORTED:
        count = int(entry.detail or 0)
        return ngettext("Xəttinizə %(num)d zəng əlavə etdi",
                        "Xəttinizə %(num)d zəng əlavə etdi", count)
    label = str(ACTION_LABELS.get(entry.action, entry.action))
    return f"{label} ({entry.detail})" if entry.action == EXPORT and entry.detail else label


PAGE_SIZE = 20
RECENT_SIGN_INS = 10
STAFF_ROLE = "operator"  # the one staff role there is: the operator's employee


def _browser_family(user_agent):
    """«Chrome», «Firefox», «Yandex Browser»…: enough to notice a sign-in that was not ours.

    ua-parser (uap-core's rules, updated every month in ua-parser-builtins) rather than a
    rule of our own: browser names in User-Agent strings hide behind one another (Edge,
    Opera and Yandex all say Chrome and Safari too), and the list keeps changing."""
    if not user_agent:
        return ""
    agent = parse_user_agent(user_agent[:512]).user_agent
    return agent.family[:64] if agent else ""


# Cached outside the def: mutmut does not mutate decorated functions (docs/testing.md).
browser_family = lru_cache(maxsize=256)(_browser_family)


def _client():
    if not has_request_context():
        return None, ""
    return request.remote_addr, browser_family(request.headers.get("User-Agent", ""))


def request_browser():
    """The browser family of this request («» outside one): what a session row keeps."""
    return _client()[1]


def _write(citizen, actor_kind, action, *, staff=None, actor_name="", reason="", detail="",
           with_client=True):
    address, browser = _client() if with_client else (None, "")
    return AccessEntry.create(
        at=utcnow(), citizen=citizen, actor_kind=actor_kind, action=action,
        actor_staff=staff.id if staff else None,
        actor_name=staff.full_name if staff else actor_name,
        reason=str(reason)[:255], detail=str(detail)[:255], address=address,
        browser=browser[:64])


def citizen_acted(citizen, action, reason="", detail=""):
    """The citizen themself: a sign-in (detail: the means), an export, a claim…"""
    return _write(citizen, AccessEntry.CITIZEN, action, reason=reason, detail=detail)


def staff_acted(staff, citizen, action, reason="", detail=""):
    """A staff member read or changed something of this citizen's (the reason: the claim)."""
    return _write(citizen, AccessEntry.STAFF, action, staff=staff, reason=reason,
                  detail=detail)


def calls_imported(file_name, calls_by_citizen):
    """One entry per citizen whose lines got calls in this import (not one per call)."""
    now = utcnow()
    rows = [dict(at=now, citizen=citizen_id, actor_kind=AccessEntry.IMPORT,
                 action=CALLS_IMPORTED, actor_name=str(file_name)[:255], reason="",
                 detail=str(count), address=None, browser="")
            for citizen_id, count in sorted(calls_by_citizen.items())]
    for start in range(0, len(rows), 500):
        AccessEntry.insert_many(rows[start:start + 500]).execute()
    return len(rows)


# --- reading: each person sees only their own part -------------------------------------

def _paged(query, before):
    """A page of `query`, newest first (ids grow with time), from below the cursor `before`."""
    if before is not None:
        query = query.where(AccessEntry.id < before)
    return query.order_by(AccessEntry.id.desc()).limit(PAGE_SIZE + 1)


def _page(query):
    rows = list(query)
    return rows[:PAGE_SIZE], (rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None)


def parse_cursor(value):
    """The «more» link's cursor: an entry id; anything else is a tampered URL (404)."""
    if value is None or value == "":
        return None
    if not (value.isascii() and value.isdigit() and len(value) < 19):
        raise NotVisible(value)
    return int(value)


# Views by one person of one thing, each at most this long before the latest of them, read
# as one line of the citizen's log. Long enough for a staff member's work on one claim
# (open, read, answer, check), short enough that a view the next hour is a line of its own.
REPEAT_WINDOW = timedelta(minutes=10)
REPEATABLE = frozenset({CLAIM_OPENED})  # views; an answer or an import is always its own line


@dataclass
class Line:
    """One line of a citizen's log: an entry, or repeated views (newest first)."""

    entries: list = field(default_factory=list)

    # Each property made from a plain method: mutmut does not mutate decorated functions
    # (docs/testing.md).
    def _latest(self):
        return self.entries[0]

    latest = property(_latest)

    def _earliest(self):
        return self.entries[-1]

    earliest = property(_earliest)

    def _count(self):
        return len(self.entries)

    count = property(_count)

    def takes(self, entry):
        """Whether `entry`, the next older one, is a repeat of this line's view."""
        latest = self.latest
        return (entry.action in REPEATABLE and entry.action == latest.action
                and (entry.actor_kind, entry.actor_staff, entry.actor_name, entry.reason,
                     entry.detail) == (latest.actor_kind, latest.actor_staff,
                                       latest.actor_name, latest.reason, latest.detail)
                and latest.at - entry.at <= REPEAT_WINDOW)


def _lines(entries, limit):
    """Up to `limit` lines of newest-first `entries`, and whether more lines follow."""
    lines = []
    for entry in entries:
        if lines and lines[-1].takes(entry):
            lines[-1].entries.append(entry)
        elif len(lines) == limit:
            return lines, True  # a line after the last: that one is whole
        else:
            lines.append(Line([entry]))
    return lines, False


def others_access(citizen, before=None):
    """Who other than the citizen touched their data, newest first: (lines, next cursor).

    A page is PAGE_SIZE lines, and never ends inside one: the cursor is the oldest entry
    of its last line. A cursor must be one of this citizen's own entries: another
    citizen's id in the URL answers 404, as if it did not exist."""
    if before is not None and not (AccessEntry.select(AccessEntry.id)
                                   .where(AccessEntry.id == before,
                                          AccessEntry.citizen == citizen).exists()):
        raise NotVisible(before)
    lines, more = _lines(_others_below(citizen, before), PAGE_SIZE)
    return lines, (lines[-1].earliest.id if more else None)


def _others_below(citizen, before):
    """The entries by others, newest first, read PAGE_SIZE + 1 at a time as needed."""
    while True:
        rows = list(others_query(citizen, before))
        yield from rows
        if len(rows) <= PAGE_SIZE:
            return
        before = rows[-1].id


def others_query(citizen, before=None):
    return _paged(AccessEntry.select().where(AccessEntry.citizen == citizen, BY_OTHERS), before)


def recent_sign_ins(citizen):
    """The citizen's own latest sign-ins: when, by which means, from which browser and address."""
    return list(sign_ins_query(citizen))


def sign_ins_query(citizen, limit=RECENT_SIGN_INS):
    return (AccessEntry.select()
            .where(AccessEntry.citizen == citizen, AccessEntry.action == SIGN_IN)
            .order_by(AccessEntry.id.desc()).limit(limit))


def own_actions(staff, before=None):
    """What a staff member did: the only part of the log staff see."""
    query = (AccessEntry.select(AccessEntry, Citizen).join(Citizen)
             .where(AccessEntry.actor_staff == staff.id))
    return _page(_paged(query, before))


# --- retention ------------------------------------------------------------------------

def cutoff(months, now=None):
    """The moment before which entries are pruned: `months` of 30.44 days back."""
    return (now or utcnow()) - timedelta(days=round(months * 30.44))


def prune(months, now=None):
    """Delete entries older than the retention period; how many went."""
    before = cutoff(months, now)
    with database.atomic():
        if is_postgres():
            # The trigger lets this transaction, and only for rows older than this, delete.
            database.execute_sql("SELECT set_config('egov.access_log_prune_before', %s, true)",
                                 (before.isoformat(sep=" "),))
        return AccessEntry.delete().where(AccessEntry.at < before).execute()
