/* oci_config.c - config.json (runtime-spec 1.0 to 1.2) -> ctr_spec.  See oci_config.h.

   The reader walks every key of every object it knows; a key it does not know, or knows but
   cannot honour, fails with an error naming the field ("linux.intelRdt is not supported").
   Hooks, annotations and the cgroup path go to ocirun; the seccomp section is compiled here with
   libseccomp into the classic BPF the library installs (CTR_SECCOMP_BPF). */
#define _GNU_SOURCE 1
#include "oci_config.h"

#include <errno.h>
#include <limits.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

const char *const oci_hook_names[OCI_HOOK_KINDS] = {
    "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"};

struct oci_block {
    struct oci_block *next;
    size_t pad; /* keeps the data 16-byte aligned */
};

void *oci_alloc(oci_config *cfg, size_t n) {
    oci_block *b = calloc(1, sizeof(oci_block) + n + 1);
    if (!b) return NULL;
    b->next = cfg->blocks;
    cfg->blocks = b;
    return b + 1;
}

char *oci_strdup(oci_config *cfg, const char *s) {
    size_t n = strlen(s);
    char *d = oci_alloc(cfg, n + 1);
    if (d) memcpy(d, s, n + 1);
    return d;
}

void oci_config_free(oci_config *cfg) {
    while (cfg->blocks) {
        oci_block *n = cfg->blocks->next;
        free(cfg->blocks);
        cfg->blocks = n;
    }
    if (cfg->annotations) json_object_put(cfg->annotations);
    cfg->annotations = NULL;
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int
bad(oci_config *cfg, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cfg->error, sizeof(cfg->error), fmt, ap);
    va_end(ap);
    return -1;
}

static int nomem(oci_config *cfg) { return bad(cfg, "out of memory"); }

/* Every property name of the runtime-spec (1.0 to 1.3), wherever it appears. */
/* clang-format off */
static const char *const spec_names[] = {
    "ociVersion", "root", "mounts", "process", "hostname", "domainname", "hooks", "annotations",
    "linux", "solaris", "windows", "vm", "zos", "freebsd", "path", "readonly", "destination",
    "source", "options", "type", "uidMappings", "gidMappings", "terminal", "consoleSize",
    "height", "width", "cwd", "env", "args", "commandLine", "rlimits", "soft", "hard",
    "apparmorProfile", "capabilities", "bounding", "effective", "inheritable", "permitted",
    "ambient", "noNewPrivileges", "oomScoreAdj", "scheduler", "selinuxLabel", "ioPriority",
    "execCPUAffinity", "user", "uid", "gid", "umask", "additionalGids", "username", "namespaces",
    "timeOffsets", "secs", "nanosecs", "devices", "cgroupsPath", "rootfsPropagation",
    "maskedPaths", "readonlyPaths", "mountLabel", "sysctl", "resources", "seccomp", "intelRdt",
    "personality", "memoryPolicy", "netDevices", "containerID", "hostID", "size", "major",
    "minor", "fileMode", "allow", "access", "memory", "cpu", "pids", "blockIO", "hugepageLimits",
    "network", "rdma", "unified", "limit", "reservation", "swap", "kernel", "kernelTCP",
    "swappiness", "disableOOMKiller", "useHierarchy", "checkBeforeUpdate", "shares", "quota",
    "burst", "period", "realtimeRuntime", "realtimePeriod", "cpus", "mems", "idle", "weight",
    "leafWeight", "weightDevice", "throttleReadBpsDevice", "throttleWriteBpsDevice",
    "throttleReadIOPSDevice", "throttleWriteIOPSDevice", "defaultAction", "defaultErrnoRet",
    "architectures", "flags", "listenerPath", "listenerMetadata", "syscalls", "names", "action",
    "errnoRet", "index", "value", "valueTwo", "op", "prestart", "createRuntime",
    "createContainer", "startContainer", "poststart", "poststop", "timeout", "monotonic",
    "boottime", "class", "priority", "policy", "nice", "runtime", "deadline", "initial", "final",
    "mode", "nodes", "domain", "hwConfig", "name", NULL};
/* clang-format on */

/* A property ocirun does not handle here: one the runtime-spec defines fails, naming it
   (nothing it asks for is ignored); one no version of the spec defines is ignored, as the spec
   requires of runtimes, but not silently: it is listed in cfg->warnings. */
static int unsupported(oci_config *cfg, const char *where, const char *key) {
    size_t i, n;
    for (i = 0; spec_names[i]; i++)
        if (strcmp(key, spec_names[i]) == 0)
            return bad(cfg, "%s%s%s is not supported by ocirun", where, where[0] ? "." : "", key);
    n = strlen(cfg->warnings);
    if (n + strlen(where) + strlen(key) + 64 < sizeof(cfg->warnings))
        snprintf(cfg->warnings + n, sizeof(cfg->warnings) - n,
                 "%s%s%s%s is not a runtime-spec property: ignored", n ? "; " : "", where,
                 where[0] ? "." : "", key);
    return 0;
}

/* ---- typed getters: each checks the JSON type and names the field on a mismatch ---- */

static int want(oci_config *cfg, json_object *v, json_type t, const char *where, const char *key) {
    static const char *const names[] = {"null",   "boolean", "number", "number",
                                        "object", "array",   "string"};
    json_type got = json_object_get_type(v);
    if (got == t || (t == json_type_double && got == json_type_int)) return 0;
    return bad(cfg, "%s.%s must be a%s %s", where, key,
               t == json_type_object || t == json_type_array ? "n" : "", names[t]);
}

static int get_bool(oci_config *cfg, json_object *v, const char *where, const char *key, int *out) {
    *out = 0;
    if (want(cfg, v, json_type_boolean, where, key)) return -1;
    *out = json_object_get_boolean(v) ? 1 : 0;
    return 0;
}

static int get_i64(oci_config *cfg, json_object *v, const char *where, const char *key,
                   int64_t *out) {
    *out = 0;
    if (want(cfg, v, json_type_int, where, key)) return -1;
    errno = 0;
    *out = json_object_get_int64(v);
    if (errno == EINVAL) return bad(cfg, "%s.%s is out of range", where, key);
    return 0;
}

static int get_u64(oci_config *cfg, json_object *v, const char *where, const char *key,
                   uint64_t *out) {
    *out = 0;
    if (want(cfg, v, json_type_int, where, key)) return -1;
    if (json_object_get_int64(v) < 0 && json_object_get_uint64(v) == 0)
        return bad(cfg, "%s.%s must not be negative", where, key);
    *out = json_object_get_uint64(v);
    return 0;
}

static int get_u32(oci_config *cfg, json_object *v, const char *where, const char *key,
                   uint32_t *out) {
    int64_t x;
    *out = 0;
    if (get_i64(cfg, v, where, key, &x)) return -1;
    if (x < 0 || x > UINT32_MAX) return bad(cfg, "%s.%s is out of range", where, key);
    *out = (uint32_t)x;
    return 0;
}

static int get_str(oci_config *cfg, json_object *v, const char *where, const char *key,
                   const char **out) {
    if (want(cfg, v, json_type_string, where, key)) return -1;
    if (strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v))
        return bad(cfg, "%s.%s holds a NUL byte", where, key);
    if (!(*out = oci_strdup(cfg, json_object_get_string(v)))) return nomem(cfg);
    return 0;
}

/* An array of strings -> a NULL-terminated list. */
static int get_strv(oci_config *cfg, json_object *v, const char *where, const char *key,
                    const char ***out, size_t *count) {
    size_t n, i;
    const char **list;
    if (want(cfg, v, json_type_array, where, key)) return -1;
    n = json_object_array_length(v);
    if (!(list = oci_alloc(cfg, (n + 1) * sizeof(char *)))) return nomem(cfg);
    for (i = 0; i < n; i++) {
        char k[96];
        snprintf(k, sizeof(k), "%s[%zu]", key, i);
        if (get_str(cfg, json_object_array_get_idx(v, i), where, k, &list[i])) return -1;
    }
    list[n] = NULL;
    *out = list;
    if (count) *count = n;
    return 0;
}

static char *path_join(oci_config *cfg, const char *where, const char *key, const char *a,
                       const char *b) {
    size_t n = strlen(a) + strlen(b) + 2;
    char *s = oci_alloc(cfg, n);
    (void)where;
    (void)key;
    if (s) snprintf(s, n, "%s/%s", a, b);
    return s;
}

/* ---- names ---- */

static const char *const cap_names[] = {"CAP_CHOWN",
                                        "CAP_DAC_OVERRIDE",
                                        "CAP_DAC_READ_SEARCH",
                                        "CAP_FOWNER",
                                        "CAP_FSETID",
                                        "CAP_KILL",
                                        "CAP_SETGID",
                                        "CAP_SETUID",
                                        "CAP_SETPCAP",
                                        "CAP_LINUX_IMMUTABLE",
                                        "CAP_NET_BIND_SERVICE",
                                        "CAP_NET_BROADCAST",
                                        "CAP_NET_ADMIN",
                                        "CAP_NET_RAW",
                                        "CAP_IPC_LOCK",
                                        "CAP_IPC_OWNER",
                                        "CAP_SYS_MODULE",
                                        "CAP_SYS_RAWIO",
                                        "CAP_SYS_CHROOT",
                                        "CAP_SYS_PTRACE",
                                        "CAP_SYS_PACCT",
                                        "CAP_SYS_ADMIN",
                                        "CAP_SYS_BOOT",
                                        "CAP_SYS_NICE",
                                        "CAP_SYS_RESOURCE",
                                        "CAP_SYS_TIME",
                                        "CAP_SYS_TTY_CONFIG",
                                        "CAP_MKNOD",
                                        "CAP_LEASE",
                                        "CAP_AUDIT_WRITE",
                                        "CAP_AUDIT_CONTROL",
                                        "CAP_SETFCAP",
                                        "CAP_MAC_OVERRIDE",
                                        "CAP_MAC_ADMIN",
                                        "CAP_SYSLOG",
                                        "CAP_WAKE_ALARM",
                                        "CAP_BLOCK_SUSPEND",
                                        "CAP_AUDIT_READ",
                                        "CAP_PERFMON",
                                        "CAP_BPF",
                                        "CAP_CHECKPOINT_RESTORE"};
#define NCAPS ((int)(sizeof(cap_names) / sizeof(cap_names[0])))

int oci_cap_number(const char *name) {
    int i;
    for (i = 0; i < NCAPS; i++)
        if (strcasecmp(name, cap_names[i]) == 0 ||
            (strncasecmp(name, "CAP_", 4) != 0 && strcasecmp(name, cap_names[i] + 4) == 0))
            return i;
    return -1;
}

const char *oci_cap_name(int n) { return n >= 0 && n < NCAPS ? cap_names[n] : NULL; }

static const struct {
    const char *name;
    int sig;
} sig_names[] = {{"HUP", SIGHUP},       {"INT", SIGINT},   {"QUIT", SIGQUIT},     {"ILL", SIGILL},
                 {"TRAP", SIGTRAP},     {"ABRT", SIGABRT}, {"IOT", SIGIOT},       {"BUS", SIGBUS},
                 {"FPE", SIGFPE},       {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
                 {"USR2", SIGUSR2},     {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},     {"TERM", SIGTERM},
                 {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},     {"STOP", SIGSTOP},
                 {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},
                 {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
                 {"WINCH", SIGWINCH},   {"IO", SIGIO},     {"POLL", SIGPOLL},     {"PWR", SIGPWR},
                 {"SYS", SIGSYS}};

int oci_signal(const char *s) {
    size_t i;
    char *end;
    long n;
    if (!s || !*s) return -1;
    n = strtol(s, &end, 10);
    if (*end == '\0') return n > 0 && n < NSIG ? (int)n : -1;
    if (strncasecmp(s, "SIG", 3) == 0) s += 3;
    for (i = 0; i < sizeof(sig_names) / sizeof(sig_names[0]); i++)
        if (strcasecmp(s, sig_names[i].name) == 0) return sig_names[i].sig;
    if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
        int base = strncasecmp(s, "RTMIN", 5) == 0 ? SIGRTMIN : SIGRTMAX;
        if (!s[5]) return base;
        n = strtol(s + 5, &end, 10);
        if (*end == '\0' && base + n >= SIGRTMIN && base + n <= SIGRTMAX) return base + (int)n;
    }
    return -1;
}

static const struct {
    const char *name;
    int res;
} rlimit_names[] = {{"RLIMIT_CPU", RLIMIT_CPU},           {"RLIMIT_FSIZE", RLIMIT_FSIZE},
                    {"RLIMIT_DATA", RLIMIT_DATA},         {"RLIMIT_STACK", RLIMIT_STACK},
                    {"RLIMIT_CORE", RLIMIT_CORE},         {"RLIMIT_RSS", RLIMIT_RSS},
                    {"RLIMIT_NPROC", RLIMIT_NPROC},       {"RLIMIT_NOFILE", RLIMIT_NOFILE},
                    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},   {"RLIMIT_AS", RLIMIT_AS},
                    {"RLIMIT_LOCKS", RLIMIT_LOCKS},       {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
                    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
                    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},     {"RLIMIT_RTTIME", RLIMIT_RTTIME}};

