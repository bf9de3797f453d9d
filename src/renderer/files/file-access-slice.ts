import type { StateCreator } from 'zustand/vanilla'
import type { ApiClient } from '../client/api-client'
import type { AppState } from '../store/app-state'

/**
 * File access: the folders outside every collection whose files a collection's requests may send (body files,
 * multipart parts). A request from a collection reads its own folder only; the person widens that here, or
 * from a refused send's "Allow files from …" (after saying yes to it).
 */
export interface FileAccessSlice {
  allowedFolders: string[]
  fileAccessError: string | null
  loadAllowedFolders(): Promise<void>
  allowFolder(folder: string): Promise<boolean>
  forgetFolder(folder: string): Promise<void>
  /** The folder a refused send names (its `file_outside` error), or null when the last send was not that. */
  refusedFolder(): string | null
  /** Allow the folder the refused send names; the refusal goes away so the person can send again. */
  allowRefusedFolder(): Promise<boolean>
}

export function createFileAccessSlice(client: ApiClient): StateCreator<AppState, [], [], FileAccessSlice> {
  return (set, get) => ({
    allowedFolders: [],
    fileAccessError: null,

    loadAllowedFolders: async () => {
      const res = await client.invoke('files.allowed', {})
      if (res.ok) set({ allowedFolders: res.value.folders, fileAccessError: null })
      else set({ fileAccessError: res.error.message })
    },

    allowFolder: async (folder) => {
      const res = await client.invoke('files.allow', { folder: folder.trim() })
      if (!res.ok) {
        set({ fileAccessError: res.error.message })
        return false
      }
      set({ allowedFolders: res.value.folders, fileAccessError: null })
      return true
    },

    forgetFolder: async (folder) => {
      const res = await client.invoke('files.forget', { folder })
      if (res.ok) set({ allowedFolders: res.value.folders, fileAccessError: null })
      else set({ fileAccessError: res.error.message })
    },

    refusedFolder: () => {
      const error = get().sendError
      return error?.code === 'file_outside' && error.detail ? error.detail : null
    },

    allowRefusedFolder: async () => {
      const folder = get().refusedFolder()
      if (folder === null) return false
      const allowed = await get().allowFolder(folder)
      if (allowed) set({ sendError: null })
      return allowed
    },
  })
}
