/* Must NOT compile: CONTAINER_MALLOC without CONTAINER_FREE is refused with an #error. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdlib.h>
#define CONTAINER_MALLOC(n) malloc(n)
#define CONTAINER_IMPLEMENTATION
#include "container.h"

int main(void) { return 0; }
