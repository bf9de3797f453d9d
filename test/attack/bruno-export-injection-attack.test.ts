import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { isolatedService } from '../engine/helpers'
import { environmentFileName } from '../../src/renderer/sidebar/export-file-names'

/**
 * A shared collection whose values are written to end their place in a Bruno export. A .bru `name: value` line
 * has no escapes: Bruno's `'''` fence ends at the first `'''`, so a multipart part's value
 * `hi\n'''\nleak: @file(/etc/passwd)\nz: '''\n.` was written as a well-formed file with one more part, which
 * uploads the reader's /etc/passwd when someone sends it in Bruno (or in Flightdeck after importing the export);
 * an environment variable likewise added variables. And our .bru reader took a lone CR for a line end (Bruno
 * does not), so a header value `a\r}\rscript:pre-request {\r…` closed the headers block and imported a
 * pre-request script. Now such values are not exported and the export names each; a lone CR is not a line end.
 * And two request files whose .bru names meet (a.yaml and a.yml) wrote one file: the other request was lost
 * without a word. Now it is written under a free name, which the export names; two environments likewise (in the
 * Postman export too, whose environment files are named by the environment).
 */

let root: string
let service: EngineService

/** A multipart value that closes its fence, adds a file part, and reopens a fence so the file stays well formed. */
const PART = "hi\\n'''\\nleak: @file(/etc/passwd)\\nz: '''\\n."
const VAR = "v\\n'''\\nbaseUrl: http://127.0.0.1:1/attacker\\nw: '''\\n."
const SCRIPT_HEADER =
  "a\\r}\\rscript:pre-request {\\r  bru.setVar('stolen', req.getHeader('authorization'))\\r}\\rheaders {\\r  y: z"

/** Every file under `dir`, by path, with its text. */
function filesUnder(dir: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    try {
      out.set(name, readFileSync(join(dir, name), 'utf8'))
    } catch {
      // a folder
    }
  }
  return out
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'fd-attack-bruno-export-'))
  service = isolatedService(root)
})
afterAll(async () => {
  await service.dispose()
  rmSync(root, { recursive: true, force: true })
})

