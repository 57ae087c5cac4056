# Bullpen. `make demo` brings everything up and runs the live demo; `make test` runs the tests
# against real PostgreSQL, Redis and Kafka, started here by scripts/services.sh.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
GO ?= go
GOLANGCI_VERSION := v2.15.0
LOCAL := $(CURDIR)/.local
ENV := env_lines=$$(scripts/services.sh up); eval "$$env_lines"

.PHONY: all build services services-down migrate demo test test-go lint bench bench-ws clean

all: build

build:
	$(GO) build -o bin/server ./cmd/server
	$(GO) build -o bin/consumer ./cmd/consumer
	$(GO) build -o bin/simulator ./cmd/simulator
	$(GO) build -o bin/ingestbench ./cmd/ingestbench
	$(GO) build -o bin/loadgen ./cmd/loadgen

services:
	@scripts/services.sh up

services-down:
	@scripts/services.sh down

migrate: build
	$(ENV); bin/server migrate

demo: build
	$(ENV); scripts/demo.sh

# The whole suite: lint, then every test with the race detector, against the real services.
test: lint
	$(ENV); $(GO) test -race -count=1 -timeout 20m ./...

# The tests alone, for a quicker loop.
test-go:
	$(ENV); $(GO) test -race -count=1 -timeout 20m ./...

lint: $(LOCAL)/bin/golangci-lint
	$(LOCAL)/bin/golangci-lint run ./...

$(LOCAL)/bin/golangci-lint:
	GOBIN=$(LOCAL)/bin $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION)

# Sustained ingest: fills a topic, then drains it through the ledger into Redis.
bench: build
	$(ENV); bin/ingestbench

# WebSocket fan-out: viewers, latency, delivery rate, memory per socket, reconnect storm.
bench-ws: build
	$(ENV); bin/loadgen -clients 1000 -duration 60s -storm

clean:
	rm -rf bin
