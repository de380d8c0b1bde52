# exlink: PGXS build, plus the project's own commands (deps, test, demo, bench).
EXTENSION  = exlink
EXTVERSION = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" $(EXTENSION).control)

MODULE_big = exlink
OBJS       = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

# One master script, assembled from the topic files in sql/parts/ (sorted by name); a comment
# line "-- part: sql/parts/NAME.sql" marks where each part begins.  The upgrade script of the
# version in development is assembled too, from sql/upgrade/FROM--TO.sql, whose lines
# "-- include: sql/parts/NAME.sql [or-replace]" take in a part (frozen at release, like 0.1.0);
# "functions" takes only its CREATE FUNCTION and COMMENT ON FUNCTION statements, or-replace (for
# a part that also creates tables or views 0.2.0 had).
UPGRADES   = $(patsubst sql/upgrade/%.sql,sql/$(EXTENSION)--%.sql,$(wildcard sql/upgrade/*.sql))
DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql $(UPGRADES)
# Frozen install scripts of released versions and the upgrade scripts between them.
DATA       = $(filter-out $(DATA_built),$(sort $(wildcard sql/$(EXTENSION)--*.sql)))

# pg_regress: test/sql/T.sql against top-level expected/T.out (PostgreSQL 15 has no
# --expecteddir: it looks for expected/ in the output directory first, which is ".").
REGRESS      = $(shell sed -n 's/^test: *//p' test/schedule)
REGRESS_OPTS = --inputdir=test --load-extension=pgcrypto --load-extension=exlink

GSL_CFLAGS := $(shell pkg-config --cflags gsl 2>/dev/null)
GSL_LIBS   := $(shell pkg-config --libs gsl 2>/dev/null || echo -lgsl -lgslcblas -lm)
PG_CPPFLAGS = -Isrc $(GSL_CFLAGS) -DEXLINK_VERSION=\"$(EXTVERSION)\"
SHLIB_LINK  = $(GSL_LIBS) -lcrypto
PG_CFLAGS   = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare $(EXLINK_CFLAGS)

EXTRA_CLEAN = results regression.diffs regression.out

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifeq ($(PGXS),)
ifneq ($(filter deps demo dashboard test bench package sanitize fuzz load,$(MAKECMDGOALS)),)
PGXS := /dev/null
else
$(error pg_config not found: run "make deps" (or tools/deps.sh) first, or pass PG_CONFIG=/path/to/pg_config)
endif
endif
include $(PGXS)

sql/$(EXTENSION)--$(EXTVERSION).sql: $(sort $(wildcard sql/parts/*.sql))
	awk 'FNR == 1 { print "-- part: " FILENAME } { print }' $^ > $@

$(UPGRADES): sql/$(EXTENSION)--%.sql: sql/upgrade/%.sql $(sort $(wildcard sql/parts/*.sql))
	awk '/^-- include: / { f = $$3; rep = ($$4 == "or-replace" || $$4 == "functions"); fns = ($$4 == "functions"); \
	       print "-- part: " f (fns ? " (functions)" : ""); inblk = 0; dq = 0; \
	       while ((getline line < f) > 0) { \
	         if (fns && !inblk && line !~ /^(CREATE FUNCTION|COMMENT ON FUNCTION) /) continue; \
	         inblk = 1; if (rep) sub(/^CREATE FUNCTION /, "CREATE OR REPLACE FUNCTION ", line); print line; \
	         t = line; dq = (dq + gsub(/\$$fn\$$/, "", t)) % 2; if (!dq && line ~ /;[ \t]*$$/) inblk = 0 } \
	       close(f); next } { print }' $< > $@

.PHONY: deps test demo dashboard bench package sanitize fuzz load
deps:
	@tools/deps.sh

# The cluster also listens on 127.0.0.1 (password authentication) for the client-driver tests.
test:
	@tools/deps.sh
	@tools/deps-clients.sh
	@tools/deps-dashboard.sh
	@tools/build.sh
	@EXLINK_TCP=1 tools/with-cluster.sh tools/run-tests.sh

demo:
	@tools/deps.sh
	@tools/build.sh
	@tools/with-cluster.sh tools/run-demo.sh

# The dashboard example (examples/dashboard/) on the demo's data, served on 127.0.0.1:8080
# (DASHBOARD_PORT) until Ctrl-C; test/shell/dashboard.sh checks it in headless Chromium.
dashboard:
	@tools/deps.sh
	@tools/deps-dashboard.sh
	@tools/build.sh
	@EXLINK_TCP=1 tools/with-cluster.sh tools/run-dashboard.sh

# The Debian package postgresql-15-exlink (debian/, pg_buildext), checked; a few minutes, not
# part of make test.  Its build runs make installcheck without exlink preloaded.
package:
	@tools/deps.sh
	@tools/package.sh

bench:
	@tools/deps.sh
	@tools/build.sh
	@tools/with-cluster.sh bench/run.sh

# Reliability (docs/reliability.md): the suite under ASan+UBSan, fuzzing, a concurrent load.
sanitize:
	@tools/deps.sh
	@tools/sanitize.sh

fuzz:
	@tools/deps.sh --fuzz
	@tools/build.sh
	@tools/with-cluster.sh tools/fuzz.sh

load:
	@tools/deps.sh
	@tools/build.sh
	@tools/with-cluster.sh tools/load.sh

# The library reports the version it was built for: rebuild when the control file changes.
src/exlink.o: $(EXTENSION).control
# PGXS tracks no header dependencies here: rebuild every object when a header changes (a struct
# that grows in a header, compiled into some objects and not others, corrupts memory).
$(OBJS): $(wildcard src/*.h)
