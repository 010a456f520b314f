"""The claims as the operator's staff see them: every citizen's, by status."""
from ..models import Citizen, Claim, PhoneLine


def claims_for_staff(status=None):
    """Every claim (optionally of one status) for the operator's staff, oldest open first."""
    query = (Claim.select(Claim, PhoneLine, Citizen).join(PhoneLine)
             .switch(Claim).join(Citizen))
    if status:
        query = query.where(Claim.status == status)
    return list(query.order_by(Claim.created_at, Claim.id))


def claim_for_staff(reference):
    return Claim.get_or_none(Claim.reference == reference)
