# graft — the top-level entry points. `make demo` on a fresh machine
# installs what is missing, builds, and builds and runs a multi-file C
# program through graft; `make test` runs every test suite; `make install`
# installs graft like a compiler (PREFIX, DESTDIR; README: Installing).

SWIFT   ?= swift
GRAFT   := $(CURDIR)/.build/release/graft
DEMO    := examples/hello-multi
APT_PACKAGES := libclang-19-dev llvm-19-dev clang-19 csmith libcsmith-dev gcc-12-source redis-tools curl libssl-dev

.PHONY: all build deps demo test clean man install uninstall

# Where `make install` puts graft: $(DESTDIR)$(PREFIX)/bin/graft, the
# runtime's sources and the rules under share/graft (where an installed
# graft looks for them, Sources/graft/Installation.swift), graft.h in
# include/ for plain cc, the man pages in share/man/man1.
PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR      = $(DESTDIR)$(PREFIX)/bin
SHAREDIR    = $(DESTDIR)$(PREFIX)/share/graft
INCLUDEDIR  = $(DESTDIR)$(PREFIX)/include
MAN1DIR     = $(DESTDIR)$(PREFIX)/share/man/man1

# The binary installed: the release build (`install` builds it), or any
# GRAFT_BIN=PATH given, which `install` then does not build (tests install
# their debug binary this way).
GRAFT_BIN_GIVEN := $(filter-out undefined default,$(origin GRAFT_BIN))
GRAFT_BIN ?= $(GRAFT)
INSTALL_NEEDS := $(if $(GRAFT_BIN_GIVEN),man,build man)

# The man pages, generated from the commands' help by swift-argument-parser's
# GenerateManual plugin (one page per subcommand: graft.1, graft.apply.1, …).
# With GRAFT_BIN given, the plugin's tool runs on that binary directly,
# without SwiftPM (which a running `swift test` holds locked), once any
# earlier plugin run (`make man`, `make test`) has built the tool.
MAN_BUILD ?= $(CURDIR)/.build/man
MAN_PLUGIN_OUT := $(CURDIR)/.build/plugins/GenerateManual/outputs/graft
GENERATE_MANUAL ?= $(firstword $(wildcard $(CURDIR)/.build/*/release/generate-manual-tool $(CURDIR)/.build/*/debug/generate-manual-tool))

all: build

# Installs only the Debian packages that are missing; runs apt-get update
# only when something has to be installed.
deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then echo "deps: all packages present"; exit 0; fi; \
	echo "deps: installing$$missing"; \
	sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
	$$sudo apt-get update && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y $$missing

build:
	$(SWIFT) build -c release

demo: deps build
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	cp -R $(DEMO)/. "$$tmp"; \
	echo "demo: building $(DEMO) (4 C files) with make CC=\"graft cc\" in $$tmp"; \
	$(MAKE) -s -C "$$tmp" clean >/dev/null; \
	if ! $(MAKE) -C "$$tmp" CC="$(GRAFT) cc" hello; then \
	  echo "demo: FAILED: graft could not build the program (messages above)"; exit 1; fi; \
	echo "demo: running the program graft built:"; \
	status=0; (cd "$$tmp" && ./hello) > "$$tmp/out.txt" || status=$$?; \
	cat "$$tmp/out.txt"; \
	if [ $$status -ne 0 ]; then echo "demo: FAILED: the program exited with status $$status"; exit 1; fi; \
	if diff -u $(DEMO)/expected.txt "$$tmp/out.txt"; then \
	  echo "demo: OK: each file was lowered to graft's IR, the objects carried their IR to the link,"; \
	  echo "      the whole program was merged, verified and compiled, and it printed exactly"; \
	  echo "      what $(DEMO)/expected.txt says."; \
	else echo "demo: FAILED: the output differs from $(DEMO)/expected.txt (diff above)"; exit 1; fi
	@examples/kvstore/demo-live.sh $(GRAFT)

test: deps build man
	@# The torture corpus first: swift test's corpus suites (fuzz, interpreter) read it.
	@bash -c 'source bench/lib.sh && bench_torture_corpus >/dev/null'
	@# The official SARIF 2.1.0 schema, from PyPI, for graft check's tests.
	@Tests/tools/sarif-schema.sh >/dev/null
	$(SWIFT) test
	bench/torture.sh --slice 4 --strict
	bench/csmith.sh 30 --strict

# The pages go to $(MAN_BUILD); the hidden seal-patch command and `help` get none.
man:
	@rm -rf "$(MAN_BUILD)" && mkdir -p "$(MAN_BUILD)"
ifeq ($(GRAFT_BIN_GIVEN),)
	@rm -rf "$(MAN_PLUGIN_OUT)"
	$(SWIFT) package plugin generate-manual --multi-page
	cp "$(MAN_PLUGIN_OUT)"/*.1 "$(MAN_BUILD)/"
else
	@if [ -x "$(GENERATE_MANUAL)" ]; then \
	  "$(GENERATE_MANUAL)" "$(GRAFT_BIN)" --multi-page -o "$(MAN_BUILD)"; \
	else echo "man: no man pages for $(GRAFT_BIN): the GenerateManual plugin's tool is not built yet (run make man once, or give GENERATE_MANUAL=PATH)"; fi
endif
	@rm -f "$(MAN_BUILD)/graft.seal-patch.1" "$(MAN_BUILD)/graft.help.1"

# Installs over an earlier install: share/graft is graft's alone and is
# replaced whole, so no file of an older runtime stays behind.
install: $(INSTALL_NEEDS)
	@test -x "$(GRAFT_BIN)" || { echo "install: no graft binary at $(GRAFT_BIN)"; exit 1; }
	install -d "$(BINDIR)" "$(INCLUDEDIR)" "$(MAN1DIR)"
	install -m 755 "$(GRAFT_BIN)" "$(BINDIR)/graft"
	rm -rf "$(SHAREDIR)"
	cd Sources/Runtime && find . -type f | while read -r f; do \
	  install -D -m 644 "$$f" "$(abspath $(SHAREDIR))/runtime/$${f#./}" || exit 1; done
	install -d "$(SHAREDIR)/specs"
	install -m 644 Specs/*.md "$(SHAREDIR)/specs/"
	install -m 644 Sources/Runtime/include/graft.h "$(INCLUDEDIR)/graft.h"
	@for m in "$(MAN_BUILD)"/*.1; do [ -f "$$m" ] || continue; \
	  echo "install -m 644 $$m $(MAN1DIR)/"; install -m 644 "$$m" "$(MAN1DIR)/" || exit 1; done

# Removes what `install` put there (folders shared with other software stay).
uninstall:
	rm -f "$(BINDIR)/graft" "$(INCLUDEDIR)/graft.h" "$(MAN1DIR)/graft.1" "$(MAN1DIR)"/graft.*.1
	rm -rf "$(SHAREDIR)"

clean:
	$(SWIFT) package clean
	$(MAKE) -s -C $(DEMO) clean
