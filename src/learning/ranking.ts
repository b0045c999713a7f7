import type { ScoredCandidate } from './taste-model'
import { cosine } from './vectors'

/**
 * Selects `k` candidates by maximal marginal relevance (Carbonell and Goldstein, 1998): each
 * step takes the candidate maximising λ·score − (1 − λ)·(highest cosine similarity to the
 * items already taken). λ = 1 ranks by score alone; smaller values trade score for diversity.
 */
export function selectByMarginalRelevance(
  candidates: ScoredCandidate[],
  k: number,
  lambda: number,
): ScoredCandidate[] {
  const ordered = [...candidates].sort((a, b) => b.score - a.score || compareIds(a.id, b.id))
  if (lambda >= 1) return ordered.slice(0, k)

  const selected: ScoredCandidate[] = []
  const redundancy = new Float64Array(ordered.length).fill(-1)
  const taken = new Uint8Array(ordered.length)
  while (selected.length < Math.min(k, ordered.length)) {
    let best = -1
    let bestValue = -Infinity
    for (let i = 0; i < ordered.length; i++) {
      if (taken[i]) continue
      const penalty = selected.length === 0 ? 0 : redundancy[i]!
      const value = lambda * ordered[i]!.score - (1 - lambda) * penalty
      if (value > bestValue) {
        bestValue = value
        best = i
      }
    }
    const chosen = ordered[best]!
    taken[best] = 1
    selected.push(chosen)
    for (let i = 0; i < ordered.length; i++) {
      if (taken[i]) continue
      const candidate = ordered[i]!
      const similarity = cosine(candidate.vector, chosen.vector, candidate.norm, chosen.norm)
      redundancy[i] = Math.max(redundancy[i]!, similarity)
    }
  }
  return selected
}

/**
 * Selects `k` candidates that spread over the sample (farthest-point traversal): first the
 * candidate closest to the sample's centre, then each time the candidate whose highest cosine
 * similarity to those taken is lowest. The score of each is its cosine distance to the nearest
 * earlier pick (1 for the first).
 */
export function selectSpread(candidates: ScoredCandidate[], k: number): ScoredCandidate[] {
  if (candidates.length === 0) return []
  const dimensions = candidates[0]!.vector.length
  const centre = new Float32Array(dimensions)
  for (const candidate of candidates) {
    if (candidate.norm === 0) continue
    for (let i = 0; i < dimensions; i++) centre[i]! += candidate.vector[i]! / candidate.norm
  }
  let first = 0
  let firstSimilarity = -Infinity
  candidates.forEach((candidate, i) => {
    const similarity = cosine(candidate.vector, centre, candidate.norm)
    if (similarity > firstSimilarity) {
      firstSimilarity = similarity
      first = i
    }
  })

  const nearest = new Float64Array(candidates.length).fill(-Infinity)
  const taken = new Uint8Array(candidates.length)
  const selected: ScoredCandidate[] = []
  let next = first
  let distance = 1
  while (selected.length < Math.min(k, candidates.length)) {
    taken[next] = 1
    selected.push({ ...candidates[next]!, score: distance })
    const chosen = candidates[next]!
    let farthest = -1
    let lowest = Infinity
    for (let i = 0; i < candidates.length; i++) {
      if (taken[i]) continue
      const candidate = candidates[i]!
      const similarity = cosine(candidate.vector, chosen.vector, candidate.norm, chosen.norm)
      nearest[i] = Math.max(nearest[i]!, similarity)
      if (nearest[i]! < lowest) {
        lowest = nearest[i]!
        farthest = i
      }
    }
    if (farthest < 0) break
    next = farthest
    distance = 1 - lowest
  }
  return selected
}

function compareIds(a: string, b: string): number {
  if (a < b) return -1
  if (a > b) return 1
  return 0
}
