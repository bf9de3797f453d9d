/**
 * The id (file stem under `environments/`) of a new environment, from the name typed. It must not be the id of
 * an environment the collection already has: saving under a taken id would replace that environment's
 * variables. Windows refuses device names as file names whatever the extension (`con.yaml`), so those get
 * `-env` added. Ids stay ASCII (the engine's environment commands take `[A-Za-z0-9][\w.-]*`).
 */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9]|lpt[0-9]|conin\$|conout\$)$/i
const MAX_TRIES = 1000

function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '')
      .slice(0, 60)
      .replace(/[-.]+$/g, '') || 'env'
  )
}

export function newEnvironmentId(name: string, taken: readonly string[]): string {
  let base = slug(name)
  const dot = base.indexOf('.')
  const stem = dot === -1 ? base : base.slice(0, dot)
  if (WINDOWS_DEVICE.test(stem)) base = `${stem}-env${base.slice(stem.length)}`
  const used = new Set(taken.map((t) => t.toLowerCase()))
  for (let i = 1; i <= MAX_TRIES; i++) {
    const id = i === 1 ? base : `${base}-${i}`
    if (!used.has(id)) return id
  }
  return `${base}-${Date.now()}`
}
