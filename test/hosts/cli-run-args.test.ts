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
      envVars: new Map(),
      globalVars: new Map(),
      allowEmptySecrets: false,
      insecure: false,
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
    expect(RUN_USAGE).toMatch(
      /--allow-files <dir>\s+let requests read files from this folder outside the collection\s+\(repeatable\): body and multipart files, CA files \(caFile\)/,
    )
  })

  it('-k and --cacert apply to the whole run; the CA path is kept as typed, an empty one is a bad argument', () => {
    expect(parseRunArgs(['coll'])).toMatchObject({ insecure: false })
    expect(parseRunArgs(['coll'])).not.toHaveProperty('caFile')
    expect(parseRunArgs(['coll', '-k', '--cacert', 'trust/ca.pem'])).toMatchObject({
      insecure: true,
      caFile: 'trust/ca.pem',
    })
    expect(parseRunArgs(['coll', '--insecure'])).toMatchObject({ insecure: true })
    expect(parseRunArgs(['coll', '--cacert', ''])).toEqual({
      kind: 'error',
      message: '--cacert needs a PEM file of certificate authorities',
    })
  })

  it('--env-var NAME=VALUE is repeatable (the last of a name wins); NAME alone reads the process environment', () => {
    const cmd = parseRunArgs(
      ['coll', '--env-var', 'token=a=b', '--env-var', 'base=', '--env-var', 'token=c', '--env-var', 'CI_KEY'],
      { CI_KEY: 'from-ci' },
    )
    expect(cmd).toMatchObject({ kind: 'run', allowEmptySecrets: false })
    expect(cmd.kind === 'run' ? [...cmd.envVars] : []).toEqual([
      ['token', 'c'],
      ['base', ''],
      ['CI_KEY', 'from-ci'],
    ])
    expect(parseRunArgs(['coll', '--allow-empty-secrets'])).toMatchObject({ allowEmptySecrets: true })
    const globals = parseRunArgs(['coll', '--global-var', 'host=h', '--global-var', 'KEY'], { KEY: 'k' })
    expect(globals.kind === 'run' ? [...globals.globalVars] : []).toEqual([
      ['host', 'h'],
      ['KEY', 'k'],
    ])
    expect(parseRunArgs(['coll', '--global-var', '=h'])).toEqual({
      kind: 'error',
      message: "--global-var needs a variable name before '=', as in --global-var token=VALUE, got '=h'",
    })
  })

  it('refuses a bad --env-var in words', () => {
    expect(parseRunArgs(['coll', '--env-var', '=x'])).toEqual({
      kind: 'error',
      message: "--env-var needs a variable name before '=', as in --env-var token=VALUE, got '=x'",
    })
    expect(parseRunArgs(['coll', '--env-var=', 'x'])).toMatchObject({ kind: 'error' })
    expect(parseRunArgs(['coll', '--env-var', '9lives=1'])).toEqual({
      kind: 'error',
      message:
        "--env-var: '9lives' is not a variable name (letters, digits, _ . - $, not starting with a digit)",
    })
    expect(parseRunArgs(['coll', '--env-var', 'NOT_SET_HERE'], {})).toEqual({
      kind: 'error',
      message:
        '--env-var NOT_SET_HERE: no environment variable NOT_SET_HERE is set; give a value with --env-var NOT_SET_HERE=VALUE or set NOT_SET_HERE',
    })
    expect(RUN_USAGE).toMatch(/--env-var <name=value>\s+a value for \{\{name\}\}/)
    expect(RUN_USAGE).toMatch(/--allow-empty-secrets/)
  })

  it('--help describes the webhook port', () => {
    expect(parseRunArgs(['--help'])).toEqual({ kind: 'help' })
    expect(RUN_USAGE).toMatch(/--webhook-port <n>\s+when a request uses \{\{\$webhook\}\}/)
  })
})
