# kinesis-edge: `make test` installs what it needs (idempotently) and runs
# every test; `make demo` builds the package and serves the tutorial.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CARGO ?= cargo
WASM_TARGET := wasm32-unknown-unknown
# The CLI must match the wasm-bindgen crate exactly (pinned with "=" in Cargo.toml).
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ {getline; gsub(/"/, "", $$3); print $$3; exit}' Cargo.lock)
NODE_BIN := tests/node_modules/.bin
WASM_OPT := $(NODE_BIN)/wasm-opt
# The features rustc enables by default for wasm32-unknown-unknown; wasm-opt
# must keep to them.
WASM_FEATURES := --enable-bulk-memory --enable-mutable-globals --enable-nontrapping-float-to-int \
	--enable-sign-ext --enable-reference-types --enable-multivalue
# rustc lays out wasm32 memory stack first: the stack runs down from 1 MiB,
# data sits above it, so the low 1 KB is only reached by a stack 1,047,552
# bytes deep. wasm-opt may then fold constant offsets into loads and stores
# ("Optimize under the helpful assumption that the low 1K of memory is not
# used by the application", binaryen's --low-memory-unused): 0.32 KB gzipped
# off the producer's .wasm. What it changes is only an address that wraps
# around 4 GiB, which Rust code never computes.
WASM_ASSUME := --low-memory-unused
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER := wasm-bindgen-test-runner
export CHROMEDRIVER := /usr/bin/chromedriver
export WASM_BINDGEN_TEST_TIMEOUT := 120
PORT ?= 8080
LEAN_RUSTFLAGS := -Zunstable-options -Cpanic=immediate-abort -Zfmt-debug=none -Zlocation-detail=none

.PHONY: help tools test build demo screenshot bench fmt lint test-native test-wasm test-node test-browser test-workerd size clean

help:
	@echo "make test   install tools (idempotent) and run every test"
	@echo "make demo   build the package and serve the tutorial on 127.0.0.1:$(PORT)"
	@echo "make screenshot  regenerate docs/tutorial.png"
	@echo "make build  build the npm package into pkg/"
	@echo "make bench  benchmarks against the peers, printed as ratios"

# ---- tools (each step is a no-op when already done) -------------------------
tools: .tools/rust .tools/wasm-bindgen .tools/chromium $(NODE_BIN)/.installed

# Re-run when the Makefile changes what it installs (rust-src came later).
.tools/rust: Makefile
	rustup target add $(WASM_TARGET)
	rustup component add clippy rustfmt rust-src
	@mkdir -p .tools && touch $@

.tools/wasm-bindgen: Cargo.lock
	@if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ] || \
	    [ "$$(wasm-bindgen-test-runner --version 2>/dev/null)" != "wasm-bindgen-test-runner $(WASM_BINDGEN_VERSION)" ]; then \
	  echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION)"; \
	  $(CARGO) install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force; \
	fi
	@mkdir -p .tools && touch $@

.tools/chromium:
	@if ! [ -x /usr/bin/chromium ] || ! [ -x /usr/bin/chromedriver ]; then \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver; \
	fi
	@mkdir -p .tools && touch $@

$(NODE_BIN)/.installed: tests/package.json tests/package-lock.json
	cd tests && npm ci --no-audit --no-fund
	@touch $@

