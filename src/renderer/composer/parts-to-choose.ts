import type { MultipartPart } from '../../shared/request'

/**
 * The multipart file parts Send refuses until their file is chosen: switched on, no path. `recorded` keeps only
 * those that came with a file name and no file (a HAR's upload), which the composer marks at once; a part just
 * added with an empty box is only pointed at once Send refuses it.
 */
export function partsToChoose(
  parts: readonly MultipartPart[],
  recorded = false,
): { index: number; name: string; fileName: string }[] {
  const out: { index: number; name: string; fileName: string }[] = []
  parts.forEach((p, index) => {
    if (p.kind !== 'file' || !p.enabled || p.path !== '') return
    if (recorded && !p.fileName) return
    out.push({ index, name: p.name, fileName: p.fileName ?? '' })
  })
  return out
}

/** The box a part's file path is typed in (MultipartTable labels it so). */
export function partPathLabel(index: number): string {
  return `Part ${index + 1} file path`
}
