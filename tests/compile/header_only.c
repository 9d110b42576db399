/* The header alone, without the implementation: must compile as C99 -pedantic and as C++11. */
#include "container.h"

static int uses_every_type(void) {
    ctr_spec spec;
    ctr_mount mount;
    ctr_error err;
    ctr_result res;
    ctr_container *c = 0;
    spec.argv = 0;
    spec.share = CTR_NS_ALL;
    mount.type = CTR_MOUNT_BIND;
    mount.flags = CTR_MOUNT_RW | CTR_MOUNT_NONRECURSIVE | CTR_MOUNT_READONLY;
    err.step = CTR_STEP_EXEC;
    res.exit_code = 0;
    (void)c;
    return (int)spec.share + (int)mount.flags + (int)err.step + res.exit_code +
           CONTAINER_VERSION_MAJOR + CTR_STDIO_PIPE + (int)sizeof(CONTAINER_VERSION_STRING);
}

int main(void) { return uses_every_type() > 0 ? 0 : 1; }
