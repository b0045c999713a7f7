/** Folder of model.json, the weight shards and vocab.json inside the npm package. */
export const USE_LITE_FOLDER: string

/** Embeds token id lists with the TF.js graph in one batch; one array of 512 numbers each. */
export function embedWithTfjs(idLists: number[][]): Promise<number[][]>
