import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  parseEnvironmentText,
  parseFolderText,
  parseRequestText,
} from '../../src/engine/collections/collection-file-read'
import { REQUEST_KEYS } from '../../src/engine/collections/collection-file-format'
import { requestPlain } from '../../src/engine/collections/collection-file-write'
import { renderYaml } from '../../src/engine/collections/yaml-doc'
import type { EngineService } from '../../src/engine/service'
import { makeService } from './helpers'

/** The `trace:` setting and an environment's `traceLink` in collection files: read, checked, written, kept. */

const services: EngineService[] = []
afterAll(async () => {
  await Promise.all(services.map((s) => s.dispose()))
})

describe('trace: in files', () => {
  it('reads the short form and the map, and writes each back as it was', () => {
    const short = parseRequestText('name: a\nurl: http://h/\ntrace: per-send\n', 'a')
    expect(short.ok && short.value.trace).toEqual({ mode: 'per-send' })
    if (short.ok)
      expect(renderYaml(requestPlain(short.value), null, REQUEST_KEYS)).toContain('trace: per-send\n')
    const map = parseRequestText(
      'name: a\nurl: http://h/\ntrace:\n  mode: per-run\n  tracestate: vendor=abc\n  bodyField: $.trace_id\n',
      'a',
    )
    expect(map.ok && map.value.trace).toEqual({
      mode: 'per-run',
      tracestate: 'vendor=abc',
      bodyField: '$.trace_id',
    })
    if (map.ok)
      expect(renderYaml(requestPlain(map.value), null, REQUEST_KEYS)).toContain(
        'trace:\n  mode: per-run\n  tracestate: vendor=abc\n  bodyField: $.trace_id\n',
      )
  })

  it('a bad setting is a problem with its line; the folder file is left as it is', () => {
    const bad = parseFolderText('variables: {}\ntrace:\n  mode: sometimes\n')
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.problem.line).toBe(3)
    const state = parseRequestText(
      'name: a\nurl: http://h/\ntrace:\n  mode: per-send\n  tracestate: Not Valid\n',
      'a',
    )
    expect(state.ok).toBe(false)
  })

  it("an environment's traceLink must be http(s) and name {traceId}", () => {
    const good = parseEnvironmentText(
      'name: Local\ntraceLink: http://localhost:16686/trace/{traceId}\n',
      'local',
    )
    expect(good.ok && good.value.traceLink).toBe('http://localhost:16686/trace/{traceId}')
    const js = parseEnvironmentText('name: Local\ntraceLink: javascript:alert({traceId})\n', 'local')
    expect(js.ok ? null : js.problem).toMatchObject({ line: 2, message: expect.stringContaining('http') })
    const noId = parseEnvironmentText(
      'name: Local\nvariables: {}\ntraceLink: http://localhost:16686/search\n',
      'l',
    )
    expect(noId.ok ? null : noId.problem).toMatchObject({
      line: 3,
      message: expect.stringContaining('{traceId}'),
    })
  })

  it('saving a folder, the collection or an environment from the app keeps trace: and traceLink', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-trace-format-'))
    writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: T\ntrace: per-run\n')
    const s = makeService({
      persistWorkspace: false,
      watchCollections: false,
      configDir: mkdtempSync(join(tmpdir(), 'fd-trace-format-config-')),
    })
    services.push(s)
    const opened = await s.invoke('collection.open', { dir })
    expect(opened.ok && opened.value.root.trace).toEqual({ mode: 'per-run' })
    const saved = await s.invoke('collection.saveFolder', {
      dir,
      path: '',
      variables: [{ name: 'base', value: 'http://h', secret: false }],
    })
    expect(saved.ok).toBe(true)
    expect(readFileSync(join(dir, 'collection.yaml'), 'utf8')).toContain('trace: per-run')
    const env = await s.invoke('environment.save', { dir, id: 'local', name: 'Local', variables: [] })
    expect(env.ok).toBe(true)
    const path = join(dir, 'environments', 'local.yaml')
    writeFileSync(path, `${readFileSync(path, 'utf8')}traceLink: http://localhost:16686/trace/{traceId}\n`)
    const again = await s.invoke('environment.save', {
      dir,
      id: 'local',
      name: 'Local',
      variables: [{ name: 'x', value: '1', secret: false }],
    })
    expect(again.ok).toBe(true)
    expect(readFileSync(path, 'utf8')).toContain('traceLink: http://localhost:16686/trace/{traceId}')
    // A request saved from the composer (which does not edit trace:) keeps the file's setting.
    writeFileSync(join(dir, 'a.yaml'), 'name: a\nmethod: GET\nurl: http://h/\ntrace: off\n')
    const read = await s.invoke('collection.read', { dir, path: 'a.yaml' })
    if (!read.ok) throw new Error(read.error.message)
    const { trace: _left, ...request } = read.value.request
    const put = await s.invoke('collection.save', {
      dir,
      path: 'a.yaml',
      request: { ...request, url: 'http://h/b' },
      baseVersion: null,
    })
    expect(put.ok).toBe(true)
    expect(readFileSync(join(dir, 'a.yaml'), 'utf8')).toBe(
      'name: a\nmethod: GET\nurl: http://h/b\ntrace: off\n',
    )
  })
})
