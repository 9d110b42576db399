/* The second private copy (see static_a.c). */
#define CONTAINER_STATIC
#define CONTAINER_IMPLEMENTATION
#include "container.h"

#include "tu.h"

#include "exercise.h"

int tu_user_exercise(void) { return exercise(); }
