/** Returns the package's vocabulary: [piece, score] pairs, index = token id. */
export function readVocabulary(): [string, number | null][]

/** Returns the ids of each text, from the reference tokenizer run in a child process. */
export function encodeWithReferenceTokenizer(texts: string[]): number[][]
