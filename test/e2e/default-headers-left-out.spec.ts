import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { docsPicture } from './docs-pictures'
import { startShop, type UsersEyeShop } from './users-eye-steps'

/**
 * A saved request that leaves default headers out (`omitDefaultHeaders`, as a Postman import's disabled system
 * headers): the composer's Headers says which, puts one back and leaves another out; the save writes it, Send
 * sends it so, and the Code dialog offers the timeline's languages, HTTPie among them.
 */

let shop: UsersEyeShop
const arrived: Record<string, string | string[] | undefined>[] = []

test.beforeAll(async () => {
  shop = await startShop(
    'default-headers',
    (req, res) => {
      arrived.push(req.headers)
      req.resume()
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
    },
    (write) =>
      write(
        'bare.yaml',
        [
          'name: Bare',
          'method: POST',
          'url: "{{base}}/bare"',
          'headers:',
          '  - { name: X-Trace, value: t-42, enabled: true }',
          'body:',
          '  kind: text',
          '  contentType: text/plain',
          '  text: plain words',
          'options:',
          '  omitDefaultHeaders: [user-agent, content-type]',
          '',
        ].join('\n'),
      ),
  )
})

test.afterAll(async () => {
  await shop?.stop()
})

test('Headers names the default headers left out; one put back, one left out, saved and sent so', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1024, height: 700 })
  await page.goto(shop.host.url)
  const sidebar = page.getByRole('complementary', { name: 'Collections' })
  await sidebar.getByRole('treeitem', { name: 'Bare', exact: true }).click()
  await page
    .getByRole('tab', { name: /^Headers/ })
    .first()
    .click()
  const note = page.getByRole('group', { name: 'Default headers left out' })
  await expect(note.getByRole('note')).toHaveText('Left out: User-Agent, Content-Type')
  await expect(note).toBeInViewport()
  const request = page.getByRole('region', { name: 'Request' })
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await request.screenshot({
      path: docsPicture(`default-headers-left-out${scheme === 'dark' ? '-dark' : ''}.png`),
    })
  }
  await page.emulateMedia({ colorScheme: 'light' })

  await note.getByRole('button', { name: 'Put back User-Agent' }).click()
  await note.getByRole('combobox', { name: 'Leave out a default header' }).selectOption('accept')
  await expect(note.getByRole('note')).toHaveText('Left out: Content-Type, Accept')
  await page.keyboard.press('Control+s')
  await expect
    .poll(() => readFileSync(join(shop.root, 'shop', 'bare.yaml'), 'utf8'))
    .toMatch(/omitDefaultHeaders: \[ ?content-type, accept ?\]/)

  await page.getByRole('button', { name: 'Send', exact: true }).click()
  await expect.poll(() => arrived.length).toBe(1)
  const sent = arrived[0] ?? {}
  expect(sent['user-agent']).toMatch(/^Flightdeck\//)
  expect(sent.accept).toBeUndefined()
  expect(sent['content-type']).toBeUndefined()
  expect(sent['x-trace']).toBe('t-42')

  await page.getByRole('button', { name: 'Code', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Code snippet' })
  const languages = dialog.getByRole('combobox', { name: 'Snippet language' })
  await expect(languages.getByRole('option')).toHaveText([
    'cURL',
    'HTTPie',
    'JavaScript (fetch)',
    'Node.js (axios)',
    'Python (requests)',
    'Go',
    'Java (OkHttp)',
    'C# (HttpClient)',
    'PHP (curl)',
    'Ruby',
    'PowerShell',
  ])
  await languages.selectOption('shell:httpie')
  await expect(dialog.getByRole('textbox', { name: 'Snippet' })).toHaveValue(
    /^printf '%s' 'plain words' \| http POST http:\/\/127\.0\.0\.1:\d+\/bare \\\n {2}X-Trace:t-42 \\\n {2}Accept: \\\n {2}Content-Type:$/,
  )
})
