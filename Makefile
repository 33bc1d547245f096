# capsuled — a Gemini capsule server for Markdown reviews.
# `make run` serves the sample capsule; `make check` runs every test.

CC      ?= cc
BUILD   ?= build
PREFIX  ?= /usr/local
SAN     ?=
OPT     ?= -O2

PKGS    := openssl libcmark-gfm yaml-0.1
WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2 -Wimplicit-fallthrough -Wvla
ifneq ($(CI),)
WARN    += -Werror
endif
ifneq ($(SAN),)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
            -fno-omit-frame-pointer
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CPPFLAGS += -Iinclude -D_GNU_SOURCE
CFLAGS   += -std=c17 $(OPT) -g $(WARN) $(SANFLAGS) $(PKG_CFLAGS) -MMD -MP
LDFLAGS  += $(SANFLAGS)
LDLIBS   += $(PKG_LIBS) -lcmark-gfm-extensions -lev -lm -pthread

SRC     := $(wildcard src/*.c)
OBJ     := $(SRC:src/%.c=$(BUILD)/%.o)
LIBOBJ  := $(filter-out $(BUILD)/main.o,$(OBJ))
LIB     := $(BUILD)/libcapsuled.a
BIN     := $(BUILD)/capsuled

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# The benchmark's tools; built with the tests too, so they stay warning-free.
BENCH_BIN := $(BUILD)/bench/gemload $(BUILD)/bench/bare \
             $(BUILD)/bench/convbench $(BUILD)/bench/sslfloor \
             $(BUILD)/bench/searchbench $(BUILD)/bench/bootbench \
             $(BUILD)/bench/editbench
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/tests/replay_%)

# Debian packages: what building and running need, and what tests add.
RUN_DEBS   := gcc make pkg-config libc6-dev libssl-dev libev-dev \
              libcmark-gfm-dev libcmark-gfm-extensions-dev libyaml-dev openssl
# procps: pgrep and the /bin/kill of the unit's ExecReload; man-db: man,
# which systemd-analyze verify runs for the unit's Documentation=.
CHECK_DEBS := $(RUN_DEBS) clang libclang-rt-14-dev cmark-gfm python3 \
              libxml2-utils mandoc tmux amfora systemd haproxy procps man-db \
              hugo clang-format

.PHONY: all run check test check-asan deps deps-check clean fuzz golden \
        install uninstall
all: capsuled

capsuled: $(BIN)
	cp $(BIN) $@

$(BUILD)/%.o: src/%.c | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(LIB): $(LIBOBJ)
	rm -f $@
	ar rcs $@ $^

$(BIN): $(BUILD)/main.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Each unit test links only the objects it tests and what they need, as
# written here: a new dependency between modules fails to link until it
# is added to its line, in the open (gmid's IRI_SRCS idea). A test with
# no line links the whole library. The site model's tests link no server
# object (conn, tls, master, worker, watch, config).
UNIT_OBJS_utf8        := utf8
UNIT_OBJS_cmark_pool  := cmark_pool util
UNIT_OBJS_strmap      := util
UNIT_OBJS_util        := util
UNIT_OBJS_vhost       := vhost
UNIT_OBJS_date        := date util
UNIT_OBJS_mime        := mime util
UNIT_OBJS_proxy       := proxy
UNIT_OBJS_ratelimit   := ratelimit util
UNIT_OBJS_pages       := pages buf util
UNIT_OBJS_prose       := prose buf util
UNIT_OBJS_url         := url utf8 buf util
UNIT_OBJS_toml        := toml utf8 buf util
UNIT_OBJS_search      := search html prose utf8 buf util
UNIT_OBJS_feed        := feed pages utf8 buf util
UNIT_OBJS_gemtext     := gemtext cmark_pool html prose utf8 buf util
UNIT_OBJS_html        := html utf8 buf util
UNIT_OBJS_frontmatter := frontmatter toml date utf8 buf util
UNIT_OBJS_shortcode   := shortcode frontmatter toml date utf8 buf util
UNIT_OBJS_pagemodel   := pagemodel sitecfg frontmatter toml date utf8 buf util
UNIT_OBJS_config      := config hostname toml utf8 buf util
UNIT_OBJS_access      := access log utf8 buf util
UNIT_OBJS_pathbatch   := pathbatch util
UNIT_OBJS_lru         := lru
UNIT_OBJS_renderq     := renderq util
UNIT_OBJS_hostname    := hostname utf8 buf util
UNIT_OBJS_siteupdate  := site siterender sitepages sitecfg pagemodel \
                         frontmatter shortcode search feed pages gemtext \
                         cmark_pool html prose renderq lru page access log \
                         url date toml utf8 buf util
UNIT_OBJS_route       := gemini vhost mime ratelimit hostname \
                         $(UNIT_OBJS_siteupdate)

unit_objs = $(if $(UNIT_OBJS_$(1)),$(UNIT_OBJS_$(1):%=$(BUILD)/%.o),$(LIB))

.SECONDEXPANSION:
$(BUILD)/tests/test_%: tests/unit/test_%.c $$(call unit_objs,$$*) \
    | $(BUILD)/tests
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(LDFLAGS) -o $@ $< \
	    $(call unit_objs,$*) $(LDLIBS)

$(BUILD)/tests/%: tests/tools/%.c $(LIB) | $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# Fuzz targets built with a plain main() that replays their seed corpus.
$(BUILD)/tests/replay_%: tests/fuzz/%.c tests/fuzz/replay.c $(LIB) | $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< tests/fuzz/replay.c $(LIB) $(LDLIBS)

$(BUILD) $(BUILD)/tests:
	mkdir -p $@

tests-build: $(BIN) $(UNIT_BIN) $(TOOL_BIN) $(FUZZ_BIN) $(BENCH_BIN)
.PHONY: tests-build

deps:
	@sh tests/deps.sh $(RUN_DEBS)

deps-check:
	@sh tests/deps.sh $(CHECK_DEBS)

# The demo listens on loopback only; open it up with, e.g.,
# make run LISTEN="--listen 0.0.0.0:1965 --listen [::]:1965"
LISTEN ?= --listen 127.0.0.1:1965 --listen [::1]:1965
run: deps
	$(MAKE) capsuled
	./capsuled serve --root capsule --certs certs $(LISTEN)

# Every test, and the whole suite again under ASan and UBSan. The two
# builds go side by side, one job per CPU each; tests/run.sh runs both
# passes from one queue, its tests side by side (TEST_JOBS, default
# twice the CPUs), so one pass's waits overlap the other's work.
NPROC := $(shell getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
check: deps-check
	$(MAKE) format-check
	$(MAKE) check-build
	sh tests/run.sh $(BUILD) build-asan

check-build:
	$(MAKE) -j$(NPROC) tests-build & plain=$$!; \
	$(MAKE) -j$(NPROC) BUILD=build-asan SAN=1 OPT=-O1 tests-build; san=$$?; \
	wait $$plain && exit $$san
.PHONY: check-build

test: tests-build
	sh tests/run.sh $(BUILD)

# The C files' layout is .clang-format's. format rewrites them in place;
# format-check names each place that differs (file:line), in one
# clang-format process (one per file cost 30 s of CPU for 120 files).
FORMAT_SRC = $(wildcard src/*.c include/*.h tests/unit/*.[ch] \
             tests/fuzz/*.c tests/bench/*.c tests/tools/*.c)
format:
	clang-format -i --style=file $(FORMAT_SRC)

format-check:
	@clang-format --dry-run --Werror --style=file $(FORMAT_SRC) || { \
	    echo "format-check: fix with clang-format -i FILE (or make format)"; \
	    exit 1; }
.PHONY: format format-check

# Regenerate golden files: an explicit step, reviewed with git diff.
golden: $(BIN)
	sh tests/golden.sh $(BIN) regen

# libFuzzer: make fuzz T=url SECS=60
T    ?= url
SECS ?= 60
fuzz:
	mkdir -p build-fuzz tests/fuzz/corpus/$(T)
	clang -std=c17 -g -O1 -fsanitize=fuzzer,address,undefined \
	    $(CPPFLAGS) $(PKG_CFLAGS) -o build-fuzz/fuzz_$(T) \
	    tests/fuzz/fuzz_$(T).c $(filter-out src/main.c,$(SRC)) $(LDLIBS)
	build-fuzz/fuzz_$(T) -max_total_time=$(SECS) -max_len=65536 \
	    tests/fuzz/corpus/$(T)

# Benchmarks (issue 4): optimised binaries under build-bench/, then one
# table. Nothing in `make check` depends on timings.
BENCH_DEBS := $(RUN_DEBS) iproute2 procps util-linux python3
BENCH_ARGS := build-bench/capsuled build-bench/bench/gemload \
              build-bench/bench/bare

$(BUILD)/bench/convbench $(BUILD)/bench/sslfloor \
    $(BUILD)/bench/searchbench $(BUILD)/bench/bootbench \
    $(BUILD)/bench/editbench: $(BUILD)/bench/%: \
    tests/bench/%.c $(LIB) | $(BUILD)/bench
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(BUILD)/bench/%: tests/bench/%.c | $(BUILD)/bench
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< \
	    $(shell pkg-config --libs openssl) -lev

$(BUILD)/bench:
	mkdir -p $@

bench-build: $(BIN) $(BENCH_BIN)

bench:
	@sh tests/deps.sh $(BENCH_DEBS)
	$(MAKE) BUILD=build-bench bench-build
	sh tests/bench/bench.sh $(BENCH_ARGS)

bench-compare:
	@sh tests/deps.sh $(BENCH_DEBS)
	$(MAKE) BUILD=build-bench bench-build
	sh tests/bench/bench.sh --compare $(BENCH_ARGS)

# The issue-16 scale table alone (also part of `make bench`);
# BENCH_SCALE_SIZES="1000 10000" for a quicker run.
bench-scale:
	@sh tests/deps.sh $(BENCH_DEBS)
	$(MAKE) BUILD=build-bench bench-build
	sh tests/bench/scale.sh build-bench/capsuled build-bench/bench/gemload

# A million requests; the worker's memory growth after warm-up.
bench-soak:
	@sh tests/deps.sh $(BENCH_DEBS)
	$(MAKE) BUILD=build-bench bench-build
	sh tests/bench/soak.sh build-bench/capsuled build-bench/bench/gemload

.PHONY: bench bench-compare bench-build bench-scale bench-soak

# make install [PREFIX=/usr/local] [DESTDIR=]: the binary, the man page,
# the example configuration (a copy to start /etc/capsuled/capsuled.toml
# from; make install never writes to /etc) and the systemd unit. The unit
# and the man page name /usr/local paths; for another PREFIX, sed rewrites
# those paths as they are installed.
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DOCDIR  ?= $(PREFIX)/share/doc/capsuled
UNITDIR ?= $(PREFIX)/lib/systemd/system
INSTALL ?= install
PATHS_SED := -e 's|/usr/local/bin/capsuled|$(BINDIR)/capsuled|g' \
             -e 's|/usr/local/share/doc/capsuled|$(DOCDIR)|g' \
             -e 's|/usr/local/lib/systemd/system|$(UNITDIR)|g'

install: $(BIN)
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(DOCDIR) $(DESTDIR)$(UNITDIR)
	$(INSTALL) -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/capsuled
	sed $(PATHS_SED) capsuled.1 >$(DESTDIR)$(MANDIR)/man1/capsuled.1
	chmod 0644 $(DESTDIR)$(MANDIR)/man1/capsuled.1
	$(INSTALL) -m 0644 capsuled.toml.example $(DESTDIR)$(DOCDIR)/capsuled.toml.example
	sed $(PATHS_SED) capsuled.service >$(DESTDIR)$(UNITDIR)/capsuled.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/capsuled.service

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/capsuled \
	    $(DESTDIR)$(MANDIR)/man1/capsuled.1 \
	    $(DESTDIR)$(DOCDIR)/capsuled.toml.example \
	    $(DESTDIR)$(UNITDIR)/capsuled.service
	rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null || true

clean:
	rm -rf build build-asan build-fuzz build-bench capsuled

-include $(OBJ:.o=.d) $(wildcard $(BUILD)/tests/*.d)
