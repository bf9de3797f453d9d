import type { RequestBody } from '../../shared/request'

/**
 * A multipart file part sent under a filename of its own (curl's `;filename=`, Yaak's `filename`) has no place in
 * Postman's, Insomnia's or Bruno's files: each sends a file under the name its path ends with. Such a part is
 * exported with its path, and `skipped` names what the other tool will send instead.
 */
export function fileNamesLeft(body: RequestBody, tool: string, where: string, skipped: string[]): void {
  if (body.kind !== 'multipart') return
  for (const p of body.parts) {
    if (p.kind !== 'file' || p.fileName === undefined) continue
    const own = p.path.slice(Math.max(p.path.lastIndexOf('/'), p.path.lastIndexOf('\\')) + 1)
    if (p.fileName === own) continue
    skipped.push(
      `${where}: file part "${p.name.slice(0, 80)}" goes as filename="${own.slice(0, 80)}" in ${tool}, not "${p.fileName.slice(0, 80)}" (${tool} has no field for a part's filename)`,
    )
  }
}
