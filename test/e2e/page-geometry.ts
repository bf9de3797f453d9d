import { test, type Locator, type Page } from '@playwright/test'

/** Where an element is drawn, and the light and dark pictures of a state, as the layout specs read them. */

export type Box = { x: number; y: number; width: number; height: number }

export async function box(what: Locator): Promise<Box> {
  const b = await what.boundingBox()
  if (!b) throw new Error('not drawn')
  return b
}

/** Whether `inner` lies wholly inside `outer`, top to bottom. */
export function within(inner: Box, outer: Box): boolean {
  return inner.y >= outer.y - 0.5 && inner.y + inner.height <= outer.y + outer.height + 0.5
}

/** Two animation frames: cues are measured once a frame. */
export async function settled(page: Page): Promise<void> {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))))
}

/** `<name>-light.png` and `<name>-dark.png` in the test's output folder, the pointer out of the way. */
export async function pictures(page: Page, name: string): Promise<void> {
  await page.mouse.move(1, 1)
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({ path: test.info().outputPath(`${name}-${scheme}.png`) })
  }
  await page.emulateMedia({ colorScheme: 'light' })
}
