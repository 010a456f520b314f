"""Citizens' feedback on a service: a rating from 1 to 5 and a message."""
from peewee import prefetch

from .models import Citizen, Feedback, Service
from .timeutil import utcnow


def leave_feedback(service, citizen, rating, message):
    return Feedback.create(service=service, citizen=citizen, rating=rating,
                           message=message.strip(), created_at=utcnow())


def feedback_by_service():
    """Every service that has feedback, with its feedback newest first (for the operator)."""
    services = Service.select().where(Service.id.in_(Feedback.select(Feedback.service)))
    entries = (Feedback.select(Feedback, Citizen).join(Citizen)
               .order_by(Feedback.created_at.desc(), Feedback.id.desc()))
    return prefetch(services.order_by(Service.position), entries)
