# graft — the top-level entry points. `make demo` on a fresh machine
# installs what is missing, builds, and builds and runs a multi-file C
# program through graft; `make test` runs every test suite.

SWIFT   ?= swift
GRAFT   := $(CURDIR)/.build/release/graft
DEMO    := examples/hello-multi
APT_PACKAGES := libclang-19-dev llvm-19-dev clang-19 csmith libcsmith-dev gcc-12-source redis-tools curl libssl-dev

.PHONY: all build deps demo test clean

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

test: deps build
	@# The torture corpus first: swift test's corpus suites (fuzz, interpreter) read it.
	@bash -c 'source bench/lib.sh && bench_torture_corpus >/dev/null'
	@# The official SARIF 2.1.0 schema, from PyPI, for graft check's tests.
	@Tests/tools/sarif-schema.sh >/dev/null
	$(SWIFT) test
	bench/torture.sh --slice 4 --strict
	bench/csmith.sh 50 --strict

clean:
	$(SWIFT) package clean
	$(MAKE) -s -C $(DEMO) clean