/* An SELinux label: ocirun cannot apply one, which fails where SELinux is enabled; on a host
   without it no label means anything (runc and crun skip it there too), and a warning says it
   is not applied. */
static int selinux_label(oci_config *cfg, const char *field) {
    size_t n;
    if (access("/sys/fs/selinux/enforce", F_OK) == 0)
        return bad(cfg, "%s: ocirun applies no SELinux labels, and SELinux is enabled here", field);
    n = strlen(cfg->warnings);
    if (n + strlen(field) + 64 < sizeof(cfg->warnings))
        snprintf(cfg->warnings + n, sizeof(cfg->warnings) - n,
                 "%s%s: SELinux is not enabled on this host: no label applied", n ? "; " : "",
                 field);
    return 0;
}

/* ---- process ---- */

static int read_caps(oci_config *cfg, json_object *o, const char *where, uint64_t sets[5],
                     int present[5]) {
    static const char *const keys[5] = {"bounding", "effective", "inheritable", "permitted",
                                        "ambient"};
    int i;
    memset(present, 0, 5 * sizeof(int));
    if (want(cfg, o, json_type_object, where, "capabilities")) return -1;
    json_object_object_foreach(o, key, val) {
        size_t k, n;
        for (i = 0; i < 5 && strcmp(key, keys[i]) != 0; i++) {}
        if (i == 5) {
            if (unsupported(cfg, "process.capabilities", key)) return -1;
            continue;
        }
        if (want(cfg, val, json_type_array, "process.capabilities", key)) return -1;
        present[i] = 1;
        sets[i] = 0;
        n = json_object_array_length(val);
        for (k = 0; k < n; k++) {
            json_object *e = json_object_array_get_idx(val, k);
            int cap;
            if (json_object_get_type(e) != json_type_string)
                return bad(cfg, "process.capabilities.%s[%zu] must be a string", key, k);
            if ((cap = oci_cap_number(json_object_get_string(e))) < 0)
                return bad(cfg, "process.capabilities.%s: unknown capability \"%s\"", key,
                           json_object_get_string(e));
            sets[i] |= CTR_CAP(cap);
        }
    }
    return 0;
}

/* The five sets, as given (the library's set_caps). */
static int map_caps(oci_config *cfg, json_object *o) {
    uint64_t s[5] = {0, 0, 0, 0, 0};
    int present[5];
    ctr_spec *sp = &cfg->spec;
    if (read_caps(cfg, o, "process", s, present)) return -1;
    if (s[1] & ~s[3])
        return bad(cfg, "process.capabilities.effective holds capabilities that permitted lacks");
    if (s[4] & ~(s[3] & s[2]))
        return bad(cfg, "process.capabilities.ambient must be within both permitted and "
                        "inheritable");
    sp->set_caps = 1;
    sp->cap_bounding = s[0];
    sp->cap_effective = s[1];
    sp->cap_inheritable = s[2];
    sp->cap_permitted = s[3];
    sp->cap_ambient = s[4];
    return 0;
}

static int read_rlimits(oci_config *cfg, json_object *a, const char *where, ctr_rlimit **out,
                        size_t *count) {
    size_t n, i, k;
    ctr_rlimit *r;
    if (want(cfg, a, json_type_array, where, "rlimits")) return -1;
    n = json_object_array_length(a);
    if (!(r = oci_alloc(cfg, (n + 1) * sizeof(*r)))) return nomem(cfg);
    for (i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(a, i);
        char w[64];
        int have = 0;
        snprintf(w, sizeof(w), "%s.rlimits[%zu]", where, i);
        if (want(cfg, e, json_type_object, where, "rlimits[]")) return -1;
        r[i].resource = -1;
        json_object_object_foreach(e, key, val) {
            if (strcmp(key, "type") == 0) {
                const char *t;
                if (get_str(cfg, val, w, key, &t)) return -1;
                for (k = 0; k < sizeof(rlimit_names) / sizeof(rlimit_names[0]); k++)
                    if (strcmp(t, rlimit_names[k].name) == 0) r[i].resource = rlimit_names[k].res;
                if (r[i].resource < 0) return bad(cfg, "%s.type: unknown rlimit \"%s\"", w, t);
            } else if (strcmp(key, "soft") == 0) {
                if (get_u64(cfg, val, w, key, &r[i].soft)) return -1;
                have |= 1;
            } else if (strcmp(key, "hard") == 0) {
                if (get_u64(cfg, val, w, key, &r[i].hard)) return -1;
                have |= 2;
            } else {
                {
                    if (unsupported(cfg, w, key)) return -1;
                    continue;
                }
            }
        }
        if (r[i].resource < 0 || have != 3) return bad(cfg, "%s needs type, soft and hard", w);
        for (k = 0; k < i; k++)
            if (r[k].resource == r[i].resource) return bad(cfg, "%s.type is given twice", w);
    }
    *out = r;
    *count = n;
    return 0;
}

/* process.user */
static int read_user(oci_config *cfg, json_object *o, const char *where, uid_t *uid, gid_t *gid,
                     gid_t **groups, size_t *ngroups, int *set_umask, unsigned *umask_v) {
    char w[64];
    snprintf(w, sizeof(w), "%s.user", where);
    if (want(cfg, o, json_type_object, where, "user")) return -1;
    json_object_object_foreach(o, key, val) {
        uint32_t v;
        if (strcmp(key, "uid") == 0) {
            if (get_u32(cfg, val, w, key, &v)) return -1;
            if (v == UINT32_MAX) return bad(cfg, "%s.uid -1 is not an id", w);
            *uid = v;
        } else if (strcmp(key, "gid") == 0) {
            if (get_u32(cfg, val, w, key, &v)) return -1;
            if (v == UINT32_MAX) return bad(cfg, "%s.gid -1 is not an id", w);
            *gid = v;
        } else if (strcmp(key, "umask") == 0) {
            if (get_u32(cfg, val, w, key, &v)) return -1;
            if (v > 0777) return bad(cfg, "%s.umask is above 0777", w);
            *set_umask = 1;
            *umask_v = v;
        } else if (strcmp(key, "additionalGids") == 0) {
            size_t n, i;
            if (want(cfg, val, json_type_array, w, key)) return -1;
            n = json_object_array_length(val);
            if (!(*groups = oci_alloc(cfg, (n + 1) * sizeof(gid_t)))) return nomem(cfg);
            for (i = 0; i < n; i++) {
                if (get_u32(cfg, json_object_array_get_idx(val, i), w, "additionalGids[]", &v))
                    return -1;
                (*groups)[i] = v;
            }
            *ngroups = n;
        } else if (strcmp(key, "username") == 0) {
            const char *u;
            if (get_str(cfg, val, w, key, &u)) return -1;
            if (u[0]) return bad(cfg, "%s.username is for Windows: not supported", w);
        } else {
            {
                if (unsupported(cfg, w, key)) return -1;
                continue;
            }
        }
    }
    return 0;
}

/* A process object into the spec (config.json's process). */
static int read_process(oci_config *cfg, json_object *o) {
    ctr_spec *sp = &cfg->spec;
    json_object *caps = NULL;
    const char *s;
    int nnp = 0, have_args = 0, have_cwd = 0;
    gid_t *groups = NULL;
    if (want(cfg, o, json_type_object, "", "process")) return -1;
    json_object_object_foreach(o, key, val) {
        if (strcmp(key, "terminal") == 0) {
            if (get_bool(cfg, val, "process", key, &cfg->terminal)) return -1;
        } else if (strcmp(key, "consoleSize") == 0) {
            if (want(cfg, val, json_type_object, "process", key)) return -1;
            json_object_object_foreach(val, k2, v2) {
                uint32_t x;
                if (strcmp(k2, "height") != 0 && strcmp(k2, "width") != 0) {
                    if (unsupported(cfg, "process.consoleSize", k2)) return -1;
                    continue;
                }
                if (get_u32(cfg, v2, "process.consoleSize", k2, &x)) return -1;
                if (x > 65535) return bad(cfg, "process.consoleSize.%s is above 65535", k2);
                if (k2[0] == 'h')
                    sp->tty_rows = (unsigned short)x;
                else
                    sp->tty_cols = (unsigned short)x;
            }
        } else if (strcmp(key, "cwd") == 0) {
            if (get_str(cfg, val, "process", key, &s)) return -1;
            if (s[0] != '/') return bad(cfg, "process.cwd must be an absolute path");
            sp->cwd = s;
            have_cwd = 1;
        } else if (strcmp(key, "env") == 0) {
            const char **env;
            size_t n, i;
            if (get_strv(cfg, val, "process", key, &env, &n)) return -1;
            for (i = 0; i < n; i++)
                if (!strchr(env[i], '=') || env[i][0] == '=')
                    return bad(cfg, "process.env[%zu] \"%s\" is not NAME=value", i, env[i]);
            sp->env = env;
        } else if (strcmp(key, "args") == 0) {
            const char **args;
            size_t n;
            if (get_strv(cfg, val, "process", key, &args, &n)) return -1;
            if (n == 0 || !args[0][0]) return bad(cfg, "process.args is empty");
            sp->argv = args;
            have_args = 1;
        } else if (strcmp(key, "rlimits") == 0) {
            ctr_rlimit *r;
            size_t n;
            if (read_rlimits(cfg, val, "process", &r, &n)) return -1;
            sp->rlimits = r;
            sp->nrlimits = n;
        } else if (strcmp(key, "capabilities") == 0) {
            caps = val;
        } else if (strcmp(key, "noNewPrivileges") == 0) {
            if (get_bool(cfg, val, "process", key, &nnp)) return -1;
        } else if (strcmp(key, "oomScoreAdj") == 0) {
            int64_t v;
            if (get_i64(cfg, val, "process", key, &v)) return -1;
            if (v < -1000 || v > 1000)
                return bad(cfg, "process.oomScoreAdj is outside -1000..1000");
            sp->set_oom_score_adj = 1;
            sp->oom_score_adj = (int)v;
        } else if (strcmp(key, "user") == 0) {
            if (read_user(cfg, val, "process", &sp->uid, &sp->gid, &groups, &sp->ngroups,
                          &sp->set_umask, &sp->umask))
                return -1;
            sp->groups = groups;
        } else if (strcmp(key, "apparmorProfile") == 0 || strcmp(key, "selinuxLabel") == 0) {
            if (get_str(cfg, val, "process", key, &s)) return -1;
            if (s[0] && key[0] == 's' && selinux_label(cfg, "process.selinuxLabel")) return -1;
            if (s[0] && key[0] == 'a' && strcmp(s, "unconfined") != 0)
                return bad(cfg,
                           "process.apparmorProfile \"%s\": ocirun applies no AppArmor "
                           "profile",
                           s);
        } else {
            /* commandLine (Windows), ioPriority, scheduler, execCPUAffinity, ... */
            {
                if (unsupported(cfg, "process", key)) return -1;
                continue;
            }
        }
    }
    if (!have_args) return bad(cfg, "process.args is missing");
    if (!have_cwd) return bad(cfg, "process.cwd is missing");
    sp->allow_new_privs = !nnp;
    if (caps) {
        if (map_caps(cfg, caps)) return -1;
    } else {
        sp->set_caps = 1; /* no capabilities object: none */
    }
    return 0;
}

