/* fuzz_config.c - libFuzzer target for ocirun's config.json reader (examples/ocirun/oci_config.c):
   any bytes are read as a config.json (paths are not looked at), and a "process" object found in
   them is read as exec's --process file too.  Whatever the input, the reader must return 0 or -1
   with a message naming the problem, and leak nothing (ASan, UBSan).

       make build/fuzz_config && build/fuzz_config -max_total_time=60 DIR tests/fuzz/corpus
       make fuzz FUZZ_SECONDS=600          (tests/run.sh runs it for a few seconds) */
#define _GNU_SOURCE 1
#include "ocirun/oci_config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    oci_config cfg;
    oci_context ctx;
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    memset(&ctx, 0, sizeof ctx);
    ctx.bundle = "/bundle";
    ctx.id = "fuzz";
    ctx.systemd_cgroup = size > 0 && (data[0] & 1);
    ctx.check_paths = 0;
    if (oci_config_read(&cfg, text, size, &ctx) == 0) {
        json_object *root = json_tokener_parse(text), *process;
        if (root && json_object_object_get_ex(root, "process", &process)) {
            oci_config pc;
            ctr_exec_spec x;
            memset(&pc, 0, sizeof pc);
            memset(&x, 0, sizeof x);
            if (oci_process_read(&pc, process, &cfg, &x, "process") != 0 && !pc.error[0]) abort();
            oci_config_free(&pc);
        }
        if (root) json_object_put(root);
        oci_config_free(&cfg);
    } else if (!cfg.error[0]) {
        abort(); /* a failure must say why */
    }
    free(text);
    return 0;
}
