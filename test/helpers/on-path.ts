import { accessSync, constants, statSync } from 'node:fs'
import { delimiter, join } from 'node:path'

/**
 * Whether a folder of `path` (PATH's form) holds an executable file `name`: how a test finds out a tool is
 * installed without running it. Running a probe (`http --version`) under a time limit skipped every test of the
 * tool whenever a loaded machine took longer, a skip that hid whatever those tests would have found; a tool that is
 * there but broken fails the tests that run it instead, saying how.
 */
export function executableOnPath(name: string, path = process.env['PATH'] ?? ''): boolean {
  return path
    .split(delimiter)
    .filter(Boolean)
    .some((dir) => {
      const file = join(dir, name)
      try {
        accessSync(file, constants.X_OK)
        return statSync(file).isFile()
      } catch {
        return false
      }
    })
}
