import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { expect, test } from '@playwright/test'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * An introspection answer past the 256 MB a schema may be: the panel says so with the answer's size, instead of
 * reading the first 256 MB and failing on cut JSON (or, before, reading at most 256 MB without saying so). The
 * server is our own: a 300 MB JSON answer, written in 1 MB pieces as the socket takes them.
 */

const MB = 1024 * 1024
const ANSWER_MB = 300

let host: RunningWebHost
let server: Server
let url = ''

test.beforeAll(async () => {
  host = await startBuiltWebHost()
  const head = '{"data":{"__schema":{"description":"'
  const tail = '"}}}'
  const piece = Buffer.alloc(MB, 'a')
  server = createServer((req, res) => {
    req.resume()
    const size = ANSWER_MB * MB
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(size) })
    res.write(head)
    let left = size - head.length - tail.length
    const more = (): void => {
      while (left > 0) {
        const n = Math.min(left, piece.length)
        left -= n
        if (!res.write(piece.subarray(0, n))) return void res.once('drain', more)
      }
      res.end(tail)
    }
    more()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`
})

test.afterAll(async () => {
  await host?.stop()
  await new Promise<void>((resolve) => server?.close(() => resolve()))
})

test('a 300 MB introspection answer is refused in the panel, saying its size and the limit', async ({
  page,
}) => {
  test.setTimeout(150_000)
  await page.goto(host.url)
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'GraphQL' })
  await page.getByRole('textbox', { name: 'URL' }).fill(url)
  await page.getByRole('button', { name: 'Fetch schema' }).click()
  const state = page.getByTestId('graphql-schema-state')
  await expect(state).toHaveText(
    'Schema not loaded: the response is 300 MB, over the 256 MB a schema may be',
    {
      timeout: 120_000,
    },
  )
  await expect(state).toHaveAttribute('role', 'alert')
})
