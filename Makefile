# container.h - build, test and demo.  `make` builds into build/; `make test` runs the whole suite.
CC      ?= cc
CXX     ?= c++
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-missing-field-initializers
BUILD   := build

EXAMPLES := $(patsubst examples/%.c,$(BUILD)/%,$(wildcard examples/*.c))

.PHONY: all header check-header test test-asan test-vm test-vm-v1 demo clean
all: container.h $(EXAMPLES) $(BUILD)/tests/test_core $(BUILD)/tests/test_limits $(BUILD)/tests/probe \
     $(BUILD)/tests/test_escape $(BUILD)/tests/attack

container.h: amalgamate.py $(wildcard src/*)
	python3 amalgamate.py

check-header:
	python3 amalgamate.py --check

$(BUILD)/%: examples/%.c container.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WARN) -std=c99 -I. -o $@ $< -lpthread

# ctrun's --seccomp FILE names syscalls and errnos: it includes $(BUILD)/syscall_names.h, lines
# CTRUN_SYSCALL(getpid) and CTRUN_ERRNO(EPERM) made here from the C library's headers, so the
# numbers are those of the architecture it is built for.  (By hand: make build/ctrun, then -Ibuild.)
# ctrun is linked statically: it starts about 1 ms sooner where page faults are dear (a VM), as
# the dynamic loader's work is gone (CTRUN_LDFLAGS= for a dynamic build).  It needs no NSS.
CTRUN_LDFLAGS ?= -static
$(BUILD)/ctrun: examples/ctrun.c container.h
	@mkdir -p $(dir $@)
	printf '#include <sys/syscall.h>\n#include <errno.h>\n' | $(CC) -E -dM -x c - | \
	    sed -n -e 's/^#define SYS_\([a-z0-9_]*\) .*/CTRUN_SYSCALL(\1)/p' \
	        -e 's/^#define \(E[A-Z0-9]*\) .*/CTRUN_ERRNO(\1)/p' | LC_ALL=C sort >$(BUILD)/syscall_names.h.tmp
	grep -q 'CTRUN_SYSCALL(execve)' $(BUILD)/syscall_names.h.tmp
	grep -q 'CTRUN_ERRNO(EPERM)' $(BUILD)/syscall_names.h.tmp
	mv $(BUILD)/syscall_names.h.tmp $(BUILD)/syscall_names.h
	$(CC) $(CFLAGS) $(WARN) -std=c99 -I. -I$(BUILD) -o $@ $< -lpthread $(CTRUN_LDFLAGS)

$(BUILD)/tests/probe: tests/probe.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -static -Wall -Wextra -Werror -o $@ $<

$(BUILD)/tests/test_core: tests/test_core.c tests/common.h tests/harness.h container.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WARN) -std=c99 -I. -o $@ $< -lpthread

# The container-escape suite (tests/escape/): attack runs inside the containers (static, any
# rootfs can run it); test_escape finds it next to itself.
$(BUILD)/tests/attack: tests/escape/attack.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -static -Wall -Wextra -Werror -o $@ $<

$(BUILD)/tests/test_escape: tests/escape/test_escape.c tests/common.h tests/harness.h container.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WARN) -std=c99 -I. -o $@ $< -lpthread

$(BUILD)/tests/test_limits: tests/test_limits.c tests/common.h tests/harness.h container.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WARN) -std=c99 -I. -o $@ $< -lpthread

$(BUILD)/tests/test_core_asan: tests/test_core.c tests/common.h tests/harness.h container.h
	@mkdir -p $(dir $@)
	$(CC) -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
	    $(WARN) -std=c99 -I. -o $@ $< -lpthread

# The whole suite: header freshness, compile checks, the container tests and the container-escape
# tests (root and, inside the tests, an unprivileged uid), the examples, and one run under
# ASan/UBSan.  Ends with "N passed, N failed".
# tests/run.sh builds everything first (as its first check), so that a build failure is counted
# and the output still ends with the summary line.
test:
	@sh tests/run.sh $(BUILD)

# The limit tests in a throwaway QEMU VM (vm-run.sh, from the shared tools next to this repository;
# run as root it installs qemu-system-x86, cpio and busybox-static itself): test-vm with a pure
# cgroup v2 hierarchy, test-vm-v1 with systemd's hybrid layout (cgroup v1 controllers, an empty
# cgroup2 at unified/), so that both backends are tested whatever this machine has.  Each run ends
# with the suite's own "N passed, N failed, N skipped" line.  CONTAINER_TEST_EXPECT_CGROUP makes
# the suite fail, rather than skip the backend's own tests, if the VM has another backend;
# CONTAINER_TEST_MUST_WORK is passed on.
VM_RUN ?= $(CURDIR)/../shared/tools/vm-run.sh
VM_RUN_FLAGS ?= --timeout 900 --boot-timeout 120
define vm_limits
	@if [ ! -x "$(VM_RUN)" ]; then echo "$@: $(VM_RUN) not found (set VM_RUN=path/to/vm-run.sh)"; \
	    echo "0 passed, 1 failed"; exit 1; fi
	@"$(VM_RUN)" $(VM_RUN_FLAGS) --cgroup-version $(1) --file "$(abspath $(BUILD)/tests/probe)" \
	    --env CONTAINER_TEST_MUST_WORK="$${CONTAINER_TEST_MUST_WORK:-0}" --env CONTAINER_TEST_EXPECT_CGROUP=$(2) \
	    "$(abspath $(BUILD)/tests/test_limits)"
