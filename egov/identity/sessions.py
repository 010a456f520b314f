"""Server-side sessions, for citizens and the operator's staff alike.

The cookie carries only the random token of a session row (LoginSession for a
citizen, StaffSession for staff; kept apart so that neither opens the other's
pages). Ending a session deletes the row, so a copy of the cookie signs nobody
in, on any of the app's processes. A session ends when idle for
SESSION_IDLE_MINUTES and, however active, SESSION_MAX_HOURS after sign-in.

Signing a browser in ends whatever session it held before, of either kind, and
starts the cookie afresh: nothing planted in it earlier carries over.

The idle warning (egov/static/js/session.js) asks `status` how long the session has
left; that question is not activity (`not_activity`), or the warning would keep
the session alive by itself. «Davam et» is `renew`. A citizen's sign-in and the
ending of their other sessions go into the access log (egov.access_log).

A citizen sees their open sessions (`open_sessions`: the means, the browser's family,
when it began and was last used; never an address) and can end any other one. A page
or a form names a session by `session_ref`, a digest of its token: the token itself
is what the cookie carries and never leaves it.
"""
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial, wraps

from flask import current_app, g, request, session
from flask_login import UserMixin, current_user, login_user, logout_user

from .. import access_log
from ..db import SameShape
from ..models import LoginSession, StaffSession
from ..timeutil import utcnow


@dataclass(frozen=True)
class Kind:
    """One kind of signed-in user: its session table, the owner column, the cookie key."""

    model: type
    owner: object  # the foreign key field naming the person
    cookie_key: str


# Flask-Login keeps the citizen's token under "_user_id"; staff have a key of their own.
CITIZEN = Kind(LoginSession, LoginSession.citizen, "_user_id")
STAFF = Kind(StaffSession, StaffSession.staff, "staff_token")
KINDS = (CITIZEN, STAFF)


def _with_owner(kind, token):
    owner = kind.owner.rel_model
    return (kind.model.select(kind.model, owner).join(owner)
            .where(kind.model.token == token).limit(1))


# The live session with a token, its owner joined: asked on every signed-in request, so its
# SQL is built once and prepared (egov.db.SameShape). `_with_owner` itself builds it (not a
# function it returns at import), so a test that forgets the built text reaches it again.
SESSION_BY_TOKEN = {kind: SameShape(kind.model._meta.table_name, partial(_with_owner, kind))
                    for kind in KINDS}


@dataclass(frozen=True)
class Limits:
    idle: timedelta
    absolute: timedelta
    warning: timedelta

    # The property and the class methods made from plain functions: mutmut does not
    # mutate decorated ones (docs/testing.md).
    def _touch_after(self):
        """How stale last_seen_at may grow before a request writes it again.

        Writing on every request would make each page view a write; a quarter of
        the idle limit keeps an active session alive whatever the limit is."""
        return self.idle / 4

    touch_after = property(_touch_after)

    def _from_config(cls, config):
        seconds = config.get("SESSION_IDLE_SECONDS") or config["SESSION_IDLE_MINUTES"] * 60
        idle = timedelta(seconds=seconds)
        # The warning must come after the last write of activity could have been skipped
        # (touch_after), or an active citizen would be warned: at most half the idle limit.
        warning = min(timedelta(seconds=config["SESSION_WARNING_SECONDS"]), idle / 2)
        return cls(idle=idle, absolute=timedelta(hours=config["SESSION_MAX_HOURS"]),
                   warning=warning)

    from_config = classmethod(_from_config)

    def _current(cls):
        return cls.from_config(current_app.config)

    current = classmethod(_current)


class SignedIn(UserMixin):
    """The Flask-Login user: a citizen seen through one session."""

    def __init__(self, login_session):
        self.login_session = login_session
        self.citizen = login_session.citizen

    def get_id(self):
        return self.login_session.token

    def _full_name(self):
        return self.citizen.full_name

    full_name = property(_full_name)


def open_session(kind, owner, **fields):
    now = utcnow()
    return kind.model.create(token=secrets.token_urlsafe(32), created_at=now, last_seen_at=now,
                             **{kind.owner.name: owner}, **fields)


