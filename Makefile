# Bullpen. `make demo` brings everything up and runs the live demo; `make test` runs the tests
# against real PostgreSQL, Redis and Kafka, started here by scripts/services.sh.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
GO ?= go
GOLANGCI_VERSION := v2.15.0
LOCAL := $(CURDIR)/.local
ENV := env_lines=$$(scripts/services.sh up); eval "$$env_lines"

.PHONY: all build services services-down migrate demo test test-go test-k8s test-cluster fuzz test-browser chromium soak lint bench bench-ws bench-floor rush clean image test-image podman

all: build

# The build's version and commit, stamped into the binaries (internal/build): `bin/server
# --version`, the bullpen_build_info metric and the server_version a wall display reloads on.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse HEAD 2>/dev/null)
STAMP := -X bullpen/internal/build.version=$(VERSION) -X bullpen/internal/build.commit=$(COMMIT)

# The two processes that ship, then the programs under tools/ that the demo, the browser tests
# and the benchmarks run (never shipped).
build:
	$(GO) build -ldflags "$(STAMP)" -o bin/server ./cmd/server
	$(GO) build -ldflags "$(STAMP)" -o bin/consumer ./cmd/consumer
	$(GO) build -o bin/simulator ./tools/simulator
	$(GO) build -o bin/ingestbench ./tools/ingestbench
	$(GO) build -o bin/loadgen ./tools/loadgen
	$(GO) build -o bin/scratch ./tools/scratch
	$(GO) build -o bin/fanfloor ./tools/fanfloor
	$(GO) build -o bin/exportbench ./tools/exportbench
	$(GO) build -o bin/rush ./tools/rush
	$(GO) build -o bin/hookbench ./tools/hookbench

services:
	@scripts/services.sh up

services-down:
	@scripts/services.sh down

migrate: build
	$(ENV); bin/server migrate

demo: build
	$(ENV); scripts/demo.sh

# The whole suite: lint, then every test with the race detector, against the real services,
# the Redis tests again on a Redis Cluster, the fuzz targets briefly, the image's binaries, then
# the pages in a real browser.
test: lint
	$(ENV); $(GO) test -race -count=1 -timeout 20m ./...
	$(MAKE) --no-print-directory test-k8s
	$(MAKE) --no-print-directory test-cluster
	FUZZTIME=4s GO=$(GO) scripts/fuzz.sh
	$(MAKE) --no-print-directory test-image
	$(MAKE) --no-print-directory test-browser

# The tests alone, for a quicker loop.
test-go:
	$(ENV); $(GO) test -race -count=1 -timeout 20m ./...
	$(MAKE) --no-print-directory test-k8s

# The Kubernetes manifests rendered by kustomize and held to the code (deploy/k8s: a module of
# its own, so kustomize and the Kubernetes API types stay out of the service's go.mod). No
# service needed.
test-k8s:
	cd deploy/k8s && $(GO) test -count=1 ./...

# The tests that speak to Redis again, on a Redis Cluster of three masters (scripts/services.sh
# cluster-up), where a script or transaction whose keys span hash slots fails with CROSSSLOT:
# all of internal/redis and internal/live, and of internal/http and internal/app the tests of
# several replicas or processes sharing Redis (CLUSTER_HTTP_RUN, CLUSTER_APP_RUN: -run patterns).
CLUSTER_HTTP_RUN ?= Replica|RateLimit|Limiter|RefusedTokens
CLUSTER_APP_RUN ?= EndToEnd|LiveChannels|TwoConsumers|RedisIsLost|ServerKill|Replicas
test-cluster:
	$(ENV); cluster_env=$$(scripts/services.sh cluster-up); eval "$$cluster_env"; \
	export BULLPEN_REDIS_URL=$$BULLPEN_TEST_REDIS_CLUSTER_URL; \
	$(GO) test -race -count=1 -timeout 20m ./internal/redis/... ./internal/live/...; \
	$(GO) test -race -count=1 -timeout 20m -run '$(CLUSTER_HTTP_RUN)' ./internal/http/; \
	$(GO) test -race -count=1 -timeout 20m -run '$(CLUSTER_APP_RUN)' ./internal/app/

# The image (Containerfile): both binaries static (CGO_ENABLED=0) with the version stamp, CA
# certificates and a non-root user, FROM scratch, built by Debian's podman without a registry.
IMAGE ?= bullpen
image: podman
	rm -rf .image && mkdir -p .image
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w $(STAMP)" -o .image/server ./cmd/server
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w $(STAMP)" -o .image/consumer ./cmd/consumer
	cp /etc/ssl/certs/ca-certificates.crt .image/
	printf 'bullpen:x:65532:65532:bullpen:/:/sbin/nologin\n' > .image/passwd
	printf 'bullpen:x:65532:\n' > .image/group
	podman build -q -f Containerfile --build-arg VERSION=$(VERSION) --build-arg COMMIT=$(COMMIT) \
		-t $(IMAGE):$(VERSION) -t $(IMAGE):latest .image

