"""The product's lru_caches, emptied before each test of the files that reach them
(tests/conftest.py, `uncached`): a cached answer outlives the test that computed it, and
mutmut runs each mutant's tests in a process forked from one that has run them all
before, where a warm cache answers instead of the mutant (docs/testing.md, "What mutmut
cannot see")."""
from egov import access_log, locales, timeutil
from egov.telephony import areas, billing, charges, destinations, numbering, public_holidays

CACHED = (
    timeutil._month_label, timeutil._skeleton_pattern,
    locales._locale,
    access_log.browser_family,
    numbering.normalise, numbering.area, numbering.classify, numbering.format_phone,
    destinations._name,
    charges._plans, charges._decimal_pattern,
    billing._number_symbols, billing._factor_text,
    areas.load_areas,
    public_holidays._law_holidays,
)


def clear_caches():
    for cached in CACHED:
        cached.cache_clear()


# The test files of the mutation passes that mutate a cached function (tests/mutation/:
# tariffs, billing, access, access_log, i18n). Elsewhere the caches stay warm: emptied
# before every test of the suite, they would cost a table read or a Babel look-up again
# and again for nothing mutmut checks.
TEST_FILES = frozenset({
    "test_numbering.py", "test_destinations.py", "test_charges.py", "test_tariff_book.py",
    "test_billing.py", "test_exports.py", "test_access.py", "test_timeutil.py",
    "test_calls.py", "test_access_log.py", "test_client_values.py", "test_i18n.py",
    "test_locales.py",
})