def end_session(kind, token):
    kind.model.delete().where(kind.model.token == token).execute()


def end_other_sessions(kind, owner, keep_token=None, only_token=None):
    """End every session of `owner` but the one with `keep_token` (or only the one with
    `only_token`); how many ended."""
    query = kind.model.delete().where(kind.owner == owner)
    if keep_token is not None:
        query = query.where(kind.model.token != keep_token)
    if only_token is not None:
        query = query.where(kind.model.token == only_token)
    return query.execute()


def find_session(kind, token, limits, now=None):
    """The live session with this token, its owner joined; an expired one ends and is None.

    Finding it is activity (last_seen_at moves on), except in a `not_activity` request."""
    row = next(iter(SESSION_BY_TOKEN[kind].run(token)), None)
    if row is None:
        return None
    now = now or utcnow()
    # Ended at ends_at itself, the moment the page's countdown reaches 0 (not a tick later).
    if now >= ends_at(row, limits):
        end_session(kind, token)
        return None
    if now - row.last_seen_at > limits.touch_after and not g.get("not_activity"):
        row.last_seen_at = now
        row.save(only=[kind.model.last_seen_at])
    return row


def ends_at(row, limits):
    """When this session ends if nothing more happens: idle limit or lifetime, the sooner."""
    return min(row.last_seen_at + limits.idle, row.created_at + limits.absolute)


def remaining(row, limits, now=None):
    """Seconds left before the session ends if unused (0 when it has)."""
    return max(0.0, (ends_at(row, limits) - (now or utcnow())).total_seconds())


def not_activity(view):
    """A request that only asks about the session (the warning's status): not activity."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        g.not_activity = True
        return view(*args, **kwargs)
    return wrapper


def browser_session():
    """(kind, live session row) of this browser, or (None, None); loaded once per request."""
    if current_user.is_authenticated:
        return CITIZEN, current_user.login_session
    if current_staff() is not None:
        return STAFF, g.staff_session
    return None, None


def clock():
    """What the pages need for the idle warning: None when nobody is signed in here.

    Read from the session row the request has already loaded: no query of its own."""
    kind, row = browser_session()
    if row is None:
        return None
    limits = Limits.current()
    return {"staff": kind is STAFF, "remaining": remaining(row, limits),
            "ends_at": ends_at(row, limits), "warning": limits.warning.total_seconds()}


def renew():
    """«Davam et»: the session counts as used now, on the server (so in every tab)."""
    kind, row = browser_session()
    if row is None:
        return None
    row.last_seen_at = utcnow()
    row.save(only=[kind.model.last_seen_at])
    return row


def sign_in(kind, owner, **fields):
    """Sign this browser in as `owner`; the session it held before ends on the server.

    A citizen's `fields` name the means (`means`), which the access log records."""
    end_browser_sessions()
    if kind is CITIZEN:
        fields["browser"] = access_log.request_browser()[:64]
    row = open_session(kind, owner, **fields)
    if kind is CITIZEN:
        access_log.citizen_acted(owner, access_log.SIGN_IN, detail=fields["means"])
        login_user(SignedIn(row))
    else:
        session[kind.cookie_key] = row.token
        g.staff, g.staff_session = row.staff, row
    return row


def end_my_other_sessions():
    """The citizen's «Digər sessiyalarımı bitir»: every session but this browser's ends."""
    citizen = current_user.citizen
    ended = end_sessions_but(citizen, current_user.get_id())
    access_log.citizen_acted(citizen, access_log.SESSIONS_ENDED, detail=ended)
    return ended


def end_sessions_but(citizen, keep_token):
    """End every open session of the citizen but `keep_token`'s; how many were open.

    Those past their limits had ended already: they go, uncounted."""
    _forget_expired(citizen)
    return end_other_sessions(CITIZEN, citizen, keep_token=keep_token)


@dataclass(frozen=True)
class OpenSession:
    """One of the citizen's live sessions, as their list of sessions shows it."""

    ref: str
    means: str
    browser: str
    created_at: datetime
    last_seen_at: datetime
    current: bool  # this browser's


def session_ref(token):
    """How a page names a session: a digest of its token (the token is the cookie's secret)."""
    return hashlib.sha256(token.encode()).hexdigest()[:20]