# ---- build ----------------------------------------------------------------
COMMA := ,
# A lean, no_std .wasm of the crate with features $(1), into pkg/$(2)/:
# built for size, with core and alloc compiled with it (rust-src) so that
# panics abort without formatting a message and Debug output is empty
# (2.6 KB gzipped less), core and alloc with their own size switch
# (optimize_for_size: simpler slice rotation and sorting, smaller number
# formatting: 0.08 KB gzipped). These are unstable flags; RUSTC_BOOTSTRAP
# lets the stable toolchain take them. Then wasm-opt twice: the functions
# called most get the shortest indices (--reorder-functions: 0.17 KB
# gzipped), and a second pass finds more and drops the toolchain's
# producers and target features sections, which serve no user (0.4 KB
# gzipped). wasm-bindgen's glue is replaced by js/producer/kinesis_edge.js,
# which uses only the exports tools/lean-exports.json names: wasm-metadce
# drops the rest (wasm-bindgen's start function, which only calls its
# import to set up an externref table no JS value ever enters, that import
# and table, and its abort and termination globals), so the module imports
# nothing: 0.1 KB gzipped. --dealign marks every load and store as
# possibly unaligned (alignment is a hint that changes no result, and
# engines on 64-bit machines do not use it; rustc already marks many of
# this module's 64-bit loads as 4-byte aligned): the immediates compress
# better, 0.16 KB gzipped.
define lean_wasm
	RUSTC_BOOTSTRAP=1 RUSTFLAGS="$(LEAN_RUSTFLAGS)" $(CARGO) build -Zbuild-std=core,alloc -Zbuild-std-features=optimize_for_size \
	  --profile lean --target $(WASM_TARGET) --lib --no-default-features --features $(1) --target-dir target/lean-std
	wasm-bindgen --target web --out-dir pkg/$(2) --out-name kinesis_edge \
	  target/lean-std/$(WASM_TARGET)/lean/kinesis_edge.wasm
	$(NODE_BIN)/wasm-metadce $(WASM_FEATURES) --graph-file tools/lean-exports.json \
	  pkg/$(2)/kinesis_edge_bg.wasm -o pkg/$(2)/kinesis_edge_bg.wasm > /dev/null
	$(WASM_OPT) -Oz --reorder-functions --dealign $(WASM_FEATURES) $(WASM_ASSUME) pkg/$(2)/kinesis_edge_bg.wasm -o pkg/$(2)/kinesis_edge_bg.wasm
	$(WASM_OPT) -Oz --reorder-functions --dealign --strip-producers --strip-target-features $(WASM_FEATURES) $(WASM_ASSUME) \
	  pkg/$(2)/kinesis_edge_bg.wasm -o pkg/$(2)/kinesis_edge_bg.wasm
	rm -f pkg/$(2)/*.d.ts
endef

build: .tools/rust .tools/wasm-bindgen $(NODE_BIN)/.installed
	$(CARGO) build --release --target $(WASM_TARGET) --lib
	rm -rf pkg && mkdir -p pkg
	wasm-bindgen --target web --out-dir pkg --out-name kinesis_edge \
	  target/$(WASM_TARGET)/release/kinesis_edge.wasm
	$(WASM_OPT) -O3 --strip-producers --strip-target-features $(WASM_FEATURES) $(WASM_ASSUME) pkg/kinesis_edge_bg.wasm -o pkg/kinesis_edge_bg.wasm
	rm -f pkg/kinesis_edge_bg.wasm.d.ts pkg/kinesis_edge.d.ts
	# The shard engine: its own .wasm (kinesis-edge/engine), so the producer's stays small.
	$(CARGO) build --release --target $(WASM_TARGET) --lib --features engine
	wasm-bindgen --target web --out-dir pkg/engine --out-name kinesis_edge_engine \
	  target/$(WASM_TARGET)/release/kinesis_edge.wasm
	$(WASM_OPT) -O3 --strip-producers --strip-target-features $(WASM_FEATURES) $(WASM_ASSUME) pkg/engine/kinesis_edge_engine_bg.wasm -o pkg/engine/kinesis_edge_engine_bg.wasm
	rm -f pkg/engine/*.d.ts
	# The producer alone (kinesis-edge/producer): its own no_std .wasm, built
	# for size (lean_wasm, above), with a copy of producer.js beside its loader.
	$(call lean_wasm,compact,producer)
	# Its loader (js/producer/kinesis_edge.js) replaces the generated glue:
	# producer.js calls the exports directly, so only loading is left of it.
	cp js/producer/*.js js/producer/*.d.ts js/producer.js js/init.js pkg/producer/
	# One module per runtime (glue and producer.js inside), minified.
	# (deferred.js: for where top-level await is refused, e.g. a service worker.)
	node tools/bundle.mjs pkg/producer/browser.js pkg/producer/node.js pkg/producer/workerd.js pkg/producer/deferred.js
	rm pkg/producer/producer.js pkg/producer/kinesis_edge.js pkg/producer/init.js
	# The gateway client (kinesis-edge/gateway-client): the same, built with
	# the gateway-only feature (a producer that sends only to an ingestion
	# gateway: no signing, shard prediction, aggregation, or Kinesis and
	# Firehose wire formats), for pages with no AWS credentials.
	$(call lean_wasm,compact$(COMMA)gateway-only,gateway-client)
	cp js/gateway-client/*.js js/gateway-client/*.d.ts js/producer/kinesis_edge.js js/init.js js/producer.js pkg/gateway-client/
	node tools/bundle.mjs pkg/gateway-client/browser.js pkg/gateway-client/node.js pkg/gateway-client/workerd.js pkg/gateway-client/deferred.js
	rm pkg/gateway-client/producer.js pkg/gateway-client/kinesis_edge.js pkg/gateway-client/init.js
	cp js/*.js js/*.mjs js/*.d.ts js/package.json pkg/
	cp README.md pkg/
	@node tools/size.mjs pkg

# ---- tests ----------------------------------------------------------------
test: tools
	$(MAKE) --no-print-directory fmt lint test-native test-wasm build test-node test-browser test-workerd
	@echo "make test: all suites passed"

fmt:
	$(CARGO) fmt --check

lint:
	$(CARGO) clippy --all-targets -- -D warnings
	$(CARGO) clippy --target $(WASM_TARGET) --all-targets -- -D warnings
	$(CARGO) clippy --target $(WASM_TARGET) --lib --features engine -- -D warnings
	$(CARGO) clippy --target $(WASM_TARGET) --lib --no-default-features --features compact -- -D warnings
	$(CARGO) clippy --target $(WASM_TARGET) --lib --no-default-features --features compact,gateway-only -- -D warnings
	# The API docs' links resolve (docs for public items link to public
	# ones), the wasm adapter's (compiled only for wasm32) too.
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps --target $(WASM_TARGET)

test-native:
	# --show-output: the producer's chaos run prints its figures (records,
	# failures injected, retries, duplicates, lost); no other test prints.
	$(CARGO) test -- --show-output
	# The producer's build hashes with SHA-256 rolled up (`compact`).
	$(CARGO) test --features compact --test sigv4_vectors

test-wasm:
	$(CARGO) test --target $(WASM_TARGET)
	WASM_BINDGEN_USE_BROWSER=1 $(CARGO) test --target $(WASM_TARGET) --test sigv4_vectors
	WASM_BINDGEN_USE_DEDICATED_WORKER=1 $(CARGO) test --target $(WASM_TARGET) --test sigv4_vectors

test-node:
	node --test tests/node/

test-browser:
	node --test tests/browser/

test-workerd:
	node --test tests/workerd/

# ---- demo, bench ----------------------------------------------------------
demo: build
	node tools/serve.mjs --port $(PORT)

# The README's picture of the tutorial (committed).
screenshot: build .tools/chromium
	node tests/browser/screenshot.mjs docs/tutorial.png

bench: build
	node bench/sign.mjs
	node bench/sign-browser.mjs
	node bench/aggregation.mjs
	node bench/engine-http.mjs
	node bench/engine-inprocess.mjs
	node bench/producer.mjs
	node bench/producer-browser.mjs

size: build

clean:
	rm -rf pkg target .tools tests/node_modules

# ---- fuzzing (not in CI): FUZZ_SECONDS per target ---------------------------
FUZZ_SECONDS ?= 120
.PHONY: fuzz
fuzz:
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked
	# cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP lets the stable toolchain take them.
	cd fuzz && for t in deaggregate decode_response engine_handle producer_drive sign_request; do \
	  RUSTC_BOOTSTRAP=1 cargo fuzz run $$t -- -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 || exit 1; \
	done
