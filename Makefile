# container.h - build, test and demo.  `make` builds into build/; `make test` runs the whole suite.
CC      ?= cc
CXX     ?= c++
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-missing-field-initializers
BUILD   := build

EXAMPLES := $(patsubst examples/%.c,$(BUILD)/%,$(wildcard examples/*.c))

.PHONY: all header check-header test test-asan test-vm test-vm-v1 demo clean install uninstall
all: container.h $(EXAMPLES) $(BUILD)/ctrun.1 $(BUILD)/tests/test_core $(BUILD)/tests/test_limits $(BUILD)/tests/probe \
     $(BUILD)/tests/test_escape $(BUILD)/tests/attack $(BUILD)/tests/test_host $(BUILD)/tests/test_ctrun \
     $(BUILD)/tests/test_layers $(BUILD)/tests/test_net \
     $(BUILD)/tests/test_lifecycle $(BUILD)/tests/test_policy

# container.h is generated and committed.  It is rebuilt (with python3) only when its contents
# would change: its first line records the sha256 of amalgamate.py and src/*, compared here with
# the files' current sum (file times say nothing in a fresh clone).
SRC_SHA := $(shell cat amalgamate.py $(sort $(wildcard src/*)) | sha256sum | cut -d' ' -f1)
HEADER_SHA := $(shell sed -n '1s/.*src-sha256 \([0-9a-f]*\).*/\1/p' container.h 2>/dev/null)
ifneq ($(SRC_SHA),$(HEADER_SHA))
.PHONY: container.h
endif
container.h:
	python3 amalgamate.py

check-header:
	python3 amalgamate.py --check

$(BUILD)/%: examples/%.c container.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WARN) -std=c99 -I. -o $@ $< -lpthread

# The fleet example (examples/fleet.c) is static too: it copies itself into the base its
# containers run on, as their idle command.
$(BUILD)/fleet: examples/fleet.c container.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WARN) -std=c99 -I. -o $@ $< -lpthread -static

# ctrun's --seccomp FILE names syscalls and errnos: it includes $(BUILD)/syscall_names.h, lines
# CTRUN_SYSCALL(getpid) and CTRUN_ERRNO(EPERM) made here from the C library's headers, so the
# numbers are those of the architecture it is built for.  (By hand: make build/ctrun, then -Ibuild.)
# ctrun is linked statically: it starts about 1 ms sooner where page faults are dear (a VM), as
# the dynamic loader's work is gone (CTRUN_LDFLAGS= for a dynamic build).  It needs no NSS.
CTRUN_LDFLAGS ?= -static
$(BUILD)/syscall_names.h:
	@mkdir -p $(dir $@)
	printf '#include <sys/syscall.h>\n#include <errno.h>\n' | $(CC) -E -dM -x c - | \
	    sed -n -e 's/^#define SYS_\([a-z0-9_]*\) .*/CTRUN_SYSCALL(\1)/p' \
	        -e 's/^#define \(E[A-Z0-9]*\) .*/CTRUN_ERRNO(\1)/p' | LC_ALL=C sort >$@.tmp
	grep -q 'CTRUN_SYSCALL(execve)' $@.tmp
	grep -q 'CTRUN_ERRNO(EPERM)' $@.tmp
	mv $@.tmp $@
$(BUILD)/ctrun: examples/ctrun.c examples/ctrun_net.h container.h $(BUILD)/syscall_names.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WARN) -std=c99 -I. -I$(BUILD) -o $@ $< -lpthread $(CTRUN_LDFLAGS)

# ocirun, the OCI runtime (examples/ocirun.c and examples/ocirun/): links json-c and libseccomp
# (libjson-c-dev, libseccomp-dev).
OCIRUN_SRC := examples/ocirun.c examples/ocirun/oci_config.c
$(BUILD)/ocirun: $(OCIRUN_SRC) examples/ocirun/oci_config.h container.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WARN) -std=c99 -I. -Iexamples -o $@ $(OCIRUN_SRC) -ljson-c -lseccomp -lpthread