/* A propagation option ("rshared") into CTR_MOUNT_* flags: 1 if it is one. */
static int propagation(const char *op, unsigned *flags) {
    static const struct {
        const char *name;
        unsigned flag;
    } kinds[] = {{"shared", CTR_MOUNT_SHARED},
                 {"slave", CTR_MOUNT_SLAVE},
                 {"private", CTR_MOUNT_PRIVATE},
                 {"unbindable", CTR_MOUNT_UNBINDABLE}};
    size_t i;
    int rec = op[0] == 'r';
    for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(op + rec, kinds[i].name) == 0) {
            *flags &= ~(CTR_MOUNT_SHARED | CTR_MOUNT_SLAVE | CTR_MOUNT_PRIVATE |
                        CTR_MOUNT_UNBINDABLE | CTR_MOUNT_RPROPAGATION);
            *flags |= kinds[i].flag | (rec ? CTR_MOUNT_RPROPAGATION : 0);
            return 1;
        }
    return 0;
}

/* ---- mounts ---- */

static int read_mount(oci_config *cfg, json_object *o, size_t idx, ctr_mount *m,
                      const oci_context *ctx, const char *dev_size_mode[2]) {
    char w[48];
    const char *type = "", *src = NULL, *dst = NULL;
    const char **opts = NULL;
    size_t nopts = 0, i;
    int bind = 0, rbind = 0, ro = 0;
    char devpts[256] = "";
    snprintf(w, sizeof(w), "mounts[%zu]", idx);
    if (want(cfg, o, json_type_object, "", w)) return -1;
    json_object_object_foreach(o, key, val) {
        if (strcmp(key, "destination") == 0) {
            if (get_str(cfg, val, w, key, &dst)) return -1;
        } else if (strcmp(key, "type") == 0) {
            if (get_str(cfg, val, w, key, &type)) return -1;
        } else if (strcmp(key, "source") == 0) {
            if (get_str(cfg, val, w, key, &src)) return -1;
        } else if (strcmp(key, "options") == 0) {
            if (get_strv(cfg, val, w, key, &opts, &nopts)) return -1;
        } else {
            {
                if (unsupported(cfg, w, key)) return -1;
                continue;
            } /* uidMappings/gidMappings (idmapped mounts) */
        }
    }
    if (!dst || !dst[0]) return bad(cfg, "%s.destination is missing", w);
    if (dst[0] != '/') { /* runtime-spec 1.0 allowed relative destinations */
        char *abs = oci_alloc(cfg, strlen(dst) + 2);
        if (!abs) return nomem(cfg);
        abs[0] = '/';
        strcpy(abs + 1, dst);
        dst = abs;
    }
    m->target = dst;
    for (i = 0; i < nopts; i++) {
        if (strcmp(opts[i], "bind") == 0) bind = 1;
        if (strcmp(opts[i], "rbind") == 0) bind = rbind = 1;
    }
    if (strcmp(type, "bind") == 0) bind = 1;
    if (bind) {
        if (!src || !src[0]) return bad(cfg, "%s.source is missing for a bind mount", w);
        m->type = CTR_MOUNT_BIND;
        m->source = src[0] == '/' ? src : path_join(cfg, w, "source", ctx->bundle, src);
        if (!m->source) return nomem(cfg);
        if (!rbind) m->flags |= CTR_MOUNT_NONRECURSIVE;
    } else if (strcmp(type, "tmpfs") == 0) {
        m->type = strcmp(dst, "/dev") == 0 ? CTR_MOUNT_DEV : CTR_MOUNT_TMPFS;
    } else if (strcmp(type, "proc") == 0) {
        m->type = CTR_MOUNT_PROC;
    } else if (strcmp(type, "sysfs") == 0) {
        m->type = CTR_MOUNT_SYSFS;
    } else if (strcmp(type, "devpts") == 0) {
        m->type = CTR_MOUNT_DEVPTS;
    } else if (strcmp(type, "mqueue") == 0) {
        m->type = CTR_MOUNT_MQUEUE;
    } else if (strcmp(type, "cgroup") == 0 || strcmp(type, "cgroup2") == 0) {
        m->type = CTR_MOUNT_CGROUP;
    } else {
        return bad(cfg,
                   "%s.type \"%s\" is not supported by ocirun (bind, tmpfs, proc, sysfs, "
                   "devpts, mqueue, cgroup)",
                   w, type);
    }
    if (!bind && src && src[0]) m->source = src; /* the name /proc/self/mountinfo shows */
    for (i = 0; i < nopts; i++) {
        const char *op = opts[i];
        if (strcmp(op, "bind") == 0 || strcmp(op, "rbind") == 0) continue;
        if (strcmp(op, "ro") == 0) {
            ro = 1;
        } else if (strcmp(op, "rw") == 0) {
            ro = 0;
        } else if (strcmp(op, "nosuid") == 0 || strcmp(op, "nodev") == 0 ||
                   strcmp(op, "relatime") == 0 || strcmp(op, "exec") == 0) {
            /* what every mount of the library is: nosuid, nodev (but the device binds and
               devpts), relatime */
        } else if (propagation(op, &m->flags)) {
            /* shared, slave, private, unbindable and their recursive forms */
        } else if (strcmp(op, "noexec") == 0) {
            m->flags |= CTR_MOUNT_NOEXEC;
        } else if (strcmp(op, "noatime") == 0) {
            m->flags |= CTR_MOUNT_NOATIME;
        } else if (strcmp(op, "strictatime") == 0) {
            m->flags |= CTR_MOUNT_STRICTATIME;
        } else if (strcmp(op, "nodiratime") == 0) {
            m->flags |= CTR_MOUNT_NODIRATIME;
        } else if (m->type == CTR_MOUNT_BIND && strchr(op, '=')) {
            /* a filesystem's data option (mode=, size=...): mount(2) ignores them for a bind,
               as runc and crun pass them; said, not silently */
            size_t n = strlen(cfg->warnings);
            if (n + strlen(w) + strlen(op) + 64 < sizeof(cfg->warnings))
                snprintf(cfg->warnings + n, sizeof(cfg->warnings) - n,
                         "%s%s.options: \"%s\" does nothing to a bind mount: ignored",
                         n ? "; " : "", w, op);
        } else if ((m->type == CTR_MOUNT_TMPFS || m->type == CTR_MOUNT_DEV) &&
                   strncmp(op, "size=", 5) == 0) {
            char *end;
            unsigned long long v = strtoull(op + 5, &end, 10);
            if (end == op + 5) return bad(cfg, "%s.options: bad \"%s\"", w, op);
            if (*end == 'k' || *end == 'K')
                v <<= 10, end++;
            else if (*end == 'm' || *end == 'M')
                v <<= 20, end++;
            else if (*end == 'g' || *end == 'G')
                v <<= 30, end++;
            if (*end) return bad(cfg, "%s.options: bad \"%s\"", w, op);
            m->size = v;
            if (m->type == CTR_MOUNT_DEV) dev_size_mode[0] = op;
        } else if ((m->type == CTR_MOUNT_TMPFS || m->type == CTR_MOUNT_DEV) &&
                   strncmp(op, "mode=", 5) == 0) {
            char *end;
            unsigned long v = strtoul(op + 5, &end, 8);
            if (end == op + 5 || *end || v > 07777)
                return bad(cfg, "%s.options: bad \"%s\"", w, op);
            m->mode = (unsigned)v;
            if (m->type == CTR_MOUNT_DEV) dev_size_mode[1] = op;
        } else if (m->type == CTR_MOUNT_DEVPTS &&
                   (strcmp(op, "newinstance") == 0 || strncmp(op, "gid=", 4) == 0 ||
                    strncmp(op, "uid=", 4) == 0 || strncmp(op, "mode=", 5) == 0 ||
                    strncmp(op, "ptmxmode=", 9) == 0 || strncmp(op, "max=", 4) == 0)) {
            if (strlen(devpts) + strlen(op) + 2 >= sizeof(devpts))
                return bad(cfg, "%s.options are too long", w);
            if (devpts[0]) strcat(devpts, ",");
            strcat(devpts, op);
        } else {
            /* suid, dev (the library keeps every mount nosuid and nodev), shared, slave and
               their recursive forms, unbindable, tmpcopyup, idmap, SELinux's z/Z, ... */
            return bad(cfg, "%s.options: \"%s\" is not supported by ocirun", w, op);
        }
    }
    if (m->type == CTR_MOUNT_BIND) {
        if (!ro) m->flags |= CTR_MOUNT_RW;
        if (ctx->check_paths) {
            struct stat st;
            if (stat(m->source, &st) != 0)
                return bad(cfg, "%s.source %s: %s", w, m->source, strerror(errno));
        }
    } else if (ro) {
        if (m->type == CTR_MOUNT_DEVPTS)
            return bad(cfg, "%s.options: a read-only devpts is not supported", w);
        m->flags |= CTR_MOUNT_READONLY;
    } else if (m->type == CTR_MOUNT_SYSFS) {
        return bad(cfg, "%s: a writable sysfs is not supported (add \"ro\")", w);
    }
    if (m->type == CTR_MOUNT_DEVPTS) {
        char *d = oci_strdup(cfg, devpts);
        if (!d) return nomem(cfg);
        m->data = d;
        m->data_len = strlen(d);
    }
    return 0;
}

/* ---- linux ---- */

static int read_namespaces(oci_config *cfg, json_object *a, ctr_ns_path **joins, size_t *njoins,
                           int *have_mount, int *have_time) {
    static const struct {
        const char *name;
        unsigned bit;
    } kinds[] = {{"pid", CTR_NS_PID}, {"network", CTR_NS_NET},   {"ipc", CTR_NS_IPC},
                 {"uts", CTR_NS_UTS}, {"cgroup", CTR_NS_CGROUP}, {"user", CTR_NS_USER},
                 {"mount", 0x1000},   {"time", 0x2000}};
    size_t n, i, k;
    unsigned seen = 0;
    if (want(cfg, a, json_type_array, "linux", "namespaces")) return -1;
    n = json_object_array_length(a);
    if (!(*joins = oci_alloc(cfg, (n + 1) * sizeof(ctr_ns_path)))) return nomem(cfg);
    *njoins = 0;
    for (i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(a, i);
        const char *type = NULL, *path = NULL;
        unsigned bit = 0;
        char w[48];
        snprintf(w, sizeof(w), "linux.namespaces[%zu]", i);
        if (want(cfg, e, json_type_object, "linux", "namespaces[]")) return -1;
        json_object_object_foreach(e, key, val) {
            if (strcmp(key, "type") == 0) {
                if (get_str(cfg, val, w, key, &type)) return -1;
            } else if (strcmp(key, "path") == 0) {
                if (get_str(cfg, val, w, key, &path)) return -1;
            } else {
                {
                    if (unsupported(cfg, w, key)) return -1;
                    continue;
                }
            }
        }
        if (!type) return bad(cfg, "%s.type is missing", w);
        for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
            if (strcmp(type, kinds[k].name) == 0) bit = kinds[k].bit;
        if (!bit) return bad(cfg, "%s.type \"%s\" is not a namespace type", w, type);
        if (seen & bit) return bad(cfg, "%s: namespace %s is given twice", w, type);
        seen |= bit;
        if (path && path[0]) {
            if (bit == 0x1000 || bit == 0x2000 || bit == CTR_NS_USER)
                return bad(cfg, "%s.path: joining a %s namespace is not supported by ocirun", w,
                           type);
            (*joins)[*njoins].type = bit;
            (*joins)[(*njoins)++].path = path;
        }
        if (bit == 0x1000) *have_mount = 1;
        if (bit == 0x2000) *have_time = 1;
        if (bit == CTR_NS_CGROUP && !(path && path[0])) cfg->has_cgroupns = 1;
        if (bit == CTR_NS_USER) cfg->user_ns = 1;
    }
    /* Those not listed are the host's: shared. */
    cfg->spec.share = CTR_NS_ALL & ~(seen & CTR_NS_ALL);
    for (k = 0; k < *njoins; k++) cfg->spec.share &= ~(*joins)[k].type;
    cfg->spec.share &= ~CTR_NS_USER;
    if (cfg->user_ns) cfg->spec.new_userns = 1;
    return 0;
}

/* linux.uidMappings or gidMappings into *out (count in *n).  1 when it maps just the caller's
   own id as the process's (the library's single mapping does that, with no helper), 0 for
   ranges, -1 on error. */
