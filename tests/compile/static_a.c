/* CONTAINER_STATIC: two translation units, each with its own private copy of the implementation,
   linked together without clashing symbols. */
#define CONTAINER_STATIC
#define CONTAINER_IMPLEMENTATION
#include "container.h"

#include "tu.h"

#include "exercise.h"

int main(void) { return exercise() | tu_user_exercise(); }