# ctrun.1 is made from `ctrun --help` (tools/ctrun-man.py), so that the two cannot drift; the
# check man-page-matches-help of `make test` (tests/check_man.py) also compares the help with
# ctrun's option table.
VERSION = $(shell sed -n 's/^\#define CONTAINER_VERSION_STRING "\(.*\)"/\1/p' container.h)
$(BUILD)/ctrun.1: $(BUILD)/ctrun tools/ctrun-man.py
	$(BUILD)/ctrun --help | python3 tools/ctrun-man.py $(VERSION) >$@.tmp
	mv $@.tmp $@

# make install [PREFIX=/usr/local] [DESTDIR=staging]: container.h into include/, ctrun into bin/,
# ctrun.1 into share/man/man1/, and for pkg-config container.pc (Cflags; Libs -lpthread, which
# glibc before 2.34 needs) and container-libseccomp.pc (with -DCONTAINER_WITH_LIBSECCOMP and
# -lseccomp) into share/pkgconfig/ (the header has no architecture).  make uninstall removes them.
PREFIX       ?= /usr/local
BINDIR       ?= $(PREFIX)/bin
INCLUDEDIR   ?= $(PREFIX)/include
DATADIR      ?= $(PREFIX)/share
MANDIR       ?= $(DATADIR)/man
PKGCONFIGDIR ?= $(DATADIR)/pkgconfig
INSTALL      ?= install
# pc_file NAME,DESCRIPTION,EXTRA_CFLAGS,EXTRA_LIBS: writes $(DESTDIR)$(PKGCONFIGDIR)/NAME.pc.
define pc_file
	printf '%s\n' 'prefix=$(PREFIX)' 'includedir=$(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))' '' 'Name: $(1)' \
	    'Description: $(2)' 'Version: $(VERSION)' \
	    'Cflags: -I$${includedir}$(3)' 'Libs: -lpthread$(4)' >'$(DESTDIR)$(PKGCONFIGDIR)/$(1).pc'
endef
install: container.h $(BUILD)/ctrun $(BUILD)/ctrun.1
	$(INSTALL) -d '$(DESTDIR)$(BINDIR)' '$(DESTDIR)$(INCLUDEDIR)' '$(DESTDIR)$(MANDIR)/man1' \
	    '$(DESTDIR)$(PKGCONFIGDIR)'
	$(INSTALL) -m 0644 container.h '$(DESTDIR)$(INCLUDEDIR)/container.h'
	$(INSTALL) -m 0755 $(BUILD)/ctrun '$(DESTDIR)$(BINDIR)/ctrun'
	$(INSTALL) -m 0644 $(BUILD)/ctrun.1 '$(DESTDIR)$(MANDIR)/man1/ctrun.1'
	$(call pc_file,container,run a process in its own Linux container (single-header C/C++ library),,)
	$(call pc_file,container-libseccomp,container.h with its seccomp filters built by libseccomp, -DCONTAINER_WITH_LIBSECCOMP, -lseccomp)
uninstall:
	rm -f '$(DESTDIR)$(INCLUDEDIR)/container.h' '$(DESTDIR)$(BINDIR)/ctrun' \
	    '$(DESTDIR)$(MANDIR)/man1/ctrun.1' '$(DESTDIR)$(PKGCONFIGDIR)/container.pc' \
	    '$(DESTDIR)$(PKGCONFIGDIR)/container-libseccomp.pc'

