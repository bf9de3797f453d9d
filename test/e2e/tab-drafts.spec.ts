import { expect, test } from '@playwright/test'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * Each tab keeps its own request: kind, subprotocols, SSE reconnect choice. Typing a subprotocol list keeps
 * what is typed (separators included); switching tabs and reloading the page bring each tab's back as it was.
 */

let host: RunningWebHost | null = null

test.beforeAll(async () => {
  host = await startBuiltWebHost()
})

test.afterAll(async () => {
  await host?.stop()
})

test('each tab keeps its kind, subprotocols and reconnect choice across switches and a reload', async ({
  page,
}) => {
  if (!host) throw new Error('no host')
  await page.goto(host.url)
  const kind = page.getByRole('combobox', { name: 'Session type' })
  const url = page.getByRole('textbox', { name: 'URL' })
  const protocols = page.getByRole('textbox', { name: 'Subprotocols' })
  const reconnect = page
    .getByRole('group', { name: 'SSE options' })
    .getByRole('checkbox', { name: 'Reconnect' })

  // Tab 1: a WebSocket, its subprotocols typed key by key.
  await kind.selectOption('ws')
  await url.fill('ws://127.0.0.1:9/chat')
  await protocols.pressSequentially('chat.v2, json')
  await expect(protocols).toHaveValue('chat.v2, json')

  // Tab 2: an SSE POST with reconnect turned on by hand.
  await page.getByRole('button', { name: 'New request tab' }).click()
  await expect(kind).toHaveValue('http')
  await kind.selectOption('sse')
  await page.getByRole('combobox', { name: 'Method', exact: true }).selectOption('POST')
  await url.fill('http://127.0.0.1:9/llm')
  await expect(reconnect).not.toBeChecked()
  await reconnect.check()

  const tabs = page.getByRole('tablist', { name: 'Open requests' }).getByRole('tab')
  await tabs.nth(0).click()
  await expect(kind).toHaveValue('ws')
  await expect(url).toHaveValue('ws://127.0.0.1:9/chat')
  await expect(protocols).toHaveValue('chat.v2, json')
  await tabs.nth(1).click()
  await expect(kind).toHaveValue('sse')
  await expect(reconnect).toBeChecked()
  await tabs.nth(0).click()

  // A reload brings both tabs back (the workspace is saved as the page goes).
  await page.reload()
  await expect(kind).toHaveValue('ws')
  await expect(url).toHaveValue('ws://127.0.0.1:9/chat')
  await expect(protocols).toHaveValue('chat.v2, json')
  await expect(tabs.nth(0)).toContainText('WS')
  await tabs.nth(1).click()
  await expect(kind).toHaveValue('sse')
  await expect(url).toHaveValue('http://127.0.0.1:9/llm')
})
