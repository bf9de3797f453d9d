/** What a system open dialog answered, as the pick commands return it: the first chosen path, or null. */
export function chosenPath(result: { canceled: boolean; filePaths: string[] }): string | null {
  return result.canceled ? null : (result.filePaths[0] ?? null)
}
