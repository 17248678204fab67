// LMDB store.
