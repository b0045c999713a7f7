/**
 * Recommendation benchmark: replays the MovieLens ratings of $FEATUREFOREST_DATA/movielens_posters
 * through a local `wrangler dev` server and measures per-user ranking quality and latency.
 *
 *   FEATUREFOREST_DATA=/path/to/data npx tsx bench/recommend.ts [--users N] [--split time|random]
 *     [--catalogs N,N...]
 *
 * Quality: each user with at least 40 ratings gives their first 70% of ratings (by timestamp,
 * or after a seeded shuffle with --split random) to POST /ratings, one at a time as a client
 * would. Each poster is a catalog item tagged with its MovieLens genres. The remaining 30% are
 * scored with POST /users/{user}/scores, and the per-user ROC AUC (like = 4 stars or more) of the
 * score, and of its two parts (the forest's like-probability on the poster embedding and the
 * genres' like-rate), is compared with baselines computed here in the same run: random scores,
 * and the dot product with (mean liked − mean disliked) training embedding, or genres. scikit-learn
 * reference models (bench/lib/taste_references.py) are fitted on the same splits and vectors,
 * which shows how much taste these features carry for any content-only model.
 * Speed: p50 latency of 200 sequential POST /ratings of one user, and of GET /recommend over
 * catalogs of 10,000 and 100,000 items (or --catalogs N,N...). The catalog grows by items added
 * by content id with POST /items/bulk, and the isolate's heap is read at each size.
 */
import { readFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { join } from 'node:path'

import {
  readMovieLens,
  seededRandom,
  splitUsers,
  type Poster,
  type SplitMode,
  type UserSplit,
} from './lib/movielens'
import { mean, meanDifferenceScores, rocAuc, standardDeviation } from './lib/ranking-metrics'
import {
  call,
  forEachLimited,
  postJson,
  writeEmbeddingCache,
  writeSection,
} from './lib/recommend-client'
import { percentiles } from './lib/stats'
import { InspectorClient, type HeapUsage } from './lib/inspector'
import { runTasteReferences } from './lib/sklearn-taste'
import { startWorkerServer, type WorkerServer } from './lib/worker-server'

const MIN_RATINGS = 40
const TRAIN_SHARE = 0.7
const LIKE_STARS = 4
const LATENCY_RATINGS = 200
/** Catalog sizes at which /recommend is timed; the latency target applies at 10,000 items. */
const DEFAULT_CATALOG_SIZES = [10_000, 100_000]
const TARGET_CATALOG_SIZE = 10_000
const BULK_BATCH = 250
const RECOMMEND_RUNS = 30
const RECOMMEND_WARMUP = 3
const TARGETS = { auc: 0.55, ratingP50Ms: 50, recommendP50Ms: 100 }

interface Options {
  users: number
  split: SplitMode
  concurrency: number
  catalogs: number[]
}

function parseOptions(argv: string[]): Options {
  const options: Options = {
    users: Infinity,
    split: 'time',
    concurrency: 2,
    catalogs: DEFAULT_CATALOG_SIZES,
  }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    const value = argv[i + 1]
    if (flag === '--users') options.users = Number(value)
    else if (flag === '--split' && (value === 'time' || value === 'random')) options.split = value
    else if (flag === '--concurrency') options.concurrency = Number(value)
    else if (flag === '--catalogs') options.catalogs = (value ?? '').split(',').map(Number)
    else {
      throw new Error(
        `unknown option ${flag}; use --users N, --split time|random, --concurrency N, --catalogs N,N...`,
      )
    }
    i++
  }
  if (!(options.users >= 0) || !(options.concurrency >= 1)) {
    throw new Error('--users must be 0 or more and --concurrency 1 or more')
  }
  const sizes = options.catalogs
  if (
    !sizes.every((size, i) => Number.isInteger(size) && size >= 500 && size > (sizes[i - 1] ?? 0))
  ) {
    throw new Error(
      `--catalogs must be increasing integers of at least 500, got ${sizes.join(',')}`,
    )
  }
  return options
}

const itemId = (movie: string) => `movie-${movie}`

interface UserResult {
  split: UserSplit
  strategy: string
  /** AUC of the service's score, and of its forest and tag parts alone. */
  service: number
  forest: number
  tags: number
  random: number
  meanDifference: number
  genreMeanDifference: number
}

interface ScoresResponse {
  strategy: string
  scores: { item: string; score: number; likeProbability?: number; tagLikeRate?: number }[]
}