# Fuzzing (tests/fuzz/): libFuzzer targets built by clang with ASan and UBSan (Debian:
# libclang-rt-14-dev).  fuzz_ctrun_args: ctrun's option parsing (examples/ctrun.c's parse_args)
# and the spec it makes through the plan builder; fuzz_spec: the library's spec validation
# (ctr__plan_build) on specs made from raw bytes.  Neither spawns anything.  `make fuzz` runs each
# for FUZZ_SECONDS (make test: 5 each) with FUZZ_SEED, from the committed seeds in
# tests/fuzz/corpus/NAME/ plus what earlier runs found (BUILD/fuzz/corpus-NAME/); a crash, leak,
# undefined behaviour, unclean error or slow input (FUZZ_TIMEOUT s) fails it, and the input is
# saved as BUILD/fuzz/crash-* (or leak-*, timeout-*).  fuzz-NAME runs one.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 5
FUZZ_SEED    ?= 1
FUZZ_TIMEOUT ?= 10
FUZZ_PLAIN   := ctrun_args spec
FUZZERS      := $(FUZZ_PLAIN) config
FUZZ_FLAGS   := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
                -fno-omit-frame-pointer
.PHONY: fuzz $(addprefix fuzz-,$(FUZZERS))
$(BUILD)/fuzz/fuzz_ctrun_args: tests/fuzz/fuzz_ctrun_args.c examples/ctrun.c $(BUILD)/syscall_names.h
$(BUILD)/fuzz/fuzz_spec: tests/fuzz/fuzz_spec.c
$(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_PLAIN)): container.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(WARN) -Wno-unused-function -std=gnu99 -I. -I$(BUILD) -o $@ \
	    $(filter tests/fuzz/%.c,$^) -lpthread
# fuzz_config: ocirun's config.json reader (examples/ocirun/oci_config.c, json-c and libseccomp).
$(BUILD)/fuzz/fuzz_config: tests/fuzz/fuzz_config.c examples/ocirun/oci_config.c \
    examples/ocirun/oci_config.h container.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(WARN) -Wno-unused-function -std=gnu99 -I. -Iexamples -o $@ \
	    tests/fuzz/fuzz_config.c examples/ocirun/oci_config.c -ljson-c -lseccomp -lpthread
# The option names of ctrun, as a dictionary for fuzz_ctrun_args (made from its table).
$(BUILD)/fuzz/ctrun_args.dict: examples/ctrun.c
	@mkdir -p $(dir $@)
	sed -n 's/^ *{"\([a-z0-9-]*\)", *[a-z]*_argument.*/"--\1"/p' $< >$@
	test "$$(wc -l <$@)" -gt 30
$(BUILD)/fuzz/spec.dict:
	@mkdir -p $(dir $@)
	printf '%s\n' '"/tmp"' '"/usr"' '"/proc"' '"/dev/null"' >$@
$(BUILD)/fuzz/config.dict:
	@mkdir -p $(dir $@)
	printf '"%s"\n' ociVersion process root mounts linux hooks annotations args env cwd user uid \
	    gid capabilities rlimits namespaces resources seccomp devices uidMappings gidMappings \
	    maskedPaths readonlyPaths sysctl cgroupsPath memory cpu pids blockIO destination \
	    source type options path readonly terminal noNewPrivileges >$@
define fuzz_run
fuzz-$(1): $(BUILD)/fuzz/fuzz_$(1) $(BUILD)/fuzz/$(1).dict
	@mkdir -p $(BUILD)/fuzz/corpus-$(1)
	$(BUILD)/fuzz/fuzz_$(1) -seed=$(FUZZ_SEED) -max_total_time=$(FUZZ_SECONDS) \
	    -timeout=$(FUZZ_TIMEOUT) -max_len=$(if $(filter config,$(1)),65536,4096) -rss_limit_mb=2048 -print_final_stats=1 \
	    -dict=$(BUILD)/fuzz/$(1).dict -artifact_prefix=$(BUILD)/fuzz/ \
	    $(BUILD)/fuzz/corpus-$(1) tests/fuzz/corpus/$(1)
endef
$(foreach f,$(FUZZERS),$(eval $(call fuzz_run,$(f))))
fuzz: $(addprefix fuzz-,$(FUZZERS))

# The programs that run inside the test containers, static so that any rootfs can run them:
# probe (test_core, test_limits) and the container-escape suite's attack (tests/escape/), which
# test_escape finds next to itself.
$(BUILD)/tests/probe: tests/probe.c
$(BUILD)/tests/attack: tests/escape/attack.c
$(BUILD)/tests/probe $(BUILD)/tests/attack:
	@mkdir -p $(dir $@)
	$(CC) -O2 -static -Wall -Wextra -Werror -o $@ $^

