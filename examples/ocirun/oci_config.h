/* oci_config.h - an OCI runtime-spec config.json (1.0 to 1.2) read into a ctr_spec, for ocirun
   (examples/ocirun.c) and its fuzz target (tests/fuzz/fuzz_config.c).  Every field is either
   mapped onto the spec, kept for ocirun itself (hooks, annotations, the console size, the cgroup
   path), or refused with an error naming it: nothing is ignored.  Uses json-c and libseccomp. */
#ifndef OCI_CONFIG_H
#define OCI_CONFIG_H
#include "container.h"

#include <json-c/json.h>

#define OCI_VERSION "1.2.0"

enum {
    OCI_HOOK_PRESTART,
    OCI_HOOK_CREATE_RUNTIME,
    OCI_HOOK_CREATE_CONTAINER,
    OCI_HOOK_START_CONTAINER,
    OCI_HOOK_POSTSTART,
    OCI_HOOK_POSTSTOP,
    OCI_HOOK_KINDS
};
extern const char *const oci_hook_names[OCI_HOOK_KINDS];

typedef struct oci_hook {
    const char *path;
    const char *const *args; /* NULL-terminated, or NULL */
    const char *const *env;
    int timeout; /* seconds, 0 = none */
} oci_hook;

/* What the reader needs to know besides the file. */
typedef struct oci_context {
    const char *bundle; /* absolute directory of config.json: relative paths are below it */
    const char *id;     /* the container's id (default cgroup path) */
    int systemd_cgroup; /* cgroupsPath is slice:prefix:name */
    int cgroup_v2;      /* the host's cgroup hierarchy is v2 (blkio weights convert) */
    int check_paths;    /* 0 in the fuzz target: no stat of the rootfs or bind sources */
} oci_context;

typedef struct oci_block oci_block;

typedef struct oci_config {
    ctr_spec spec;
    char oci_version[32];
    oci_hook *hooks[OCI_HOOK_KINDS];
    size_t nhooks[OCI_HOOK_KINDS];
    json_object *annotations; /* a reference of its own, or NULL */
    const char *cgroup_path;  /* "" when the container gets no cgroup */
    const char *rootfs;       /* absolute */
    int terminal;
    int has_cgroupns;  /* the container has a cgroup namespace of its own */
    int user_ns;       /* a new user namespace */
    oci_block *blocks; /* every allocation of the reader, freed by oci_config_free */
    char error[512];
    char warnings[512]; /* properties no runtime-spec version defines, ignored */
} oci_config;

/* Reads config.json text (len bytes) into cfg.  0, or -1 with cfg->error naming the field. */
int oci_config_read(oci_config *cfg, const char *text, size_t len, const oci_context *ctx);
void oci_config_free(oci_config *cfg);

/* A process object ("process" of config.json, or exec's --process file) into an exec spec;
   base is the container's config (capabilities, rlimits, no_new_privs and the like must match
   it: ctr_exec takes them from the container). */
int oci_process_read(oci_config *cfg, json_object *process, const oci_config *base,
                     ctr_exec_spec *x, const char *where);

/* Allocation from cfg's blocks (zeroed; NULL on ENOMEM). */
void *oci_alloc(oci_config *cfg, size_t n);
char *oci_strdup(oci_config *cfg, const char *s);

/* Signal names (SIGTERM, TERM, 15) -> number, or -1. */
int oci_signal(const char *s);
/* A capability name (CAP_SYS_ADMIN) -> number, or -1; and back (NULL if unknown). */
int oci_cap_number(const char *name);
const char *oci_cap_name(int n);

#endif
