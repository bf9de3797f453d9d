import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'

/**
 * vitest.config.ts drops the machine's NODE_EXTRA_CA_CERTS for the run (test/setup/loopback-env.ts): the tests
 * talk only to loopback with certificates made at test time, and Node parses that bundle at every start.
 */
describe('the environment a test process starts with', () => {
  it('names no CA bundle to load, in the worker and in a process it starts', () => {
    expect(process.env['NODE_EXTRA_CA_CERTS']).toBeUndefined()
    const child = execFileSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.env.NODE_EXTRA_CA_CERTS))',
    ])
    expect(child.toString()).toBe('undefined')
  })
})
