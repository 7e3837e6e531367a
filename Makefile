# cmdop — `make run` starts the embedded default (`cmdop up`), `make test` builds and runs every test.
# Both install the Debian packages they need when missing.
SWIFT ?= swift
APT_PACKAGES := libcurl4-openssl-dev libsqlite3-dev libsodium-dev libssl-dev pkg-config openssl python3 python3-venv
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BENCH_FLAGS ?= mesh --agents 100,1000 --rounds 20

.PHONY: deps build run test bench fuzz proto clean llama-start llama-stop

deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
	@command -v $(SWIFT) >/dev/null || { echo "swift is not on PATH: install Swift 6.1 or newer (swift.org)"; exit 1; }

build: deps
	$(SWIFT) build --product cmdop

run: build
	$$($(SWIFT) build --show-bin-path)/cmdop up

# Builds the cmdop binary (the CLI tests run it) and the test bundle and what it needs: `swift build --build-tests` would also compile every
# executable of every dependency (swift-protobuf's protoc alone is ~700 C++ files).
test: deps
	$(SWIFT) build --product cmdop
	$(SWIFT) build --product cmdopPackageTests
	$(SWIFT) test --skip-build

# The mesh benchmark (relay + 100 and 1,000 agents) and what the exec supervisor adds, the provider benchmark (libcurl transport vs the
# curl CLI, and time to first token against the local llama.cpp server), then jarvis's (loop overhead
# per tool-calling turn, ask_machines across 100 agents, webhook ingest under wrk next to a bare route
# at 32 and 128 connections, scheduler jitter with 10,000 triggers). wrk comes from Debian.
bench: deps
	@dpkg-query -W -f='$${Status}' wrk 2>/dev/null | grep -q "install ok installed" || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	$(SWIFT) build -c release --product cmdop
	$(SWIFT) build -c release --product cmdop-bench
	$(SWIFT) build -c release --product provider-bench
	$(SWIFT) build -c release --product jarvis-bench
	$$($(SWIFT) build -c release --show-bin-path)/cmdop-bench $(BENCH_FLAGS) --cmdop $$($(SWIFT) build -c release --show-bin-path)/cmdop
	$$($(SWIFT) build -c release --show-bin-path)/cmdop-bench exec
	$$($(SWIFT) build -c release --show-bin-path)/provider-bench
	$$($(SWIFT) build -c release --show-bin-path)/jarvis-bench

# The local llama.cpp server the provider tests and the embedded default use (PyPI xllamacpp).
llama-start:
	scripts/llama-server.sh start

llama-stop:
	scripts/llama-server.sh stop

proto:
	scripts/generate-proto.sh

clean:
	rm -rf .build

# The libFuzzer target over the shell splitter, the rule parser and the gate (Fuzz/gate-fuzz), in a build
# folder of its own (-sanitize=fuzzer). A fixed seed and run count keep it the same run every time;
# FUZZ_RUNS=-1 FUZZ_SECONDS=600 explores for longer. New inputs it finds go to a temporary folder;
# `gate-fuzz -merge=1 Fuzz/corpus/gate DIR` adds the interesting ones to the corpus.
FUZZ_RUNS ?= 300000
FUZZ_SECONDS ?= 0
fuzz: deps
	$(SWIFT) build -c release --scratch-path .build-fuzz --product gate-fuzz -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING -Xswiftc -enable-testing
	work=$$(mktemp -d) && .build-fuzz/release/gate-fuzz -seed=1 -runs=$(FUZZ_RUNS) -max_total_time=$(FUZZ_SECONDS) -max_len=512 -timeout=10 $$work Fuzz/corpus/gate; status=$$?; rm -rf $$work; exit $$status
