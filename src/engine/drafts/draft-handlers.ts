import { homedir } from 'node:os'
import { emptySavedRequest } from '../../shared/collection'
import type { CommandHandlers, DraftCommand } from '../../shared/contract'
import { fail, ok } from '../../shared/result'
import { effectiveAuth } from '../send-rules/auth-chain'
import { authChainFor, collectionFileScope } from '../collections/handlers'
import type { CollectionManager } from '../collections/manager'
import { snippet } from '../exporters/snippets'
import { importCurl } from '../importers/curl'
import { ImportError } from '../importers/plan'
import { completePath } from './path-completion'

type DraftHandlers = CommandHandlers<DraftCommand>

/** `draft.*`: the request being edited, as pasted in (curl) and as copied out (code), with no file involved. */
export interface DraftHandlerOptions {
  /** The desktop app's "open file" dialog (other hosts have none). */
  pickFile?: () => Promise<string | null>
}

export function createDraftHandlers(
  manager: CollectionManager,
  ready: Promise<unknown>,
  options: DraftHandlerOptions = {},
): DraftHandlers {
  return {
    'draft.fromCurl': async (p) => {
      try {
        return ok(await importCurl(p.text))
      } catch (e) {
        if (e instanceof ImportError)
          return fail('invalid_request', `Not a curl command Flightdeck can read: ${e.message}`)
        throw e
      }
    },
    'draft.snippet': async (p) => {
      await ready
      const vars = await manager.scope(p.context, false)
      if (!vars.ok) return vars
      const auth = effectiveAuth(authChainFor(manager, p.context, p.auth))
      const request = {
        ...emptySavedRequest('request'),
        ...p.request,
        auth: p.auth,
        ...(p.graphql ? { kind: 'graphql' as const, graphql: p.graphql } : {}),
      }
      // A saved request's files are confined as Send confines them.
      const files = collectionFileScope(manager, p.context)
      const text = await snippet(request, auth, vars.value, p.target, files)
      return text.ok ? ok({ text: text.value }) : text
    },
    'draft.completePath': async (p) => {
      await ready
      const base = p.context ? (manager.loaded(p.context.dir).ok ? p.context.dir : homedir()) : homedir()
      return ok(await completePath(p.partial, base))
    },
    'draft.pickFile': async () =>
      options.pickFile
        ? ok({ path: await options.pickFile() })
        : fail(
            'unsupported',
            'This host has no file dialog: type the path (completion offers what is there)',
          ),
  }
}
