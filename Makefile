# The two set-up commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/egov_test
export FLASK_APP := egov

.PHONY: install run demo lint test test-sqlite test-postgres clean guide video bench mutation

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Static files under content-hashed names with gzip and Brotli copies (egov/static_files.py),
# rebuilt whenever a source file changes; the built files are git-ignored, never committed.
STATIC_SOURCES := $(shell find egov -path '*/static/*' -type f ! -name '*.gz' ! -name '*.br' \
	! -name 'cache_manifest.json' ! -regex '.*-[0-9a-f]\{32\}\.[^/]*' 2>/dev/null)
egov/static/cache_manifest.json: $(VENV)/.installed $(STATIC_SOURCES)
	DEV_IDP=1 $(BIN)/flask digest clean >/dev/null
	DEV_IDP=1 $(BIN)/flask digest compile >/dev/null

# The catalogues' .po files are in git; their compiled .mo files never are (.gitignore):
# the install step compiles each one whenever its .po is newer.
TRANSLATIONS := egov/translations
MO_FILES := $(patsubst %.po,%.mo,$(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po))

install: $(VENV)/.installed $(MO_FILES) egov/static/cache_manifest.json

$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -l $* -i $< -o $@

# For translators (docs/translators.md). `make translations` is the one command after
# adding or changing texts: it extracts every _() into messages.pot, merges it into the
# en and ru catalogues (new msgids arrive empty, for the translator to fill) and compiles.
BABEL_EXTRACT := $(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext \
	-k N_ --no-location --sort-output --omit-header --add-comments=Translators:
.PHONY: translations translations-extract translations-update translations-compile
translations-extract: $(VENV)/.installed
	$(BABEL_EXTRACT) -o $(TRANSLATIONS)/messages.pot .
translations-update: translations-extract
	$(BIN)/pybabel update -d $(TRANSLATIONS) -i $(TRANSLATIONS)/messages.pot \
		--no-fuzzy-matching --ignore-obsolete
	@# The extraction time changes on every run and would make every merge of two
	@# branches' catalogues conflict on that one line: it is not kept.
	sed -i '/^"POT-Creation-Date: /d' $(TRANSLATIONS)/*/LC_MESSAGES/messages.po
translations-compile: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d $(TRANSLATIONS)
translations: translations-update translations-compile

demo: install
	$(BIN)/flask prepare-demo

# The development identity provider serves ASAN İmza, elektron imza and e-gov identity
# (egov/devidp) from its own process on its own origin, PORT+1 (DEV_IDP_PORT), as the real
# providers live on other sites; `DEV_IDP=0 make run` serves the portal alone and leaves
# those means unavailable. Ctrl-C stops both.
DEV_IDP ?= 1
DEV_IDP_PORT ?= $(shell echo $$(($(PORT) + 1)))
run: demo
	@set -e; export PUBLIC_URL=http://127.0.0.1:$(PORT) DEV_IDP=$(DEV_IDP) \
		DEV_IDP_URL=http://127.0.0.1:$(DEV_IDP_PORT); \
	if [ "$(DEV_IDP)" = 1 ]; then \
		$(BIN)/flask --app egov.devidp run --port $(DEV_IDP_PORT) & idp=$$!; \
		trap 'kill $$idp 2>/dev/null' EXIT INT TERM; \
		echo "--- development identity provider on $$DEV_IDP_URL"; \
	fi; \
	$(BIN)/flask run --port $(PORT)

# The linter: ruff, with the rules pyproject.toml names (and says why), the 100-column limit
# among them. `make test` runs it first, so CI does too.
lint: $(VENV)/.installed
	$(BIN)/ruff check .

# The whole suite on SQLite, then on PostgreSQL when a server answers at TEST_POSTGRES_URL.
# The deployment test (tests/deploy: nginx in front of two app hosts) runs in the PostgreSQL
# pass, when nginx is installed (`apt-get install nginx-light`). The browser suite
# (tests/browser, marked `browser`) runs in the SQLite pass only: what a browser sees does not
# depend on the engine, whose every behaviour the PostgreSQL pass tests without a browser;
# running it twice took about a third of `make test` (docs/testing.md).
test: lint install
	$(BIN)/python -m pytest -q
	@if $(BIN)/python -m tests.support.pg_available "$(TEST_POSTGRES_URL)"; then \
		echo "--- the suite again on PostgreSQL ($(TEST_POSTGRES_URL)), but the browser suite"; \
		TEST_DATABASE_URL="$(TEST_POSTGRES_URL)" $(BIN)/python -m pytest -q -m "not browser"; \
	else \
		echo "--- PostgreSQL not reachable at $(TEST_POSTGRES_URL): suite ran on SQLite only"; \
		if [ -n "$$REQUIRE_POSTGRES" ]; then exit 1; fi; \
	fi

test-sqlite: install
	$(BIN)/python -m pytest -q

test-postgres: install
	TEST_DATABASE_URL="$(TEST_POSTGRES_URL)" $(BIN)/python -m pytest -q

clean:
	-DEV_IDP=1 $(BIN)/flask digest clean >/dev/null
	rm -rf $(VENV) instance .pytest_cache

# A picture of each step of the browser journey, to look at after template or CSS changes.
SCREENSHOT_DIR ?= /tmp/egov-screenshots
.PHONY: screenshots
screenshots: install
	SCREENSHOT_DIR=$(SCREENSHOT_DIR) $(BIN)/python -m pytest -q tests/browser/test_journey.py
	@echo "--- pictures in $(SCREENSHOT_DIR)"

# The manual's pictures: the browser walkthrough of the manual's steps, saved 1000x700 with
# the digest of each step's text (egov/static/guide/digests.json, which the suite checks),
# and squeezed with pngquant (from Debian when missing, as wrk is for the bench).
# `make guide video` (or just `make video`) retakes everything after a change to the pages.
guide: install
	GUIDE_DIR=egov/static/guide nice -n 15 $(BIN)/python -m pytest -q -p no:cacheprovider tests/browser/test_walkthrough.py
	@command -v pngquant >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq pngquant >/dev/null; } \
		|| echo "pngquant not installed: pictures left as Chromium saved them"
	@if command -v pngquant >/dev/null; then \
		nice -n 15 pngquant --force --skip-if-larger --strip --quality 60-85 --ext .png egov/static/guide/*.png || true; fi

# The video guide from those pictures (ffmpeg, from Debian when missing); its captions are
# served from egov/manual_steps.py. The produced files are committed, so `make run` needs no ffmpeg.
video: guide
	@command -v ffmpeg >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq ffmpeg >/dev/null; } \
		|| { echo "ffmpeg is needed: apt-get install ffmpeg"; exit 1; }
	nice -n 15 $(BIN)/python scripts/guide_video.py

# The performance targets at national scale, as ratios of one run, each printed PASS or
# FAIL (docs/performance.md): production's database (PostgreSQL, 10 M generated calls, made
# once and kept) and production's gunicorn settings. BENCH_CALLS=100000 for a quick run;
# BENCH_DATABASE_URL=sqlite:///… for the embedded database. wrk comes from Debian if missing.
BENCH_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/egov_bench
bench: install
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } \
		|| echo "wrk not installed: the bench uses its own Python client"
	BENCH_DATABASE_URL="$(BENCH_DATABASE_URL)" $(BIN)/python bench/scale_bench.py

# Mutation testing (docs/testing.md): a tool to run by hand, not a gate. mutmut 3
# runs, for each mutant, only the tests that reached the mutated function. The modules are
# tried in passes (tests/mutation/*.cfg: the modules of a pass and the tests they answer to),
# each in a copy of the project under .mutation/<pass>/ whose setup.cfg is that file; one
# worker, at low priority (the machine is shared). PASSES picks some, e.g. PASSES=billing;
# results stay in .mutation/<pass>/mutants/ (git-ignored), so a second run only tries what
# changed; `cd .mutation/billing && ../../$(BIN)/mutmut browse` shows each survivor's diff.
# A pass whose name ends in _postgres runs on PostgreSQL (TEST_POSTGRES_URL's name + _mutation):
# code that only PostgreSQL reaches is mutated there.
# mutmut copies a source folder's other files (templates, CSS) into mutants/ only when
# missing, so a changed template would be tested stale: the copy of egov/ is refreshed.
PASSES ?= $(basename $(notdir $(wildcard tests/mutation/*.cfg)))
mutation: install
	@$(BIN)/python -c "import mutmut" 2>/dev/null || $(BIN)/pip install --quiet -e '.[test,mutation]'
	@set -e; for pass in $(PASSES); do \
		echo "--- mutation pass $$pass"; mkdir -p .mutation/$$pass; \
		rsync -a --delete --exclude /.git --exclude /.venv --exclude /.mutation \
			--exclude node_modules --exclude /.hypothesis --exclude /mutants ./ .mutation/$$pass/; \
		cp tests/mutation/$$pass.cfg .mutation/$$pass/setup.cfg; \
		if [ -d .mutation/$$pass/mutants/egov ]; then rsync -a --exclude '*.py' \
			--exclude __pycache__ egov/ .mutation/$$pass/mutants/egov/; fi; \
		database=; case $$pass in *_postgres) database="$(TEST_POSTGRES_URL)_mutation";; esac; \
		(cd .mutation/$$pass && TEST_DATABASE_URL=$$database \
			nice -n 15 $(abspath $(BIN))/mutmut run --max-children 1 && $(abspath $(BIN))/mutmut results); \
	done; $(BIN)/python scripts/mutation_score.py