# The image's binaries against the local services (scripts/image-test.sh says how it ran them).
test-image: image build
	$(ENV); IMAGE=$(IMAGE):$(VERSION) VERSION=$(VERSION) scripts/image-test.sh

podman:
	@if ! command -v podman >/dev/null || [ ! -r /etc/ssl/certs/ca-certificates.crt ]; then \
		echo "installing Debian's podman and ca-certificates"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends podman fuse-overlayfs uidmap ca-certificates; \
	fi

# Every fuzz target (scripts/fuzz.sh) for FUZZTIME each; make test gives each a few seconds.
FUZZTIME ?= 2m
fuzz:
	FUZZTIME=$(FUZZTIME) GO=$(GO) scripts/fuzz.sh

# The pages in Debian's Chromium through playwright-core (test/browser/*.test.mjs, node --test),
# each test file against a server and consumer of its own on the real services.
CHROMIUM := $(or $(BULLPEN_CHROMIUM),/usr/bin/chromium)
BROWSER_DIR := test/browser

test-browser: build chromium $(BROWSER_DIR)/node_modules/.package-lock.json
	$(ENV); cd $(BROWSER_DIR) && BULLPEN_CHROMIUM=$(CHROMIUM) node --test --test-timeout=300000 *.test.mjs

# The wall display under 20 minutes of simulated traffic (outside make test): JavaScript heap, DOM
# nodes and dropped animation frames; SOAK_ARGS="--minutes 2" for a short one.
soak: build chromium $(BROWSER_DIR)/node_modules/.package-lock.json
	$(ENV); cd $(BROWSER_DIR) && BULLPEN_CHROMIUM=$(CHROMIUM) node soak.mjs $(SOAK_ARGS)

# zbarimg (zbar-tools) lets the console's test read its pairing QR code back.
chromium:
	@if [ ! -x "$(CHROMIUM)" ] || ! command -v zbarimg >/dev/null; then \
		echo "installing Debian's chromium and zbar-tools"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium zbar-tools; \
	fi
	@"$(CHROMIUM)" --version 2>/dev/null

$(BROWSER_DIR)/node_modules/.package-lock.json: $(BROWSER_DIR)/package.json $(BROWSER_DIR)/package-lock.json
	@command -v node >/dev/null && command -v npm >/dev/null || { echo "node and npm (20 or newer) are needed for the browser tests"; exit 1; }
	cd $(BROWSER_DIR) && npm ci --no-audit --no-fund

# Waits for another golangci-lint on the machine (it holds a lock) instead of failing.
# deploy/k8s is a module of its own: ./... from the root does not reach it.
lint: $(LOCAL)/bin/golangci-lint
	$(LOCAL)/bin/golangci-lint run --allow-serial-runners ./...
	cd deploy/k8s && $(LOCAL)/bin/golangci-lint run --allow-serial-runners ./...

$(LOCAL)/bin/golangci-lint:
	GOBIN=$(LOCAL)/bin $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION)

# Sustained ingest: fills a topic, then drains it through the ledger into Redis.
bench: build
	$(ENV); bin/ingestbench

# WebSocket fan-out: viewers, latency, delivery rate, memory per socket, reconnect storm.
bench-ws: build
	$(ENV); bin/loadgen -clients 1000 -duration 60s -storm

# The machine's floor under any fan-out: one frame to every loopback socket, nothing else running.
bench-floor: build
	bin/fanfloor -sockets 10000 -interval 50ms -duration 20s

# The morning rush (docs/benchmarks.md): 3,000 reps and 200 screens arriving within 10 s while
# 2,000 events/s flow, then the leaderboard against /healthz; the HTTP load is vegeta's. By
# default five mornings, each next to a run of its floor, the API's p99 and the leaderboard's
# ratio judged by their medians (about 12 minutes). RUSH_ARGS replaces that: "-reps 300 -screens 20 -rounds 1" for a small
# one, "-rounds 0" for one morning alone. Not part of make test.
RUSH_ARGS ?= -mornings 5
VEGETA_VERSION := v12.13.0
rush: build $(LOCAL)/bin/vegeta
	$(ENV); bin/rush -vegeta $(LOCAL)/bin/vegeta $(RUSH_ARGS)

$(LOCAL)/bin/vegeta:
	GOBIN=$(LOCAL)/bin $(GO) install github.com/tsenart/vegeta/v12@$(VEGETA_VERSION)

clean:
	rm -rf bin .image
