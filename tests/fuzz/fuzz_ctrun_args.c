/* fuzz_ctrun_args - libFuzzer target: ctrun's command line, parsed into a spec, and the spec through
   the library's plan builder, as ctrun would spawn it (nothing is ever spawned).

   The input: one argument per line (argv[0] "ctrun" is added; a NUL also ends an argument), and
   after a line "--FILE--" the contents of the file /fuzz/rules, which --seccomp can name.  Every
   other file ctrun would open does not exist here (fopen is replaced below), so that no input
   reads the host's files or blocks on a FIFO or /proc/kmsg.

   What must hold: parse_args returns (no exit, no crash, no leak, no undefined behaviour); a
   rejection has a one-line message; an accepted spec makes ctr__plan_build return either a plan
   (freed) or a clean ctr_error (a step, a one-line message). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_FILE "/fuzz/rules"

static const char *fuzz_file;
static size_t fuzz_file_len;

static FILE *fuzz_fopen(const char *path, const char *mode) {
    static const char empty[1];
    if (strcmp(path, FUZZ_FILE) == 0 && strcmp(mode, "r") == 0)
        return fuzz_file_len ? fmemopen((void *)fuzz_file, fuzz_file_len, "r")
                             : fmemopen((void *)empty, 0, "r");
    errno = ENOENT;
    return NULL;
}
#define fopen fuzz_fopen

#define CTRUN_NO_MAIN
#include "../../examples/ctrun.c"

#define MAX_ARGS 256

/* A message is one line of text. */
static void check_message(const char *what, const char *msg, size_t cap) {
    const char *end = (const char *)memchr(msg, '\0', cap);
    for (const char *c = msg; end && c < end; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f) end = NULL;
    if (!end || !msg[0]) {
        fprintf(stderr, "%s: not a one-line message: \"%.*s\"\n", what, (int)cap, msg);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = (char *)malloc(size + 1), *argv[MAX_ARGS + 2];
    int argc = 0;
    memcpy(text, data, size);
    text[size] = '\0';
    fuzz_file = NULL;
    fuzz_file_len = 0;
    char *file = strstr(text, "\n--FILE--\n");
    size_t args_len = file ? (size_t)(file - text) : size;
    if (file) {
        fuzz_file = file + 10;
        fuzz_file_len = size - args_len - 10;
        *file = '\0';
    }
    argv[argc++] = (char *)"ctrun";
    for (char *s = text; s <= text + args_len && argc < MAX_ARGS;) {
        size_t n = strcspn(s, "\n");
        if (s == text + args_len && n == 0) break; /* no empty argument after the last line */
        s[n] = '\0';
        argv[argc++] = s;
        s += n + 1;
    }
    argv[argc] = NULL;

    options o;
    int command = parse_args(argc, argv, &o);
    if (command < 0) {
        check_message("parse_args", o.error, sizeof o.error);
    } else if (command > 0) {
        ctr__plan plan;
        ctr_error err;
        if (command >= argc) abort(); /* COMMAND must exist */
        o.spec.argv = (const char *const *)(argv + command);
        ctr__clear_error(&err);
        if (ctr__plan_build(&plan, &o.spec, &err) != 0) {
            if (err.step == CTR_STEP_NONE || err.step >= CTR_STEP_COUNT) abort();
            check_message("ctr__plan_build", err.msg, sizeof err.msg);
        }
        ctr__plan_free(&plan);
    }
    free_options(&o);
    free(text);
    return 0;
}
