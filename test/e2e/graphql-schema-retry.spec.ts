import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { expect, test } from '@playwright/test'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * Refresh schema after a failed fetch, as U met it: the server is down, Fetch schema fails, Refresh schema fails
 * the same way within milliseconds. What the person sees must change, saying it tried again.
 */

let host: RunningWebHost
let closedUrl = ''

test.beforeAll(async () => {
  host = await startBuiltWebHost()
  // A port that was listened on and is closed: connections to it are refused.
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  closedUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/graphql`
  await new Promise<void>((resolve) => probe.close(() => resolve()))
})

test.afterAll(async () => {
  await host?.stop()
})

test('Refresh schema after a failed fetch says it tried again', async ({ page }) => {
  await page.goto(host.url)
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'GraphQL' })
  await page.getByRole('textbox', { name: 'URL' }).fill(closedUrl)
  await page.getByRole('button', { name: 'Fetch schema' }).click()
  const state = page.getByTestId('graphql-schema-state')
  await expect(state).toHaveAttribute('role', 'alert')
  await expect(state).toContainText(/refused/i)
  const first = await state.textContent()
  expect(first).not.toMatch(/times in a row/)

  await page.getByRole('button', { name: 'Refresh schema' }).click()
  await expect(state).toContainText(/ \(failed 2 times in a row, last at \d\d:\d\d:\d\d\)$/)
  await page.getByRole('button', { name: 'Refresh schema' }).click()
  await expect(state).toContainText(/ \(failed 3 times in a row, last at \d\d:\d\d:\d\d\)$/)
  // Each try is an introspection on the timeline, so the tries can be looked at.
  await expect(page.getByRole('grid', { name: 'Timeline' }).getByRole('row')).toHaveCount(3)
})
