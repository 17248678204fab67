// The views module: see README.
