import type {
  AuthSpec,
  EnvironmentInfo,
  RequestScripts,
  SavedRequest,
  Variable,
} from '../../shared/collection'
import type { KeyValue } from '../../shared/request'
import type { LoadedCollection } from '../collections/loader'
import { brunoGraphqlNotes } from '../graphql/graphql-bruno'
import { readExportTree, type ExportFolder, type ExportRequest } from './export-tree'
import { brunoSettingsOf } from './export-options'
import {
  hasControls,
  holdableAuth,
  holdableName,
  holdableVariables,
  unholdableRequest,
  withoutControls,
} from './bruno-holdable'
import { distinctEnvironmentStems } from './export-env-names'
import { fileNamesLeft } from './file-part-names'
import { BrunoExportFiles, type BrunoFileCopy } from './bruno-files'
import { block, kv, pair, textBlock } from './bruno-bru-syntax'
import { authBlock, authMode, bodyBlock, bodyMode, textBodyType } from './bruno-request-blocks'
import { assertLines, extractLines } from './bruno-checks'

/**
 * Export to a Bruno collection folder: `bruno.json`, `collection.bru`, a folder per folder with its
 * `folder.bru`, a `.bru` per request, `environments/*.bru`. Extractions become `vars:post-response`, simple
 * assertions `assert` lines, kept scripts their script blocks. Secret values go out as `vars:secret` names
 * only. What Bruno cannot hold is listed in `skipped`. Files are returned by path; the caller writes them.
 */

const METHOD_BLOCKS = new Set([
  'get',
  'post',
  'put',
  'delete',
  'patch',
  'options',
  'head',
  'connect',
  'trace',
])

function requestFile(
  r: SavedRequest,
  seq: number,
  where: string,
  skipped: string[],
  file: (path: string) => string,
): string | null {
  // A GraphQL request is a Bruno GraphQL request (meta type graphql, body mode graphql).
  const gql = r.kind === 'graphql' && r.graphql ? r.graphql : null
  if (gql) skipped.push(...brunoGraphqlNotes(gql, where))
  if (r.kind !== 'http' && !gql) {
    skipped.push(`${where}: not exported (a ${r.kind} request; Bruno's .bru requests are HTTP)`)
    return null
  }
  const unholdable = unholdableRequest(r, where)
  if (unholdable !== null) {
    skipped.push(unholdable)
    return null
  }
  if (r.dependsOn?.length || r.retry || r.followJob || r.longPoll || r.waitForWebhook)
    skipped.push(
      `${where}: dependsOn, retry and what it does after its response not exported (Bruno has no such field)`,
    )
  if (!gql) fileNamesLeft(r.body, 'Bruno', where, skipped)
  const m = r.method.toLowerCase()
  const parts: string[] = [
    block('meta', [pair('name', r.name), pair('type', gql ? 'graphql' : 'http'), pair('seq', String(seq))]),
  ]
  const mode = gql ? 'graphql' : bodyMode(r.body)
  const methodLines = [pair('url', r.url), pair('body', mode), pair('auth', authMode(r.auth))]
  parts.push(
    METHOD_BLOCKS.has(m) ? block(m, methodLines) : block('http', [pair('method', r.method), ...methodLines]),
  )
  const query = (() => {
    const q = r.url.indexOf('?')
    if (q < 0) return [] as KeyValue[]
    return (
      r.url
        .slice(q + 1)
        .split('#')[0]
        ?.split('&')
        .filter((s) => s !== '')
        .map((s) => {
          const eq = s.indexOf('=')
          return { name: eq < 0 ? s : s.slice(0, eq), value: eq < 0 ? '' : s.slice(eq + 1), enabled: true }
        }) ?? []
    )
  })()
  const allQuery = [...query, ...(r.disabledParams ?? [])]
  if (allQuery.length > 0) parts.push(block('params:query', kv(allQuery)))
  const headers = [...r.headers, ...textBodyType(r)]
  if (headers.length > 0) parts.push(block('headers', kv(headers)))
  const a = authBlock(r.auth)
  if (a) parts.push(a)
  const b = bodyBlock(r.body, file)
  if (b) parts.push(b)
  if (gql) parts.push(textBlock('body:graphql', gql.query))
  if (gql?.variables?.trim()) parts.push(textBlock('body:graphql:vars', gql.variables))
  const ex = extractLines(r.extract ?? [], where, skipped)
  if (ex.length > 0) parts.push(block('vars:post-response', ex))
  const as = assertLines(r.assertions ?? [], where, skipped)
  if (as.length > 0) parts.push(block('assert', as))
  if (r.scripts?.preRequest) parts.push(textBlock('script:pre-request', r.scripts.preRequest))
  if (r.scripts?.test) parts.push(textBlock('tests', r.scripts.test))
  const settings = brunoSettingsOf(r.options, where, skipped)
  if (settings.length > 0)
    parts.push(
      block(
        'settings',
        settings.map(([k, v]) => pair(k, v)),
      ),
    )
  if (r.description.trim() !== '') parts.push(textBlock('docs', r.description))
  return parts.join('\n')
}

