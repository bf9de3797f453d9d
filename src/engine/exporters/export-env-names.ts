/**
 * The file names an export gives its environments, one each. Two environments can ask for one name: `local.yaml`
 * and `local.yml` are both the environment `local`, `Local` and `local` are one file on a disk that ignores case,
 * and `a\nb` and `a%0Ab` escape alike. The first keeps the name; each other is written as `<name>-2`, `-3`, … (the
 * first free one) and the export's report says so, so no environment's file is written over another's.
 *
 * `stems`: the name each environment asks for (escaped for disk already); `shown(i)`: where it came from, for the
 * report; `file(stem)`: the file that name writes, for the report.
 */
export function distinctEnvironmentStems(
  stems: readonly string[],
  shown: (i: number) => string,
  file: (stem: string) => string,
  skipped: string[],
): string[] {
  const taken = new Set<string>()
  return stems.map((stem, i) => {
    let out = stem
    // Bounded: each turn tries a name no earlier environment took, and there are stems.length of them.
    for (let n = 2; taken.has(out.toLowerCase()) && n <= stems.length + 1; n++) out = `${stem}-${n}`
    if (out !== stem)
      skipped.push(`${shown(i)}: exported as ${file(out)} (another environment took ${file(stem)})`)
    taken.add(out.toLowerCase())
    return out
  })
}