static int read_id_mappings(oci_config *cfg, json_object *a, const char *key, uint32_t inside,
                            ctr_idmap **out, size_t *n) {
    size_t i;
    uint32_t own = key[0] == 'u' ? (uint32_t)geteuid() : (uint32_t)getegid();
    if (want(cfg, a, json_type_array, "linux", key)) return -1;
    *n = json_object_array_length(a);
    if (*n == 0) return bad(cfg, "linux.%s is empty: a user namespace needs a mapping", key);
    if (!(*out = oci_alloc(cfg, *n * sizeof(ctr_idmap)))) return nomem(cfg);
    for (i = 0; i < *n; i++) {
        json_object *e = json_object_array_get_idx(a, i);
        char w[48];
        snprintf(w, sizeof(w), "linux.%s[%zu]", key, i);
        if (want(cfg, e, json_type_object, "linux", key)) return -1;
        json_object_object_foreach(e, k2, v2) {
            uint32_t *dst = strcmp(k2, "containerID") == 0 ? &(*out)[i].inside
                            : strcmp(k2, "hostID") == 0    ? &(*out)[i].outside
                            : strcmp(k2, "size") == 0      ? &(*out)[i].count
                                                           : NULL;
            if (!dst) {
                if (unsupported(cfg, w, k2)) return -1;
                continue;
            }
            if (get_u32(cfg, v2, w, k2, dst)) return -1;
        }
    }
    return *n == 1 && (*out)[0].count == 1 && (*out)[0].inside == inside &&
           (*out)[0].outside == own;
}

/* The device cgroup: the container has only the nodes it is given (all other mounts are nodev),
   so a rule set is honoured if it allows read and write of every one of them; anything that
   would deny one of them cannot be enforced and fails. */
typedef struct dev_rule {
    int allow;
    char type;            /* 'a', 'c', 'b' */
    int64_t major, minor; /* -1 = any */
    char access[4];
} dev_rule;

static int read_dev_rules(oci_config *cfg, json_object *a, dev_rule **out, size_t *count) {
    size_t n, i;
    dev_rule *r;
    if (want(cfg, a, json_type_array, "linux.resources", "devices")) return -1;
    n = json_object_array_length(a);
    if (!(r = oci_alloc(cfg, (n + 1) * sizeof(*r)))) return nomem(cfg);
    for (i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(a, i);
        char w[48];
        snprintf(w, sizeof(w), "linux.resources.devices[%zu]", i);
        r[i].type = 'a';
        r[i].major = r[i].minor = -1;
        strcpy(r[i].access, "rwm");
        r[i].allow = -1;
        if (want(cfg, e, json_type_object, "linux.resources", "devices[]")) return -1;
        json_object_object_foreach(e, key, val) {
            const char *s;
            if (strcmp(key, "allow") == 0) {
                if (get_bool(cfg, val, w, key, &r[i].allow)) return -1;
            } else if (strcmp(key, "type") == 0) {
                if (get_str(cfg, val, w, key, &s)) return -1;
                if (strlen(s) != 1 || !strchr("acb", s[0]))
                    return bad(cfg, "%s.type \"%s\" is not a, c or b", w, s);
                r[i].type = s[0];
            } else if (strcmp(key, "major") == 0 || strcmp(key, "minor") == 0) {
                int64_t v;
                if (json_object_get_type(val) == json_type_null) continue;
                if (get_i64(cfg, val, w, key, &v)) return -1;
                if (key[1] == 'a')
                    r[i].major = v;
                else
                    r[i].minor = v;
            } else if (strcmp(key, "access") == 0) {
                if (get_str(cfg, val, w, key, &s)) return -1;
                if (strlen(s) > 3 || strspn(s, "rwm") != strlen(s))
                    return bad(cfg, "%s.access \"%s\" is not made of r, w, m", w, s);
                strcpy(r[i].access, s[0] ? s : "rwm");
            } else {
                {
                    if (unsupported(cfg, w, key)) return -1;
                    continue;
                }
            }
        }
        if (r[i].allow < 0) return bad(cfg, "%s.allow is missing", w);
    }
    *out = r;
    *count = n;
    return 0;
}

/* cgroup files to write beyond the library's own limits (ctr_spec.cgroup_settings) */
typedef struct settings {
    const char **list;
    size_t n, cap;
} settings;

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int
setting(oci_config *cfg, settings *st, const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (st->n + 2 > st->cap) {
        const char **l;
        st->cap = st->cap ? 2 * st->cap : 16;
        if (!(l = oci_alloc(cfg, st->cap * sizeof(char *)))) return nomem(cfg);
        if (st->n) memcpy(l, st->list, st->n * sizeof(char *));
        st->list = l;
    }
    if (!(st->list[st->n] = oci_strdup(cfg, buf))) return nomem(cfg);
    st->list[++st->n] = NULL;
    return 0;
}

/* blockIO.throttle*Device and weightDevice: arrays of {major, minor, rate or weight}. */
static int read_throttle(oci_config *cfg, settings *st, json_object *a, const char *key,
                         const char *v1file, const char *v2key, const oci_context *ctx) {
    size_t n, i;
    char w[96];
    if (want(cfg, a, json_type_array, "linux.resources.blockIO", key)) return -1;
    n = json_object_array_length(a);
    for (i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(a, i);
        int64_t major = -1, minor = -1;
        uint64_t rate = 0;
        int have = 0;
        snprintf(w, sizeof(w), "linux.resources.blockIO.%s[%zu]", key, i);
        if (want(cfg, e, json_type_object, "linux.resources.blockIO", key)) return -1;
        json_object_object_foreach(e, k2, v2) {
            if (strcmp(k2, "major") == 0) {
                if (get_i64(cfg, v2, w, k2, &major)) return -1;
            } else if (strcmp(k2, "minor") == 0) {
                if (get_i64(cfg, v2, w, k2, &minor)) return -1;
            } else if (strcmp(k2, "rate") == 0 || strcmp(k2, "weight") == 0) {
                if (get_u64(cfg, v2, w, k2, &rate)) return -1;
                have = 1;
            } else if (strcmp(k2, "leafWeight") == 0) {
                if (unsupported(cfg, w, k2)) return -1;
            } else {
                if (unsupported(cfg, w, k2)) return -1;
                continue;
            }
        }
        if (major < 0 || minor < 0 || !have)
            return bad(cfg, "%s needs major, minor and a value", w);
        if (ctx->cgroup_v2
                ? setting(cfg, st, "io.%s=%lld:%lld %s=%llu", v2key[0] == 'w' ? "weight" : "max",
                          (long long)major, (long long)minor, v2key[0] == 'w' ? "" : v2key,
                          (unsigned long long)rate)
                : setting(cfg, st, "%s=%lld:%lld %llu", v1file, (long long)major, (long long)minor,
                          (unsigned long long)rate))
            return -1;
    }
    return 0;
}

