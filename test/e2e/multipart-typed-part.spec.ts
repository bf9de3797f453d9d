import { expect, test } from '@playwright/test'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * A multipart text part with a Content-Type of its own (a JSON part beside a plain one), typed in the composer:
 * the server gets that part with its Content-Type and no filename, and the plain part with none.
 */

let server: Fixture
let host: RunningWebHost | null = null

test.beforeAll(async () => {
  server = await startHttpServer()
  host = await startBuiltWebHost()
})

test.afterAll(async () => {
  await host?.stop()
  await server?.close()
})

test('a text part’s content type, typed beside its value, is the Content-Type that part arrives with', async ({
  page,
}) => {
  if (!host) throw new Error('no host')
  await page.goto(host.url)
  await page.getByRole('button', { name: 'New request tab' }).click()
  await page.getByRole('textbox', { name: 'URL' }).fill(`${server.url}/echo`)
  await page.getByRole('combobox', { name: 'Method', exact: true }).selectOption('POST')
  await page.getByRole('tab', { name: /^Body/ }).click()
  await page.getByRole('radiogroup', { name: 'Body kind' }).getByText('Multipart', { exact: true }).click()
  await page.getByRole('button', { name: '+ Text part' }).click()
  await page.getByRole('textbox', { name: 'Part 1 name' }).fill('metadata')
  await page.getByRole('textbox', { name: 'Part 1 value' }).fill('{"store":"Corner Cafe"}')
  await page.getByRole('textbox', { name: 'Part 1 content type' }).fill('application/json')
  await page.getByRole('button', { name: '+ Text part' }).click()
  await page.getByRole('textbox', { name: 'Part 2 name' }).fill('note')
  await page.getByRole('textbox', { name: 'Part 2 value' }).fill('paid in cash')
  const before = server.requests.length
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  await expect.poll(() => server.requests.length).toBeGreaterThan(before)
  const body = server.requests[before]?.body.toString('utf8') ?? ''
  expect(body).toContain(
    'Content-Disposition: form-data; name="metadata"\r\nContent-Type: application/json\r\n\r\n{"store":"Corner Cafe"}\r\n',
  )
  expect(body).toContain('Content-Disposition: form-data; name="note"\r\n\r\npaid in cash\r\n')
})
