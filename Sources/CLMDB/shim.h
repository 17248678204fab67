#ifndef PARLEY_CLMDB_SHIM_H
#define PARLEY_CLMDB_SHIM_H
#include <lmdb.h>
#endif
