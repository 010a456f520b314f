"""The product's lru_caches, emptied before each test of the files that reach them
(tests/conftest.py, `uncached`): a cached answer outlives the test that computed it, and
mutmut runs each mutant's tests in a process forked from one that has run them all
before, where a warm cache answers instead of the mutant (docs/testing.md, "What mutmut
cannot see")."""
import sys


def product_caches():
    """Every lru_cache of the product's modules loaded so far: found, not listed, so that a
    cache added later is emptied too (one missing from a list would let a warm answer hide
    its mutants, and nothing would say so)."""
    for name, module in list(sys.modules.items()):
        if name == "egov" or name.startswith("egov."):
            for value in vars(module).values():
                # type(value): a module's `current_app` proxy raises outside an app on any
                # attribute asked of it.
                if hasattr(type(value), "cache_clear") and value.__module__ == name:
                    yield value


def clear_caches():
    for cached in product_caches():
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