# The test suites, each one C file with tests/common.h and tests/harness.h; test_core_asan is
# test_core under ASan/UBSan, with its own SUITE_CFLAGS.
SUITES := $(addprefix $(BUILD)/tests/,test_core test_limits test_escape test_host test_ctrun test_layers test_net test_lifecycle \
    test_policy \
    test_core_asan)
SUITE_CFLAGS = $(CFLAGS)
$(BUILD)/tests/test_core_asan: SUITE_CFLAGS = -O1 -g -fsanitize=address,undefined \
    -fno-sanitize-recover=undefined -fno-omit-frame-pointer
$(BUILD)/tests/test_core $(BUILD)/tests/test_core_asan: tests/test_core.c
$(BUILD)/tests/test_limits: tests/test_limits.c
$(BUILD)/tests/test_escape: tests/escape/test_escape.c
$(BUILD)/tests/test_host: tests/test_host.c
$(BUILD)/tests/test_ctrun: tests/test_ctrun.c
$(BUILD)/tests/test_layers: tests/test_layers.c
$(BUILD)/tests/test_net: tests/test_net.c
$(BUILD)/tests/test_lifecycle: tests/test_lifecycle.c
$(BUILD)/tests/test_policy: tests/test_policy.c
$(SUITES): tests/common.h tests/harness.h container.h
	@mkdir -p $(dir $@)
	$(CC) $(SUITE_CFLAGS) $(WARN) -std=c99 -I. -o $@ $(filter %.c,$^) -lpthread

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
# tests/run.sh builds and counts as one test.  The header and half-malloc checks only compile; the
# others also run their program, which spawns one container.
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
                  libseccomp-c-gcc libseccomp-cxx-g++ seccomp-same-verdicts src-files-standalone \
                  src-no-call-cycles

.PHONY: compile-checks print-compile-checks
compile-checks: $(patsubst %,$(CHK)/%.ok,$(COMPILE_CHECKS))
print-compile-checks:
	@echo $(COMPILE_CHECKS)

# compile_check NAME,FLAGS,SOURCES,PREREQUISITES,LIBS,RUN: the rule of $(CHK)/NAME-COMPILER.ok,
# in which COMPILER (gcc, clang, g++ or clang++: the rest of the target's name) builds SOURCES
# (tests/compile/, like PREREQUISITES) with FLAGS and LIBS, then runs the program if RUN is "run".
define compile_check
$(CHK)/$(1)-%.ok: $(addprefix $(CDIR)/,$(3) $(4)) container.h
	@mkdir -p $(CHK)
	$$* $(2) -o $(CHK)/$(1)-$$* $(addprefix $(CDIR)/,$(3))$(if $(5), $(5))
	$(if $(filter run,$(6)),$(CHK)/$(1)-$$*)
	@touch $$@
endef

# The header alone (no implementation), pedantic C99 and C++11.
HEADER_c   := -std=c99 -pedantic -Wall -Wextra -Werror -I.
HEADER_cxx := -std=c++11 -pedantic -Wall -Wextra -Werror -I. -x c++
$(eval $(call compile_check,header-c99,$(HEADER_c),header_only.c))
$(eval $(call compile_check,header-cxx11,$(HEADER_cxx),header_only.c))

