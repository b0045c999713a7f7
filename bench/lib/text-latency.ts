import { readFileSync } from 'node:fs'
import { join } from 'node:path'

import * as ort from 'onnxruntime-web'

import manifest from '../../models/use-lite.json'
import { tokenizeForEncoder } from '../../src/text/use-lite-tokenizer'
import { quantile } from './stats'
import { REPO_ROOT, type WorkerServer } from './worker-server'

/**
 * Requests after the first that are reported separately, because in local workerd the encoder
 * runs several times slower during the first 1 to 5 s of requests (measured on a 2-core
 * machine), most likely until V8 has optimised ORT's WebAssembly.
 */
const FRESH_REQUESTS = 30
/** Requests between the fresh ones and the measured ones. */
const WARMUP_REQUESTS = 30
const MEASURED_REQUESTS = 40
const NODE_WARMUP_RUNS = 10

const WORDS =
  'the small hotel near the old harbour served fresh fish and warm bread every morning while guests watched boats sail'.split(
    ' ',
  )

/** Server-Timing stages and client wall time of a series of requests, in ms. */
export interface StageSeries {
  tokenize: number[]
  inference: number[]
  storage: number[]
  wall: number[]
}

/** Latency of single-text POST /embed requests, with onnxruntime-web in Node as a reference. */
export interface TextLatency {
  tokens: number
  /** The first request, which creates the session. */
  cold: StageSeries
  fresh: StageSeries
  steady: StageSeries
  /** onnxruntime-web in this Node process on the ids of each measured request, in ms. */
  node: number[]
}

/** Returns a 20-word sentence that differs for every `run`, so that no request hits the cache. */
function sentence(run: number): string {
  const shuffled = WORDS.map((_, i) => WORDS[(i * 7 + run) % WORDS.length]!)
  return `${shuffled.slice(0, 19).join(' ')} ${run}`
}

const emptySeries = (): StageSeries => ({ tokenize: [], inference: [], storage: [], wall: [] })

function stage(header: string, name: string): number {
  const match = new RegExp(`${name};dur=([\\d.]+)`).exec(header)
  return match ? Number(match[1]) : Number.NaN
}

/** Creates the installed text encoder in onnxruntime-web under Node, with the Worker's options. */
async function createNodeSession(): Promise<ort.InferenceSession> {
  ort.env.wasm.numThreads = 1
  ort.env.wasm.proxy = false
  const model = readFileSync(join(REPO_ROOT, 'models', 'installed', manifest.installed.file))
  return ort.InferenceSession.create(new Uint8Array(model), {
    executionProviders: ['wasm'],
    graphOptimizationLevel: 'all',
    ...manifest.installed.sessionOptions,
  })
}

async function timeNodeRun(session: ort.InferenceSession, ids: number[]): Promise<number> {
  const shape = [1, ids.length]
  const feeds = {
    input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), shape),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(ids.length).fill(1n), shape),
  }
  const started = performance.now()
  const outputs = await session.run(feeds)
  const elapsed = performance.now() - started
  for (const output of Object.values(outputs)) output.dispose()
  return elapsed
}

/**
 * Posts distinct 20-word sentences one at a time to a server that has not embedded text yet:
 * one cold request, FRESH_REQUESTS, WARMUP_REQUESTS, then MEASURED_REQUESTS, each of which is
 * followed by one Node run on the same ids.
 */
export async function measureTextLatency(server: WorkerServer): Promise<TextLatency> {
  const node = await createNodeSession()
  for (let run = 0; run < NODE_WARMUP_RUNS; run++) {
    await timeNodeRun(node, tokenizeForEncoder(sentence(run)).ids)
  }

  const result: TextLatency = {
    tokens: 0,
    cold: emptySeries(),
    fresh: emptySeries(),
    steady: emptySeries(),
    node: [],
  }
  const total = 1 + FRESH_REQUESTS + WARMUP_REQUESTS + MEASURED_REQUESTS
  for (let run = 0; run < total; run++) {
    const text = sentence(run)
    const started = performance.now()
    const response = await fetch(`${server.url}/embed`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text }),
    })
    const body = (await response.json()) as { tokens: number; cached: boolean }
    const wall = performance.now() - started
    if (response.status !== 201 || body.cached) {
      throw new Error(`POST /embed returned ${response.status} for an uncached text`)
    }

    const measured = run >= total - MEASURED_REQUESTS
    let series: StageSeries | undefined
    if (run === 0) series = result.cold
    else if (run <= FRESH_REQUESTS) series = result.fresh
    else if (measured) series = result.steady
    if (!series) continue
    const header = response.headers.get('Server-Timing') ?? ''
    series.tokenize.push(stage(header, 'tokenize'))
    series.inference.push(stage(header, 'inference'))
    series.storage.push(stage(header, 'storage'))
    series.wall.push(wall)
    if (measured) {
      result.tokens = body.tokens
      result.node.push(await timeNodeRun(node, tokenizeForEncoder(text).ids))
    }
  }
  await node.release()
  return result
}

const format = (values: number[], q: number) => quantile(values, q).toFixed(1)

/** Prints the latency as a Markdown table of p50 / p90 per stage. */
export function printTextLatency(latency: TextLatency): void {
  console.log(`\nlatency of POST /embed, ${latency.tokens}-token sentence, ms, p50 / p90:`)
  console.log('| requests | tokenize | inference | storage | wall time |')
  console.log('| --- | ---: | ---: | ---: | ---: |')
  const row = (label: string, series: StageSeries) =>
    console.log(
      `| ${label} | ${[series.tokenize, series.inference, series.storage, series.wall]
        .map((values) => `${format(values, 0.5)} / ${format(values, 0.9)}`)
        .join(' | ')} |`,
    )
  row('first (creates the session)', latency.cold)
  row(`next ${FRESH_REQUESTS}`, latency.fresh)
  row(`${MEASURED_REQUESTS} after ${FRESH_REQUESTS + WARMUP_REQUESTS} more`, latency.steady)
  const workerd = quantile(latency.steady.inference, 0.5)
  const node = quantile(latency.node, 0.5)
  console.log(
    `onnxruntime-web in Node on the same ${MEASURED_REQUESTS} inputs, interleaved: p50 ${node.toFixed(2)} ms, p90 ${format(latency.node, 0.9)} ms; workerd/Node ${(workerd / node).toFixed(2)}`,
  )
  // On a loaded machine the fastest request estimates the time without contention.
  console.log(
    `fastest of the ${MEASURED_REQUESTS}: inference ${Math.min(...latency.steady.inference)} ms in workerd (1 ms steps), ${Math.min(...latency.node).toFixed(2)} ms in Node`,
  )
}