function settingsFile(
  meta: string | null,
  vars: readonly Variable[],
  auth: AuthSpec,
  where: string,
  skipped: string[],
  scripts?: RequestScripts,
): string {
  const parts: string[] = []
  if (meta !== null) parts.push(meta)
  const held = holdableAuth(auth, where, skipped)
  parts.push(block('auth', [pair('mode', held ? authMode(auth) : 'none')]))
  const a = held ? authBlock(auth) : null
  if (a) parts.push(a)
  const plain = holdableVariables(
    vars.filter((v) => !v.secret),
    where,
    skipped,
  )
  if (plain.length > 0)
    parts.push(
      block(
        'vars:pre-request',
        plain.map((v) => pair(v.name, v.value)),
      ),
    )
  const secret = vars.filter((v) => v.secret)
  if (secret.length > 0)
    skipped.push(
      `${where}: secret variables ${secret.map((v) => v.name).join(', ')} not exported (Bruno keeps secrets in environments)`,
    )
  // Bruno runs these for every request below, as Flightdeck does.
  if (scripts?.preRequest) parts.push(textBlock('script:pre-request', scripts.preRequest))
  if (scripts?.test) parts.push(textBlock('tests', scripts.test))
  return parts.join('\n')
}

function environmentFile(e: EnvironmentInfo, skipped: string[]): string {
  const plain = holdableVariables(
    e.variables.filter((v) => !v.secret),
    `environment ${e.id}`,
    skipped,
  )
  const secret = e.variables.filter((v) => v.secret)
  const parts = [
    block(
      'vars',
      plain.map((v) => pair(v.name, v.value)),
    ),
  ]
  if (secret.length > 0) parts.push(`vars:secret [\n${secret.map((v) => `  ${v.name}`).join(',\n')}\n]\n`)
  return parts.join('')
}

function lastSegment(path: string): string {
  return path.split('/').pop() ?? path
}

/**
 * A name on disk holding a line break (or another control character) is written with each as `%0A`: the export's
 * list of files is one a line, and the name would read as two files there.
 */
function escapedOnDisk(path: string, written: string, skipped: string[]): void {
  if (hasControls(lastSegment(path)))
    skipped.push(
      `${JSON.stringify(path)}: exported as ${written}: its name holds a line break or another control character, which would make the export's list of files ambiguous`,
    )
}

export async function exportBruno(
  loaded: LoadedCollection,
): Promise<{ files: Map<string, string>; copies: BrunoFileCopy[]; skipped: string[] }> {
  const { root, skipped } = await readExportTree(loaded, 'Bruno')
  const copies = await BrunoExportFiles.of(root, loaded.info.dir, skipped)
  const files = new Map<string, string>()
  files.set(
    'bruno.json',
    `${JSON.stringify({ version: '1', name: loaded.info.name, type: 'collection', ignore: ['node_modules', '.git'] }, null, 2)}\n`,
  )
  files.set(
    'collection.bru',
    settingsFile(null, root.variables, root.auth, 'collection', skipped, loaded.settings.scripts),
  )
  // `a.yaml` and `a.yml` (or `A.yaml` and `a.yaml`, on a disk that ignores case) would write one a.bru.
  const taken = new Set(['bruno.json', 'collection.bru'])
  const folders = new Set(['environments/'])
  const walk = (f: ExportFolder, dir: string): void => {
    f.children.forEach((c, i) => {
      const segment = withoutControls(lastSegment(c.path))
      if (c.type === 'request') {
        const text = requestFile((c as ExportRequest).request, i + 1, c.path, skipped, (p) =>
          copies.pathOf(p),
        )
        if (text === null) return
        const stem = `${dir}${segment.replace(/\.ya?ml$/, '')}`
        let path = `${stem}.bru`
        for (let n = 2; taken.has(path.toLowerCase()); n++) path = `${stem}-${n}.bru`
        if (path !== `${stem}.bru`)
          skipped.push(`${withoutControls(c.path)}: exported as ${path} (another request took ${stem}.bru)`)
        else escapedOnDisk(c.path, path, skipped)
        taken.add(path.toLowerCase())
        files.set(path, text)
        return
      }
      // `Team` and `team` (one folder on a disk that ignores case), or `pay\rments` and `pay%0Dments`, would write
      // one folder.bru over the other and put both folders' requests in one.
      let sub = `${dir}${segment}/`
      for (let n = 2; folders.has(sub.toLowerCase()); n++) sub = `${dir}${segment}-${n}/`
      if (sub !== `${dir}${segment}/`)
        skipped.push(`${withoutControls(c.path)}: exported as ${sub} (another folder took ${dir}${segment}/)`)
      else escapedOnDisk(c.path, sub, skipped)
      folders.add(sub.toLowerCase())
      taken.add(`${sub}folder.bru`.toLowerCase())
      const name = holdableName(c.name, lastSegment(c.path), c.path, skipped)
      const meta = block('meta', [pair('name', name), pair('seq', String(i + 1))])
      files.set(`${sub}folder.bru`, settingsFile(meta, c.variables, c.auth, c.path, skipped, c.scripts))
      walk(c, sub)
    })
  }
  walk(root, '')
  const envs = loaded.info.environments
  const envFile = (stem: string): string => `environments/${stem}.bru`
  const stems = distinctEnvironmentStems(
    envs.map((e) => withoutControls(e.id)),
    (i) => `environment ${JSON.stringify(envs[i]?.name ?? '')}`,
    envFile,
    skipped,
  )
  envs.forEach((e, i) => {
    const path = envFile(stems[i] ?? e.id)
    escapedOnDisk(`environments/${e.id}`, path, skipped)
    files.set(path, environmentFile(e, skipped))
  })
  copies.dropClashes(new Set([...files.keys()].map((k) => k.toLowerCase())), skipped)
  return { files, copies: copies.copies, skipped }
}