endef
test-vm: $(BUILD)/tests/test_limits $(BUILD)/tests/probe
	$(call vm_limits,2,2)
test-vm-v1: $(BUILD)/tests/test_limits $(BUILD)/tests/probe
	$(call vm_limits,hybrid,1)

test-asan: $(BUILD)/tests/test_core_asan $(BUILD)/tests/probe
	ASAN_OPTIONS=detect_leaks=0 $(BUILD)/tests/test_core_asan

# Compile checks (tests/compile/): each NAME below is a target $(BUILD)/compile/NAME.ok that
# tests/run.sh builds and counts as one test.  The impl, twice, two-tu, static and malloc checks
# also run their program, which spawns one container.
CHECK_CWARN   := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
                 -Wno-missing-field-initializers
CHECK_CXXWARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-missing-field-initializers
CHK := $(BUILD)/compile
CDIR := tests/compile
COMPILE_CHECKS := header-c99-gcc header-c99-clang header-cxx11-g++ header-cxx11-clang++ \
                  impl-c-gcc impl-c-clang impl-cxx-g++ impl-cxx-clang++ \
                  twice-c-gcc twice-c-clang twice-cxx-g++ \
                  two-tu-c-gcc two-tu-c-clang two-tu-cxx-g++ two-tu-cxx-clang++ \
                  static-c-gcc static-c-clang static-cxx-g++ \
                  static-partial-c-gcc static-partial-c-clang static-partial-cxx-clang++ \
                  custom-malloc-c-gcc custom-malloc-cxx-clang++ half-malloc-refused \
                  libseccomp-c-gcc libseccomp-cxx-g++

.PHONY: compile-checks print-compile-checks
compile-checks: $(patsubst %,$(CHK)/%.ok,$(COMPILE_CHECKS))
print-compile-checks:
	@echo $(COMPILE_CHECKS)

$(CHK)/header-c99-%.ok: $(CDIR)/header_only.c container.h
	@mkdir -p $(CHK)
	$* -std=c99 -pedantic -Wall -Wextra -Werror -I. -o $(CHK)/header-c99-$* $<
	@touch $@
$(CHK)/header-cxx11-%.ok: $(CDIR)/header_only.c container.h
	@mkdir -p $(CHK)
	$* -std=c++11 -pedantic -Wall -Wextra -Werror -I. -x c++ -o $(CHK)/header-cxx11-$* $<
	@touch $@
$(CHK)/impl-c-%.ok: $(CDIR)/impl.c $(CDIR)/exercise.h container.h
	@mkdir -p $(CHK)
	$* -std=c99 $(CHECK_CWARN) -I. -o $(CHK)/impl-c-$* $<
	$(CHK)/impl-c-$*
	@touch $@
$(CHK)/impl-cxx-%.ok: $(CDIR)/impl.c $(CDIR)/exercise.h container.h
	@mkdir -p $(CHK)
	$* -std=c++11 $(CHECK_CXXWARN) -I. -x c++ -o $(CHK)/impl-cxx-$* $<
	$(CHK)/impl-cxx-$*
	@touch $@
$(CHK)/twice-c-%.ok: $(CDIR)/twice.c $(CDIR)/exercise.h container.h
	@mkdir -p $(CHK)
	$* -std=c99 $(CHECK_CWARN) -I. -o $(CHK)/twice-c-$* $<
	$(CHK)/twice-c-$*
	@touch $@
$(CHK)/twice-cxx-%.ok: $(CDIR)/twice.c $(CDIR)/exercise.h container.h
	@mkdir -p $(CHK)
	$* -std=c++11 $(CHECK_CXXWARN) -I. -x c++ -o $(CHK)/twice-cxx-$* $<
	$(CHK)/twice-cxx-$*
	@touch $@
$(CHK)/two-tu-c-%.ok: $(CDIR)/tu_impl.c $(CDIR)/tu_user.c $(CDIR)/tu.h $(CDIR)/exercise.h container.h
	@mkdir -p $(CHK)
	$* -std=c99 $(CHECK_CWARN) -I. -o $(CHK)/two-tu-c-$* $(CDIR)/tu_impl.c $(CDIR)/tu_user.c
	$(CHK)/two-tu-c-$*
	@touch $@
$(CHK)/two-tu-cxx-%.ok: $(CDIR)/tu_impl.c $(CDIR)/tu_user.c $(CDIR)/tu.h $(CDIR)/exercise.h container.h
	@mkdir -p $(CHK)
	$* -std=c++11 $(CHECK_CXXWARN) -I. -x c++ -o $(CHK)/two-tu-cxx-$* $(CDIR)/tu_impl.c $(CDIR)/tu_user.c
	$(CHK)/two-tu-cxx-$*
	@touch $@
