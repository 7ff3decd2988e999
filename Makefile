# image-metadata-policy: Kubewarden's conventional targets for a policy repo, plus the Node host.
SHELL := /bin/bash
.DEFAULT_GOAL := all

AS_SOURCES := $(shell find assembly -name '*.ts')
HOST_SOURCES := $(shell find host scripts tests/support -name "*.ts")
KWCTL ?= $(shell command -v kwctl 2>/dev/null)
DEPS_STAMP := node_modules/.deps-installed
BATS := node_modules/bats/bin/bats
VENV_STAMP := .venv/.deps-installed
NATIVE_BENCH_HOST := build/wasmtime-bench-host

.PHONY: all deps host test jest e2e-tests run lint clean bench fuzz

all: policy.wasm annotated-policy.wasm

# Installs everything the build and tests need: npm packages from the lockfile, and Debian's
# docker-registry (the CNCF distribution registry), buildah, umoci and skopeo (they build and push
# the fixture images, tests/registry/README.md) for the live end-to-end tests.
deps: $(DEPS_STAMP) $(VENV_STAMP) /usr/bin/docker-registry /usr/bin/skopeo /usr/bin/buildah /usr/bin/umoci
$(DEPS_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@
# The real engine (host/wasmtime/): wasmtime-py in a virtual environment of the repository. pip is
# told not to retry, so an index that cannot be reached fails fast instead of for minutes.
$(VENV_STAMP): host/wasmtime/requirements.txt
	python3 -m venv .venv
	.venv/bin/pip install -qq --retries 0 --timeout 15 -r host/wasmtime/requirements.txt
	touch $@
/usr/bin/docker-registry:
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends docker-registry \
		|| (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends docker-registry)
/usr/bin/skopeo /usr/bin/buildah /usr/bin/umoci:
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(notdir $@) \
		|| (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(notdir $@))

# The native waPC host on wasmtime that `make bench` measures the real engine with
# (host/wasmtime/native/bench_host.c), linked against the wasmtime C API library wasmtime-py ships.
$(NATIVE_BENCH_HOST): host/wasmtime/native/bench_host.c $(VENV_STAMP)
	mkdir -p $(dir $@)
	library=$$(.venv/bin/python -c 'import os, wasmtime; print(os.path.join(os.path.dirname(wasmtime.__file__), "linux-x86_64"))') && \
		gcc -O2 -Wall -Wextra -Werror -std=c11 -o $@ $< -L"$$library" -l:_libwasmtime.so -Wl,-rpath,"$$library" -lpthread

# The wasm features asc compiles with (its defaults and SIMD), for the binaryen tools after it.
WASM_FEATURES := --mvp-features --enable-mutable-globals --enable-sign-ext --enable-nontrapping-float-to-int \
	--enable-bulk-memory --enable-simd

build/policy.asc.wasm: $(AS_SOURCES) asconfig.json scripts/latin1-literals.mjs $(DEPS_STAMP)
	npx asc --config asconfig.json --target release --transform $(CURDIR)/scripts/latin1-literals.mjs

# The module's initialisation (`_start`: the module-level objects and the strings they use) run
# once at build time by binaryen's wasm-ctor-eval, its results written into the data segments and
# globals, and `_start` left exported and empty: an instance then starts ready, as policy-server
# makes one per request. The build fails unless all of `_start` was evaluated. Then re-optimised
# for size (binaryen -Os) now that the initialisation code is gone.
policy.wasm: build/policy.asc.wasm
	npx wasm-ctor-eval $< --ctors=_start --kept-exports=_start $(WASM_FEATURES) -o build/policy.evaluated.wasm \
		> build/policy.evaluated.log 2>&1 || (cat build/policy.evaluated.log; exit 1)
	grep -q -- '...success on _start.' build/policy.evaluated.log || (cat build/policy.evaluated.log; exit 1)
	npx wasm-opt build/policy.evaluated.wasm $(WASM_FEATURES) -Os -o $@

host: dist/host/cli.js dist/tests/registry/push-fixtures.js
dist/host/cli.js: $(HOST_SOURCES) tsconfig.json tsconfig.build.json $(DEPS_STAMP)
	npx tsc -p tsconfig.build.json
# The fixture pusher used by the live tests (tests/registry/README.md).
dist/tests/registry/push-fixtures.js: tests/registry/push-fixtures.ts $(HOST_SOURCES) tests/registry/tsconfig.json $(DEPS_STAMP)
	npx tsc -p tests/registry/tsconfig.json

# kwctl annotates when installed; otherwise kwhost writes the same io.kubewarden.metadata section.
annotated-policy.wasm: policy.wasm policy-metadata.yml README.md dist/host/cli.js
ifneq ($(KWCTL),)
	$(KWCTL) annotate -m policy-metadata.yml -u README.md -o $@ policy.wasm
else
	bin/kwhost annotate -m policy-metadata.yml -u README.md -o $@ policy.wasm
endif

# Evaluates the bundled example request against the bundled replay session.
run: policy.wasm dist/host/cli.js
	@bin/kwhost run policy.wasm \
		--request-path test_data/pod_with_unlicensed_image.json \
		--replay-host-capabilities-interactions test_data/sessions/oci_manifest_pod_with_unlicensed_image.yml

test: deps lint policy.wasm annotated-policy.wasm host jest e2e-tests

jest: policy.wasm annotated-policy.wasm host $(VENV_STAMP) $(NATIVE_BENCH_HOST)
	npx jest --ci

# Replayed sessions through $KWCTL (kwctl when installed, else kwhost), then live lookups against
# registries started on 127.0.0.1 (stopped again by the bats teardown, also when a test fails);
# then the replayed sessions once more through kwhost on V8 and on wasmtime in kwctl's and
# policy-server's configurations, whose outputs must be byte-identical
# (tests/support/kwhost-three-engines).
e2e-tests: annotated-policy.wasm host $(VENV_STAMP)
	$(BATS) tests/e2e.bats tests/e2e_live.bats
	KWCTL=tests/support/kwhost-three-engines $(BATS) tests/e2e.bats

# Type check, eslint with typescript-eslint (eslint.config.mjs) and prettier's format check over
# the host, scripts and tests (assembly/ is AssemblyScript, checked by asc).
lint: $(DEPS_STAMP)
	npx tsc --noEmit -p tsconfig.json
	npx eslint --max-warnings 0 host scripts tests eslint.config.mjs
	npx prettier --check --log-level warn host scripts tests eslint.config.mjs

# Figures for README "Performance": size, validate vs JSON.parse, fresh instances, memory, scaling;
# then the time budget: host calls, registry GETs and wall time at simulated registry latencies.
# bench.js runs on one CPU (taskset, util-linux), with the native host it starts: V8's JSON.parse
# and the engine then share the same core's caches and speed, and the ratios move far less.
bench: policy.wasm host $(NATIVE_BENCH_HOST)
	$$(command -v taskset >/dev/null && echo taskset -c 0) node --disable-warning=ExperimentalWarning dist/scripts/bench.js
	node dist/scripts/budget.js

# Property-based fuzzing of requests, settings and host replies, then the same generators on V8
# and on wasmtime compared outcome by outcome; RUNS, SEED and DIFFERENTIAL (per target) override.
fuzz: policy.wasm host $(VENV_STAMP)
	node dist/scripts/fuzz.js --runs $(or $(RUNS),100000) --seed $(or $(SEED),20260501) --differential $(or $(DIFFERENTIAL),10000)

clean:
	rm -rf policy.wasm annotated-policy.wasm build dist .registry .venv
