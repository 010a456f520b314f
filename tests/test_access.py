"""The one access rule: a citizen sees a line only while it was theirs."""
from datetime import timedelta

import pytest

from egov.access import NotVisible, calls_of, line_of, lines_of
from egov.registry import assign_line


@pytest.fixture
def people(world):
    return world.citizen("1AAAAAA", "Birinci"), world.citizen("2BBBBBB", "İkinci")


def test_another_citizens_line_is_not_visible(world, db, people):
    first, second = people
    world.line("0124401234", first)
    with pytest.raises(NotVisible):
        line_of(second, "0124401234", world.month)
    assert lines_of(second, world.month) == []


def test_calls_before_a_change_of_owner_are_not_shown(world, db, people):
    first, second = people
    line = world.line("0124401234", first)
    world.call(line, world.in_month(hours=1), seconds=60)
    handover = world.in_month(hours=2)
    assign_line("0124401234", second, handover)
    world.call(line, world.in_month(hours=3), seconds=120)

    new_owner = line_of(second, "0124401234", world.month)
    assert [c.duration_seconds for c in calls_of(new_owner)] == [120]
    assert new_owner.held_since == handover

    previous = line_of(first, "0124401234", world.month)
    assert [c.duration_seconds for c in calls_of(previous)] == [60]
    assert previous.held_until == handover


def test_a_line_given_up_before_the_month_is_not_listed(world, db, people):
    first, second = people
    world.line("0124401234", first)
    assign_line("0124401234", second, world.month.start - timedelta(days=3))
    assert lines_of(first, world.month) == []
    assert [h.number for h in lines_of(second, world.month)] == ["0124401234"]


def test_only_this_months_calls(world, db, people):
    first, _ = people
    line = world.line("0124401234", first)
    world.call(line, world.month.start - timedelta(seconds=1), seconds=10)
    world.call(line, world.month.start, seconds=20)
    assert [c.duration_seconds for c in calls_of(line_of(first, "0124401234", world.month))] == [20]


def test_a_number_returning_to_its_holder_shows_both_periods(world, db, people):
    first, second = people
    line = world.line("0124401234", first)
    assign_line("0124401234", second, world.in_month(hours=2))
    assign_line("0124401234", first, world.in_month(hours=4))
    for hour, seconds in ((1, 11), (3, 33), (5, 55)):
        world.call(line, world.in_month(hours=hour), seconds=seconds)
    held = line_of(first, "0124401234", world.month)
    assert [c.duration_seconds for c in calls_of(held)] == [11, 55]


def test_views_do_not_query_calls_themselves():
    """Every read of calls goes through egov.access (and the report built on it)."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parent.parent / "egov"
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        # The Call model only: ClaimCall (a claim's list of disputed calls) is another table.
        if re.search(r"(?<!\w)Call\.(select|get|get_or_none|get_by_id|raw)\b",
                     path.read_text(encoding="utf-8"))
        and path.name not in {"access.py"}
    ]
    assert offenders == []


# --- Claims on charges (issue 5) ---


def test_claimable_calls_are_exactly_the_citizens_report(world, db):
    from egov.access import claimable_calls

    first = world.citizen("3CCCCCC", "Birinci")
    second = world.citizen("4DDDDDD", "İkinci")
    line = world.line("0124401234", first)
    before = world.call(line, world.in_month(hours=1), seconds=11)
    assign_line("0124401234", second, world.in_month(hours=2))
    after = world.call(line, world.in_month(hours=3), seconds=33)
    held, calls = claimable_calls(second, "0124401234", world.month, [after.id])
    assert [c.id for c in calls] == [after.id] and held.number == "0124401234"
    for ids in ([before.id], [after.id, before.id], [], [10**9]):
        with pytest.raises(NotVisible):
            claimable_calls(second, "0124401234", world.month, ids)


def test_claims_are_seen_by_their_citizen_and_by_staff_with_only_the_disputed_calls(world, db):
    from egov import claims
    from egov.access import claim_of, claimable_calls, claims_for_staff, claims_of, disputed_calls

    owner = world.citizen("3CCCCCC", "Sahib")
    other = world.citizen("4DDDDDD", "Başqası")
    line = world.line("0124401234", owner)
    disputed = world.call(line, world.in_month(hours=1), seconds=11)
    world.call(line, world.in_month(hours=2), seconds=22)
    claim = claims.file_claim(owner, *claimable_calls(owner, "0124401234", world.month,
                                                      [disputed.id]), "Səbəb")
    assert claims_of(owner) == [claim] and claims_of(other) == []
    assert claim_of(owner, claim.reference) == claim
    with pytest.raises(NotVisible):
        claim_of(other, claim.reference)
    assert [row.call.id for row in disputed_calls(claim)] == [disputed.id]
    assert claims_for_staff() == [claim] and claims_for_staff("rejected") == []