# The checks that run their program, each as C99 (NAME-c-COMPILER) and as C++11 (NAME-cxx-COMPILER):
# NAME_SRC its sources, NAME_DEP the other files it includes, NAME_LIBS its libraries.
# CONTAINER_WITH_LIBSECCOMP (libseccomp): the filters built by libseccomp (libseccomp-dev) are
# installed and work.
RUN_CHECKS := impl twice two-tu static static-partial custom-malloc libseccomp
CHECK_c   := -std=c99 $(CHECK_CWARN) -I.
CHECK_cxx := -std=c++11 $(CHECK_CXXWARN) -I. -x c++
impl_SRC           := impl.c
impl_DEP           := exercise.h
twice_SRC          := twice.c
twice_DEP          := exercise.h
two-tu_SRC         := tu_impl.c tu_user.c
two-tu_DEP         := tu.h exercise.h
static_SRC         := static_a.c static_b.c
static_DEP         := tu.h exercise.h
static-partial_SRC := static_partial.c
custom-malloc_SRC  := custom_malloc.c
custom-malloc_DEP  := exercise.h
libseccomp_SRC     := libseccomp.c
libseccomp_DEP     := exercise.h
libseccomp_LIBS    := -lseccomp
run_check = $(call compile_check,$(1)-$(2),$(CHECK_$(2)),$($(1)_SRC),$($(1)_DEP),$($(1)_LIBS),run)
$(foreach c,$(RUN_CHECKS),$(foreach l,c cxx,$(eval $(call run_check,$(c),$(l)))))

# A half allocator override must stop the build with an #error naming the missing macro.
$(CHK)/half-malloc-refused.ok: $(CDIR)/half_malloc.c container.h
	@mkdir -p $(CHK)
	@if $(CC) -std=c99 -I. -c -o $(CHK)/half-malloc.o $< 2>$(CHK)/half-malloc.log; then \
	    echo "half_malloc.c compiled, expected an #error"; exit 1; fi
	grep -q 'CONTAINER_FREE' $(CHK)/half-malloc.log
	@touch $@

# The default seccomp profile gives the same verdict with and without CONTAINER_WITH_LIBSECCOMP,
# for every syscall number and the argument values it looks at (seccomp_verdicts.c runs each
# build's filter through a BPF interpreter).
$(CHK)/seccomp-same-verdicts.ok: $(CDIR)/seccomp_verdicts.c container.h
	@mkdir -p $(CHK)
	$(CC) -std=gnu99 $(WARN) -I. -o $(CHK)/verdicts-builtin $<
	$(CC) -std=gnu99 $(WARN) -I. -DCONTAINER_WITH_LIBSECCOMP -o $(CHK)/verdicts-libseccomp $< -lseccomp
	$(CHK)/verdicts-builtin >$(CHK)/verdicts-builtin.txt
	$(CHK)/verdicts-libseccomp >$(CHK)/verdicts-libseccomp.txt
	test "$$(wc -l <$(CHK)/verdicts-builtin.txt)" -gt 1000
	diff $(CHK)/verdicts-builtin.txt $(CHK)/verdicts-libseccomp.txt
	@touch $@

# Every src/X.c compiles on its own with src/internal.h (warnings about the static functions it
# declares for the other files are expected; errors are not).
$(CHK)/src-files-standalone.ok: $(wildcard src/*)
	@mkdir -p $(CHK)
	@for f in src/*.c; do $(CC) -std=c99 -fsyntax-only -D_GNU_SOURCE -DCONTAINER_IMPLEMENTATION -Isrc $$f \
	    2>$(CHK)/standalone.log || { echo "$$f does not compile on its own:"; cat $(CHK)/standalone.log; exit 1; }; done
	@touch $@

# No two src/ files call each other in a circle; a function one file uses from another is
# declared in src/internal.h.
$(CHK)/src-no-call-cycles.ok: tests/check_calls.py $(wildcard src/*)
	@mkdir -p $(CHK)
	python3 tests/check_calls.py src
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
$(BUILD)/bench/net_api: bench/net_api.c container.h
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ $< -lpthread
$(BUILD)/bench/notify_bench: bench/notify_bench.c container.h
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ $< -lpthread
$(BUILD)/bench/syscall_loop: bench/syscall_loop.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -static -o $@ $<
bench: $(BUILD)/ctrun $(BUILD)/bench/spawn_api $(BUILD)/bench/spawn_raw $(BUILD)/bench/net_api \
       $(BUILD)/bench/notify_bench $(BUILD)/bench/syscall_loop
	BENCH_BUILD=$(BUILD) bash bench/run.sh
