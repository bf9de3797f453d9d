import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * The page's first number or date formatted through ICU (toLocaleString, Intl) loads ICU's formatting data in
 * that task: ~15-20 ms of CPU, a long task when it lands in a burst (the toolbar's "N older released" first shows
 * when the timeline reaches its cap mid-burst), or at start (the last session's date). Counts are written by
 * groupDigits instead, times and dates by clock-text. What the page's code
 * (src/renderer, and src/shared which it runs) still formats through ICU is listed here, each with why it stays.
 */

const ROOT = join(__dirname, '..', '..')
const ICU_CALL = /\.toLocale(?:Date|Time)?String\(|\bIntl\.|\bNumberFormat\b/g

const ALLOWED: Record<string, { calls: number; why: string }> = {
  'src/shared/group-digits.ts': { calls: 1, why: 'the fallback for what is not a safe integer' },
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sources(path)
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [path] : []
  })
}

/** Each file of the page's code that formats through ICU, with how many times it does. */
function icuCalls(): Record<string, number> {
  const found: Record<string, number> = {}
  for (const dir of ['src/renderer', 'src/shared']) {
    for (const path of sources(join(ROOT, dir))) {
      const calls = readFileSync(path, 'utf8').match(ICU_CALL)?.length ?? 0
      if (calls > 0) found[relative(ROOT, path).split('\\').join('/')] = calls
    }
  }
  return found
}

describe("the page's numbers and dates", () => {
  it('are formatted without ICU, but for the listed uses that stay out of a burst', () => {
    const allowed = Object.fromEntries(Object.entries(ALLOWED).map(([path, { calls }]) => [path, calls]))
    expect(icuCalls()).toEqual(allowed)
  })
})
