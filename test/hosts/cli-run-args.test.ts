import { describe, expect, it } from 'vitest'
import { parseRunArgs, RUN_USAGE } from '../../src/cli/run-args'

/** `flightdeck run` arguments: what is accepted, and the one-line reason for what is not. */
describe('flightdeck run arguments', () => {
  it('defaults, and every option read', () => {
    expect(parseRunArgs(['coll'])).toEqual({
      kind: 'run',
      dir: 'coll',
      path: '',
      concurrency: 1,
      iterations: 1,
      bail: false,
      allowUntranslatedScripts: false,
      noScripts: false,
      reporters: ['cli'],
      out: null,
      includeSecrets: false,
      allowFiles: [],
    })
    expect(
      parseRunArgs(['coll', 'api', '--env', 'ci', '--concurrency', '8', '--webhook-port', '9911', '--bail']),
    ).toMatchObject({ path: 'api', env: 'ci', concurrency: 8, webhookPort: 9911, bail: true })
    expect(parseRunArgs(['coll', '--allow-untranslated-scripts'])).toMatchObject({
      allowUntranslatedScripts: true,
    })
    expect(parseRunArgs(['coll', '--no-scripts'])).toMatchObject({ noScripts: true })
    // 0 asks for a free port, as leaving it out does.
    expect(parseRunArgs(['coll', '--webhook-port', '0'])).toMatchObject({ webhookPort: 0 })
    expect(parseRunArgs(['coll'])).not.toHaveProperty('webhookPort')
  })

  it('refuses a bad webhook port with a one-line reason', () => {
    for (const bad of ['65536', '-1', 'abc', '80.5', '']) {
      // `=` form: a separate `-1` would read as an option.
      expect(parseRunArgs(['coll', `--webhook-port=${bad}`])).toEqual({
        kind: 'error',
        message: `--webhook-port must be a whole number from 0 to 65535, got '${bad}'`,
      })
    }
  })

  it('--allow-files is repeatable and kept as given', () => {
    expect(parseRunArgs(['coll', '--allow-files', '/data', '--allow-files', 'fixtures'])).toMatchObject({
      allowFiles: ['/data', 'fixtures'],
    })
    expect(RUN_USAGE).toMatch(/--allow-files <dir>\s+let requests send body and multipart files/)
  })

  it('--help describes the webhook port', () => {
    expect(parseRunArgs(['--help'])).toEqual({ kind: 'help' })
    expect(RUN_USAGE).toMatch(/--webhook-port <n>\s+when a request uses \{\{\$webhook\}\}/)
  })
})
