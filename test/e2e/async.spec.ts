import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test, type Page } from '@playwright/test'
import { startCallbackServer, type CallbackServer } from '../fixtures/callback-server'
import { startJobServer, type JobServer } from '../fixtures/job-server'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * Async work through the browser host in Chromium: start a 202 job and watch it poll and finish on one lane;
 * receive a webhook linked to the request that carried {{$webhook}}. Leaves docs/async-job.png.
 */

const jobShot = fileURLToPath(new URL('../../docs/async-job.png', import.meta.url))

let jobs: JobServer
let hooks: CallbackServer
let host: RunningWebHost
let page: Page

test.describe.configure({ mode: 'serial' })

test.beforeAll(async ({ browser }) => {
  jobs = await startJobServer()
  hooks = await startCallbackServer()
  host = await startBuiltWebHost(15_000, {
    env: { FLIGHTDECK_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'fd-e2e-async-')) },
  })
  page = await browser.newPage({ viewport: { width: 1400, height: 860 } })
  await page.goto(host.url)
})

test.afterAll(async () => {
  await page?.close()
  await host?.stop()
  await jobs?.close()
  await hooks?.close()
})

test('a 202 job polls on its own lane and finishes there', async () => {
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  const timeline = page.getByRole('grid', { name: 'Timeline' })
  await page.getByRole('combobox', { name: 'Method', exact: true }).selectOption('POST')
  await page.getByRole('textbox', { name: 'URL' }).fill(`${jobs.url}/jobs?polls=4`)
  await page.getByRole('tab', { name: /After response/ }).click()
  await page.getByRole('radio', { name: 'Follow job' }).click()
  await page.getByRole('spinbutton', { name: 'Poll interval (ms)' }).fill('250')
  await expect(page.getByRole('tab', { name: /After response/ })).toContainText('follow job')
  await page.getByRole('button', { name: 'Send', exact: true }).click()

  // One row: the job's polls are drawn on it, and it says how far the job is.
  const row = timeline.locator('[role="row"][data-job]')
  await expect(row).toHaveCount(1)
  await expect(row).toHaveAttribute('data-job', 'running')
  await expect(row).toContainText('job … ')
  await expect(row).toHaveAttribute('data-job', 'completed', { timeout: 15_000 })
  await expect(row).toHaveAttribute('data-polls', '4')
  await expect(row).toContainText('job ✓ 4 polls')
  await expect(timeline.locator('[role="row"][data-sid]')).toHaveCount(1)
  expect(jobs.polls('j1')).toHaveLength(4)

  // Details: the outcome, the status URL and the four polls, each a click away.
  await row.click()
  const panel = page.getByLabel('Job', { exact: true })
  await expect(panel).toContainText('completed')
  await expect(panel.getByTestId('job-message')).toHaveText('The job completed (status 200)')
  await expect(panel).toContainText(`${jobs.url}/jobs/j1`)
  await expect(panel).toContainText('200 · "succeeded"')
  const polls = panel.getByRole('list', { name: 'Polls' }).getByRole('listitem')
  await expect(polls).toHaveCount(4)
  await polls.nth(3).click()
  await expect(page.locator('.details .status-line')).toContainText(`${jobs.url}/jobs/j1`)
  await expect(page.getByLabel('Job', { exact: true })).toContainText('Started by')
  expect(errors).toEqual([])
})

test('a webhook arrives as its own row, linked to the request that carried {{$webhook}}', async () => {
  const timeline = page.getByRole('grid', { name: 'Timeline' })
  // Without an inbox the send is refused, saying what to do.
  await page.getByRole('radio', { name: 'Nothing' }).click()
  await page.getByRole('textbox', { name: 'URL' }).fill(`${hooks.url}/subscribe?delay=400`)
  await page.getByRole('tab', { name: /Body/ }).click()
  await page.getByRole('radiogroup', { name: 'Body kind' }).getByText('JSON').click()
  await page
    .getByRole('textbox', { name: 'Body JSON' })
    .fill('{"callback":"{{$webhook}}","event":"deployed"}')
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  await expect(
    page.getByRole('alert').filter({ hasText: 'Start the webhook inbox to use {{$webhook}}' }),
  ).toBeVisible()

  // Start the inbox from the toolbar.
  await page.getByRole('button', { name: 'Webhooks' }).click()
  const inbox = page.getByRole('dialog', { name: 'Webhook inbox' })
  await inbox.getByRole('button', { name: 'Start' }).click()
  await expect(inbox.getByLabel('Inbox URL')).toHaveText(/^http:\/\/127\.0\.0\.1:\d+$/)
  const base = (await inbox.getByLabel('Inbox URL').textContent()) ?? ''
  await page.keyboard.press('Escape')

  await page.getByRole('button', { name: 'Send', exact: true }).click()
  const sender = timeline.locator(`[role="row"][aria-label^="POST ${hooks.url}/subscribe"]`)
  await expect(sender).toHaveCount(1)
  const senderSid = (await sender.getAttribute('data-sid')) ?? ''
  const hook = timeline.locator('[role="row"][data-kind="webhook"]')
  await expect(hook).toHaveCount(1)
  await expect(hook).toHaveAttribute(
    'aria-label',
    new RegExp(
      `^webhook POST ${base.replace(/[.]/g, '\\.')}/hooks/[A-Za-z0-9_-]+/done\\?attempt=1 caused by ${senderSid}$`,
    ),
  )
  await expect(hook).toContainText('hook')
  expect(hooks.answered).toEqual([200])

  await hook.click()
  const details = page.getByRole('region', { name: 'Webhook call' })
  await expect(details).toContainText('/done?attempt=1')
  await expect(details.getByRole('table', { name: 'Webhook headers' })).toContainText('x-signature')
  await expect(details.getByRole('table', { name: 'Webhook headers' })).toContainText('sig-123')
  await expect(details.getByLabel('Webhook body')).toContainText('"event": "deployed"')
  await details.getByRole('button', { name: new RegExp(`^POST ${hooks.url}/subscribe`) }).click()
  await expect(timeline.locator(`[role="row"][data-sid="${senderSid}"]`)).toHaveAttribute(
    'aria-selected',
    'true',
  )

  // For the README: a job on one lane and a webhook tied to its request, the job selected.
  await page.getByRole('tab', { name: /After response/ }).click()
  await page.getByRole('radio', { name: 'Follow job' }).click()
  await page.getByRole('tab', { name: /Body/ }).click()
  await page.getByRole('radiogroup', { name: 'Body kind' }).getByText('None').click()
  await page.getByRole('textbox', { name: 'URL' }).fill(`${jobs.url}/jobs?polls=6&retryAfter=1`)
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  const second = timeline.locator('[role="row"][data-job]').nth(1)
  await expect(second).toHaveAttribute('data-job', 'completed', { timeout: 20_000 })
  await second.click()
  await page.getByRole('tab', { name: /After response/ }).click()
  await page.screenshot({ path: jobShot })
})
