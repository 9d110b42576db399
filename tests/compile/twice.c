/* The header included twice: first as a plain include (as another header of the user's would),
   then with the implementation.  _GNU_SOURCE first, as the manual says when container.h is not the
   first include. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "container.h"
#define CONTAINER_IMPLEMENTATION
#include "container.h"
#include "container.h"

#include "exercise.h"

int main(void) { return exercise(); }
