# The README's two commands. Both install missing Debian packages first.
#   make run   build (release) and serve the bundled site from conf/sonora.conf
#   make test  build with ASan+UBSan and run every test, then a short fuzz run
.PHONY: all deps build run test unit fuzz-smoke bench clean

JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 15

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS) --target sonora

run: build
	@mkdir -p logs
	./build/release/src/main/sonora -DFOREGROUND -d $(CURDIR) -f conf/sonora.conf

test: 
	@scripts/install-deps.sh --test
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j $(JOBS)
	ctest --preset asan -j $(JOBS) --timeout 300
	$(MAKE) fuzz-smoke

# Each libFuzzer target runs briefly from its corpus (clang build); new inputs
# go to a scratch directory so the checked-in corpus stays as reviewed.
fuzz-smoke:
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j $(JOBS)
	@set -e; for src in tests/fuzz/*_fuzz.cpp; do \
	  name=$$(basename $$src _fuzz.cpp); t=build/fuzz/tests/fuzz/$${name}_fuzz; scratch=$$(mktemp -d); \
	  echo "fuzz smoke: $$name ($(FUZZ_SECONDS)s)"; \
	  $$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=0 -artifact_prefix=$$scratch/ $$scratch tests/fuzz/$${name}_corpus >/dev/null 2>$$scratch.log \
	    || { tail -50 $$scratch.log; exit 1; }; \
	  rm -rf $$scratch $$scratch.log; \
	done

bench: build
	@scripts/install-deps.sh --bench
	bench/macro/run.sh

clean:
	rm -rf build
