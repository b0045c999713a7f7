import * as ortNode from 'onnxruntime-node'

import {
  createOrtNodeTimer,
  createOrtWebTimer,
  createWorkerdTimer,
  type InferenceTimer,
  type SessionVariant,
} from './inference-timers'
import { argmax, cosine, percentiles, type Percentiles } from './stats'
import type { WorkerServer } from './worker-server'

/** Timings of one runtime for one model and session variant. */
export interface RuntimeTiming extends Percentiles {
  runtime: string
  createMs: number
}

/** Runs per runtime, split into interleaved blocks so that machine load hits all runtimes alike. */
export interface TimingPlan {
  warmupRuns: number
  blocks: number
  runsPerBlock: number
}

/**
 * Creates one session per runtime, warms each up, then times `blocks` rounds in which every
 * runtime runs `runsPerBlock` inferences in turn. Sessions are released afterwards.
 */
export async function timeRuntimes(
  server: WorkerServer,
  model: Uint8Array,
  input: Float32Array,
  variant: SessionVariant,
  plan: TimingPlan,
): Promise<RuntimeTiming[]> {
  const timers: InferenceTimer[] = [
    await createOrtWebTimer(model, input, variant),
    await createOrtNodeTimer(model, input, variant),
    await createWorkerdTimer(server, model, input, variant),
  ]
  try {
    for (const timer of timers) await timer.time(plan.warmupRuns)
    const times = timers.map(() => [] as number[])
    for (let block = 0; block < plan.blocks; block++) {
      for (const [i, timer] of timers.entries()) {
        times[i]!.push(...(await timer.time(plan.runsPerBlock)))
      }
    }
    return timers.map((timer, i) => ({
      runtime: timer.runtime,
      createMs: timer.createMs,
      ...percentiles(times[i]!),
    }))
  } finally {
    for (const timer of timers) await timer.release()
  }
}

/** One row of the optimisation table. */
export interface VariantResult {
  model: string
  label: string
  timings: RuntimeTiming[]
}

/** Session variants tried on each model graph. */
export const SESSION_VARIANTS: { label: string; variant: SessionVariant }[] = [
  { label: "graphOptimizationLevel 'disabled'", variant: { graphOptimizationLevel: 'disabled' } },
  { label: "graphOptimizationLevel 'basic'", variant: { graphOptimizationLevel: 'basic' } },
  { label: "graphOptimizationLevel 'extended'", variant: { graphOptimizationLevel: 'extended' } },
  { label: "graphOptimizationLevel 'all'", variant: { graphOptimizationLevel: 'all' } },
  {
    label: "'all', enableCpuMemArena false",
    variant: { graphOptimizationLevel: 'all', enableCpuMemArena: false },
  },
  {
    label: "'all', enableMemPattern false",
    variant: { graphOptimizationLevel: 'all', enableMemPattern: false },
  },
  {
    label: "'all', executionMode 'parallel'",
    variant: { graphOptimizationLevel: 'all', executionMode: 'parallel' },
  },
]

/** Times every session variant of every model in the three runtimes. */
export async function runVariantExperiments(
  server: WorkerServer,
  models: { name: string; bytes: Uint8Array }[],
  input: Float32Array,
  plan: TimingPlan,
): Promise<VariantResult[]> {
  const results: VariantResult[] = []
  for (const model of models) {
    for (const { label, variant } of SESSION_VARIANTS) {
      const timings = await timeRuntimes(server, model.bytes, input, variant, plan)
      results.push({ model: model.name, label, timings })
      const summary = timings.map((t) => `${t.runtime} ${t.p50.toFixed(1)} ms`).join(', ')
      console.error(`${model.name}, ${label}: ${summary}`)
    }
  }
  return results
}

/** Agreement of a candidate graph with the reference graph on real inputs. */
export interface FidelityResult {
  images: number
  top1Agreement: number
  embeddingCosineMean: number
  embeddingCosineMin: number
  logitsCosineMin: number
}

/** Runs both graphs with onnxruntime-node on each input and compares their outputs. */
export async function compareGraphs(
  reference: Uint8Array,
  candidate: Uint8Array,
  inputs: Float32Array[],
): Promise<FidelityResult> {
  const options = { intraOpNumThreads: 1, interOpNumThreads: 1 }
  const sessions = [
    await ortNode.InferenceSession.create(reference, options),
    await ortNode.InferenceSession.create(candidate, options),
  ]
  let agreements = 0
  const embeddingCosines: number[] = []
  const logitsCosines: number[] = []
  try {
    for (const input of inputs) {
      const tensor = new ortNode.Tensor('float32', input, [1, 3, 224, 224])
      const [a, b] = await Promise.all(sessions.map((session) => session.run({ input: tensor })))
      const logitsA = a!.output!.data as Float32Array
      const logitsB = b!.output!.data as Float32Array
      if (argmax(logitsA) === argmax(logitsB)) agreements++
      logitsCosines.push(cosine(logitsA, logitsB))
      embeddingCosines.push(
        cosine(a!.embedding!.data as Float32Array, b!.embedding!.data as Float32Array),
      )
    }
  } finally {
    for (const session of sessions) await session.release()
  }
  return {
    images: inputs.length,
    top1Agreement: agreements / inputs.length,
    embeddingCosineMean: embeddingCosines.reduce((sum, value) => sum + value, 0) / inputs.length,
    embeddingCosineMin: Math.min(...embeddingCosines),
    logitsCosineMin: Math.min(...logitsCosines),
  }
}
