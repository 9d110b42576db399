/* Two translation units: this one holds the implementation, tu_user.c only the declarations.
   A missing `static` on a private helper or a function defined in the header part fails the link. */
#define CONTAINER_IMPLEMENTATION
#include "container.h"

#include "tu.h"

int main(void) { return tu_user_exercise(); }
