import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { expect, it } from 'vitest'
import { VERSION } from '../../src/engine/version'

it('the engine reports the version in package.json', () => {
  const pkg = JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8')) as {
    version: string
  }
  expect(VERSION).toBe(pkg.version)
})