def _live(limits, now):
    # Strictly: at ends_at itself the session has ended (find_session), so it is neither
    # listed nor counted then.
    return ((LoginSession.last_seen_at > now - limits.idle)
            & (LoginSession.created_at > now - limits.absolute))


def _forget_expired(citizen):
    """Remove the citizen's sessions past their limits (each went when it was next used)."""
    LoginSession.delete().where(LoginSession.citizen == citizen,
                                ~_live(Limits.current(), utcnow())).execute()


def open_sessions(citizen, current_token, now=None):
    """The citizen's live sessions: this browser's first, then the others, last used first.

    A session past its idle or absolute limit is not listed (its row goes when it is
    next presented, or at sign-out)."""
    limits, now = Limits.current(), now or utcnow()
    rows = (LoginSession.select().where(LoginSession.citizen == citizen, _live(limits, now))
            .order_by(LoginSession.last_seen_at.desc(), LoginSession.created_at.desc()))
    found = [OpenSession(ref=session_ref(row.token), means=row.means, browser=row.browser,
                         created_at=row.created_at, last_seen_at=row.last_seen_at,
                         current=row.token == current_token) for row in rows]
    return sorted(found, key=lambda one: not one.current)  # stable: the rest keep their order


def end_my_session(ref):
    """«Bu sessiyanı bitir»: one of the citizen's other sessions; whether it was open.

    Only among their own sessions, and never this browser's (that is «Çıxış»)."""
    citizen, token = current_user.citizen, current_user.get_id()
    others = LoginSession.select(LoginSession.token).where(LoginSession.citizen == citizen,
                                                           LoginSession.token != token)
    named = next((row.token for row in others
                  if hmac.compare_digest(session_ref(row.token).encode(), str(ref).encode())),
                 None)
    ended = named is not None and end_other_sessions(CITIZEN, citizen, only_token=named)
    if ended:
        access_log.citizen_acted(citizen, access_log.SESSIONS_ENDED, detail=ended)
    return bool(ended)


def end_browser_sessions():
    """Sign this browser out: its sessions of either kind end, and the cookie is emptied."""
    for kind in KINDS:
        token = session.get(kind.cookie_key)
        if token:
            end_session(kind, token)
    logout_user()
    session.clear()
    g.staff = g.staff_session = None


def forget_browser(response):
    """After sign-out: the next page tells the browser's other tabs to clear themselves.

    Kiosk mode: the browser keeps nothing of who used it. Clear-Site-Data empties the
    HTTP cache (so Back has no copy to show) and the page storage; every cookie but
    the session's (emptied already, and carrying the «you have signed out» message)
    goes, the language choice among them."""
    session["signed_out"] = True
    if current_app.config.get("KIOSK_MODE"):
        response.headers["Clear-Site-Data"] = '"cache", "storage"'
        for name in request.cookies:
            if name != current_app.config["SESSION_COOKIE_NAME"]:
                response.delete_cookie(name)
    return response


def current_staff():
    """The staff member signed in in this browser, or None (loaded once per request)."""
    if "staff" not in g:
        token = session.get(STAFF.cookie_key)
        row = token and find_session(STAFF, token, Limits.current())
        if token and row is None:
            session.pop(STAFF.cookie_key)
        g.staff, g.staff_session = (row.staff, row) if row else (None, None)
    return g.staff


def load_citizen(token):
    """Flask-Login's user loader: the citizen's live session, or None."""
    row = find_session(CITIZEN, token, Limits.current())
    return SignedIn(row) if row else None


def _template_context():
    return {"current_staff": current_staff(), "session_clock": clock(),
            "signed_out_now": session.pop("signed_out", False)}


def _remaining_header(response):
    # Only swaps: session.js reads it after each one (a swap is activity).
    if request.headers.get("HX-Request") == "true":
        now = clock()
        if now is not None:
            response.headers["X-Session-Remaining"] = f"{now['remaining']:.1f}"
    return response


def init_app(app):
    """Every page knows the session's clock; an htmx answer says it in a header too."""
    app.context_processor(_template_context)
    app.after_request(_remaining_header)
