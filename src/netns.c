/* netns.c - ctr_netns_pool: empty network namespaces (loopback up) reused by containers, one container at a
   time each.  A new network namespace is the most expensive namespace to create and to tear
   down (about 1 ms each way on a small VM, and the teardown runs on a kernel worker that takes
   a CPU from the next spawn); a container with no network needs nothing of it but loopback. */
#include "internal.h"

struct ctr_netns_pool {
    pthread_mutex_t lock;
    unsigned max;     /* slots */
    unsigned created; /* slots holding a namespace */
    unsigned in_use;  /* slots lent to a live container */
    int dying;        /* ctr_netns_pool_destroy was called while some were lent */
    int *fds;         /* max slots: an nsfs fd, or -1 */
    unsigned char *busy;
};

/* What the short-lived child reports; in memory shared with it (MAP_SHARED), whichever way
   clone.c makes it. */
typedef struct ctr__netns_job {
    int fd;  /* the namespace, opened in the shared descriptor table */
    int err; /* errno of the failing step, or 0 */
    const char *what;
} ctr__netns_job;

/* In a new network namespace, sharing our descriptor table: brings loopback up and opens the
   namespace for the parent.  Only raw syscalls (the rules of child.c). */
static void ctr__netns_child(void *arg) {
    ctr__netns_job *m = CTR__CAST(ctr__netns_job *, arg);
    if (m->err == -1) { /* no loopback: spec.no_network's namespace */
        m->err = 0;
        if ((m->fd = ctr__r_openat(AT_FDCWD, "/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC, 0)) <
            0) {
            m->err = errno;
            m->what = "open the shared network namespace (/proc/thread-self/ns/net)";
        }
    } else if (ctr__lo_up() != 0) {
        m->err = errno;
        m->what = "bring up the loopback interface of a new network namespace";
    } else if ((m->fd = ctr__r_openat(AT_FDCWD, "/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC,
                                      0)) < 0) {
        m->err = errno;
        m->what = "open a new network namespace (/proc/thread-self/ns/net)";
    }
}

/* A new empty network namespace with loopback up, as an fd; -1 and *err on failure.  Made by a
   short-lived child (CLONE_FILES | CLONE_NEWNET), so the calling thread never leaves its own
   namespace.  lo 0: loopback stays down (spec.no_network's shared namespace). */
static int ctr__netns_make(int lo, ctr_error *err) {
    ctr__netns_job *m;
    ctr__clone_args a;
    uint64_t all = ~CTR__CAST(uint64_t, 0), old = 0;
    long pid;
    int e, st, fd;
    m = CTR__CAST(ctr__netns_job *, mmap(NULL, sizeof(*m), PROT_READ | PROT_WRITE,
                                         MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    if (m == MAP_FAILED) return ctr__fail(err, CTR_STEP_RESOURCE, errno, "", "map memory");
    m->fd = -1;
    m->err = lo ? 0 : -1;
    m->what = "";
    memset(&a, 0, sizeof(a));
    a.flags = CLONE_FILES | CLONE_NEWNET;
    ctr__r_sigmask(SIG_SETMASK, &all, &old); /* no host handler may run in the child */
    pid = ctr__clone(&a, CTR__CLONE_VM | CTR__CLONE_WAIT, ctr__netns_child, m);
    e = errno;
    ctr__r_sigmask(SIG_SETMASK, &old, NULL);
    /* exit signal 0: a host's waitpid(-1) cannot take it; reaped here with __WALL. */
    if (pid > 0)
        while (waitpid(CTR__CAST(pid_t, pid), &st, __WALL) < 0 && errno == EINTR) {}
    fd = m->fd;
    if (pid < 0) {
        munmap(m, sizeof(*m));
        return ctr__fail(err, CTR_STEP_NETWORK, e, "", "create a network namespace%s",
                         e == EPERM ? " (needs CAP_SYS_ADMIN)" : "");
    }
    if (m->err) {
        e = m->err;
        if (fd >= 0) close(fd);
        ctr__fail(err, CTR_STEP_NETWORK, e, "lo", "%s", m->what);
        munmap(m, sizeof(*m));
        return -1;
    }
    munmap(m, sizeof(*m));
    if (ctr__lift(&fd) != 0) {
        e = errno;
        close(fd);
        return ctr__fail(err, CTR_STEP_RESOURCE, e, "", "move a descriptor above 2");
    }
    return fd;
}

CONTAINER_API int ctr_netns_pool_create(ctr_netns_pool **out, unsigned max, ctr_error *err) {
    ctr_netns_pool *pool;
    unsigned i;
    ctr__clear_error(err);
    if (!out) return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "out is NULL");
    *out = NULL;
    if (max == 0 || max > 65536)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "netns pool size must be 1..65536, not %u",
                         max);
    if (geteuid() != 0)
        return ctr__fail(err, CTR_STEP_SPEC, EPERM, "",
                         "a netns pool needs root: its namespaces belong to "
                         "the host's user namespace");
    pool = CTR__CAST(ctr_netns_pool *, CONTAINER_MALLOC(sizeof(*pool)));
    if (!pool) return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the netns pool");
    memset(pool, 0, sizeof(*pool));
    pool->fds = CTR__CAST(int *, CONTAINER_MALLOC(max * sizeof(int)));
    pool->busy = CTR__CAST(unsigned char *, CONTAINER_MALLOC(max));
    if (!pool->fds || !pool->busy) {
        if (pool->fds) CONTAINER_FREE(pool->fds);
        if (pool->busy) CONTAINER_FREE(pool->busy);
        CONTAINER_FREE(pool);
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the netns pool");
    }
    for (i = 0; i < max; i++) {
        pool->fds[i] = -1;
        pool->busy[i] = 0;
    }
    pool->max = max;
    pthread_mutex_init(&pool->lock, NULL);
    *out = pool;
    return 0;
}

static void ctr__netns_pool_free(ctr_netns_pool *pool) {
    unsigned i;
    for (i = 0; i < pool->max; i++) ctr__close(&pool->fds[i]);
    pthread_mutex_destroy(&pool->lock);
    CONTAINER_FREE(pool->fds);
    CONTAINER_FREE(pool->busy);
    CONTAINER_FREE(pool);
}

CONTAINER_API void ctr_netns_pool_destroy(ctr_netns_pool *pool) {
    unsigned i;
    int last;
    if (!pool) return;
    pthread_mutex_lock(&pool->lock);
    for (i = 0; i < pool->max; i++)
        if (!pool->busy[i]) ctr__close(&pool->fds[i]);
    pool->dying = 1;
    last = pool->in_use == 0;
    pthread_mutex_unlock(&pool->lock);
    if (last) ctr__netns_pool_free(pool); /* else the last container to give its namespace back */
}

/* Lends a namespace: its slot (*fd set), or -1 with *fd = -1 when every slot is lent (the
   container then gets a namespace of its own), or -2 with err set. */
static int ctr__netns_acquire(ctr_netns_pool *pool, int *fd, ctr_error *err) {
    unsigned i;
    int slot = -1, made;
    *fd = -1;
    pthread_mutex_lock(&pool->lock);
    for (i = 0; i < pool->created && slot < 0; i++)
        if (!pool->busy[i]) slot = CTR__CAST(int, i);
    if (slot < 0 && pool->created < pool->max)
        slot = CTR__CAST(int, pool->created++); /* filled below */
    if (slot >= 0) {
        pool->busy[slot] = 1;
        pool->in_use++;
    }
    pthread_mutex_unlock(&pool->lock);
    if (slot < 0) return -1;
    if (pool->fds[slot] < 0) {
        /* A new slot, ours alone while busy: make its namespace outside the lock. */
        if ((made = ctr__netns_make(1, err)) < 0) {
            pthread_mutex_lock(&pool->lock);
            pool->busy[slot] = 0;
            pool->in_use--;
            pthread_mutex_unlock(&pool->lock);
            return -2;
        }
        pool->fds[slot] = made;
    }
    *fd = pool->fds[slot];
    return slot;
}

/* Gives a namespace back once no process can be in it any more (pid 1 of the container's own
   pid namespace has been reaped, so every process of it is gone). */
static void ctr__netns_release(ctr_netns_pool *pool, int slot) {
    int last;
    pthread_mutex_lock(&pool->lock);
    pool->busy[slot] = 0;
    pool->in_use--;
    if (pool->dying) ctr__close(&pool->fds[slot]);
    last = pool->dying && pool->in_use == 0;
    pthread_mutex_unlock(&pool->lock);
    if (last) ctr__netns_pool_free(pool);
}

/* spec.no_network: one empty network namespace (loopback down) shared by all such containers of
   this process, made when the first is spawned and closed when the last handle is destroyed
   (nonet.c says how they are kept apart in it).  ctr__netns_shared takes a reference, returning
   the namespace's fd; ctr__netns_shared_put gives it back. */
static pthread_mutex_t ctr__shared_lock = PTHREAD_MUTEX_INITIALIZER;
static int ctr__shared_fd = -1;
static unsigned long ctr__shared_users;

static int ctr__netns_shared(ctr_error *err) {
    int r;
    pthread_mutex_lock(&ctr__shared_lock);
    if (ctr__shared_fd < 0) ctr__shared_fd = ctr__netns_make(0, err);
    r = ctr__shared_fd;
    if (r >= 0) ctr__shared_users++;
    pthread_mutex_unlock(&ctr__shared_lock);
    return r;
}

static void ctr__netns_shared_put(void) {
    pthread_mutex_lock(&ctr__shared_lock);
    if (--ctr__shared_users == 0) ctr__close(&ctr__shared_fd);
    pthread_mutex_unlock(&ctr__shared_lock);
}
