import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * The browser host's credential stays with the browser host. Another server on 127.0.0.1 (any port) that the
 * same browser visits must receive nothing it could replay against the API, and the URL handed to the opener
 * (`xdg-open`, visible to every local user in `ps`) must be useless once the browser has used it.
 */

interface Reply {
  status: number
  body: string
}

/** Plain headers as Node can send them again: drop the hop-by-hop ones and anything Node computes itself. */
function replayable(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || ['connection', 'content-length', 'transfer-encoding'].includes(name)) continue
    out[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return out
}

function httpGet(port: number, path: string, headers: Record<string, string>): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** A WebSocket handshake from Node, where Origin and every other header can be forged at will. */
function wsUpgrade(port: number, path: string, headers: Record<string, string>): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      headers: {
        ...headers,
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': Buffer.from('0123456789abcdef').toString('base64'),
      },
    })
    req.on('upgrade', (res, socket) => {
      socket.destroy()
      resolve({ status: res.statusCode ?? 0, body: '' })
    })
    req.on('response', (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

async function sendOnce(page: Page, url: string): Promise<void> {
  await page.getByRole('textbox', { name: 'URL' }).fill(url)
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  await expect(
    page
      .getByRole('grid', { name: 'Timeline' })
      .getByRole('row')
      .filter({ hasText: new URL(url).pathname })
      .last(),
  ).toHaveAttribute('data-state', 'done')
}

let fixture: Fixture

test.beforeAll(async () => {
  fixture = await startHttpServer()
})

test.afterAll(async () => {
  await fixture?.close()
})

test('another server on 127.0.0.1 visited by the same browser receives nothing it can replay', async ({
  page,
}) => {
  const host: RunningWebHost = await startBuiltWebHost()
  const spy = await startHttpServer()
  try {
    const token = new URL(host.url).searchParams.get('token') ?? ''
    expect(token.length).toBeGreaterThan(20)
    const port = Number(new URL(host.origin).port)

    await page.goto(host.url)
    await sendOnce(page, `${fixture.url}/json`)
    // A reload keeps the session: the tab holds the credential, not a cookie.
    await page.reload()
    expect(page.url()).not.toContain('token=')
    await sendOnce(page, `${fixture.url}/json?again=1`)

    // Saving a body still works: a download needs a single-use ticket the page asks for over its socket.
    await page.getByRole('grid', { name: 'Timeline' }).getByRole('row').last().click()
    await page.getByRole('tab', { name: 'Response', exact: true }).click()
    const download = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Save…' }).click()
    const saved = await readFile(await (await download).path(), 'utf8')
    expect(JSON.parse(saved)).toBeTruthy()

    expect(await page.context().cookies()).toEqual([])

    // The same browser now visits the other local server, as a person's other dev server would be.
    await page.goto(`${spy.url}/json`)
    await page.goto(`${spy.url}/hello?x=1`)
    expect(spy.requests.length).toBeGreaterThanOrEqual(2)
    for (const seen of spy.requests) {
      expect(seen.headers['cookie'], `request ${seen.url}`).toBeUndefined()
      for (const [name, value] of Object.entries(seen.headers))
        expect(String(value), `header ${name} of ${seen.url}`).not.toContain(token)
      expect(seen.url).not.toContain(token)
    }

    // Whatever that server saw, replayed against the host's API from its own process, is refused.
    for (const seen of spy.requests) {
      const headers = { ...replayable(seen.headers), host: `127.0.0.1:${port}`, origin: host.origin }
      const socket = await wsUpgrade(port, '/api', headers)
      expect(socket.status).toBe(403)
      const body = await httpGet(port, '/download/body/b1?name=x', headers)
      expect(body.status).toBe(403)
    }
    expect(host.stderr()).toContain('refused API connection')

    // A tab whose kept token the host refuses (say, from an earlier launch on the same port) says so rather
    // than waiting forever.
    await page.goto(host.origin + '/')
    await page.evaluate(() => {
      const g = globalThis as unknown as { sessionStorage: { setItem(k: string, v: string): void } }
      g.sessionStorage.setItem('flightdeck.token', 'from-an-earlier-launch')
    })
    await page.reload()
    await expect(page.locator('.host-error')).toContainText('Cannot reach the Flightdeck host')
  } finally {
    await spy.close()
    await host.stop()
  }
})

test('the opener gets a launch link without the token, which works once', async ({ page, browser }) => {
  const dir = await mkdtemp(join(tmpdir(), 'fd-opener-'))
  const argvFile = join(dir, 'argv.txt')
  const opener = join(dir, 'open-browser.sh')
  // Records its whole command line ($0 and every argument), exactly what `ps` shows other local users.
  await writeFile(
    opener,
    `#!/bin/sh\nfor a in "$0" "$@"; do printf '%s\\n' "$a"; done > '${argvFile}.tmp'\nmv '${argvFile}.tmp' '${argvFile}'\n`,
  )
  await chmod(opener, 0o700)
  const host = await startBuiltWebHost(15_000, { open: true, env: { FLIGHTDECK_BROWSER: opener } })
  try {
    const token = new URL(host.url).searchParams.get('token') ?? ''
    const port = Number(new URL(host.origin).port)
    let argv: string[] = []
    await expect
      .poll(async () => {
        argv = (await readFile(argvFile, 'utf8').catch(() => '')).split('\n').filter(Boolean)
        return argv.length
      })
      .toBe(2)
    expect(argv.join(' ')).not.toContain(token)
    const launchUrl = argv[1] ?? ''
    expect(launchUrl).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/\\?launch=[A-Za-z0-9_-]{20,}$`))

    // The browser trades the code for the session over its socket, then works and survives a reload.
    await page.goto(launchUrl)
    await sendOnce(page, `${fixture.url}/json`)
    expect(page.url()).not.toContain('launch=')
    await page.reload()
    await sendOnce(page, `${fixture.url}/json?after=reload`)

    // Used once: anyone who read it from `ps` is too late, and is told so.
    const code = new URL(launchUrl).searchParams.get('launch') ?? ''
    const again = await wsUpgrade(port, '/api', {
      origin: host.origin,
      'sec-websocket-protocol': `flightdeck, flightdeck.launch.${code}`,
    })
    expect(again.status).toBe(403)
    expect(again.body).toMatch(/launch/i)
    const other = await browser.newContext()
    try {
      const late = await other.newPage()
      const res = await late.goto(launchUrl)
      expect(res?.status()).toBe(403)
      expect(await late.textContent('body')).toMatch(/already used or has expired/)
    } finally {
      await other.close()
    }
  } finally {
    await host.stop()
    await rm(dir, { recursive: true, force: true })
  }
})
