import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import * as ortNode from 'onnxruntime-node'
import * as ortWeb from 'onnxruntime-web'

import { REPO_ROOT, startWorkerServer, type WorkerServer } from './worker-server'

/** Session options compared by the bench; each runtime maps them to its own option names. */
export interface SessionVariant {
  graphOptimizationLevel: 'disabled' | 'basic' | 'extended' | 'all'
  enableCpuMemArena?: boolean
  enableMemPattern?: boolean
  executionMode?: 'sequential' | 'parallel'
}

/** One runtime holding one session, timing `session.run` on a fixed input. */
export interface InferenceTimer {
  runtime: string
  /** Time taken to create the session, in ms. */
  createMs: number
  /** Runs the session `runs` times and returns the duration of each run in ms. */
  time(runs: number): Promise<number[]>
  release(): Promise<void>
}

const INPUT_NAME = 'input'

function inputShape(input: Float32Array): number[] {
  const side = Math.round(Math.sqrt(input.length / 3))
  return [1, 3, side, side]
}

/** onnxruntime-web's WebAssembly build in Node, single-threaded, the same .wasm as in workerd. */
export async function createOrtWebTimer(
  model: Uint8Array,
  input: Float32Array,
  variant: SessionVariant,
): Promise<InferenceTimer> {
  ortWeb.env.wasm.numThreads = 1
  ortWeb.env.wasm.proxy = false
  const started = performance.now()
  const session = await ortWeb.InferenceSession.create(model, {
    executionProviders: ['wasm'],
    ...variant,
  })
  const createMs = performance.now() - started
  return {
    runtime: 'ort-web-node',
    createMs,
    async time(runs) {
      const times: number[] = []
      for (let i = 0; i < runs; i++) {
        const tensor = new ortWeb.Tensor('float32', input, inputShape(input))
        const runStarted = performance.now()
        const outputs = await session.run({ [INPUT_NAME]: tensor })
        times.push(performance.now() - runStarted)
        for (const output of Object.values(outputs)) output.dispose()
      }
      return times
    },
    release: () => session.release(),
  }
}

/** onnxruntime-node (native CPU), one intra-op and one inter-op thread. */
export async function createOrtNodeTimer(
  model: Uint8Array,
  input: Float32Array,
  variant: SessionVariant,
): Promise<InferenceTimer> {
  const started = performance.now()
  const session = await ortNode.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    ...variant,
  })
  const createMs = performance.now() - started
  return {
    runtime: 'ort-node',
    createMs,
    async time(runs) {
      const times: number[] = []
      for (let i = 0; i < runs; i++) {
        const tensor = new ortNode.Tensor('float32', input, inputShape(input))
        const runStarted = performance.now()
        await session.run({ [INPUT_NAME]: tensor })
        times.push(performance.now() - runStarted)
      }
      return times
    },
    release: () => session.release(),
  }
}

/** Returns the compatibility date of the service's wrangler.toml, so both Workers match. */
function serviceCompatibilityDate(): string {
  const config = readFileSync(join(REPO_ROOT, 'wrangler.toml'), 'utf8')
  const match = /^compatibility_date\s*=\s*"([\d-]+)"/m.exec(config)
  if (!match) throw new Error('wrangler.toml has no compatibility_date')
  return match[1]!
}

/**
 * Starts bench/lib/inference-worker.ts under wrangler dev: the service's onnxruntime-web
 * set-up in workerd, with any model and session options the bench posts to it.
 */
export async function startInferenceWorker(): Promise<WorkerServer> {
  const folder = mkdtempSync(join(tmpdir(), 'featureforest-inference-worker-'))
  const config = join(folder, 'wrangler.toml')
  writeFileSync(
    config,
    [
      'name = "featureforest-bench-inference"',
      `main = ${JSON.stringify(join(REPO_ROOT, 'bench', 'lib', 'inference-worker.ts'))}`,
      `compatibility_date = "${serviceCompatibilityDate()}"`,
      'send_metrics = false',
      '[[rules]]',
      'type = "CompiledWasm"',
      'globs = ["**/*.wasm"]',
      'fallthrough = true',
      '',
    ].join('\n'),
  )
  try {
    return await startWorkerServer({ config, removeOnStop: [folder] })
  } catch (error) {
    rmSync(folder, { recursive: true, force: true })
    throw error
  }
}

async function postJson<T>(url: string, body: Uint8Array, timeoutMs: number): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    body,
    signal: AbortSignal.timeout(timeoutMs),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`POST ${url} failed with status ${response.status}: ${text}`)
  return JSON.parse(text) as T
}

/** onnxruntime-web inside workerd, timed by the inference Worker with `performance.now()`. */
export async function createWorkerdTimer(
  server: WorkerServer,
  model: Uint8Array,
  input: Float32Array,
  variant: SessionVariant,
): Promise<InferenceTimer> {
  const query = new URLSearchParams(
    Object.entries(variant).map(([key, value]) => [key, String(value)]),
  )
  const { createMs } = await postJson<{ createMs: number }>(
    `${server.url}/session?${query}`,
    model,
    120_000,
  )
  const inputBytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength)
  return {
    runtime: 'workerd',
    createMs,
    async time(runs) {
      const url = `${server.url}/run?runs=${runs}&warmup=0`
      const { times } = await postJson<{ times: number[] }>(url, inputBytes, 120_000)
      return times
    },
    // The Worker releases the previous session when the next one is created.
    release: async () => {},
  }
}
