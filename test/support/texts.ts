import { postJson } from './catalog'

/**
 * Short sentences on three topics, written for these tests. Sentences of one topic share words
 * and meaning, so the text encoder puts them closer to each other than to the other topics.
 */
export const TOPIC_SENTENCES: Record<'cooking' | 'football' | 'finance', string[]> = {
  cooking: [
    'Simmer the tomato sauce with garlic and fresh basil for twenty minutes.',
    'Knead the bread dough until it is smooth, then let it rise in a warm kitchen.',
    'Roast the chicken with lemon, rosemary and olive oil until the skin is crisp.',
    'Whisk the eggs with sugar and butter before folding in the flour for the cake.',
    'Chop the onions finely and fry them slowly until they caramelise in the pan.',
    'Season the vegetable soup with salt, pepper and a little thyme before serving.',
  ],
  football: [
    'The striker scored twice in the second half and the team won the league match.',
    'The goalkeeper saved a penalty in the final minute of the cup game.',
    'The coach changed the formation after the midfielders lost control of the ball.',
    'Fans filled the stadium to watch the derby between the two rival clubs.',
  ],
  finance: [
    'Stock prices fell sharply after the central bank raised interest rates again.',
    'Investors moved their savings into government bonds as inflation climbed.',
    'The company reported higher quarterly profits and its shares rose on the exchange.',
    'Analysts expect the currency to weaken against the dollar next year.',
  ],
}

/** A text catalog item of a topic; ids are `{topic}-{n}`. */
export interface TopicItem {
  id: string
  topic: string
  text: string
}

/** Returns every topic sentence as an item. */
export function topicItems(): TopicItem[] {
  return Object.entries(TOPIC_SENTENCES).flatMap(([topic, sentences]) =>
    sentences.map((text, n) => ({ id: `${topic}-${n}`, topic, text })),
  )
}

/** Adds every topic sentence to the catalog of `tenant` as a text item, in one bulk request. */
export async function seedTextCatalog(tenant: string): Promise<TopicItem[]> {
  const items = topicItems()
  const response = await postJson(
    '/items/bulk',
    { items: items.map(({ id, topic, text }) => ({ id, text, metadata: { topic } })) },
    tenant,
  )
  if (response.status !== 201) {
    throw new Error(`seeding the text catalog failed: ${response.status} ${await response.text()}`)
  }
  return items
}

/** Returns the topic of an item id `{topic}-{n}`. */
export function topicOf(id: string): string {
  return id.slice(0, id.lastIndexOf('-'))
}
