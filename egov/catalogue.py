"""The portal's catalogue of agencies and their services, loaded from data/catalogue.csv.

The file has a column per language: agency_name and service_name are the Azerbaijani
names; agency_name_en, agency_name_ru, service_name_en, service_name_ru the others
(CatalogueName rows; an empty cell falls back to the Azerbaijani name). `endpoint` names
the view of a service this portal provides; `offered_at` is the https address of the
agency's or portal's site where a service not provided here is offered (the catalogue
links there, saying that the link leaves the portal).

The catalogue changes only between deploys, so each process reads it once and
keeps it (`Catalogue`); only a service's usage count is live, and is read from
the database each time.
"""
import csv
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .db import database
from .models import Agency, CatalogueName, Service

OTHER_LANGUAGES = ("en", "ru")


def _keep_names(row, prefix, **owner):
    """The row's English and Russian names for this agency or service, replacing the old."""
    (field, value), = owner.items()
    CatalogueName.delete().where(getattr(CatalogueName, field) == value).execute()
    names = [{field: value, "language": language, "name": row[f"{prefix}_name_{language}"]}
             for language in OTHER_LANGUAGES
             if (row.get(f"{prefix}_name_{language}") or "").strip()]
    if names:
        CatalogueName.insert_many(names).execute()


class CatalogueError(ValueError):
    """catalogue.csv has a value the portal must not show; the message names the line."""


def _offered_at(row, line):
    """The row's `offered_at`: an absolute https address of another site, or None."""
    value = (row.get("offered_at") or "").strip()
    if not value:
        return None
    try:
        parts = urlsplit(value)
        usable = (parts.scheme == "https" and parts.hostname and not parts.username
                  and not parts.password)
    except ValueError:  # an unbalanced [ in the host
        usable = False
    if not usable or len(value) > 200 or not value.isascii() or not value.isprintable() \
            or " " in value:
        raise CatalogueError(f"catalogue.csv line {line}: offered_at must be an https:// "
                             f"address of the site that offers the service, not {value!r}")
    return value


def load_catalogue(data_dir):
    """Bring the catalogue tables in line with the file; usage counts are kept."""
    path = Path(data_dir) / "catalogue.csv"
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    offered_at = [_offered_at(row, line) for line, row in enumerate(rows, start=2)]
    with database.atomic():
        agencies = {}
        for position, row in enumerate(rows):
            slug = row["agency_slug"]
            if slug not in agencies:
                agency, _ = Agency.get_or_create(slug=slug, defaults={"name": row["agency_name"]})
                agency.name, agency.position = row["agency_name"], len(agencies)
                agency.save()
                _keep_names(row, "agency", agency=agency)
                agencies[slug] = agency
            service, _ = Service.get_or_create(
                agency=agencies[slug], slug=row["service_slug"],
                defaults={"name": row["service_name"]},
            )
            service.name = row["service_name"]
            service.position = position
            service.endpoint = row["endpoint"] or None
            service.offered_at = offered_at[position]
            service.save()
            _keep_names(row, "service", service=service)
    forget()


def ensure_loaded(data_dir):
    """Load the catalogue into an empty database (the embedded SQLite one's first run).

    Several gunicorn workers start at once: the write lock is taken first (IMMEDIATE),
    so they load it one after another instead of the losers failing with «database is
    locked» when a read transaction of theirs tries to become a write."""
    with database.connection_context(), database.atomic("IMMEDIATE"):
        if not Agency.select().exists():
            load_catalogue(data_dir)


@dataclass(frozen=True)
class Catalogue:
    agencies: list  # in catalogue order, each with .service_count and .live_count (provided here)
    services: dict  # agency id → its services in order

    def agency(self, slug):
        return next((agency for agency in self.agencies if agency.slug == slug), None)

    def service_for_endpoint(self, endpoint):
        return next((service for services in self.services.values() for service in services
                     if service.endpoint == endpoint), None)


_cached = None
_lock = threading.Lock()


def current():
    """The catalogue, read from the database on first use in this process."""
    global _cached
    with _lock:
        if _cached is None:
            agencies = list(Agency.select().order_by(Agency.position))
            services = {agency.id: [] for agency in agencies}
            by_id = {agency.id: agency for agency in agencies}
            names = {}
            for row in CatalogueName.select():
                key = ("agency", row.agency_id) if row.agency_id else ("service", row.service_id)
                names.setdefault(key, {})[row.language] = row.name
            for agency in agencies:
                agency.names = names.get(("agency", agency.id), {})
            for service in Service.select().order_by(Service.position):
                service.agency = by_id[service.agency_id]
                service.names = names.get(("service", service.id), {})
                services[service.agency_id].append(service)
            for agency in agencies:
                agency.service_count = len(services[agency.id])
                agency.live_count = sum(1 for service in services[agency.id] if service.is_live)
            _cached = Catalogue(agencies, services)
        return _cached


def forget():
    """Read the catalogue again on next use (after it was loaded anew)."""
    global _cached
    with _lock:
        _cached = None


def agencies_with_counts():
    """Every agency with the number of its services, in catalogue order."""
    return current().agencies


def services_of(agency):
    return current().services[agency.id]


def service_for_endpoint(endpoint):
    return current().service_for_endpoint(endpoint)


# This installation provides one service of the catalogue: the calls report.
CALLS_ENDPOINT = "calls.report"


def calls_service():
    """The catalogue's row of the calls report (its name, ministry, usage count)."""
    return service_for_endpoint(CALLS_ENDPOINT)


def count_use(service):
    """One more use of the service, counted in the database without a read-modify-write race;
    the count after it, in the same statement."""
    query = (Service.update(usage_count=Service.usage_count + 1).where(Service.id == service.id)
             .returning(Service.usage_count))
    return next(iter(query.tuples().execute()))[0]


def usage_count(service):
    return Service.select(Service.usage_count).where(Service.id == service.id).scalar()
