import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runRunCli } from '../../src/cli/run-command'
import { startStub, type Stub } from '../engine/import-formats-helpers'

/**
 * `flightdeck run` of a saved form-data request whose Content-Type is left out (`omitDefaultHeaders:
 * [content-type]`): the step fails with words saying why (the Content-Type names the boundary) and what to do,
 * exit 1, and nothing reaches the server.
 */

let stub: Stub
let dir: string
let configDir: string

beforeAll(async () => {
  stub = await startStub()
  dir = mkdtempSync(join(tmpdir(), 'fd-cli-form-omit-'))
  configDir = mkdtempSync(join(tmpdir(), 'fd-cli-form-omit-config-'))
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Forms\n')
  writeFileSync(
    join(dir, 'upload.yaml'),
    [
      'name: upload',
      'method: POST',
      `url: '${stub.url}/upload'`,
      'body:',
      '  kind: multipart',
      '  parts:',
      '    - { kind: text, name: city, value: Lyon, enabled: true }',
      'options:',
      '  omitDefaultHeaders: [content-type]',
      '',
    ].join('\n'),
  )
})

afterAll(async () => {
  await stub.close()
  rmSync(dir, { recursive: true, force: true })
  rmSync(configDir, { recursive: true, force: true })
})

describe('flightdeck run of a form whose Content-Type is left out', () => {
  it('fails the step with nothing sent, saying why and what to do', async () => {
    let out = ''
    const io = { out: (t: string) => void (out += t), err: (t: string) => void (out += t) }
    const saved = process.env['FLIGHTDECK_CONFIG_DIR']
    process.env['FLIGHTDECK_CONFIG_DIR'] = configDir
    let code: number
    try {
      code = await runRunCli([dir, 'upload.yaml'], io)
    } finally {
      if (saved === undefined) delete process.env['FLIGHTDECK_CONFIG_DIR']
      else process.env['FLIGHTDECK_CONFIG_DIR'] = saved
    }
    expect(code).toBe(1)
    expect(out).toMatch(/boundary between the parts/)
    expect(out).toMatch(/Add a Content-Type header of multipart\/form-data/)
    expect(stub.arrived).toHaveLength(0)
  })
})