async function evaluateUser(
  base: string,
  split: UserSplit,
  embeddings: Map<string, Float32Array>,
  genreVectors: Map<string, Float32Array>,
): Promise<UserResult | undefined> {
  for (const rating of split.train) {
    await postJson(base, '/ratings', {
      user: split.user,
      item: itemId(rating.movie),
      rating: rating.stars,
    })
  }
  const positives = split.test.map((rating) => rating.stars >= LIKE_STARS)
  if (positives.every(Boolean) || !positives.some(Boolean)) return undefined

  const scored = await postJson<ScoresResponse>(base, `/users/${split.user}/scores`, {
    items: split.test.map((rating) => itemId(rating.movie)),
  })
  const random = seededRandom(Number(split.user))
  const meanDifference = (vectors: Map<string, Float32Array>) => {
    const liked = split.train.filter((r) => r.stars >= LIKE_STARS).map((r) => vectors.get(r.movie)!)
    const disliked = split.train
      .filter((r) => r.stars < LIKE_STARS)
      .map((r) => vectors.get(r.movie)!)
    const test = split.test.map((rating) => vectors.get(rating.movie)!)
    return rocAuc(meanDifferenceScores(liked, disliked, test), positives)
  }
  // Without likes and dislikes in training the service scores without a forest, so each part
  // is the score itself.
  const part = (name: 'likeProbability' | 'tagLikeRate') =>
    rocAuc(
      scored.scores.map((score) => score[name] ?? score.score),
      positives,
    )
  return {
    split,
    strategy: scored.strategy,
    service: rocAuc(
      scored.scores.map((score) => score.score),
      positives,
    ),
    forest: part('likeProbability'),
    tags: part('tagLikeRate'),
    random: rocAuc(
      split.test.map(() => random()),
      positives,
    ),
    meanDifference: meanDifference(embeddings),
    genreMeanDifference: meanDifference(genreVectors),
  }
}

/** Returns each poster's genres as a vector of 0 and 1, one value per genre of the set. */
function genreVectors(posters: Poster[]): Map<string, Float32Array> {
  const genres = [...new Set(posters.flatMap((poster) => poster.genres))].sort()
  return new Map(
    posters.map((poster) => [
      poster.movie,
      Float32Array.from(genres, (genre) => (poster.genres.includes(genre) ? 1 : 0)),
    ]),
  )
}

async function measureRatingLatency(base: string, movies: string[]): Promise<number[]> {
  const random = seededRandom(2024)
  const timings: number[] = []
  for (let i = 0; i < LATENCY_RATINGS; i++) {
    const started = performance.now()
    await postJson(base, '/ratings', {
      user: 'latency-user',
      item: itemId(movies[i % movies.length]!),
      rating: 1 + Math.floor(random() * 5),
    })
    timings.push(performance.now() - started)
  }
  return timings
}

/** Grows the catalog to `size` items by adding `extra-{n}` ids for the poster content ids. */
async function growCatalog(
  base: string,
  contentIds: string[],
  current: number,
  size: number,
): Promise<void> {
  const ids = Array.from({ length: size - current }, (_, n) => ({
    id: `extra-${n}`,
    contentId: contentIds[n % contentIds.length]!,
  }))
  for (let start = 0; start < ids.length; start += BULK_BATCH) {
    await postJson(base, '/items/bulk', { items: ids.slice(start, start + BULK_BATCH) })
  }
}

async function timeRequests(base: string, path: string): Promise<number[]> {
  const timings: number[] = []
  for (let run = 0; run < RECOMMEND_WARMUP + RECOMMEND_RUNS; run++) {
    const started = performance.now()
    await call(base, path)
    if (run >= RECOMMEND_WARMUP) timings.push(performance.now() - started)
  }
  return timings
}

interface CatalogRun {
  size: number
  growSeconds: number
  withRatings: ReturnType<typeof percentiles>
  withoutRatings: ReturnType<typeof percentiles>
  heap: HeapUsage
}

/** Grows the catalog from `current` to `size` items, then times /recommend and reads the heap. */
async function measureCatalog(
  server: WorkerServer,
  contentIds: string[],
  current: number,
  size: number,
): Promise<CatalogRun> {
  const started = performance.now()
  await growCatalog(server.url, contentIds, current, size)
  const growSeconds = (performance.now() - started) / 1000
  const withRatings = percentiles(
    await timeRequests(server.url, '/recommend?user=latency-user&k=10'),
  )
  const withoutRatings = percentiles(
    await timeRequests(server.url, '/recommend?user=new-user&k=10'),
  )
  const heap = await isolateHeap(server.url, server.inspectorPort)
  return { size, growSeconds, withRatings, withoutRatings, heap }
}