static int read_resources(oci_config *cfg, json_object *o, dev_rule **rules, size_t *nrules,
                          const oci_context *ctx) {
    ctr_spec *sp = &cfg->spec;
    const char *where = "linux.resources";
    int v2 = ctx->cgroup_v2;
    settings st = {NULL, 0, 0};
    if (want(cfg, o, json_type_object, "linux", "resources")) return -1;
    json_object_object_foreach(o, key, val) {
        if (strcmp(key, "devices") == 0) {
            if (read_dev_rules(cfg, val, rules, nrules)) return -1;
        } else if (strcmp(key, "memory") == 0) {
            int64_t limit = 0, swap = 0;
            int has_swap = 0;
            const char *wm = "linux.resources.memory";
            if (want(cfg, val, json_type_object, where, key)) return -1;
            json_object_object_foreach(val, k2, v2o) {
                int64_t v;
                int b;
                if (strcmp(k2, "limit") == 0) {
                    if (get_i64(cfg, v2o, wm, k2, &limit)) return -1;
                } else if (strcmp(k2, "swap") == 0) {
                    if (get_i64(cfg, v2o, wm, k2, &swap)) return -1;
                    has_swap = 1;
                } else if (strcmp(k2, "reservation") == 0) {
                    if (get_i64(cfg, v2o, wm, k2, &v)) return -1;
                    if (v > 0 &&
                        setting(cfg, &st, "%s=%lld",
                                v2 ? "memory.low" : "memory.soft_limit_in_bytes", (long long)v))
                        return -1;
                } else if (strcmp(k2, "kernel") == 0 || strcmp(k2, "kernelTCP") == 0) {
                    if (get_i64(cfg, v2o, wm, k2, &v)) return -1;
                    if (v == 0 || v == -1) continue;
                    if (v2) {
                        if (unsupported(cfg, wm, k2)) return -1; /* no such limit in cgroup v2 */
                        continue;
                    }
                    if (setting(cfg, &st, "%s=%lld",
                                k2[6] ? "memory.kmem.tcp.limit_in_bytes"
                                      : "memory.kmem.limit_in_bytes",
                                (long long)v))
                        return -1;
                } else if (strcmp(k2, "swappiness") == 0) {
                    uint64_t u;
                    if (get_u64(cfg, v2o, wm, k2, &u)) return -1;
                    if (u > 100) return bad(cfg, "linux.resources.memory.swappiness is above 100");
                    if (v2) {
                        if (unsupported(cfg, wm, k2)) return -1;
                        continue;
                    }
                    if (setting(cfg, &st, "memory.swappiness=%llu", (unsigned long long)u))
                        return -1;
                } else if (strcmp(k2, "disableOOMKiller") == 0) {
                    if (get_bool(cfg, v2o, wm, k2, &b)) return -1;
                    if (!b) continue;
                    if (v2) {
                        if (unsupported(cfg, wm, k2)) return -1;
                        continue;
                    }
                    if (setting(cfg, &st, "memory.oom_control=1")) return -1;
                } else if (strcmp(k2, "useHierarchy") == 0 ||
                           strcmp(k2, "checkBeforeUpdate") == 0) {
                    if (get_bool(cfg, v2o, wm, k2, &b)) return -1;
                    /* useHierarchy true is what every cgroup has now; checkBeforeUpdate is for
                       update, which ocirun does not do */
                    if (b != (k2[0] == 'u') && unsupported(cfg, wm, k2)) return -1;
                } else {
                    if (unsupported(cfg, wm, k2)) return -1;
                    continue;
                }
            }
            if (limit < -1) return bad(cfg, "linux.resources.memory.limit is negative");
            if (limit > 0) sp->memory_max = (uint64_t)limit;
            if (has_swap) { /* memory + swap; -1 unlimited */
                if (swap == -1 || (swap > 0 && limit <= 0)) {
                    if (limit > 0 || swap > 0)
                        return bad(cfg, "linux.resources.memory.swap: unlimited swap (or swap "
                                        "without a memory limit) is not supported");
                } else if (swap > 0) {
                    if (swap < limit)
                        return bad(cfg, "linux.resources.memory.swap must be at least limit "
                                        "(it counts memory and swap)");
                    sp->memory_swap_max = (uint64_t)(swap - limit);
                }
            }
        } else if (strcmp(key, "cpu") == 0) {
            uint64_t shares = 0, period = 0, rt_period = 0;
            int64_t quota = 0, rt_runtime = 0;
            const char *cpus = NULL, *mems = NULL, *wc = "linux.resources.cpu";
            if (want(cfg, val, json_type_object, where, key)) return -1;
            json_object_object_foreach(val, k2, v2o) {
                if (strcmp(k2, "shares") == 0) {
                    if (get_u64(cfg, v2o, wc, k2, &shares)) return -1;
                } else if (strcmp(k2, "quota") == 0) {
                    if (get_i64(cfg, v2o, wc, k2, &quota)) return -1;
                } else if (strcmp(k2, "period") == 0) {
                    if (get_u64(cfg, v2o, wc, k2, &period)) return -1;
                } else if (strcmp(k2, "realtimePeriod") == 0) {
                    if (get_u64(cfg, v2o, wc, k2, &rt_period)) return -1;
                } else if (strcmp(k2, "realtimeRuntime") == 0) {
                    if (get_i64(cfg, v2o, wc, k2, &rt_runtime)) return -1;
                } else if (strcmp(k2, "cpus") == 0) {
                    if (get_str(cfg, v2o, wc, k2, &cpus)) return -1;
                } else if (strcmp(k2, "mems") == 0) {
                    if (get_str(cfg, v2o, wc, k2, &mems)) return -1;
                } else {
                    if (unsupported(cfg, wc, k2)) return -1; /* idle, burst */
                    continue;
                }
            }
            if (shares) {
                /* v1 shares (default 1024) as a weight (default 100) */
                uint64_t wt = (shares * 100 + 512) / 1024;
                sp->cpu_weight = (unsigned)(wt < 1 ? 1 : wt > 10000 ? 10000 : wt);
            }
            if (quota < -1) return bad(cfg, "linux.resources.cpu.quota is negative");
            if (quota > 0 && (period == 0 || period == 100000)) {
                sp->cpus = (double)quota / 100000.0;
            } else if (period || quota > 0) {
                /* another period than the library's 100 ms: the cgroup files themselves */
                if (v2) {
                    char q[32] = "max";
                    if (quota > 0) snprintf(q, sizeof(q), "%lld", (long long)quota);
                    if (setting(cfg, &st, "cpu.max=%s %llu", q,
                                (unsigned long long)(period ? period : 100000)))
                        return -1;
                } else {
                    if (period &&
                        setting(cfg, &st, "cpu.cfs_period_us=%llu", (unsigned long long)period))
                        return -1;
                    if (quota > 0 && setting(cfg, &st, "cpu.cfs_quota_us=%lld", (long long)quota))
                        return -1;
                }
            }
            if (rt_period || rt_runtime) {
                if (v2) {
                    if (unsupported(cfg, wc, rt_period ? "realtimePeriod" : "realtimeRuntime"))
                        return -1;
                } else if ((rt_period && setting(cfg, &st, "cpu.rt_period_us=%llu",
                                                 (unsigned long long)rt_period)) ||
                           (rt_runtime &&
                            setting(cfg, &st, "cpu.rt_runtime_us=%lld", (long long)rt_runtime))) {
                    return -1;
                }
            }
            if ((cpus && cpus[0] && setting(cfg, &st, "cpuset.cpus=%s", cpus)) ||
                (mems && mems[0] && setting(cfg, &st, "cpuset.mems=%s", mems)))
                return -1;
        } else if (strcmp(key, "pids") == 0) {
            if (want(cfg, val, json_type_object, where, key)) return -1;
            json_object_object_foreach(val, k2, v2o) {
                int64_t v;
                if (strcmp(k2, "limit") != 0) {
                    if (unsupported(cfg, "linux.resources.pids", k2)) return -1;
                    continue;
                }
                if (get_i64(cfg, v2o, "linux.resources.pids", k2, &v)) return -1;
                if (v > 0)
                    sp->pids_max = (uint64_t)v;
                else if (v < -1)
                    return bad(cfg, "linux.resources.pids.limit is negative");
            }
        } else if (strcmp(key, "blockIO") == 0) {
            const char *wb = "linux.resources.blockIO";
            if (want(cfg, val, json_type_object, where, key)) return -1;
            json_object_object_foreach(val, k2, v2o) {
                uint32_t wt;
                if (strcmp(k2, "weight") == 0) {
                    if (get_u32(cfg, v2o, wb, k2, &wt)) return -1;
                    if (wt == 0) continue;
                    if (wt < 10 || wt > 1000)
                        return bad(cfg, "linux.resources.blockIO.weight must be 10..1000");
                    /* the library writes v1 weights as given, v2 ones on the 1..10000 scale */
                    sp->io_weight = v2 ? 1 + (wt - 10) * 9999 / 990 : wt;
                } else if (strcmp(k2, "throttleReadBpsDevice") == 0) {
                    if (read_throttle(cfg, &st, v2o, k2, "blkio.throttle.read_bps_device", "rbps",
                                      ctx))
                        return -1;
                } else if (strcmp(k2, "throttleWriteBpsDevice") == 0) {
                    if (read_throttle(cfg, &st, v2o, k2, "blkio.throttle.write_bps_device", "wbps",
                                      ctx))
                        return -1;
                } else if (strcmp(k2, "throttleReadIOPSDevice") == 0) {
                    if (read_throttle(cfg, &st, v2o, k2, "blkio.throttle.read_iops_device", "riops",
                                      ctx))
                        return -1;
                } else if (strcmp(k2, "throttleWriteIOPSDevice") == 0) {
                    if (read_throttle(cfg, &st, v2o, k2, "blkio.throttle.write_iops_device",
                                      "wiops", ctx))
                        return -1;
                } else {
                    if (unsupported(cfg, wb, k2)) return -1; /* leafWeight, weightDevice */
                    continue;
                }
            }
        } else if (strcmp(key, "hugepageLimits") == 0) {
            size_t n, i;
            if (want(cfg, val, json_type_array, where, key)) return -1;
            n = json_object_array_length(val);
            for (i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(val, i);
                const char *size = NULL;
                uint64_t limit = 0;
                int have = 0;
                char w[64];
                snprintf(w, sizeof(w), "linux.resources.hugepageLimits[%zu]", i);
                if (want(cfg, e, json_type_object, where, key)) return -1;
                json_object_object_foreach(e, k2, v2o) {
                    if (strcmp(k2, "pageSize") == 0) {
                        if (get_str(cfg, v2o, w, k2, &size)) return -1;
                    } else if (strcmp(k2, "limit") == 0) {
                        if (get_u64(cfg, v2o, w, k2, &limit)) return -1;
                        have = 1;
                    } else {
                        if (unsupported(cfg, w, k2)) return -1;
                        continue;
                    }
                }
                if (!size || !have || strspn(size, "0123456789KMGB") != strlen(size) || !size[0])
                    return bad(cfg, "%s needs pageSize (2MB, 1GB...) and limit", w);
                if (setting(cfg, &st, "hugetlb.%s.%s=%llu", size, v2 ? "max" : "limit_in_bytes",
                            (unsigned long long)limit))
                    return -1;
            }
        } else if (strcmp(key, "network") == 0) {
            if (want(cfg, val, json_type_object, where, key)) return -1;
            if (v2 && json_object_object_length(val)) {
                if (unsupported(cfg, where, key)) return -1; /* no net_cls/net_prio on v2 */
                continue;
            }
            json_object_object_foreach(val, k2, v2o) {
                if (strcmp(k2, "classID") == 0) {
                    uint32_t id;
                    if (get_u32(cfg, v2o, "linux.resources.network", k2, &id)) return -1;
                    if (setting(cfg, &st, "net_cls.classid=%u", id)) return -1;
                } else if (strcmp(k2, "priorities") == 0) {
                    size_t n, i;
                    if (want(cfg, v2o, json_type_array, "linux.resources.network", k2)) return -1;
                    n = json_object_array_length(v2o);
                    for (i = 0; i < n; i++) {
                        json_object *e = json_object_array_get_idx(v2o, i), *nm, *pr;
                        if (json_object_get_type(e) != json_type_object ||
                            !json_object_object_get_ex(e, "name", &nm) ||
                            !json_object_object_get_ex(e, "priority", &pr) ||
                            json_object_get_type(nm) != json_type_string ||
                            json_object_get_type(pr) != json_type_int ||
                            strpbrk(json_object_get_string(nm), " \n/"))
                            return bad(cfg,
                                       "linux.resources.network.priorities[%zu] needs name "
                                       "and priority",
                                       i);
                        if (setting(cfg, &st, "net_prio.ifpriomap=%s %lld",
                                    json_object_get_string(nm),
                                    (long long)json_object_get_int64(pr)))
                            return -1;
                    }
                } else {
                    if (unsupported(cfg, "linux.resources.network", k2)) return -1;
                    continue;
                }
            }
        } else if (strcmp(key, "unified") == 0) {
            if (want(cfg, val, json_type_object, where, key)) return -1;
            if (!v2 && json_object_object_length(val)) {
                if (unsupported(cfg, where, key)) return -1; /* cgroup v2 files on a v1 host */
                continue;
            }
            json_object_object_foreach(val, k2, v2o) {
                const char *v;
                if (get_str(cfg, v2o, "linux.resources.unified", k2, &v)) return -1;
                if (setting(cfg, &st, "%s=%s", k2, v)) return -1;
            }
        } else if (strcmp(key, "rdma") == 0) {
            if ((json_object_get_type(val) == json_type_object &&
                 json_object_object_length(val) == 0))
                continue;
            if (unsupported(cfg, where, key)) return -1;
        } else {
            if (unsupported(cfg, where, key)) return -1;
            continue;
        }
    }
    if (*rules && !v2) {
        /* cgroup v1: the rules in the devices controller (as runc), then the nodes the
           container always has and those of linux.devices, allowed whatever the rules say */
        static const char *const always[] = {"c 1:3 rwm",   "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm",
                                             "c 1:9 rwm",   "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm",
                                             "c 136:* rwm", NULL};
        size_t i;
        for (i = 0; i < *nrules; i++) {
            const dev_rule *r = &(*rules)[i];
            char maj[24] = "*", min[24] = "*";
            if (r->major >= 0) snprintf(maj, sizeof(maj), "%lld", (long long)r->major);
            if (r->minor >= 0) snprintf(min, sizeof(min), "%lld", (long long)r->minor);
            if (r->type == 'a' ? setting(cfg, &st, "devices.%s=a", r->allow ? "allow" : "deny")
                               : setting(cfg, &st, "devices.%s=%c %s:%s %s",
                                         r->allow ? "allow" : "deny", r->type, maj, min, r->access))
                return -1;
        }
        for (i = 0; always[i]; i++)
            if (setting(cfg, &st, "devices.allow=%s", always[i])) return -1;
        for (i = 0; i < sp->ndevices; i++)
            if (sp->devices[i].type != 'p' &&
                setting(cfg, &st, "devices.allow=%c %u:%u rwm", sp->devices[i].type,
                        sp->devices[i].major, sp->devices[i].minor))
                return -1;
    }
    sp->cgroup_settings = st.list;
    return 0;
}

/* ---- seccomp ---- */

static int scmp_action(oci_config *cfg, const char *a, int64_t errno_ret, int has_errno,
                       const char *where, uint32_t *out) {
    if (strcmp(a, "SCMP_ACT_KILL") == 0 || strcmp(a, "SCMP_ACT_KILL_THREAD") == 0)
        *out = SCMP_ACT_KILL_THREAD;
    else if (strcmp(a, "SCMP_ACT_KILL_PROCESS") == 0)
        *out = SCMP_ACT_KILL_PROCESS;
    else if (strcmp(a, "SCMP_ACT_TRAP") == 0)
        *out = SCMP_ACT_TRAP;
    else if (strcmp(a, "SCMP_ACT_ERRNO") == 0)
        *out = SCMP_ACT_ERRNO((uint16_t)(has_errno ? errno_ret : EPERM));
    else if (strcmp(a, "SCMP_ACT_TRACE") == 0)
        *out = SCMP_ACT_TRACE((uint16_t)(has_errno ? errno_ret : EPERM));
    else if (strcmp(a, "SCMP_ACT_ALLOW") == 0)
        *out = SCMP_ACT_ALLOW;
    else if (strcmp(a, "SCMP_ACT_LOG") == 0)
        *out = SCMP_ACT_LOG;
    else if (strcmp(a, "SCMP_ACT_NOTIFY") == 0)
        return bad(cfg,
                   "%s: SCMP_ACT_NOTIFY (seccomp user notification) is not supported by "
                   "ocirun",
                   where);
    else
        return bad(cfg, "%s: unknown action \"%s\"", where, a);
    if (has_errno && (errno_ret < 0 || errno_ret > 4095))
        return bad(cfg, "%s.errnoRet is outside 0..4095", where);
    return 0;
}

static int scmp_op(const char *s, enum scmp_compare *op) {
    static const struct {
        const char *name;
        enum scmp_compare op;
    } ops[] = {{"SCMP_CMP_NE", SCMP_CMP_NE},
               {"SCMP_CMP_LT", SCMP_CMP_LT},
               {"SCMP_CMP_LE", SCMP_CMP_LE},
               {"SCMP_CMP_EQ", SCMP_CMP_EQ},
               {"SCMP_CMP_GE", SCMP_CMP_GE},
               {"SCMP_CMP_GT", SCMP_CMP_GT},
               {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ}};
    size_t i;
    for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        if (strcmp(s, ops[i].name) == 0) {
            *op = ops[i].op;
            return 0;
        }
    return -1;
}

