/** The command line's sizes in messages, in the one style shared/byte-words.ts writes (a HAR's comments use it too). */
export { byteCount, sizeLimit } from '../shared/byte-words'
