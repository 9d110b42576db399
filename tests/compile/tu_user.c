/* The other translation unit: declarations only. */
#include "container.h"

#include "tu.h"

#include "exercise.h"

int tu_user_exercise(void) { return exercise(); }
