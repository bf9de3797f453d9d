import { useMemo, useRef } from 'react'
import { useScrollCue } from '../hooks/use-scroll-cue'
import '../styles/scroll-cue.css'
import { useAppStore } from '../store/store-context'
import { DocsExplorer } from './DocsExplorer'
import { loadedSchema, type SchemaState } from './graphql-slice'
import { groupDigits } from '../../shared/group-digits'
import { clockTime } from '../../shared/clock-text'

interface Props {
  /** The request's URL, trimmed: the schema introspected from it. */
  url: string
  /** The schema file's path, trimmed ('' when none): its schema is used instead. */
  file: string
  /** The schema file field as typed. */
  schemaFile: string
  introspected: SchemaState | undefined
  fromFile: SchemaState | undefined
  onSchemaFile(path: string): void
}

/**
 * The composer's schema column: Fetch / Refresh schema, the schema file, what became of the last load (a
 * failure in full, on lines of its own) and the docs. Beside the editors rather than in the options bar, so the
 * bar holds only how the request goes and stays one line on a 1024 px window. The column scrolls as a whole;
 * a line under it says "more below ↓" while a list runs past its lower edge (a windowed list is not seen by
 * find in page, and headless or overlay scrollbars show nothing until one scrolls).
 */
export function SchemaPanel({ url, file, schemaFile, introspected, fromFile, onSchemaFile }: Props) {
  const fetchSchema = useAppStore((s) => s.fetchSchema)
  const loadSchemaFile = useAppStore((s) => s.loadSchemaFile)
  const state = file ? fromFile : introspected
  const schema = loadedSchema(state)
  const column = useRef<HTMLDivElement>(null)
  const cue = useRef<HTMLDivElement>(null)
  const scrollers = useMemo(() => [column], [])
  useScrollCue(scrollers, cue)
  return (
    <div className="graphql-schema-pane">
      <div className="graphql-schema" ref={column} data-cue="strip">
        <div className="graphql-schema-tools">
          <span className="graphql-schema-file">
            <button
              type="button"
              className="secondary-button"
              disabled={url === '' || introspected?.state === 'loading' || file !== ''}
              onClick={() => void fetchSchema(url, introspected !== undefined)}
              title={
                file
                  ? 'The schema file is used: clear it to introspect the server'
                  : 'Ask the server for its schema (introspection), for completion, validation and the docs'
              }
            >
              {introspected ? 'Refresh schema' : 'Fetch schema'}
            </button>
            <input
              aria-label="Schema file"
              className="mono"
              placeholder=".graphql file"
              title="A schema file (.graphql): used instead of asking the server"
              value={schemaFile}
              onChange={(e) => onSchemaFile(e.target.value)}
            />
            {file ? (
              <button
                type="button"
                className="secondary-button"
                disabled={fromFile?.state === 'loading'}
                onClick={() => void loadSchemaFile(file)}
                title="Read the .graphql file again"
              >
                Reload
              </button>
            ) : null}
          </span>
          <span
            className={state?.state === 'error' ? 'small graphql-schema-error' : 'muted small'}
            data-testid="graphql-schema-state"
            role={state?.state === 'error' ? 'alert' : 'status'}
          >
            {schemaStatus(state, file)}
          </span>
        </div>
        {schema ? <DocsExplorer key={schema.key} schema={schema} /> : null}
      </div>
      <div className="scroll-cue-strip" ref={cue} hidden aria-hidden="true">
        more below ↓
      </div>
    </div>
  )
}

/** 14:03:07, for saying when a schema was loaded or a load failed: a retry seconds later reads apart. */
function clock(at: number): string {
  return clockTime(at, { seconds: true })
}

/**
 * What the composer says of its schema. A failure says how many times in a row it failed and when last, so a
 * retry that fails the same way visibly happened; a schema kept through a failed refresh is named.
 */
export function schemaStatus(state: SchemaState | undefined, file: string): string {
  const kept = loadedSchema(state)
  const keeping = kept ? `; still using the schema loaded at ${clock(kept.at)}` : ''
  if (!state) return 'No schema yet: Fetch schema for completion'
  if (state.state === 'loading') return `${file ? 'Reading the schema file' : 'Fetching the schema'}…`
  if (state.state === 'error') {
    const tries =
      state.attempts > 1 ? ` (failed ${state.attempts} times in a row, last at ${clock(state.at)})` : ''
    return `${state.message}${tries}${keeping}`
  }
  return `Schema${file ? ` from ${file}` : ''}: ${groupDigits(state.summary.typeCount)} types`
}
