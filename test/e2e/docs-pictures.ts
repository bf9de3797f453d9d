import { fileURLToPath } from 'node:url'
import { test } from '@playwright/test'

/**
 * Where a spec writes a picture the docs show (docs/<name>): into docs/ only when asked
 * (`FLIGHTDECK_DOCS_PICTURES=1`, which `npm run pictures` sets), else into the running test's output folder
 * (`docs/<name>` under it). So running a spec never changes the checkout's docs/, and every run still proves
 * the picture can be made. Call it inside a test.
 */
export function docsPicture(name: string): string {
  if (process.env['FLIGHTDECK_DOCS_PICTURES'] === '1')
    return fileURLToPath(new URL(`../../docs/${name}`, import.meta.url))
  return test.info().outputPath('docs', name)
}
