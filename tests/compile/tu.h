/* The function tu_user.c defines for tu_impl.c. */
int tu_user_exercise(void);
