import { expect, test } from '@playwright/test'
import { sendForNotSent, shoot, startShop, type UsersEyeShop } from './users-eye-steps'

/**
 * A saved form-data request whose Content-Type is left out (`omitDefaultHeaders: [content-type]`, as a Postman
 * request with its Content-Type switched off imports): Send says in the composer why it is not sent and what to
 * do, and the server gets nothing.
 */

let shop: UsersEyeShop
let hits = 0

test.beforeAll(async () => {
  shop = await startShop(
    'omit-form-data',
    (req, res) => {
      hits++
      req.resume()
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
    },
    (write) =>
      write(
        'upload.yaml',
        [
          'name: Upload',
          'method: POST',
          'url: "{{base}}/upload"',
          'body:',
          '  kind: multipart',
          '  parts:',
          '    - { kind: text, name: city, value: Lyon, enabled: true }',
          'options:',
          '  omitDefaultHeaders: [content-type]',
          '',
        ].join('\n'),
      ),
  )
})

test.afterAll(async () => {
  await shop?.stop()
})

test('Send of a form whose Content-Type is left out says why and what to do, and sends nothing', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1024, height: 700 })
  await page.goto(shop.host.url)
  const sidebar = page.getByRole('complementary', { name: 'Collections' })
  await sidebar.getByRole('treeitem', { name: 'Upload', exact: true }).click()
  const alert = await sendForNotSent(page)
  await expect(alert).toContainText('names the boundary between the parts')
  await expect(alert).toContainText('Add a Content-Type header of multipart/form-data')
  await expect(alert).toBeInViewport()
  expect(hits).toBe(0)
  await shoot(page, 'omit-form-data-send-error')
})
