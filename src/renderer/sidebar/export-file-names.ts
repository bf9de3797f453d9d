import type { ExportFormat } from '../../shared/collection-schemas'

/**
 * The names the Export dialog downloads its files under. The collection's name is made a plain file name
 * (anything but letters, digits, `.`, `-` and `_` as `_`); each Postman environment goes beside it as
 * `<collection file's stem>.<id>.postman_environment.json`, the same rule the export applies when it writes to
 * disk. The id is the engine's already: its control characters written as `%0A`, twins made distinct (`-2`), so
 * it is used as it is; escaping it again would turn `%0A` into `_0A` and could make two ids one name.
 */
function collectionStem(name: string): string {
  return name.replace(/[^\w.-]+/g, '_')
}

export function exportFileName(name: string, format: ExportFormat): string {
  const stem = collectionStem(name)
  return format === 'insomnia' ? `${stem}.insomnia.yaml` : `${stem}.postman_collection.json`
}

export function environmentFileName(collectionName: string, environmentId: string): string {
  return `${collectionStem(collectionName)}.${environmentId}.postman_environment.json`
}
