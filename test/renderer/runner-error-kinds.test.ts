import { createElement } from 'react'
import { createServer, type AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { RunnerPanel } from '../../src/renderer/runner/RunnerPanel'
import { startOAuthServer, type OAuthServer } from '../fixtures/oauth-server'
import { renderOverStore } from './render-over-store'
import { runToFinish, useRunnerCollection } from './runner-collection'

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const { port } = s.address() as AddressInfo
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}

/**
 * The runner's results said every failed step "got no response (network errors)": a request whose OAuth 2.0 token
 * endpoint refused it (never sent) too. Real engine and servers; at concurrency 1 one request to a port nothing
 * listens on, one whose client secret the token endpoint refuses, one whose pre-request script throws (it is
 * still sent and answered).
 */

let refusedPort = 0

const collection = useRunnerCollection<OAuthServer>(
  'fd-runner-error-kinds',
  async () => {
    refusedPort = await closedPort()
    return startOAuthServer()
  },
  (base) => ({
    'collection.yaml': 'flightdeck: 1\nname: Kinds\n',
    'three/a-refused.yaml': `name: A refused\nmethod: GET\nurl: http://127.0.0.1:${refusedPort}/\n`,
    'three/b-auth.yaml':
      `name: B token refused\nmethod: GET\nurl: ${base}/protected\n` +
      `auth:\n  type: oauth2\n  grant: client_credentials\n  tokenUrl: ${base}/token\n  clientId: app\n  clientSecret: wrong\n  scope: ""\n  clientAuth: basic\n`,
    'three/c-script.yaml':
      `name: C script throws\nmethod: GET\nurl: ${base}/whoami\n` +
      `scripts:\n  preRequest: |-\n    throw new Error('no such thing')\n  translated: false\n`,
  }),
)

/** What a person reads: the markup's text. */
const text = (html: string): string => html.replace(/<[^>]+>/g, '').replace(/&#x27;/g, "'")

describe("runner: a run's failures told apart", () => {
  it('says a network error, a refused token and a thrown script each in words of their own', async () => {
    const run = await runToFinish(collection, 'three', 'three', { concurrency: 1, iterations: 1 })
    expect(run.failed).toBe(3)
    const words = text(renderOverStore(collection.store, createElement(RunnerPanel)))
    // Only the refused connection went out unanswered; the refused token sent nothing; the script's was answered.
    expect(words).toContain('1 request got no response (network errors).')
    expect(words).toContain('1 request was not sent: its auth failed (auth errors).')
    expect(words).toContain("1 request's script stopped on an error (script errors).")
    expect(words).not.toContain('2 requests got no response')
    expect(words).not.toContain('got a response, then ended in an error')
    expect(words).not.toContain('could not be made')
  })
})
