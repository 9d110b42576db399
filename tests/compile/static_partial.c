/* CONTAINER_STATIC in a file that calls only one function: the unused static ones must not warn
   (stb-style headers mark them unused), even with -Wall -Wextra -Werror. */
#define CONTAINER_STATIC
#define CONTAINER_IMPLEMENTATION
#include "container.h"

int main(void) { return ctr_step_name(CTR_STEP_EXEC)[0] == 'e' ? 0 : 1; }
