import { exports } from 'cloudflare:workers'

/** Sends a request to the Worker under test. */
export function request(path: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(`http://featureforest.test${path}`, init))
}

/** Posts image bytes as the raw body of POST /embed. */
export function postImage(
  bytes: Uint8Array,
  query = '',
  headers: Record<string, string> = {},
): Promise<Response> {
  return request(`/embed${query}`, {
    method: 'POST',
    body: bytes,
    headers: { 'Content-Type': 'application/octet-stream', ...headers },
  })
}

/** The error envelope of a non-2xx response. */
export interface ErrorBody {
  error: { code: string; message: string; requestId: string }
}

/** Part of the body of POST /embed and GET /embeddings/{id} that tests read. */
export interface EmbedBody {
  id: string
  model: string
  cached: boolean
  image: { format: string; width: number; height: number }
  dimensions: { probabilities: number; embedding: number }
  labels: { id: number; label: string; probability: number }[]
  vectors?: { probabilities: number[]; embedding: number[] }
}

/** Cosine similarity of two vectors of the same length. */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0
  let normA = 0
  let normB = 0
  for (let i = 0; i < a.length; i++) {
    dot += (a[i] as number) * (b[i] as number)
    normA += (a[i] as number) ** 2
    normB += (b[i] as number) ** 2
  }
  return dot / Math.sqrt(normA * normB)
}
