# container.h - build, test and demo.  `make` builds into build/; `make test` runs the whole suite.
CC      ?= cc
CXX     ?= c++
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-missing-field-initializers
BUILD   := build

EXAMPLES := $(patsubst examples/%.c,$(BUILD)/%,$(wildcard examples/*.c))

.PHONY: all header check-header test test-asan demo clean
all: container.h $(EXAMPLES) $(BUILD)/tests/test_core $(BUILD)/tests/probe

container.h: amalgamate.py $(wildcard src/*)
	python3 amalgamate.py

check-header:
	python3 amalgamate.py --check

$(BUILD)/%: examples/%.c container.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WARN) -std=c99 -I. -o $@ $< -lpthread

$(BUILD)/tests/probe: tests/probe.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -static -Wall -Wextra -Werror -o $@ $<

$(BUILD)/tests/test_core: tests/test_core.c tests/harness.h container.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WARN) -std=c99 -I. -o $@ $< -lpthread

$(BUILD)/tests/test_core_asan: tests/test_core.c tests/harness.h container.h
	@mkdir -p $(dir $@)
	$(CC) -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
	    $(WARN) -std=c99 -I. -o $@ $< -lpthread

# The whole suite: header freshness, compile checks, the container tests (root and, inside the
# tests, an unprivileged uid), the examples, and one run under ASan/UBSan.  Ends with "N passed, N failed".
test: all $(BUILD)/tests/test_core_asan
	@sh tests/run.sh $(BUILD)

demo: $(BUILD)/ctrun
	$(BUILD)/ctrun --ro -- /bin/sh -c 'echo "pid inside: $$$$"; echo "hostname: $$(hostname 2>/dev/null || cat /proc/sys/kernel/hostname)"; echo "network interfaces:"; tail -n +3 /proc/net/dev | cut -d: -f1; echo "processes:"; ls /proc | grep -E "^[0-9]+$$"; if touch /probe 2>/dev/null; then echo "root is writable"; else echo "root is read-only: touch /probe failed"; fi'

clean:
	rm -rf $(BUILD)
