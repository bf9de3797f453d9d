import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { runImport } from '../../src/engine/importers/index'
import { MemorySecretStore } from '../../src/engine/secrets/secret-store'
import type { EngineService } from '../../src/engine/service'
import { startSessionShop } from '../fixtures/session-shop'
import { isolatedService } from './helpers'
import { fixturePath, fixtureText, savedRequest, sendSaved, type Stub } from './import-formats-helpers'
import { guardOnlyAgainstHangs } from '../setup/hang-guard'

guardOnlyAgainstHangs()

/**
 * A Bruno request's `settings` block (`.bru`) and an OpenCollection request's `settings:` map change what goes
 * out: `followRedirects: false` makes the 302 the answer, `maxRedirects` and `timeout` are kept; a setting
 * Flightdeck has no twin for is named. Checked at a shop that redirects.
 */

let shop: Stub
let work: string
let service: EngineService
beforeAll(async () => {
  shop = await startSessionShop()
})
afterAll(() => shop.close())
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'fd-bruno-settings-'))
  service = isolatedService(work)
  shop.arrived.length = 0
})
afterEach(async () => {
  await service.dispose()
  rmSync(work, { recursive: true, force: true })
})

async function importFrom(source: { file?: string; text?: string }, dir: string): Promise<string[]> {
  const r = await runImport(source, 'auto', dir, new MemorySecretStore())
  if (!r.ok) throw new Error(r.error.message)
  const opened = await service.invoke('collection.open', { dir, create: false })
  if (!opened.ok) throw new Error(opened.error.message)
  return r.value.unmapped
}

/** The two requests both fixtures have: one that does not follow its redirect, one that does. */
async function sendBoth(dir: string): Promise<void> {
  const moved = await sendSaved(service, shop, dir, 'old-checkout-answers-with-its-move.yaml')
  expect(moved.method).toBe('POST')
  await sendSaved(service, shop, dir, 'old-checkout-followed.yaml')
  expect(shop.arrived.map((a) => `${a.method} ${a.url}`)).toEqual([
    'POST /checkout-v1',
    'GET /checkout-v1?step=2',
    'GET /checkout',
  ])
  const kept = await savedRequest(dir, 'old-checkout-answers-with-its-move.yaml')
  expect(kept.options).toEqual({ followRedirects: false, maxRedirects: 3, totalTimeoutMs: 5000 })
  expect((await savedRequest(dir, 'old-checkout-followed.yaml')).options).toEqual({})
}

describe('Bruno request settings', () => {
  it('.bru: followRedirects false is the 302; maxRedirects and timeout kept; an unknown setting named', async () => {
    const src = join(work, 'src')
    cpSync(fixturePath('bruno-settings'), src, { recursive: true })
    for (const f of readdirSync(src))
      writeFileSync(join(src, f), readFileSync(join(src, f), 'utf8').replaceAll('__STUB__', shop.url))
    const dir = join(work, 'shop')
    const u = await importFrom({ file: src }, dir)
    await sendBoth(dir)
    expect(u).toContain('old-checkout.bru: setting "enableApp" is not supported; left out')
    expect(u.join('\n')).not.toMatch(/log-in\.bru|encodeUrl/)
  })

  it('OpenCollection: the same from its settings map', async () => {
    const dir = join(work, 'shop')
    const u = await importFrom({ text: fixtureText('opencollection-settings.yml', shop.url) }, dir)
    await sendBoth(dir)
    expect(u.join('\n')).not.toMatch(/setting/)
  })
})
