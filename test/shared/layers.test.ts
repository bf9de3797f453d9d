import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve, dirname } from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * The layer rules of DESIGN.md, checked on the real import graph: shared <- engine <- main/web/cli;
 * shared <- preload; shared <- renderer. ESLint says the same per folder; this test fails even if a lint rule
 * is switched off.
 */

const root = resolve(__dirname, '../..')
const src = join(root, 'src')

function files(dir: string): string[] {
  let out: string[] = []
  let entries: string[] = []
  try {
    entries = readdirSync(dir)
  } catch {
    return out
  }
  for (const name of entries) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) out = out.concat(files(p))
    else if (/\.(ts|tsx|mts)$/.test(name)) out.push(p)
  }
  return out
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const specs: string[] = []
  const re =
    /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g
  for (const m of text.matchAll(re)) specs.push((m[1] ?? m[2] ?? m[3]) as string)
  return specs
}

/** Which layer a source file or import target belongs to. */
function layerOf(absPath: string): string | null {
  const rel = relative(src, absPath)
  if (rel.startsWith('..')) return null
  const top = rel.split(/[\\/]/)[0] ?? ''
  if (top === 'web' && rel.includes(`web${'/'}bridge`)) return 'web-bridge'
  return top
}

const allowed: Record<string, string[]> = {
  shared: ['shared'],
  engine: ['shared', 'engine'],
  main: ['shared', 'engine', 'main'],
  web: ['shared', 'engine', 'web'],
  cli: ['shared', 'engine', 'cli'],
  preload: ['shared', 'preload'],
  renderer: ['shared', 'renderer'],
  'web-bridge': ['shared', 'web-bridge'],
}

const packagesBanned: Record<string, RegExp> = {
  shared: /^(electron|node:|fs$|path$|os$|undici|ws$|tough-cookie|react)/,
  engine: /^(electron$|react)/,
  // The Electron host binds the engine; it speaks no protocol itself.
  main: /^(react|undici|ws$|tough-cookie)/,
  // The browser host and the CLI run under plain Node: no Electron, no UI.
  web: /^(electron$|react)/,
  cli: /^(electron$|react)/,
  renderer: /^(electron|node:|fs$|path$|os$|undici|ws$|tough-cookie)/,
  'web-bridge': /^(electron|node:|undici|ws$|react)/,
  preload: /^(node:|fs$|path$|undici|ws$|tough-cookie|react)/,
}

export function violations(): string[] {
  const out: string[] = []
  for (const file of files(src)) {
    const from = layerOf(file)
    if (!from) continue
    for (const spec of importsOf(file)) {
      if (spec.startsWith('.')) {
        const to = layerOf(resolve(dirname(file), spec))
        if (to && !(allowed[from] ?? []).includes(to))
          out.push(`${relative(root, file)} imports ${spec} (${from} -> ${to})`)
      } else {
        const banned = packagesBanned[from]
        if (banned?.test(spec))
          out.push(`${relative(root, file)} imports package ${spec} (not allowed in ${from})`)
      }
    }
  }
  return out
}

describe('layer rules', () => {
  it('no source file imports across a forbidden layer boundary', () => {
    expect(violations()).toEqual([])
  })

  it('every layer under src has rules, and the hosts are checked too', () => {
    const layers = readdirSync(src).filter((name) => statSync(join(src, name)).isDirectory())
    expect(layers.filter((layer) => !(layer in allowed))).toEqual([])
    for (const host of ['main', 'web', 'cli', 'preload']) {
      expect(files(join(src, host)).length, host).toBeGreaterThan(0)
    }
    for (const host of ['main', 'web', 'cli']) {
      expect(allowed[host]?.includes('renderer'), host).toBe(false)
      expect(packagesBanned[host]?.test('react'), host).toBe(true)
    }
    expect(packagesBanned.web?.test('electron')).toBe(true)
    expect(packagesBanned.cli?.test('electron')).toBe(true)
    expect(allowed.main?.includes('web')).toBe(false)
    expect(allowed.web?.includes('main')).toBe(false)
    expect(allowed.cli?.includes('main')).toBe(false)
  })

  it('the checker itself catches a forbidden import', () => {
    // Guard against a checker that passes by finding nothing: parse a known-bad snippet with the same regex.
    const text = "import { app } from 'electron'\nimport { x } from '../engine/service'\n"
    const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/g)].map(
      (m) => m[1],
    )
    expect(specs).toEqual(['electron', '../engine/service'])
    expect(packagesBanned.shared?.test('electron')).toBe(true)
    expect(allowed.renderer?.includes('engine')).toBe(false)
    expect(files(join(src, 'engine')).length).toBeGreaterThan(3)
  })
})