function catalogLines(run: CatalogRun, posterCount: number): string[] {
  const size = run.size.toLocaleString('en')
  const target =
    run.size === TARGET_CATALOG_SIZE
      ? `; ${verdict(run.withRatings.p50 <= TARGETS.recommendP50Ms)} (target p50 ≤ ${TARGETS.recommendP50Ms} ms)`
      : ''
  const arrayBuffers =
    run.heap.backingStorageSize === undefined ? 'unknown' : megabytes(run.heap.backingStorageSize)
  return [
    `catalog grown to ${size} items (from ${posterCount} posters) by POST /items/bulk in ${run.growSeconds.toFixed(0)} s`,
    `GET /recommend k=10 over ${size} items, user with ${LATENCY_RATINGS} ratings: ` +
      `p50 ${run.withRatings.p50.toFixed(1)} ms, p95 ${run.withRatings.p95.toFixed(1)} ms${target}`,
    `GET /recommend k=10 over ${size} items, user without ratings: ` +
      `p50 ${run.withoutRatings.p50.toFixed(1)} ms, p95 ${run.withoutRatings.p95.toFixed(1)} ms`,
    `isolate heap after those requests at ${size} items: ${megabytes(run.heap.usedSize)} MB ` +
      `JavaScript, ${arrayBuffers} MB ArrayBuffers (not counting the onnxruntime WebAssembly heap)`,
  ]
}

function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(1)
}

/** Returns the Worker isolate's heap after a garbage collection, through the inspector. */
async function isolateHeap(base: string, inspectorPort: number) {
  const inspector = await InspectorClient.connect(inspectorPort)
  try {
    await inspector.collectGarbage(async () => (await fetch(`${base}/health`)).arrayBuffer())
    return await inspector.heapUsage()
  } finally {
    inspector.close()
  }
}