static uint32_t scmp_arch(const char *s) {
    static const struct {
        const char *name;
        uint32_t arch;
    } archs[] = {{"SCMP_ARCH_X86", SCMP_ARCH_X86},
                 {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
                 {"SCMP_ARCH_X32", SCMP_ARCH_X32},
                 {"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
                 {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
                 {"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
                 {"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
                 {"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
                 {"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
                 {"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
                 {"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
                 {"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
                 {"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
                 {"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
                 {"SCMP_ARCH_S390", SCMP_ARCH_S390},
                 {"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
                 {"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64}};
    size_t i;
    for (i = 0; i < sizeof(archs) / sizeof(archs[0]); i++)
        if (strcmp(s, archs[i].name) == 0) return archs[i].arch;
    return 0;
}

/* One syscalls[] entry into the filter. */
static int scmp_rule(oci_config *cfg, scmp_filter_ctx ctx, json_object *e, size_t idx,
                     uint32_t def) {
    char w[64];
    const char **names = NULL, *action = NULL;
    size_t nnames = 0, i, nargs = 0;
    int64_t errno_ret = 0;
    int has_errno = 0;
    struct scmp_arg_cmp args[6];
    uint32_t act;
    snprintf(w, sizeof(w), "linux.seccomp.syscalls[%zu]", idx);
    if (want(cfg, e, json_type_object, "linux.seccomp", "syscalls[]")) return -1;
    json_object_object_foreach(e, key, val) {
        if (strcmp(key, "names") == 0) {
            if (get_strv(cfg, val, w, key, &names, &nnames)) return -1;
        } else if (strcmp(key, "action") == 0) {
            if (get_str(cfg, val, w, key, &action)) return -1;
        } else if (strcmp(key, "errnoRet") == 0) {
            if (get_i64(cfg, val, w, key, &errno_ret)) return -1;
            has_errno = 1;
        } else if (strcmp(key, "args") == 0) {
            size_t n, k;
            if (want(cfg, val, json_type_array, w, key)) return -1;
            n = json_object_array_length(val);
            if (n > 6) return bad(cfg, "%s.args: at most 6", w);
            for (k = 0; k < n; k++) {
                json_object *a = json_object_array_get_idx(val, k);
                char w2[96];
                uint64_t index = 0, value = 0, value2 = 0;
                int have_index = 0, have_op = 0;
                enum scmp_compare op = SCMP_CMP_EQ;
                snprintf(w2, sizeof(w2), "%s.args[%zu]", w, k);
                if (want(cfg, a, json_type_object, w, "args[]")) return -1;
                json_object_object_foreach(a, k3, v3) {
                    if (strcmp(k3, "index") == 0) {
                        if (get_u64(cfg, v3, w2, k3, &index)) return -1;
                        have_index = 1;
                    } else if (strcmp(k3, "value") == 0) {
                        if (get_u64(cfg, v3, w2, k3, &value)) return -1;
                    } else if (strcmp(k3, "valueTwo") == 0) {
                        if (get_u64(cfg, v3, w2, k3, &value2)) return -1;
                    } else if (strcmp(k3, "op") == 0) {
                        const char *s;
                        if (get_str(cfg, v3, w2, k3, &s)) return -1;
                        if (scmp_op(s, &op)) return bad(cfg, "%s.op: unknown \"%s\"", w2, s);
                        have_op = 1;
                    } else {
                        {
                            if (unsupported(cfg, w2, k3)) return -1;
                            continue;
                        }
                    }
                }
                if (!have_index || !have_op || index > 5)
                    return bad(cfg, "%s needs index (0..5) and op", w2);
                args[nargs].arg = (unsigned)index;
                args[nargs].op = op;
                args[nargs].datum_a = value;
                args[nargs].datum_b = value2;
                nargs++;
            }
        } else if (strcmp(key, "comment") == 0 || strcmp(key, "includes") == 0 ||
                   strcmp(key, "excludes") == 0) {
            /* Docker profile fields some engines leave in; they carry no rule */
            if (strcmp(key, "comment") != 0 && json_object_get_type(val) == json_type_object &&
                json_object_object_length(val) != 0) {
                if (unsupported(cfg, w, key)) return -1;
                continue;
            }
        } else {
            {
                if (unsupported(cfg, w, key)) return -1;
                continue;
            }
        }
    }
    if (!action) return bad(cfg, "%s.action is missing", w);
    if (scmp_action(cfg, action, errno_ret, has_errno, w, &act)) return -1;
    if (act == def) return 0; /* libseccomp refuses a rule that does what the default does */
    for (i = 0; i < nnames; i++) {
        int nr = seccomp_syscall_resolve_name(names[i]), r;
        if (nr == __NR_SCMP_ERROR) continue; /* unknown to this libseccomp: as runc and crun */
        r = seccomp_rule_add_array(ctx, act, nr, (unsigned)nargs, nargs ? args : NULL);
        if (r == -EINVAL && nargs > 1) {
            /* libseccomp cannot AND two conditions on one argument: one rule per condition
               (runc does the same) */
            size_t k;
            for (k = 0; k < nargs && r != 0; k++)
                r = seccomp_rule_add_array(ctx, act, nr, 1, &args[k]);
        }
        if (r != 0) return bad(cfg, "%s: syscall %s: %s", w, names[i], strerror(-r));
    }
    return 0;
}

static int read_seccomp(oci_config *cfg, json_object *o) {
    const char *def_action = NULL;
    int64_t def_errno = 0;
    int has_def_errno = 0, r;
    json_object *syscalls = NULL, *archs = NULL;
    uint32_t def;
    scmp_filter_ctx ctx;
    size_t i, n;
    int fd;
    struct stat st;
    void *bpf;
    if (want(cfg, o, json_type_object, "linux", "seccomp")) return -1;
    json_object_object_foreach(o, key, val) {
        if (strcmp(key, "defaultAction") == 0) {
            if (get_str(cfg, val, "linux.seccomp", key, &def_action)) return -1;
        } else if (strcmp(key, "defaultErrnoRet") == 0) {
            if (get_i64(cfg, val, "linux.seccomp", key, &def_errno)) return -1;
            has_def_errno = 1;
        } else if (strcmp(key, "architectures") == 0) {
            archs = val;
        } else if (strcmp(key, "syscalls") == 0) {
            syscalls = val;
        } else if (strcmp(key, "flags") == 0) {
            if (want(cfg, val, json_type_array, "linux.seccomp", key)) return -1;
            if (json_object_array_length(val) != 0)
                return bad(cfg, "linux.seccomp.flags: seccomp filter flags are not supported by "
                                "ocirun");
        } else {
            /* listenerPath, listenerMetadata: seccomp user notification */
            {
                if (unsupported(cfg, "linux.seccomp", key)) return -1;
                continue;
            }
        }
    }
    if (!def_action) return bad(cfg, "linux.seccomp.defaultAction is missing");
    if (scmp_action(cfg, def_action, def_errno, has_def_errno, "linux.seccomp.defaultAction", &def))
        return -1;
    if (!(ctx = seccomp_init(def))) return nomem(cfg);
    r = 0;
    if (archs) {
        if (want(cfg, archs, json_type_array, "linux.seccomp", "architectures")) goto fail;
        n = json_object_array_length(archs);
        for (i = 0; i < n && r == 0; i++) {
            json_object *a = json_object_array_get_idx(archs, i);
            uint32_t arch;
            if (json_object_get_type(a) != json_type_string) {
                bad(cfg, "linux.seccomp.architectures[%zu] must be a string", i);
                goto fail;
            }
            if (!(arch = scmp_arch(json_object_get_string(a)))) {
                bad(cfg, "linux.seccomp.architectures: unknown \"%s\"", json_object_get_string(a));
                goto fail;
            }
            r = seccomp_arch_add(ctx, arch);
            if (r == -EEXIST) r = 0;
            if (r == -EINVAL) r = 0; /* an architecture this libseccomp cannot filter */
        }
    }
    if (syscalls) {
        if (want(cfg, syscalls, json_type_array, "linux.seccomp", "syscalls")) goto fail;
        n = json_object_array_length(syscalls);
        for (i = 0; i < n; i++)
            if (scmp_rule(cfg, ctx, json_object_array_get_idx(syscalls, i), i, def)) goto fail;
    }
    if (r != 0) {
        bad(cfg, "linux.seccomp: %s", strerror(-r));
        goto fail;
    }
    fd = memfd_create("ocirun-seccomp", MFD_CLOEXEC);
    if (fd < 0 || (r = seccomp_export_bpf(ctx, fd)) != 0 || fstat(fd, &st) != 0 ||
        st.st_size <= 0 || st.st_size % 8 != 0) {
        bad(cfg, "linux.seccomp: could not build the filter (%s)",
            r ? strerror(-r) : strerror(errno));
        if (fd >= 0) close(fd);
        goto fail;
    }
    if (st.st_size / 8 > 4096) {
        close(fd);
        bad(cfg, "linux.seccomp: the filter has %lld instructions, more than the kernel's 4096",
            (long long)(st.st_size / 8));
        goto fail;
    }
    if (!(bpf = oci_alloc(cfg, (size_t)st.st_size)) ||
        pread(fd, bpf, (size_t)st.st_size, 0) != st.st_size) {
        close(fd);
        nomem(cfg);
        goto fail;
    }
    close(fd);
    seccomp_release(ctx);
    cfg->spec.seccomp = CTR_SECCOMP_BPF;
    cfg->spec.seccomp_bpf = bpf;
    cfg->spec.seccomp_bpf_len = (size_t)st.st_size / 8;
    return 0;
fail:
    seccomp_release(ctx);
    return -1;
}

static int read_devices(oci_config *cfg, json_object *a) {
    size_t n, i;
    ctr_device *d;
    if (want(cfg, a, json_type_array, "linux", "devices")) return -1;
    n = json_object_array_length(a);
    if (!(d = oci_alloc(cfg, (n + 1) * sizeof(*d)))) return nomem(cfg);
    for (i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(a, i);
        char w[48];
        int has_type = 0;
        snprintf(w, sizeof(w), "linux.devices[%zu]", i);
        if (want(cfg, e, json_type_object, "linux", "devices[]")) return -1;
        d[i].mode = 0666;
        json_object_object_foreach(e, key, val) {
            uint32_t v;
            const char *s;
            if (strcmp(key, "path") == 0) {
                if (get_str(cfg, val, w, key, &d[i].path)) return -1;
            } else if (strcmp(key, "type") == 0) {
                if (get_str(cfg, val, w, key, &s)) return -1;
                if (strcmp(s, "u") == 0) s = "c";
                if (strlen(s) != 1 || !strchr("cbp", s[0]))
                    return bad(cfg, "%s.type \"%s\" is not c, b, u or p", w, s);
                d[i].type = s[0];
                has_type = 1;
            } else if (strcmp(key, "major") == 0 || strcmp(key, "minor") == 0) {
                if (get_u32(cfg, val, w, key, &v)) return -1;
                if (key[1] == 'a')
                    d[i].major = v;
                else
                    d[i].minor = v;
            } else if (strcmp(key, "fileMode") == 0) {
                if (get_u32(cfg, val, w, key, &v)) return -1;
                if (v > 07777) return bad(cfg, "%s.fileMode is above 07777", w);
                d[i].mode = v;
            } else if (strcmp(key, "uid") == 0) {
                if (get_u32(cfg, val, w, key, &v)) return -1;
                d[i].uid = v;
            } else if (strcmp(key, "gid") == 0) {
                if (get_u32(cfg, val, w, key, &v)) return -1;
                d[i].gid = v;
            } else {
                {
                    if (unsupported(cfg, w, key)) return -1;
                    continue;
                }
            }
        }
        if (!d[i].path || !has_type) return bad(cfg, "%s needs path and type", w);
        if (d[i].path[0] != '/') return bad(cfg, "%s.path must be absolute", w);
    }
    cfg->spec.devices = d;
    cfg->spec.ndevices = n;
    return 0;
}

/* systemd's "slice:prefix:name" as the cgroupfs path systemd would give it:
   "a-b.slice:docker:ID" -> "/a.slice/a-b.slice/docker-ID.scope". */
static const char *systemd_path(oci_config *cfg, const char *s) {
    char slice[256], prefix[128], name[256], out[1024];
    const char *c1 = strchr(s, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    size_t o = 0, i;
    if (!c1 || !c2 || strchr(c2 + 1, ':') || (size_t)(c1 - s) >= sizeof(slice) ||
        (size_t)(c2 - c1 - 1) >= sizeof(prefix) || strlen(c2 + 1) >= sizeof(name) || !c2[1])
        return NULL;
    memcpy(slice, s, (size_t)(c1 - s));
    slice[c1 - s] = '\0';
    memcpy(prefix, c1 + 1, (size_t)(c2 - c1 - 1));
    prefix[c2 - c1 - 1] = '\0';
    strcpy(name, c2 + 1);
    if (!slice[0]) strcpy(slice, "system.slice");
    if (strcmp(slice, "-.slice") != 0) {
        size_t len = strlen(slice);
        if (len < 7 || strcmp(slice + len - 6, ".slice") != 0 || strchr(slice, '/')) return NULL;
        for (i = 0; i < len - 6; i++)
            if (slice[i] == '-' || i == len - 7) {
                size_t upto = slice[i] == '-' ? i : len - 6;
                o += (size_t)snprintf(out + o, sizeof(out) - o, "/%.*s.slice", (int)upto, slice);
                if (o >= sizeof(out)) return NULL;
            }
    }
    if (strstr(name, ".slice") && !prefix[0])
        o += (size_t)snprintf(out + o, sizeof(out) - o, "/%s", name);
    else if (prefix[0])
        o += (size_t)snprintf(out + o, sizeof(out) - o, "/%s-%s.scope", prefix, name);
    else
        o += (size_t)snprintf(out + o, sizeof(out) - o, "/%s.scope", name);
    if (o >= sizeof(out)) return NULL;
    return oci_strdup(cfg, out);
}

static int read_linux(oci_config *cfg, json_object *o, const oci_context *ctx) {
    ctr_spec *sp = &cfg->spec;
    json_object *ns = NULL, *resources = NULL, *seccomp = NULL, *uidm = NULL, *gidm = NULL,
                *mounts_later = NULL;
    ctr_ns_path *joins = NULL;
    size_t njoins = 0, nrules = 0;
    dev_rule *rules = NULL;
    int have_mount = 0, have_time = 0;
    const char **sysctls = NULL;
    size_t nsysctls = 0;
    (void)mounts_later;
    if (want(cfg, o, json_type_object, "", "linux")) return -1;
    /* namespaces first: the rest depends on them */
    json_object_object_foreach(o, k0, v0) {
        if (strcmp(k0, "namespaces") == 0) ns = v0;
    }
    if (ns && read_namespaces(cfg, ns, &joins, &njoins, &have_mount, &have_time)) return -1;
    if (!ns) sp->share = CTR_NS_ALL & ~CTR_NS_USER;
    if (!have_mount)
        return bad(cfg, "linux.namespaces: ocirun always gives the container a mount namespace "
                        "of its own: list \"mount\"");
    sp->ns_paths = joins;
    sp->nns_paths = njoins;
    if (have_time) sp->time_ns = 1;
    json_object_object_foreach(o, key, val) {
        if (strcmp(key, "namespaces") == 0) {
            continue;
        } else if (strcmp(key, "uidMappings") == 0) {
            uidm = val;
        } else if (strcmp(key, "gidMappings") == 0) {
            gidm = val;
        } else if (strcmp(key, "timeOffsets") == 0) {
            if (want(cfg, val, json_type_object, "linux", key)) return -1;
            if (!have_time) return bad(cfg, "linux.timeOffsets needs a time namespace");
            json_object_object_foreach(val, k2, v2) {
                int64_t *dst = strcmp(k2, "monotonic") == 0  ? &sp->monotonic_offset_sec
                               : strcmp(k2, "boottime") == 0 ? &sp->boottime_offset_sec
                                                             : NULL;
                if (!dst) {
                    if (unsupported(cfg, "linux.timeOffsets", k2)) return -1;
                    continue;
                }
                if (want(cfg, v2, json_type_object, "linux.timeOffsets", k2)) return -1;
                json_object_object_foreach(v2, k3, v3) {
                    int64_t x;
                    if (strcmp(k3, "secs") == 0) {
                        if (get_i64(cfg, v3, "linux.timeOffsets", k3, dst)) return -1;
                    } else if (strcmp(k3, "nanosecs") == 0) {
                        if (get_i64(cfg, v3, "linux.timeOffsets", k3, &x)) return -1;
                        if (x != 0)
                            return bad(cfg,
                                       "linux.timeOffsets.%s.nanosecs: only whole seconds "
                                       "are supported",
                                       k2);
                    } else {
                        {
                            if (unsupported(cfg, "linux.timeOffsets", k3)) return -1;
                            continue;
                        }
                    }
                }
            }
        } else if (strcmp(key, "devices") == 0) {
            if (read_devices(cfg, val)) return -1;
        } else if (strcmp(key, "cgroupsPath") == 0) {
            const char *p;
            if (get_str(cfg, val, "linux", key, &p)) return -1;
            if (p[0] && ctx->systemd_cgroup) {
                if (!(cfg->cgroup_path = systemd_path(cfg, p)))
                    return bad(cfg,
                               "linux.cgroupsPath \"%s\" is not slice:prefix:name "
                               "(--systemd-cgroup)",
                               p);
            } else if (p[0]) {
                if (strstr(p, "/../") || strncmp(p, "../", 3) == 0)
                    return bad(cfg, "linux.cgroupsPath \"%s\" must not hold \"..\"", p);
                cfg->cgroup_path = p;
            }
        } else if (strcmp(key, "rootfsPropagation") == 0) {
            const char *p;
            if (get_str(cfg, val, "linux", key, &p)) return -1;
            if (p[0]) {
                unsigned f = 0;
                if (!propagation(p, &f))
                    return bad(cfg, "linux.rootfsPropagation \"%s\" is not a propagation", p);
                sp->rootfs_propagation = f | CTR_MOUNT_RPROPAGATION; /* as runc: recursive */
            }
        } else if (strcmp(key, "maskedPaths") == 0) {
            const char **l;
            if (get_strv(cfg, val, "linux", key, &l, NULL)) return -1;
            sp->masked_paths = l;
        } else if (strcmp(key, "readonlyPaths") == 0) {
            const char **l;
            if (get_strv(cfg, val, "linux", key, &l, NULL)) return -1;
            sp->readonly_paths = l;
        } else if (strcmp(key, "mountLabel") == 0) {
            const char *p;
            if (get_str(cfg, val, "linux", key, &p)) return -1;
            if (p[0] && selinux_label(cfg, "linux.mountLabel")) return -1;
        } else if (strcmp(key, "sysctl") == 0) {
            size_t k = 0;
            if (want(cfg, val, json_type_object, "linux", key)) return -1;
            nsysctls = (size_t)json_object_object_length(val);
            if (!(sysctls = oci_alloc(cfg, (nsysctls + 1) * sizeof(char *)))) return nomem(cfg);
            json_object_object_foreach(val, k2, v2) {
                const char *v;
                char *kv;
                if (get_str(cfg, v2, "linux.sysctl", k2, &v)) return -1;
                if (!(kv = oci_alloc(cfg, strlen(k2) + strlen(v) + 2))) return nomem(cfg);
                sprintf(kv, "%s=%s", k2, v);
                sysctls[k++] = kv;
            }
            sysctls[k] = NULL;
        } else if (strcmp(key, "resources") == 0) {
            resources = val;
        } else if (strcmp(key, "seccomp") == 0) {
            seccomp = val;
        } else {
            /* intelRdt, personality, memoryPolicy, netDevices, ... */
            {
                if (unsupported(cfg, "linux", key)) return -1;
                continue;
            }
        }
    }
    if (cfg->user_ns) {
        if (!uidm || !gidm)
            return bad(cfg, "linux.uidMappings and gidMappings are needed with a user namespace");
        ctr_idmap *um, *gm;
        size_t nu, ng;
        int own_u = read_id_mappings(cfg, uidm, "uidMappings", sp->uid, &um, &nu), own_g;
        if (own_u < 0 || (own_g = read_id_mappings(cfg, gidm, "gidMappings", sp->gid, &gm, &ng)) < 0)
            return -1;
        if (own_u && own_g) {
            sp->no_subids = 1; /* the caller's own ids, once: the library's single mapping */
        } else {
            /* Ranges: written by the library's helper (root) or newuidmap.  The root and the
               binds stay as they are, as with runc and crun: an image for a user namespace is
               owned by the mapped ids (or its mounts ask for idmapping, not supported). */
            sp->uid_map = um;
            sp->nuid_map = nu;
            sp->gid_map = gm;
            sp->ngid_map = ng;
            sp->no_idmap = 1;
            sp->new_userns = 0;
        }
    } else if (uidm || gidm) {
        if ((uidm && json_object_get_type(uidm) == json_type_array &&
             json_object_array_length(uidm)) ||
            (gidm && json_object_get_type(gidm) == json_type_array &&
             json_object_array_length(gidm)))
            return bad(cfg, "linux.uidMappings need a user namespace");
    }
    if (resources && read_resources(cfg, resources, &rules, &nrules, ctx)) return -1;
    if (seccomp && read_seccomp(cfg, seccomp)) return -1;
    if (!seccomp) sp->seccomp = CTR_SECCOMP_NONE;
    if (nsysctls) sp->sysctls = sysctls;
    /* The device rules are read and checked, and hold by construction: the container has the
       default nodes and those linux.devices asks for (which runc and crun allow whatever the
       rules say), every other mount is nodev, and no device cgroup is made. */
    (void)rules;
    (void)nrules;
    return 0;
}

static int read_hooks(oci_config *cfg, json_object *o) {
    if (want(cfg, o, json_type_object, "", "hooks")) return -1;
    json_object_object_foreach(o, key, val) {
        int k;
        size_t n, i;
        for (k = 0; k < OCI_HOOK_KINDS && strcmp(key, oci_hook_names[k]) != 0; k++) {}
        if (k == OCI_HOOK_KINDS) {
            if (unsupported(cfg, "hooks", key)) return -1;
            continue;
        }
        if (want(cfg, val, json_type_array, "hooks", key)) return -1;
        n = json_object_array_length(val);
        if (!(cfg->hooks[k] = oci_alloc(cfg, (n + 1) * sizeof(oci_hook)))) return nomem(cfg);
        cfg->nhooks[k] = n;
        for (i = 0; i < n; i++) {
            json_object *h = json_object_array_get_idx(val, i);
            oci_hook *hk = &cfg->hooks[k][i];
            char w[64];
            snprintf(w, sizeof(w), "hooks.%s[%zu]", key, i);
            if (want(cfg, h, json_type_object, "hooks", key)) return -1;
            json_object_object_foreach(h, k2, v2) {
                if (strcmp(k2, "path") == 0) {
                    if (get_str(cfg, v2, w, k2, &hk->path)) return -1;
                } else if (strcmp(k2, "args") == 0) {
                    const char **l;
                    if (get_strv(cfg, v2, w, k2, &l, NULL)) return -1;
                    hk->args = l;
                } else if (strcmp(k2, "env") == 0) {
                    const char **l;
                    if (get_strv(cfg, v2, w, k2, &l, NULL)) return -1;
                    hk->env = l;
                } else if (strcmp(k2, "timeout") == 0) {
                    int64_t t;
                    if (get_i64(cfg, v2, w, k2, &t)) return -1;
                    if (t <= 0 || t > 86400) return bad(cfg, "%s.timeout must be 1..86400", w);
                    hk->timeout = (int)t;
                } else {
                    {
                        if (unsupported(cfg, w, k2)) return -1;
                        continue;
                    }
                }
            }
            if (!hk->path || hk->path[0] != '/') return bad(cfg, "%s.path must be absolute", w);
        }
    }
    return 0;
}

int oci_config_read(oci_config *cfg, const char *text, size_t len, const oci_context *ctx) {
    json_tokener *tok;
    json_object *root, *process = NULL, *mounts = NULL, *linux_o = NULL;
    enum json_tokener_error jerr;
    const char *hostname = NULL, *domainname = NULL;
    int have_root = 0, readonly = 0;
    const char *dev_size_mode[2] = {NULL, NULL};
    memset(cfg, 0, sizeof(*cfg));
    if (len > 64u << 20) return bad(cfg, "config.json is larger than 64 MiB");
    if (!(tok = json_tokener_new_ex(64))) return nomem(cfg);
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    root = json_tokener_parse_ex(tok, text, (int)len);
    jerr = json_tokener_get_error(tok);
    if (jerr == json_tokener_success && json_tokener_get_parse_end(tok) < len) {
        size_t k;
        for (k = json_tokener_get_parse_end(tok); k < len && strchr(" \t\r\n", text[k]); k++) {}
        if (k < len) jerr = json_tokener_error_parse_unexpected;
    }
    json_tokener_free(tok);
    if (jerr != json_tokener_success || !root) {
        if (root) json_object_put(root);
        return bad(cfg, "config.json is not valid JSON: %s",
                   jerr == json_tokener_success ? "incomplete" : json_tokener_error_desc(jerr));
    }
    if (json_object_get_type(root) != json_type_object) {
        json_object_put(root);
        return bad(cfg, "config.json must hold a JSON object");
    }
    cfg->spec.no_default_mounts = 1;
    cfg->spec.no_masks = 1;
    cfg->cgroup_path = "";
    /* the objects the others depend on, first */
    if (!json_object_object_get_ex(root, "process", &process)) process = NULL;
    if (!json_object_object_get_ex(root, "mounts", &mounts)) mounts = NULL;
    if (!json_object_object_get_ex(root, "linux", &linux_o)) linux_o = NULL;
    json_object_object_foreach(root, key, val) {
        if (strcmp(key, "ociVersion") == 0) {
            const char *v;
            if (get_str(cfg, val, "", key, &v)) goto fail;
            /* 1.x: versions after 1.2 only add fields, and any field ocirun does not know
                   fails by name */
            if (strncmp(v, "1.", 2) != 0) {
                bad(cfg, "ociVersion \"%s\": ocirun reads runtime-spec 1.x (1.0 to 1.2)", v);
                goto fail;
            }
            snprintf(cfg->oci_version, sizeof(cfg->oci_version), "%s", v);
        } else if (strcmp(key, "root") == 0) {
            if (want(cfg, val, json_type_object, "", key)) goto fail;
            json_object_object_foreach(val, k2, v2) {
                if (strcmp(k2, "path") == 0) {
                    const char *p;
                    if (get_str(cfg, v2, "root", k2, &p)) goto fail;
                    cfg->rootfs = p[0] == '/' ? p : path_join(cfg, "root", "path", ctx->bundle, p);
                    if (!cfg->rootfs) goto nomem_fail;
                    have_root = 1;
                } else if (strcmp(k2, "readonly") == 0) {
                    if (get_bool(cfg, v2, "root", k2, &readonly)) goto fail;
                } else {
                    if (unsupported(cfg, "root", k2)) goto fail;
                    continue;
                }
            }
        } else if (strcmp(key, "hostname") == 0) {
            if (get_str(cfg, val, "", key, &hostname)) goto fail;
        } else if (strcmp(key, "domainname") == 0) {
            if (get_str(cfg, val, "", key, &domainname)) goto fail;
        } else if (strcmp(key, "annotations") == 0) {
            if (want(cfg, val, json_type_object, "", key)) goto fail;
            json_object_object_foreach(val, k2, v2) {
                (void)k2;
                if (json_object_get_type(v2) != json_type_string) {
                    bad(cfg, "annotations.%s must be a string", k2);
                    goto fail;
                }
            }
            cfg->annotations = json_object_get(val);
        } else if (strcmp(key, "hooks") == 0) {
            if (read_hooks(cfg, val)) goto fail;
        } else if (strcmp(key, "process") == 0 || strcmp(key, "mounts") == 0 ||
                   strcmp(key, "linux") == 0) {
            continue;
        } else {
            /* solaris, windows, vm, zos fail; what no spec defines is ignored, with a warning */
            if (unsupported(cfg, "", key)) goto fail;
            continue;
        }
    }
    if (!cfg->oci_version[0]) {
        bad(cfg, "ociVersion is missing");
        goto fail;
    }
    if (!have_root) {
        bad(cfg, "root.path is missing");
        goto fail;
    }
    if (ctx->check_paths) {
        struct stat st;
        if (stat(cfg->rootfs, &st) != 0 || !S_ISDIR(st.st_mode)) {
            bad(cfg, "root.path %s is not a directory", cfg->rootfs);
            goto fail;
        }
    }
    /* The bundle's root is used in place, as runc does: what the container writes lands in
       the bundle, where the engine (its overlay mount) expects it. */
    cfg->spec.rootfs = cfg->rootfs;
    cfg->spec.rootfs_rw = 1; /* in place: no layer of the library's over it */
    cfg->spec.readonly_root = readonly;
    if (!process) {
        bad(cfg, "process is missing (ocirun runs a process)");
        goto fail;
    }
    if (read_process(cfg, process)) goto fail;
    if (!linux_o) {
        bad(cfg, "linux is missing");
        goto fail;
    }
    if (read_linux(cfg, linux_o, ctx)) goto fail;
    if (mounts) {
        size_t n, i;
        ctr_mount *m;
        if (want(cfg, mounts, json_type_array, "", "mounts")) goto fail;
        n = json_object_array_length(mounts);
        if (!(m = oci_alloc(cfg, (n + 1) * sizeof(ctr_mount)))) goto nomem_fail;
        for (i = 0; i < n; i++)
            if (read_mount(cfg, json_object_array_get_idx(mounts, i), i, &m[i], ctx, dev_size_mode))
                goto fail;
        cfg->spec.mounts = m;
        cfg->spec.nmounts = n;
    }
    if (hostname && hostname[0]) {
        if (cfg->spec.share & CTR_NS_UTS) {
            bad(cfg, "hostname needs a uts namespace of its own");
            goto fail;
        }
        cfg->spec.hostname = hostname;
    } else if (!(cfg->spec.share & CTR_NS_UTS)) {
        /* no hostname: runc leaves the new namespace's, a copy of the host's */
        static char host[65];
        if (gethostname(host, sizeof(host) - 1) != 0) strcpy(host, "localhost");
        cfg->spec.hostname = oci_strdup(cfg, host);
    }
    if (domainname && domainname[0]) {
        size_t n = 0;
        const char **l;
        if (cfg->spec.share & CTR_NS_UTS) {
            bad(cfg, "domainname needs a uts namespace of its own");
            goto fail;
        }
        while (cfg->spec.sysctls && cfg->spec.sysctls[n]) n++;
        if (!(l = oci_alloc(cfg, (n + 2) * sizeof(char *)))) goto nomem_fail;
        if (n) memcpy(l, cfg->spec.sysctls, n * sizeof(char *));
        if (!(l[n] = oci_alloc(cfg, strlen(domainname) + 20))) goto nomem_fail;
        sprintf((char *)l[n], "kernel.domainname=%s", domainname);
        cfg->spec.sysctls = l;
    }
    if (cfg->terminal) cfg->spec.tty = 1;
    if (!cfg->cgroup_path[0] && ctx->id) {
        char *p = oci_alloc(cfg, strlen(ctx->id) + 2);
        if (!p) goto nomem_fail;
        sprintf(p, "/%s", ctx->id);
        cfg->cgroup_path = p;
    }
    json_object_put(root);
    return 0;
nomem_fail:
    nomem(cfg);
fail:
    json_object_put(root);
    {
        char keep[sizeof(cfg->error)];
        memcpy(keep, cfg->error, sizeof(keep));
        oci_config_free(cfg);
        memcpy(cfg->error, keep, sizeof(keep));
    }
    return -1;
}

/* ---- exec's process ---- */

int oci_process_read(oci_config *cfg, json_object *o, const oci_config *base, ctr_exec_spec *x,
                     const char *where) {
    const char *s;
    gid_t *groups = NULL;
    int nnp = -1, terminal = 0;
    json_object *caps = NULL, *rlimits = NULL;
    if (want(cfg, o, json_type_object, "", where)) return -1;
    x->uid = base->spec.uid;
    x->gid = base->spec.gid;
    json_object_object_foreach(o, key, val) {
        if (strcmp(key, "terminal") == 0) {
            if (get_bool(cfg, val, where, key, &terminal)) return -1;
            x->tty = terminal;
        } else if (strcmp(key, "consoleSize") == 0) {
            if (want(cfg, val, json_type_object, where, key)) return -1;
            json_object_object_foreach(val, k2, v2) {
                uint32_t v;
                if (strcmp(k2, "height") != 0 && strcmp(k2, "width") != 0) {
                    if (unsupported(cfg, "process.consoleSize", k2)) return -1;
                    continue;
                }
                if (get_u32(cfg, v2, "process.consoleSize", k2, &v) || v > 65535) return -1;
                if (k2[0] == 'h')
                    x->tty_rows = (unsigned short)v;
                else
                    x->tty_cols = (unsigned short)v;
            }
        } else if (strcmp(key, "cwd") == 0) {
            if (get_str(cfg, val, where, key, &s)) return -1;
            if (s[0] != '/') return bad(cfg, "%s.cwd must be an absolute path", where);
            x->cwd = s;
        } else if (strcmp(key, "env") == 0) {
            const char **l;
            if (get_strv(cfg, val, where, key, &l, NULL)) return -1;
            x->env = l;
        } else if (strcmp(key, "args") == 0) {
            const char **l;
            size_t n;
            if (get_strv(cfg, val, where, key, &l, &n)) return -1;
            if (!n || !l[0][0]) return bad(cfg, "%s.args is empty", where);
            x->argv = l;
        } else if (strcmp(key, "user") == 0) {
            if (read_user(cfg, val, where, &x->uid, &x->gid, &groups, &x->ngroups, &x->set_umask,
                          &x->umask))
                return -1;
            x->groups = groups;
        } else if (strcmp(key, "capabilities") == 0) {
            caps = val;
        } else if (strcmp(key, "rlimits") == 0) {
            rlimits = val;
        } else if (strcmp(key, "noNewPrivileges") == 0) {
            if (get_bool(cfg, val, where, key, &nnp)) return -1;
        } else if (strcmp(key, "apparmorProfile") == 0 || strcmp(key, "selinuxLabel") == 0) {
            if (get_str(cfg, val, where, key, &s)) return -1;
            if (s[0] && key[0] == 's' && selinux_label(cfg, "process.selinuxLabel")) return -1;
            if (s[0] && key[0] == 'a' && strcmp(s, "unconfined") != 0)
                return bad(cfg, "%s.apparmorProfile \"%s\": ocirun applies no AppArmor profile",
                           where, s);
        } else if (strcmp(key, "oomScoreAdj") == 0) {
            int64_t v;
            if (get_i64(cfg, val, where, key, &v)) return -1;
            if (!base->spec.set_oom_score_adj || v != base->spec.oom_score_adj)
                return bad(cfg,
                           "%s.oomScoreAdj differs from the container's (a process in a "
                           "container has the container's)",
                           where);
        } else {
            {
                if (unsupported(cfg, where, key)) return -1;
                continue;
            }
        }
    }
    if (!x->argv) return bad(cfg, "%s.args is missing", where);
    if (nnp >= 0 && nnp != !base->spec.allow_new_privs)
        return bad(cfg,
                   "%s.noNewPrivileges differs from the container's (ocirun runs a process "
                   "in a container with the container's)",
                   where);
    if (caps) {
        uint64_t s5[5] = {0, 0, 0, 0, 0};
        int present[5];
        const ctr_spec *b = &base->spec;
        if (read_caps(cfg, caps, where, s5, present)) return -1;
        if (s5[0] != b->cap_bounding || s5[1] != b->cap_effective || s5[2] != b->cap_inheritable ||
            s5[3] != b->cap_permitted || s5[4] != b->cap_ambient)
            return bad(cfg,
                       "%s.capabilities differ from the container's (ocirun runs a process "
                       "in a container with the container's)",
                       where);
    }
    if (rlimits) {
        ctr_rlimit *r;
        size_t n, i, k;
        if (read_rlimits(cfg, rlimits, where, &r, &n)) return -1;
        for (i = 0; i < n; i++) {
            int same = 0;
            for (k = 0; k < base->spec.nrlimits; k++)
                same |= base->spec.rlimits[k].resource == r[i].resource &&
                        base->spec.rlimits[k].soft == r[i].soft &&
                        base->spec.rlimits[k].hard == r[i].hard;
            if (!same)
                return bad(cfg,
                           "%s.rlimits[%zu] differs from the container's (a process in a "
                           "container gets the container's)",
                           where, i);
        }
    }
    return 0;
}
