/* The implementation, exactly as the manual says to include it (C and C++). */
#define CONTAINER_IMPLEMENTATION
#include "container.h"

#include "exercise.h"

int main(void) { return exercise(); }
