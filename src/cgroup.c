/* cgroup.c - a container's cgroup, in the parent only: the backend for this host (cgroup2.c, the
   primary, or cgroup1.c for hosts that still mount the v1 controllers) is chosen once per
   process; this file makes and removes a container's cgroup through it, and cgfs.c holds the
   file helpers both use.  No code outside cgroup1.c and cgroup2.c knows which version runs.

   Where:  v2 as root: /sys/fs/cgroup/container.h/ctr-PID-N (the library's own subtree).  v2 as
   another user: DELEGATED/container.h/ctr-PID-N, where DELEGATED is the highest ancestor of the
   caller's own cgroup that the caller may write (systemd's user@UID.service).  v1: the same
   container.h/ctr-PID-N under each controller's mount.  spec.cgroup_parent overrides the parent.
   Stale cgroups of a crashed host (ctr-PID-* whose PID is gone) are removed by the next process
   that creates a container cgroup in the same parent. */
#include "internal.h"

#define CTR__CG2_MAGIC 0x63677270L

/* The backend of this host: v2 when /sys/fs/cgroup is a cgroup2 mount; otherwise v1 (a v1 or
   hybrid host has a tmpfs there, and its cgroup2 at unified/, if any, has no controllers we
   could use).  Detected once per process: a host does not change its cgroup layout under a
   running program. */
static const ctr__cg_backend *ctr__cg_host(ctr_error *err) {
    static int cached; /* 0: not yet, 1: v1, 2: v2 */
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    long type = 0;
    if (!v) {
        if (ctr__statfs_type(CTR__CG_ROOT, &type) != 0) {
            ctr__fail(err, CTR_STEP_CGROUP, errno, CTR__CG_ROOT, "cgroups are not mounted at %s",
                      CTR__CG_ROOT);
            return NULL;
        }
        v = type == CTR__CG2_MAGIC ? 2 : 1;
        __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    }
    return v == 2 ? ctr__cg2() : ctr__cg1();
}

static void ctr__cg_init(ctr__cgroup *cg) {
    int i;
    cg->be = NULL;
    cg->dir = NULL;
    cg->dirfd = -1;
    for (i = 0; i < CTR__V1_N; i++) cg->v1[i] = NULL;
}

/* Creates and configures the container's cgroup if the plan wants one.  On failure everything
   made so far is removed by the caller's ctr__cg_destroy. */
static int ctr__cg_create(ctr__cgroup *cg, const ctr__cg_req *req, ctr_error *err) {
    const ctr__cg_backend *be;
    if (!req->wanted) return 0;
    if (!(be = ctr__cg_host(err))) return -1;
    cg->be = be;
    return be->create(cg, req, err);
}

/* Kills what is left, waits (up to 5 s) for the cgroup to empty, removes it, frees cg. */
static void ctr__cg_destroy(ctr__cgroup *cg) {
    int i, tries;
    if (cg->be) {
        for (tries = 0; tries < 500 && cg->be->populated(cg); tries++) {
            if (tries % 50 == 0) cg->be->kill(cg);
            ctr__sleep_ms(10);
        }
        cg->be->remove(cg);
    }
    ctr__close(&cg->dirfd);
    CONTAINER_FREE(cg->dir);
    for (i = 0; i < CTR__V1_N; i++) CONTAINER_FREE(cg->v1[i]);
    ctr__cg_init(cg);
}
