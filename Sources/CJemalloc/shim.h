// jemalloc (Debian: libjemalloc-dev), linked into parleyd so that it serves every allocation of
// the process (it defines malloc and free, and the executable's libraries come before libc's).
// Only its control interface is declared here: the rest of its header would redeclare malloc.
#include <stddef.h>

int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen);
