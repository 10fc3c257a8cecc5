/**
 * How the server is launched in production: the node options and environment that `npm start` and the
 * Dockerfile give it, kept here for the scripts that start it the same way (the benchmarks) and for the
 * test that holds package.json and the Dockerfile to them.
 */

/** A 256 MB JavaScript heap (README: the server's memory). */
export const SERVER_NODE_ARGS = ['--max-old-space-size=256'];

/**
 * The C allocator (glibc) gives every block of 1 MiB or more back to the system when it is freed.
 * Left alone, it raises that limit to the size of the largest block freed so far, and keeps the
 * blocks under it: each sign-in's argon2 hash (19 MiB) then stayed resident, once per libuv worker
 * thread that ever hashed (four: ~78 MB for good after four sign-ins).
 */
export const SERVER_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '1048576' };