$(CHK)/static-c-%.ok: $(CDIR)/static_a.c $(CDIR)/static_b.c $(CDIR)/tu.h $(CDIR)/exercise.h container.h
	@mkdir -p $(CHK)
	$* -std=c99 $(CHECK_CWARN) -I. -o $(CHK)/static-c-$* $(CDIR)/static_a.c $(CDIR)/static_b.c
	$(CHK)/static-c-$*
	@touch $@
$(CHK)/static-cxx-%.ok: $(CDIR)/static_a.c $(CDIR)/static_b.c $(CDIR)/tu.h $(CDIR)/exercise.h container.h
	@mkdir -p $(CHK)
	$* -std=c++11 $(CHECK_CXXWARN) -I. -x c++ -o $(CHK)/static-cxx-$* $(CDIR)/static_a.c $(CDIR)/static_b.c
	$(CHK)/static-cxx-$*
	@touch $@
$(CHK)/static-partial-c-%.ok: $(CDIR)/static_partial.c container.h
	@mkdir -p $(CHK)
	$* -std=c99 $(CHECK_CWARN) -I. -o $(CHK)/static-partial-c-$* $<
	$(CHK)/static-partial-c-$*
	@touch $@
$(CHK)/static-partial-cxx-%.ok: $(CDIR)/static_partial.c container.h
	@mkdir -p $(CHK)
	$* -std=c++11 $(CHECK_CXXWARN) -I. -x c++ -o $(CHK)/static-partial-cxx-$* $<
	$(CHK)/static-partial-cxx-$*
	@touch $@
# CONTAINER_WITH_LIBSECCOMP: the filters built by libseccomp (libseccomp-dev) are installed and work.
$(CHK)/libseccomp-c-%.ok: $(CDIR)/libseccomp.c $(CDIR)/exercise.h container.h
	@mkdir -p $(CHK)
	$* -std=c99 $(CHECK_CWARN) -I. -o $(CHK)/libseccomp-c-$* $< -lseccomp
	$(CHK)/libseccomp-c-$*
	@touch $@
$(CHK)/libseccomp-cxx-%.ok: $(CDIR)/libseccomp.c $(CDIR)/exercise.h container.h
	@mkdir -p $(CHK)
	$* -std=c++11 $(CHECK_CXXWARN) -I. -x c++ -o $(CHK)/libseccomp-cxx-$* $< -lseccomp
	$(CHK)/libseccomp-cxx-$*
	@touch $@
$(CHK)/custom-malloc-c-%.ok: $(CDIR)/custom_malloc.c $(CDIR)/exercise.h container.h
	@mkdir -p $(CHK)
	$* -std=c99 $(CHECK_CWARN) -I. -o $(CHK)/custom-malloc-c-$* $<
	$(CHK)/custom-malloc-c-$*
	@touch $@
$(CHK)/custom-malloc-cxx-%.ok: $(CDIR)/custom_malloc.c $(CDIR)/exercise.h container.h
	@mkdir -p $(CHK)
	$* -std=c++11 $(CHECK_CXXWARN) -I. -x c++ -o $(CHK)/custom-malloc-cxx-$* $<
	$(CHK)/custom-malloc-cxx-$*
	@touch $@
# A half allocator override must stop the build with an #error naming the missing macro.
$(CHK)/half-malloc-refused.ok: $(CDIR)/half_malloc.c container.h
	@mkdir -p $(CHK)
	@if $(CC) -std=c99 -I. -c -o $(CHK)/half-malloc.o $< 2>$(CHK)/half-malloc.log; then \
	    echo "half_malloc.c compiled, expected an #error"; exit 1; fi
	grep -q 'CONTAINER_FREE' $(CHK)/half-malloc.log
	@touch $@

demo: $(BUILD)/ctrun
	$(BUILD)/ctrun --ro -- /bin/sh -c 'echo "pid inside: $$$$"; echo "hostname: $$(hostname 2>/dev/null || cat /proc/sys/kernel/hostname)"; echo "network interfaces:"; tail -n +3 /proc/net/dev | cut -d: -f1; echo "processes:"; ls /proc | grep -E "^[0-9]+$$"; if touch /probe 2>/dev/null; then echo "root is writable"; else echo "root is read-only: touch /probe failed"; fi'

clean:
	rm -rf $(BUILD)

# Benchmarks (bench/README.md): not part of all, test or CI.  As root, `make bench` installs the
# peers it compares with (apt-get), builds a static busybox rootfs and OCI bundles, measures, and
# prints one table (JSON in bench/results/).  BENCH_RUNS=30 or BENCH_QUICK=1 for a quick run.
.PHONY: bench
BENCH_CFLAGS := -O2 -Wall -Wextra -Werror -std=c99
$(BUILD)/bench/spawn_api: bench/spawn_api.c bench/stats.h container.h
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ $< -lpthread -lm
$(BUILD)/bench/spawn_raw: bench/spawn_raw.c bench/stats.h
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ $< -lm
bench: $(BUILD)/ctrun $(BUILD)/bench/spawn_api $(BUILD)/bench/spawn_raw
	BENCH_BUILD=$(BUILD) bash bench/run.sh
