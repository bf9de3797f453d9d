import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

/**
 * The README and docs/ are read on GitHub, in a clone and offline: every link must land on a file in the
 * repository (and a heading in it, when it names one), and no link may leave the repository.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const pages = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
]
const LINK = /!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-')
}

function anchorsOf(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '')
  const out = new Set<string>()
  for (const m of text.matchAll(/^#{1,6}\s+(.+)$/gm)) out.add(slug(m[1] ?? ''))
  return out
}

function linksOf(page: string): string[] {
  const text = readFileSync(join(root, page), 'utf8').replace(/```[\s\S]*?```/g, '')
  return [...text.matchAll(LINK)].map((m) => m[1] ?? '')
}

describe('documentation links', () => {
  it('finds the pages and their links', () => {
    expect(pages.length).toBeGreaterThan(5)
    expect(linksOf('README.md').length).toBeGreaterThan(5)
  })

  for (const page of pages) {
    it(`${page}: every link stays in the repository and lands`, () => {
      const problems: string[] = []
      for (const link of linksOf(page)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(link)) {
          problems.push(`${link}: leaves the repository`)
          continue
        }
        const [path = '', anchor] = link.split('#')
        const target = path === '' ? join(root, page) : resolve(dirname(join(root, page)), decodeURI(path))
        const inside = relative(root, existsSync(target) ? realpathSync(target) : target)
        if (inside.startsWith('..')) {
          problems.push(`${link}: points outside the repository`)
          continue
        }
        if (!existsSync(target)) {
          problems.push(`${link}: no such file`)
          continue
        }
        if (anchor && target.endsWith('.md') && !anchorsOf(target).has(anchor))
          problems.push(`${link}: no heading #${anchor} in ${relative(root, target)}`)
      }
      expect(problems).toEqual([])
    })
  }
})
