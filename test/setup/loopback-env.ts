/**
 * The environment every test process starts with, set by vitest.config.ts and playwright.config.ts when loaded,
 * before their workers (and whatever the tests start) inherit it.
 *
 * The suites talk only to servers on 127.0.0.1 that use certificates made at test time (test/fixtures/certs.ts),
 * never to the internet, so a CA bundle the machine names for outbound TLS in NODE_EXTRA_CA_CERTS is never
 * consulted, yet Node reads and parses it as every process starts: where it points at Debian's
 * ca-certificates.crt (144 certificates) that is ~65 ms of CPU a start, most of what `flightdeck --help` costs,
 * paid by each CLI, browser host, script child and worker a test starts. A test that is about that variable sets
 * it on the process it starts.
 */
export function loopbackTestEnv(env: NodeJS.ProcessEnv = process.env): void {
  delete env['NODE_EXTRA_CA_CERTS']
}
