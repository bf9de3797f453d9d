import type { SnippetTarget } from '../../src/shared/body-view'
import { savedToSpec } from '../../src/shared/collection'
import { executableOnPath } from '../helpers/on-path'
import { runTool } from '../setup/hang-guard'
import { done } from './helpers'
import type { Arrived, ImportTarget } from './import-formats-helpers'
import { savedRequest } from './import-formats-helpers'

/**
 * What the Copy as tests compare: what Send sent to the stub, and what a snippet's real tool sends there.
 */

/** A curl command (a Copy as curl) run by curl (runTool: ended with its test); what arrived at the stub. */
export async function ranCurl(t: ImportTarget, command: string): Promise<Arrived> {
  const before = t.stub.arrived.length
  await runTool('sh', ['-c', `${command} --silent --show-error --output /dev/null`])
  const got = t.stub.arrived[before]
  if (!got) throw new Error('curl sent nothing')
  return got
}

/**
 * Whether HTTPie's `http` is installed (Debian's `httpie`), found without running it (test/helpers/on-path.ts).
 * Tests that run its commands skip with `HTTPIE_MISSING` without it: a skip that says why, never a pass.
 */
export const hasHttpie = executableOnPath('http')

export const HTTPIE_MISSING =
  'HTTPie is not installed (apt-get install httpie): its commands were not run against the stub'

/**
 * An HTTPie command run by sh in `cwd` (its file bodies are relative to the collection folder; runTool: ended
 * with its test), with stdin a pipe that is not a terminal, as in a script; what arrived at the stub.
 */
export async function ranHttpie(t: ImportTarget, command: string, cwd: string): Promise<Arrived> {
  const before = t.stub.arrived.length
  await runTool('sh', ['-c', `${command} --quiet`], { cwd })
  const got = t.stub.arrived[before]
  if (!got) throw new Error('http sent nothing')
  return got
}

/** The saved request at `path` sent; what arrived, and its timeline row's Copy as in each of `targets`. */
export async function sentAndRow(
  t: ImportTarget,
  path: string,
  targets: readonly SnippetTarget[],
): Promise<{ ours: Arrived; codes: string[] }> {
  const req = await savedRequest(t.dir, path)
  const before = t.stub.arrived.length
  const r = await t.service.invoke('request.send', {
    request: savedToSpec(req),
    auth: req.auth,
    context: { dir: t.dir, path },
  })
  if (!r.ok) throw new Error(r.error.message)
  const sid = r.value.sids[0] as string
  done(await t.service.http.waitFor(sid))
  const ours = t.stub.arrived[before]
  if (!ours) throw new Error('nothing arrived')
  const codes: string[] = []
  for (const target of targets) {
    const code = await t.service.invoke('session.snippet', { sid, target })
    if (!code.ok) throw new Error(code.error.message)
    codes.push(code.value.code)
  }
  return { ours, codes }
}