function verdict(pass: boolean): string {
  return pass ? 'PASS' : 'FAIL'
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2))
  const dataDir = process.env.FEATUREFOREST_DATA
  if (!dataDir) throw new Error('FEATUREFOREST_DATA is not set; point it at the data folder')
  const { posters, ratings } = readMovieLens(dataDir)
  const splits = splitUsers(ratings, {
    minRatings: MIN_RATINGS,
    trainShare: TRAIN_SHARE,
    mode: options.split,
    seed: 7,
  }).slice(0, options.users)

  const startLoad = loadavg()[0]!
  console.log(`starting wrangler dev; ${posters.length} posters, ${splits.length} users`)
  const server = await startWorkerServer()
  try {
    const base = server.url
    const started = performance.now()
    const contentIds = new Map<string, string>()
    await forEachLimited(posters, 2, async (poster) => {
      const bytes = readFileSync(join(dataDir, 'movielens_posters', poster.path))
      const added = await call<{ item: { contentId: string } }>(
        base,
        `/items?id=${itemId(poster.movie)}` +
          `&metadata=${encodeURIComponent(JSON.stringify({ title: poster.title }))}` +
          `&tags=${encodeURIComponent(JSON.stringify(poster.genres))}`,
        { method: 'POST', body: bytes, headers: { 'Content-Type': 'image/jpeg' } },
      )
      contentIds.set(poster.movie, added.item.contentId)
    })
    const embeddings = new Map<string, Float32Array>()
    await forEachLimited(posters, 4, async (poster) => {
      const body = await call<{ vectors: { embedding: number[] } }>(
        base,
        `/embeddings/${contentIds.get(poster.movie)}`,
      )
      embeddings.set(poster.movie, Float32Array.from(body.vectors.embedding))
    })
    writeEmbeddingCache(contentIds, embeddings)
    const catalogSeconds = (performance.now() - started) / 1000
    console.log(`catalog of ${posters.length} posters embedded in ${catalogSeconds.toFixed(0)} s`)

    const genres = genreVectors(posters)
    const replayStarted = performance.now()
    const results: UserResult[] = []
    let skipped = 0
    let trainRatings = 0
    await forEachLimited(splits, options.concurrency, async (split, index) => {
      trainRatings += split.train.length
      const result = await evaluateUser(base, split, embeddings, genres)
      if (result) results.push(result)
      else skipped++
      if ((index + 1) % 25 === 0) console.log(`  ${index + 1}/${splits.length} users replayed`)
    })
    const replaySeconds = (performance.now() - replayStarted) / 1000

    const ratingTimings = percentiles(
      await measureRatingLatency(
        base,
        posters.map((poster) => poster.movie),
      ),
    )
    const references = await runTasteReferences(
      results.map((result) => result.split),
      embeddings,
      LIKE_STARS,
    )
    const catalogRuns: CatalogRun[] = []
    let catalogItems = posters.length
    for (const size of options.catalogs) {
      catalogRuns.push(await measureCatalog(server, [...contentIds.values()], catalogItems, size))
      catalogItems = size
    }

    const auc = {
      service: mean(results.map((r) => r.service)),
      forest: mean(results.map((r) => r.forest)),
      tags: mean(results.map((r) => r.tags)),
      random: mean(results.map((r) => r.random)),
      meanDifference: mean(results.map((r) => r.meanDifference)),
      genreMeanDifference: mean(results.map((r) => r.genreMeanDifference)),
    }
    const spread = standardDeviation(results.map((r) => r.service))
    const strategies: Record<string, number> = {}
    for (const result of results)
      strategies[result.strategy] = (strategies[result.strategy] ?? 0) + 1
    const lines = [
      `users evaluated: ${results.length} (${skipped} skipped: test part has one class only); ` +
        `split: ${options.split === 'time' ? 'oldest 70% train by timestamp' : 'seeded shuffle, 70% train'}`,
      `strategies: ${JSON.stringify(strategies)}`,
      `mean per-user AUC of the service's score (poster forest and genre tags): ${auc.service.toFixed(3)} ` +
        `(standard error ${(spread / Math.sqrt(results.length)).toFixed(3)}); ` +
        `${verdict(auc.service >= TARGETS.auc)} (target ≥ ${TARGETS.auc})`,
      `mean per-user AUC of its parts and of the baselines: forest on the poster alone ${auc.forest.toFixed(3)}, ` +
        `genre tags alone ${auc.tags.toFixed(3)}, random ${auc.random.toFixed(3)}, ` +
        `poster mean-vector difference ${auc.meanDifference.toFixed(3)}, ` +
        `genre mean-vector difference ${auc.genreMeanDifference.toFixed(3)}`,
      `scikit-learn ${references.sklearn} reference models, same splits and vectors, mean per-user AUC: ` +
        Object.entries(references.models)
          .map(([name, value]) => `${name} ${value === null ? 'n/a' : value.toFixed(3)}`)
          .join('; '),
      `replay: ${trainRatings} POST /ratings in ${replaySeconds.toFixed(0)} s (${options.concurrency} users at a time)`,
      `POST /ratings, one user, ${LATENCY_RATINGS} ratings: p50 ${ratingTimings.p50.toFixed(1)} ms, ` +
        `p95 ${ratingTimings.p95.toFixed(1)} ms; ${verdict(ratingTimings.p50 <= TARGETS.ratingP50Ms)} (target p50 ≤ ${TARGETS.ratingP50Ms} ms)`,
      ...catalogRuns.flatMap((run) => catalogLines(run, posters.length)),
    ]
    for (const line of lines) console.log(line)

    const machine =
      `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ` +
      `${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ` +
      `load average ${startLoad.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end`
    writeSection(
      [
        '## Recommendations',
        '',
        `Command: \`FEATUREFOREST_DATA=… npm run bench:recommend${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}\``,
        `Machine: ${machine}; local \`wrangler dev\` (workerd), shared with other work. Run on ${new Date().toISOString().slice(0, 10)}.`,
        '',
        'Data: MovieLens ml-latest-small ratings of the 500 posters in movielens_posters; users with',
        `≥ ${MIN_RATINGS} ratings; like = ${LIKE_STARS} stars or more; features: MobileNetV2 embedding (1,280`,
        "values, stored as uint8 per item) and each movie's MovieLens genres as item tags.",
        'Latencies are client wall times over 127.0.0.1. The',
        'catalogs of each size add items `extra-{n}` by content id through POST /items/bulk,',
        'reusing the 500 poster vectors, so 10,000 items hold 20 copies of each vector.',
        '',
        ...lines.map((line) => `- ${line}`),
        '',
      ].join('\n'),
    )
  } finally {
    await server.stop()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
