# peekl — HTTP and TLS-certificate monitor.
#
#   make            build ./peekl (installs missing Debian packages first)
#   make test       build and run every test, plain and under ASan+UBSan,
#                   and the end-to-end tests with peekl under valgrind
#   make demo       show peekl doing its job against local servers
#   make deps       install the Debian packages the build and tests need
#   make fuzz       run each libFuzzer target FUZZ_SECONDS (clang; not in test)
#   make soak       the chaos soak, SOAK_SECONDS (default 120; not in test)
#   make install    PREFIX=/usr/local DESTDIR=

VERSION  = 0.1.0
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN     = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wwrite-strings -Wformat=2
ifeq ($(CI),true)
WARN    += -Werror
endif

PKGS     = libcurl hiredis yaml-0.1 jansson
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# Debian 12's mbedTLS ships no .pc file.
MBED_LIBS  = -lmbedtls -lmbedx509 -lmbedcrypto
CRIT_LIBS := $(shell pkg-config --libs criterion 2>/dev/null)
# The page tests decode chromium's PNG screenshots (zlib comes with libcurl's -dev).
CRIT_LIBS += -lz

ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -DPEEKL_VERSION='"$(VERSION)"' \
             $(WARN) $(PKG_CFLAGS) -pthread -MMD -MP $(CFLAGS)
LIBS       = $(PKG_LIBS) $(MBED_LIBS) -pthread -lm

# BUILD is where objects go: build/ normally, build/asan for the sanitizer run.
BUILD   ?= build
SRCS     = $(wildcard src/*.c)
OBJS     = $(patsubst src/%.c,$(BUILD)/src/%.o,$(filter-out src/main.c,$(SRCS)))
ALLOBJS  = $(OBJS) $(BUILD)/src/main.o
TSRCS    = $(filter-out tests/testsrv.c tests/faultshim.c,$(wildcard tests/*.c))
TOBJS    = $(patsubst tests/%.c,$(BUILD)/tests/%.o,$(TSRCS))

.PHONY: all deps test check-unit asan valgrind bench demo install clean \
	fuzz fuzz-build soak

# Recursive make after deps: pkg-config must run once the -dev packages exist.
all: deps
	@$(MAKE) --no-print-directory peekl

# A stamp keeps `make` from asking dpkg on every build; deleting it re-checks.
deps: build/.deps-ok
build/.deps-ok: scripts/deps.sh
	@sh scripts/deps.sh
	@mkdir -p build && touch $@

peekl: $(BUILD)/peekl
	@if [ "$(BUILD)" = build ]; then cp build/peekl peekl; fi

$(BUILD)/peekl: $(ALLOBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $(ALLOBJS) $(LIBS)

$(BUILD)/src/%.o: src/%.c | build/.deps-ok
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%.o: tests/%.c | build/.deps-ok
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Isrc -c -o $@ $<

$(BUILD)/testsrv: $(BUILD)/tests/testsrv.o
	$(CC) $(ALL_CFLAGS) -o $@ $< $(MBED_LIBS) -pthread

$(BUILD)/tests/testsrv.o: tests/testsrv.c | build/.deps-ok
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/test-peekl: $(OBJS) $(TOBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $(OBJS) $(TOBJS) $(LIBS) $(CRIT_LIBS)

# The fault shim is preloaded into peekl by tests/it_faults.c; it is built
# without sanitizers, since it loads before their runtime.
$(BUILD)/faultshim.so: tests/faultshim.c | build/.deps-ok
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) -O2 -fPIC -shared -o $@ $< -ldl

# The tests find the binaries under test through these variables.
TEST_ENV = PEEKL_BIN=$(CURDIR)/$(BUILD)/peekl PEEKL_TESTSRV=$(CURDIR)/$(BUILD)/testsrv \
           PEEKL_FAULTSHIM=$(CURDIR)/$(BUILD)/faultshim.so

test: deps
	@$(MAKE) --no-print-directory BUILD=build check-unit
	@$(MAKE) --no-print-directory asan
	@$(MAKE) --no-print-directory valgrind

check-unit: $(BUILD)/peekl $(BUILD)/testsrv $(BUILD)/faultshim.so $(BUILD)/test-peekl
	$(TEST_ENV) $(BUILD)/test-peekl $(TESTFLAGS)

SAN = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
# LeakSanitizer checks each test's worker process as it exits; a leak there
# fails that test and the run (tests/main.c).
asan: deps
	@$(MAKE) --no-print-directory BUILD=build/asan CFLAGS="-O1 -g $(SAN)" check-unit \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# The end-to-end tests with every peekl run under valgrind (slow; the
# timing tests are left out because valgrind is 20-50 times slower).
VG_TESTS = --filter '@(cli|status|run_alerts|run_cert|chain|endpoints|revocation|quiet_run)/*'
valgrind: deps
	@$(MAKE) --no-print-directory build/peekl build/testsrv build/test-peekl
	PEEKL_BIN=$(CURDIR)/scripts/valgrind-peekl \
	    PEEKL_TESTSRV=$(CURDIR)/build/testsrv build/test-peekl $(VG_TESTS) -j2

bench: deps
	@$(MAKE) --no-print-directory build/peekl build/testsrv
	sh scripts/bench.sh

demo: deps
	@$(MAKE) --no-print-directory peekl build/testsrv
	sh scripts/demo.sh

# Fuzzing with libFuzzer (clang), every object rebuilt under build/fuzz with
# ASan+UBSan and coverage; each target links $(OBJS) and one fuzz/fuzz_*.c.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= config values alert site cert
FUZZ_SAN = -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
           -fno-sanitize-recover=undefined
fuzz: deps
	@sh scripts/deps.sh fuzz
	@$(MAKE) --no-print-directory BUILD=build/fuzz CC=clang \
		CFLAGS="-O1 -g $(FUZZ_SAN)" fuzz-build
	sh scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-build: $(patsubst %,$(BUILD)/fuzz-%,$(FUZZ_TARGETS))

$(BUILD)/fuzz-%: fuzz/fuzz_%.c $(OBJS)
	$(CC) $(ALL_CFLAGS) -Isrc -fsanitize=fuzzer -o $@ $< $(OBJS) $(LIBS)

# The chaos soak (scripts/soak.sh); its sites and webhook receiver are a
# python3 script.
SOAK_SECONDS ?= 120
soak: deps
	@sh scripts/deps.sh soak
	@$(MAKE) --no-print-directory peekl
	SOAK_SECONDS=$(SOAK_SECONDS) sh scripts/soak.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(UNITDIR)
	install -m 755 peekl $(DESTDIR)$(BINDIR)/peekl
	install -m 644 peekl.1 $(DESTDIR)$(MANDIR)/man1/peekl.1
	install -m 644 systemd/peekl@.service systemd/peekl@.timer $(DESTDIR)$(UNITDIR)/

clean:
	rm -rf build/src build/tests build/asan build/fuzz build/peekl build/testsrv build/test-peekl build/faultshim.so peekl

-include $(wildcard $(BUILD)/src/*.d $(BUILD)/tests/*.d $(BUILD)/*.d)
