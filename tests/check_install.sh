#!/bin/sh
# make install into a staging directory, then use it as a user would:
#     sh tests/check_install.sh BUILD_DIR
# pkg-config finds container and container-libseccomp there (PKG_CONFIG_PATH and
# PKG_CONFIG_SYSROOT_DIR), a program built with their flags alone (and not this repository's
# container.h) runs a container, the staged ctrun runs one and its man page (the generated one) formats,
# and make uninstall leaves no file behind.  Exits non-zero, saying why, if anything fails.
set -eu
BUILD=${1:-build}
stage=$(mktemp -d /tmp/ctr-install.XXXXXX)
trap 'rm -rf "$stage"' EXIT
fail() { echo "check_install: $*"; exit 1; }

make -s --no-print-directory BUILD="$BUILD" install DESTDIR="$stage/root" PREFIX=/opt/ctr-test
for f in bin/ctrun include/container.h share/man/man1/ctrun.1 share/pkgconfig/container.pc \
    share/pkgconfig/container-libseccomp.pc; do
    [ -f "$stage/root/opt/ctr-test/$f" ] || fail "make install did not install $f"
done
cmp -s container.h "$stage/root/opt/ctr-test/include/container.h" || fail "installed container.h differs"
cmp -s "$BUILD/ctrun.1" "$stage/root/opt/ctr-test/share/man/man1/ctrun.1" || fail "installed ctrun.1 differs"

export PKG_CONFIG_PATH="$stage/root/opt/ctr-test/share/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$stage/root"
# pkg-config's output with its spacing normalised (pkgconf ends it with a space)
pc() { out=$(pkg-config "$@") || fail "pkg-config $* failed"; echo $out; }
cflags=$(pc --cflags container)
[ "$cflags" = "-I$stage/root/opt/ctr-test/include" ] || fail "pkg-config --cflags container: '$cflags'"
[ "$(pc --modversion container)" = "$(sed -n 's/^#define CONTAINER_VERSION_STRING "\(.*\)"/\1/p' container.h)" ] ||
    fail "pkg-config --modversion container: $(pkg-config --modversion container)"
[ "$(pc --libs container)" = "-lpthread" ] || fail "pkg-config --libs container: $(pkg-config --libs container)"
[ "$(pc --cflags --libs container-libseccomp)" = \
    "-I$stage/root/opt/ctr-test/include -DCONTAINER_WITH_LIBSECCOMP -lpthread -lseccomp" ] ||
    fail "pkg-config container-libseccomp: $(pkg-config --cflags --libs container-libseccomp)"

# Programs built from a copy of examples/hello.c in an empty directory: only the staged header
# can be found.  Each runs one container.
cp examples/hello.c "$stage/hello.c"
# shellcheck disable=SC2046
cc -std=c99 -Wall -Wextra -Werror -o "$stage/hello" "$stage/hello.c" $(pkg-config --cflags --libs container)
out=$("$stage/hello") || fail "hello built with pkg-config's flags failed: $out"
echo "$out" | grep -q "hello from pid 1" || fail "hello said '$out'"
# shellcheck disable=SC2046
cc -std=c99 -Wall -Wextra -Werror -o "$stage/hello-seccomp" "$stage/hello.c" \
    $(pkg-config --cflags --libs container-libseccomp)
out=$("$stage/hello-seccomp") || fail "hello built with container-libseccomp's flags failed: $out"
echo "$out" | grep -q "hello from pid 1" || fail "hello (libseccomp) said '$out'"

"$stage/root/opt/ctr-test/bin/ctrun" --ro -- /bin/true || fail "the installed ctrun failed"
groff -man -Tascii "$stage/root/opt/ctr-test/share/man/man1/ctrun.1" 2>/dev/null | grep -q -- "--rootfs" ||
    fail "groff cannot format the installed ctrun.1"

make -s --no-print-directory BUILD="$BUILD" uninstall DESTDIR="$stage/root" PREFIX=/opt/ctr-test
left=$(find "$stage/root" -type f)
[ -z "$left" ] || fail "make uninstall left $left"
echo "check_install: installed into $stage/root/opt/ctr-test, used through pkg-config, uninstalled"
