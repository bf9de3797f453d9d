import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { StreamEntry } from '../../src/shared/streams'
import { startSocketIoServer, type SocketIoFixture } from '../fixtures/socketio-server'
import { makeService } from './helpers'
import { logUntil as logUntilIn } from './log-until'

/**
 * An emit's arguments given as one JSON text (the app's Emit box) are read as JSON once their `{{variables}}`
 * resolved, as a run's saved emit is: `[{{n}}]` is several arguments. Without a scope they go as typed, and the
 * error says why `{{` stayed. At a real socket.io server that echoes what it received.
 */

let dir: string
let configDir: string
let service: EngineService
let io: SocketIoFixture

beforeAll(async () => {
  io = await startSocketIoServer()
  dir = mkdtempSync(join(tmpdir(), 'fd-emit-text-'))
  configDir = mkdtempSync(join(tmpdir(), 'fd-emit-text-config-'))
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Emit\nvariables:\n  n: 7\n  who: ann\n')
  service = makeService({ configDir, watchCollections: false, persistWorkspace: false })
  const opened = await service.invoke('collection.open', { dir })
  if (!opened.ok) throw new Error(opened.error.message)
})
afterAll(async () => {
  await service.dispose()
  await io.close()
  rmSync(dir, { recursive: true, force: true })
  rmSync(configDir, { recursive: true, force: true })
})

const logUntil = (sid: string, pred: (e: StreamEntry) => boolean): Promise<StreamEntry[]> =>
  logUntilIn(service, sid, pred)

async function open(withScope: boolean): Promise<string> {
  const r = await service.invoke('socketio.open', {
    url: io.url,
    headers: [],
    query: [],
    listen: [],
    ...(withScope ? { context: { dir, path: '' } } : {}),
  })
  if (!r.ok) throw new Error(r.error.message)
  await logUntil(r.value.sid, (e) => e.event === 'welcome')
  return r.value.sid
}

describe('an emit whose arguments are one JSON text', () => {
  it('resolves them before reading them as JSON: an array is several arguments', async () => {
    const sid = await open(true)
    const emit = await service.invoke('socketio.emit', {
      sid,
      event: 'echo',
      args: [],
      argsText: '[{{n}}, "{{who}}", {"k": {{n}}}]',
      ack: false,
    })
    expect(emit.ok).toBe(true)
    const log = await logUntil(sid, (e) => e.dir === 'in' && e.event === 'echo')
    expect(log.find((e) => e.dir === 'in' && e.event === 'echo')?.data).toBe('[7,"ann",{"k":7}]')
    const missing = await service.invoke('socketio.emit', {
      sid,
      event: 'echo',
      args: [],
      argsText: '[{{nowhere}}]',
      ack: false,
    })
    expect(missing).toMatchObject({ ok: false, error: { code: 'unknown_variable' } })
    expect(missing.ok ? '' : missing.error.message).toContain('{{nowhere}}')
    await service.invoke('session.cancel', { sid })
    await service.streams.wait(sid)
  })

  it('without a scope, says the variables went as typed when the text is not JSON', async () => {
    const sid = await open(false)
    const emit = await service.invoke('socketio.emit', {
      sid,
      event: 'echo',
      args: [],
      argsText: '[{{n}}]',
      ack: false,
    })
    expect(emit.ok).toBe(false)
    expect(emit.ok ? '' : emit.error.message).toMatch(
      /^The arguments are not JSON: .*\(\{\{variables\}\} go as typed: this session was opened without a collection or environment\)$/,
    )
    const plain = await service.invoke('socketio.emit', {
      sid,
      event: 'echo',
      args: [],
      argsText: '',
      ack: false,
    })
    expect(plain.ok).toBe(true)
    await logUntil(sid, (e) => e.dir === 'in' && e.event === 'echo' && e.data === '[]')
    await service.invoke('session.cancel', { sid })
    await service.streams.wait(sid)
  })
})
