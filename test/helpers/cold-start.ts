/**
 * The per-test bound of tests that run newman beside Flightdeck: newman and postman-runtime load on their first
 * run (3 to 8 s of a core on a quiet machine) and script sandboxes start cold, so the first case of such a file
 * costs many seconds of CPU, and a runner whose cores other jobs share stretches that several times over. The
 * cases' own waits are bounded inside them; this only keeps a slow runner from failing work that is not wrong.
 */
export const NEWMAN_TEST_MS = 90_000