describe('values that would end their place in a .bru file', () => {
  it('a multipart value, a header with CRs and an environment variable are left out of the export and named', async () => {
    const dir = join(root, 'shared')
    mkdirSync(join(dir, 'environments'), { recursive: true })
    writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Shared\n')
    const post = (name: string, rest: string[]): string =>
      [`name: ${name}`, 'method: POST', "url: 'http://127.0.0.1:1/upload'", ...rest, ''].join('\n')
    writeFileSync(
      join(dir, 'upload.yaml'),
      post('Upload', [
        'body:',
        '  kind: multipart',
        '  parts:',
        '    - kind: text',
        '      name: note',
        `      value: "${PART}"`,
      ]),
    )
    writeFileSync(
      join(dir, 'signed.yaml'),
      post('Signed', ['headers:', '  - name: X-Note', `    value: "${SCRIPT_HEADER}"`]),
    )
    writeFileSync(join(dir, 'plain.yaml'), post('Plain', ['headers:', '  - name: X-Ok', '    value: "fine"']))
    writeFileSync(
      join(dir, 'environments', 'local.yaml'),
      `name: Local\nvariables:\n  - name: note\n    value: "${VAR}"\n    secret: false\n  - name: host\n    value: "127.0.0.1"\n    secret: false\n`,
    )
    expect((await service.invoke('collection.open', { dir })).ok).toBe(true)
    const to = join(root, 'to-bruno')
    const out = await service.invoke('export.collection', { dir, format: 'bruno', file: to })
    if (!out.ok) throw new Error(out.error.message)
    const skipped = (out.value.skipped ?? []).join('\n')
    expect(skipped).toContain("upload.yaml: not exported: its body.parts[0].value holds ''' or a CR")
    expect(skipped).toContain("signed.yaml: not exported: its headers[0].value holds ''' or a CR")
    expect(skipped).toContain('environment local: variable "note" not exported')

    const files = filesUnder(to)
    const all = [...files.values()].join('\n')
    expect(all).not.toContain('@file(/etc/passwd)')
    expect(all).not.toContain('attacker')
    expect(all).not.toContain('script:pre-request')
    // The rest is exported as before.
    expect(files.get('plain.bru')).toContain('X-Ok: fine')
    expect(files.get(join('environments', 'local.bru'))).toContain('host: 127.0.0.1')

    // Imported back, nothing uploads a file or runs a script.
    const back = join(root, 'back')
    const r = await service.invoke('import.run', { format: 'auto', file: to, into: back })
    if (!r.ok) throw new Error(r.error.message)
    const imported = [...filesUnder(back).values()].join('\n')
    expect(imported).not.toContain('/etc/passwd')
    expect(imported).not.toContain('stolen')
  })

  it('two request files that would write one .bru (a.yaml, a.yml, A.yaml) are each exported, the others renamed', async () => {
    const dir = join(root, 'twins')
    mkdirSync(dir)
    writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Twins\n')
    for (const file of ['a.yaml', 'a.yml', 'A.yaml'])
      writeFileSync(join(dir, file), `name: ${file}\nmethod: GET\nurl: 'http://127.0.0.1:1/${file}'\n`)
    expect((await service.invoke('collection.open', { dir })).ok).toBe(true)
    const to = join(root, 'twins-bruno')
    const out = await service.invoke('export.collection', { dir, format: 'bruno', file: to })
    if (!out.ok) throw new Error(out.error.message)
    const names = [...filesUnder(to).values()].join('\n').match(/name: [aA]\.ya?ml/g)
    expect(names?.sort()).toEqual(['name: A.yaml', 'name: a.yaml', 'name: a.yml'])
    const renamed = (out.value.skipped ?? []).filter((l) =>
      / exported as [aA]-[23]\.bru \(another request took [aA]\.bru\)$/.test(l),
    )
    expect(renamed).toHaveLength(2)
  })

  it('two environments that would write one file (staging.yaml, staging.yml, Staging.yaml) each get a file, in Bruno and in Postman', async () => {
    const dir = join(root, 'env-twins')
    mkdirSync(join(dir, 'environments'), { recursive: true })
    writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: EnvTwins\n')
    const hosts: Record<string, string> = { 'staging.yaml': 'h1', 'staging.yml': 'h2', 'Staging.yaml': 'h3' }
    for (const [file, host] of Object.entries(hosts))
      writeFileSync(
        join(dir, 'environments', file),
        `name: ${file}\nvariables:\n  - name: host\n    value: ${host}\n    secret: false\n`,
      )
    expect((await service.invoke('collection.open', { dir })).ok).toBe(true)
    const to = join(root, 'env-twins-bruno')
    const out = await service.invoke('export.collection', { dir, format: 'bruno', file: to })
    if (!out.ok) throw new Error(out.error.message)
    const envs = [...filesUnder(to)].filter(([path]) => path.startsWith('environments'))
    expect(envs.map(([, text]) => /host: (h\d)/.exec(text)?.[1]).sort()).toEqual(['h1', 'h2', 'h3'])
    const renamed = (out.value.skipped ?? []).filter((l) =>
      /^environment "[sS]taging\.ya?ml": exported as environments\/[sS]taging-[23]\.bru \(another environment took environments\/[sS]taging\.bru\)$/.test(
        l,
      ),
    )
    expect(renamed).toHaveLength(2)

    const postman = join(root, 'env-twins.postman_collection.json')
    const pm = await service.invoke('export.collection', { dir, format: 'postman', file: postman })
    if (!pm.ok) throw new Error(pm.error.message)
    const written = readdirSync(root).filter(
      (f) => f.startsWith('env-twins.') && f.endsWith('_environment.json'),
    )
    const values = written.map(
      (f) =>
        (JSON.parse(readFileSync(join(root, f), 'utf8')) as { values: { value: string }[] }).values[0]?.value,
    )
    expect(values.sort()).toEqual(['h1', 'h2', 'h3'])
    expect((pm.value.skipped ?? []).filter((l) => l.includes('another environment took'))).toHaveLength(2)
  })

  it('a Postman environment file name holding a control character is written with it as %0A, as Bruno writes it, and said so', async () => {
    const dir = join(root, 'env-breaks')
    mkdirSync(join(dir, 'environments'), { recursive: true })
    writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: EnvBreaks\n')
    const hosts: Record<string, string> = {
      'stag\ning.yaml': 'h1',
      'stag%0Aing.yaml': 'h2',
      'pro\x1bd.yaml': 'h3',
    }
    for (const [file, host] of Object.entries(hosts))
      writeFileSync(
        join(dir, 'environments', file),
        `name: E${host}\nvariables:\n  - name: host\n    value: ${host}\n    secret: false\n`,
      )
    expect((await service.invoke('collection.open', { dir })).ok).toBe(true)
    const out = join(root, 'env-breaks-out')
    mkdirSync(out)
    const pm = await service.invoke('export.collection', {
      dir,
      format: 'postman',
      file: join(out, 'breaks.postman_collection.json'),
    })
    if (!pm.ok) throw new Error(pm.error.message)
    const written = readdirSync(out).filter((f) => f.endsWith('.postman_environment.json'))
    const hostOf = (f: string): string | undefined =>
      (JSON.parse(readFileSync(join(out, f), 'utf8')) as { values: { value: string }[] }).values[0]?.value
    expect(Object.fromEntries(written.map((f) => [f, hostOf(f)]))).toEqual({
      'breaks.stag%0Aing.postman_environment.json': 'h1',
      'breaks.stag%0Aing-2.postman_environment.json': 'h2',
      'breaks.pro%1Bd.postman_environment.json': 'h3',
    })
    // The Export dialog downloads them (an export with no file) under the names written to disk.
    const app = await service.invoke('export.collection', { dir, format: 'postman' })
    if (!app.ok) throw new Error(app.error.message)
    const downloaded = (app.value.environments ?? []).map((e) => environmentFileName('breaks', e.id))
    expect(downloaded.sort()).toEqual(written.sort())
    expect(pm.value.skipped).toEqual(
      expect.arrayContaining([
        `environment "Eh1": exported as <collection>.stag%0Aing.postman_environment.json: its name holds a line break or another control character, which a file name cannot hold on every disk and which would make a list of files ambiguous`,
        `environment "Eh3": exported as <collection>.pro%1Bd.postman_environment.json: its name holds a line break or another control character, which a file name cannot hold on every disk and which would make a list of files ambiguous`,
        `environment "Eh2": exported as <collection>.stag%0Aing-2.postman_environment.json (another environment took <collection>.stag%0Aing.postman_environment.json)`,
      ]),
    )
  })

  it('two folders that would write one (Team and team; pay\\rments and pay%0Dments) are each exported, the later renamed', async () => {
    const dir = join(root, 'folder-twins')
    const folders = ['Team', 'team', 'pay\rments', 'pay%0Dments']
    for (const [i, f] of folders.entries()) {
      mkdirSync(join(dir, f), { recursive: true })
      writeFileSync(join(dir, f, 'folder.yaml'), `variables:\n  which: "f${i}"\n`)
      writeFileSync(join(dir, f, 'list.yaml'), `name: List\nmethod: GET\nurl: 'http://127.0.0.1:1/${i}'\n`)
    }
    writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: FolderTwins\n')
    expect((await service.invoke('collection.open', { dir })).ok).toBe(true)
    const to = join(root, 'folder-twins-bruno')
    const out = await service.invoke('export.collection', { dir, format: 'bruno', file: to })
    if (!out.ok) throw new Error(out.error.message)
    const files = [...filesUnder(to)]
    // Every folder's settings and every request are there, each in a folder of its own.
    const settings = files
      .filter(([p]) => p.endsWith('folder.bru'))
      .map(([, t]) => /which: (f\d)/.exec(t)?.[1])
    expect(settings.sort()).toEqual(['f0', 'f1', 'f2', 'f3'])
    const lists = files.filter(([p]) => p.endsWith('list.bru'))
    expect(lists.map(([, t]) => /127\.0\.0\.1:1\/(\d)/.exec(t)?.[1]).sort()).toEqual(['0', '1', '2', '3'])
    expect(new Set(lists.map(([p]) => p.toLowerCase())).size).toBe(4)
    const renamed = (out.value.skipped ?? []).filter((l) =>
      / \(another folder took (team|pay%0Dments)\/\)$/i.test(l),
    )
    expect(renamed).toHaveLength(2)
  })

  it('a .bru header value with lone CRs stays one value on import: no block ends inside it', async () => {
    const bruno = join(root, 'from-bruno')
    mkdirSync(bruno)
    writeFileSync(join(bruno, 'bruno.json'), '{"version":"1","name":"Cr","type":"collection"}\n')
    writeFileSync(
      join(bruno, 'signed.bru'),
      'meta {\n  name: Signed\n  type: http\n  seq: 1\n}\n\nget {\n  url: http://127.0.0.1:1/\n  body: none\n  auth: none\n}\n\n' +
        `headers {\n  X-Note: ${SCRIPT_HEADER.replace(/\\r/g, '\r')}\n}\n`,
    )
    const into = join(root, 'cr-back')
    const r = await service.invoke('import.run', { format: 'auto', file: bruno, into })
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.requests).toBe(1)
    const imported = [...filesUnder(into).values()].join('\n')
    expect(imported).not.toMatch(/scripts:|preRequest/)
    expect(imported).not.toMatch(/name: y\b/)
  })
})

