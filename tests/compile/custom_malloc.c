/* CONTAINER_MALLOC / CONTAINER_FREE: the library allocates only through them, and frees all of it. */
#ifndef _GNU_SOURCE /* before the first include, as the manual says when container.h is not first */
#define _GNU_SOURCE
#endif
#include <stdlib.h>

static long allocations, frees;
static void *counting_malloc(size_t n) {
    allocations++;
    return malloc(n);
}
static void counting_free(void *p) {
    if (p) frees++;
    free(p);
}

#define CONTAINER_MALLOC(n) counting_malloc(n)
#define CONTAINER_FREE(p)   counting_free(p)
#define CONTAINER_IMPLEMENTATION
#include "container.h"

#include "exercise.h"

/* Failing spawns must give back everything too. */
static int failures(void) {
    const char *missing[] = {"/nonexistent-command", NULL};
    ctr_spec spec;
    ctr_container *c;
    memset(&spec, 0, sizeof spec);
    spec.argv = missing;
    if (ctr_spawn(&spec, &c, NULL) == 0) return 1; /* fails in the child, at exec */
    spec.rootfs = "/nonexistent-rootfs";
    if (ctr_spawn(&spec, &c, NULL) == 0) return 1; /* fails in the parent, in the plan */
    return 0;
}

int main(void) {
    int rc = exercise() | failures();
    if (allocations == 0 || allocations != frees) {
        fprintf(stderr, "custom allocator: %ld allocations, %ld frees\n", allocations, frees);
        return 1;
    }
    return rc;
}
