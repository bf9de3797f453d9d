import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { startSessionShop } from '../fixtures/session-shop'
import { isolatedService } from './helpers'
import { fixtureText, importText, sendSaved, type Stub } from './import-formats-helpers'

/**
 * An Insomnia request's own settings (v4's `setting*` fields, v5's `settings:` block) change what goes out: a
 * request that sends no cookies after a log-in is refused (401) as in Insomnia, one that does not follow
 * redirects gets the 302. What Flightdeck has no switch for is said in the report. Checked at a shop whose
 * answers depend on it.
 */

let shop: Stub
let work: string
let service: EngineService
beforeAll(async () => {
  shop = await startSessionShop()
})
afterAll(() => shop.close())
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'fd-insomnia-settings-'))
  service = isolatedService(work)
})
afterEach(async () => {
  await service.dispose()
  rmSync(work, { recursive: true, force: true })
})

const FILES: [string, string][] = [
  ['v4', 'insomnia-v4-settings.json'],
  ['v5', 'insomnia-v5-settings.yaml'],
]

describe('Insomnia request settings', () => {
  for (const [version, file] of FILES) {
    it(`${version}: cookies off and redirects off go out as in Insomnia; the rest is said`, async () => {
      const dir = join(work, 'shop')
      const report = await importText(fixtureText(file, shop.url), dir)
      const opened = await service.invoke('collection.open', { dir, create: false })
      if (!opened.ok) throw new Error(opened.error.message)
      shop.arrived.length = 0

      await sendSaved(service, shop, dir, 'log-in.yaml')
      const cart = await sendSaved(service, shop, dir, 'cart-without-the-session-is-rejected.yaml')
      expect(cart.headers.cookie).toBeUndefined()
      const checkout = await sendSaved(service, shop, dir, 'old-checkout-answers-with-its-move.yaml')
      expect(checkout.headers.cookie).toBe('sid=s-1')
      expect(checkout.body).toBe('cart=1')
      // Three requests arrived: the 302 was the answer, /checkout was never asked for.
      expect(shop.arrived.map((a) => `${a.method} ${a.url}`)).toEqual([
        'POST /login',
        'GET /cart',
        'POST /checkout-v1',
      ])

      const u = report.unmapped
      const where = 'Old checkout answers with its move'
      expect(u).toContain(
        `${where}: Insomnia sends its body without filling in variables; Flightdeck fills them in`,
      )
      expect(u).toContain(`${where}: Insomnia sends its URL without encoding it; Flightdeck encodes it`)
      expect(u).toContain(
        `${where}: cookies it is given are kept (Insomnia's "store cookies" is off for it; Flightdeck has one switch for sending and keeping)`,
      )
      expect(u.join('\n')).not.toContain('Log in:')
    })
  }
})
