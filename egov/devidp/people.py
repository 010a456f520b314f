"""The development provider's test citizens: the portal's demo citizens, plus one who
has no portal account yet (his first sign-in opens it).

Every secret here is a published test value (docs/sign-in.md, "The development identity
provider"); nothing here is a real person or a real credential."""
import hmac
from dataclasses import dataclass

from ..demo import AYSEL, NIGAR, RAUF


@dataclass(frozen=True)
class Person:
    fin: str
    full_name: str
    mobile: str  # +994 and nine digits
    asan_id: str
    pin1: str  # ASAN İmza: confirms a sign-in on the phone
    certificate_pin: str  # elektron imza: unlocks the card's private key
    egov_username: str
    egov_password: str


PEOPLE = (
    Person(AYSEL["fin"], AYSEL["full_name"], "+994501234401", "100401", "4401", "240401",
           "aysel.egov", "aysel-egov-1"),
    Person(RAUF["fin"], RAUF["full_name"], "+994551234402", "100402", "4402", "240402",
           "rauf.egov", "rauf-egov-1"),
    Person(NIGAR["fin"], NIGAR["full_name"], "+994701234403", "100403", "4403", "240403",
           "nigar.egov", "nigar-egov-1"),
    Person("8ELVN04", "Elvin Qasımov", "+994771234404", "100404", "4404", "240404",
           "elvin.egov", "elvin-egov-1"),
)


def same_secret(given, expected):
    """Compared in constant time, as a real provider would."""
    return hmac.compare_digest(str(given or "").encode(), expected.encode())


def normalise_mobile(text):
    """'+994 50 123 44 01', '050 123 44 01' or '994501234401' → '+994501234401'."""
    digits = "".join(ch for ch in str(text or "") if ch.isdigit())
    if digits.startswith("994"):
        digits = digits[3:]
    elif digits.startswith("0"):
        digits = digits[1:]
    return "+994" + digits if len(digits) == 9 else None


def by_fin(fin):
    return next((person for person in PEOPLE if person.fin == fin), None)


def by_asan(mobile, asan_id):
    mobile = normalise_mobile(mobile)
    asan_id = (asan_id or "").strip()
    return next((p for p in PEOPLE if p.mobile == mobile and same_secret(asan_id, p.asan_id)),
                None)


def by_egov(username, password):
    username = (username or "").strip().lower()
    person = next((p for p in PEOPLE if p.egov_username == username), None)
    if person is None or not same_secret(password, person.egov_password):
        return None
    return person