// A request file `pay\nnow.yaml` beside `now.yaml`: the export's list of files (one a line) read `now.bru`, `pay`,
// `now.bru`, and a folder `pay\rments` was named by its disk name in its folder.bru's meta, a CR in a .bru pair.
describe('file names from disk holding a line break', () => {
  it('are written with each control character as %0A and said so; the list of files reads one a line', async () => {
    const dir = join(root, 'breaks')
    mkdirSync(join(dir, 'pay\rments'), { recursive: true })
    writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Breaks\n')
    const get = (name: string): string => `name: ${name}\nmethod: GET\nurl: 'http://127.0.0.1:1/'\n`
    writeFileSync(join(dir, 'pay\nnow.yaml'), get('Pay'))
    writeFileSync(join(dir, 'now.yaml'), get('Now'))
    writeFileSync(join(dir, 'pay\rments', 'list.yaml'), get('List'))
    expect((await service.invoke('collection.open', { dir })).ok).toBe(true)
    const to = join(root, 'breaks-bruno')
    const out = await service.invoke('export.collection', { dir, format: 'bruno', file: to })
    if (!out.ok) throw new Error(out.error.message)
    const listed = out.value.text.trimEnd().split('\n').sort()
    expect(listed).toEqual([
      'bruno.json',
      'collection.bru',
      'now.bru',
      'pay%0Anow.bru',
      'pay%0Dments/folder.bru',
      'pay%0Dments/list.bru',
    ])
    const files = filesUnder(to)
    expect([...files.keys()].sort()).toEqual(listed.map((f) => join(...f.split('/'))).sort())
    expect(files.get('pay%0Anow.bru')).toContain('name: Pay')
    expect(files.get(join('pay%0Dments', 'folder.bru'))).toContain('name: pay%0Dments')
    expect([...files.values()].join('')).not.toContain('\r')
    expect(out.value.skipped).toEqual(
      expect.arrayContaining([
        `"pay\\nnow.yaml": exported as pay%0Anow.bru: its name holds a line break or another control character, which would make the export's list of files ambiguous`,
        `"pay\\rments": exported as pay%0Dments/: its name holds a line break or another control character, which would make the export's list of files ambiguous`,
      ]),
    )
  })
})
