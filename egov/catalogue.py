"""The portal's catalogue of agencies and their services, loaded from data/catalogue.csv."""
import csv
from pathlib import Path

from peewee import fn

from .db import database
from .models import Agency, Service


def load_catalogue(data_dir):
    """Bring the catalogue tables in line with the file; usage counts are kept."""
    path = Path(data_dir) / "catalogue.csv"
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with database.atomic():
        agencies = {}
        for position, row in enumerate(rows):
            slug = row["agency_slug"]
            if slug not in agencies:
                agency, _ = Agency.get_or_create(slug=slug, defaults={"name": row["agency_name"]})
                agency.name, agency.position = row["agency_name"], len(agencies)
                agency.save()
                agencies[slug] = agency
            service, _ = Service.get_or_create(
                agency=agencies[slug], slug=row["service_slug"],
                defaults={"name": row["service_name"]},
            )
            service.name = row["service_name"]
            service.position = position
            service.endpoint = row["endpoint"] or None
            service.save()


def agencies_with_counts():
    """Every agency with the number of its services, in catalogue order."""
    return list(
        Agency.select(Agency, fn.COUNT(Service.id).alias("service_count"))
        .join(Service)
        .group_by(Agency)
        .order_by(Agency.position)
    )


def services_of(agency):
    return list(agency.services.order_by(Service.position))


def service_for_endpoint(endpoint):
    return Service.get_or_none(Service.endpoint == endpoint)


def count_use(service):
    """One more use of the service, counted in the database without a read-modify-write race."""
    Service.update(usage_count=Service.usage_count + 1).where(Service.id == service.id).execute()
    return Service.get_by_id(service.id).usage_count
