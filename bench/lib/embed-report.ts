import type { FidelityResult, RuntimeTiming, TimingPlan, VariantResult } from './embed-experiments'
import type { MemorySample, RequestTiming, ServiceRun, ServiceRunPlan } from './embed-service-run'
import { megabytes, ms, percentiles, quantile } from './stats'

/** Target: workerd inference p50 at most this multiple of onnxruntime-web's in Node. */
const MAX_WORKERD_RATIO = 1.2
/** Target: warm POST /embed p50 wall time, in ms. */
const MAX_WARM_P50_MS = 100
/** Target: isolate memory below this many bytes (96 MB) after the computed requests. */
const MAX_ISOLATE_BYTES = 96e6
/** "Flat" memory: growth between the 100th and the last sample below this fraction. */
const MAX_MEMORY_GROWTH = 0.05

const STAGES = ['decode', 'preprocess', 'inference', 'storage', 'wall'] as const

function stageValues(timings: RequestTiming[], stage: (typeof STAGES)[number]): number[] {
  return timings.map((timing) => timing[stage]).filter((value) => value !== undefined)
}

function verdict(pass: boolean): string {
  return pass ? 'PASS' : 'FAIL'
}

/** JS heap plus ArrayBuffer backing stores, as CDP Runtime.getHeapUsage reports them. */
function isolateBytes(sample: MemorySample): number {
  return sample.heap.usedSize + (sample.heap.backingStorageSize ?? 0)
}

function printStageTable(title: string, timings: RequestTiming[]): void {
  console.log(`\n${title} (${timings.length} requests), ms`)
  console.log('| stage | p50 | p95 |')
  console.log('| --- | ---: | ---: |')
  for (const stage of STAGES) {
    const values = stageValues(timings, stage)
    if (values.length === 0) continue
    const { p50, p95 } = percentiles(values)
    console.log(
      `| ${stage === 'wall' ? 'whole request (client wall time)' : stage} | ${ms(p50)} | ${ms(p95)} |`,
    )
  }
}

function printMemory(run: ServiceRun): void {
  console.log(
    '\nIsolate memory (CDP Runtime.getHeapUsage after HeapProfiler.collectGarbage) and workerd RSS, MB',
  )
  console.log(
    '| computed embeddings | usedSize | totalSize | embedderHeapUsedSize | backingStorageSize | usedSize + backingStorageSize | workerd RSS |',
  )
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
  for (const sample of run.memory) {
    const { heap } = sample
    const cells = [
      heap.usedSize,
      heap.totalSize,
      heap.embedderHeapUsedSize ?? Number.NaN,
      heap.backingStorageSize ?? Number.NaN,
      isolateBytes(sample),
      sample.rss,
    ].map(megabytes)
    const label = sample.computed === 0 ? '0 (idle, before the first /embed)' : sample.computed
    console.log(`| ${label} | ${cells.join(' | ')} |`)
  }
}

/** Prints the /embed stage breakdowns, memory series and the two service targets. */
export function printServiceRun(run: ServiceRun, plan: ServiceRunPlan, ortHeapBytes: number): void {
  console.log('\n## POST /embed in workerd (wrangler dev)')
  if (run.reloads > 0) {
    console.log(
      `WARNING: wrangler rebuilt the Worker ${run.reloads} time(s) during the run; figures are suspect`,
    )
  }
  const sides = run.warm.map((timing) => timing.longestSide)
  console.log(
    `Photos: cats_dogs_kaggle in manifest order; longest side p50 ${quantile(sides, 0.5)} px, max ${Math.max(...sides)} px.`,
  )
  printStageTable(`Cold start: first POST /embed of a fresh server`, [run.cold])
  printStageTable(
    `Warm, photos ${plan.warmupPhotos + 2}–${plan.warmupPhotos + 1 + plan.timedPhotos}`,
    run.warm,
  )
  printStageTable(`Warm, all computed requests after warm-up`, run.allWarm)
  printStageTable('Cache hits (the timed photos again, served from KV)', run.cached)
  printMemory(run)

  const warmWall = percentiles(stageValues(run.warm, 'wall')).p50
  console.log('\n### Targets (service)')
  console.log(
    `- warm /embed p50 ${ms(warmWall)} ms ≤ ${MAX_WARM_P50_MS} ms: ${verdict(warmWall <= MAX_WARM_P50_MS)}`,
  )

  const reference = run.memory.find((sample) => sample.computed === plan.memoryEvery)
  const last = run.memory.at(-1)
  if (!reference || !last) {
    console.log('- memory: FAIL (samples missing)')
    return
  }
  const heapGrowth = isolateBytes(last) / isolateBytes(reference) - 1
  const rssGrowth = last.rss / reference.rss - 1
  console.log(
    `- memory flat (usedSize + backingStorageSize after GC grows under ${MAX_MEMORY_GROWTH * 100}% ` +
      `from request ${reference.computed} to ${last.computed}): ${(heapGrowth * 100).toFixed(1)}%: ` +
      `${verdict(heapGrowth < MAX_MEMORY_GROWTH)} (cross-check: workerd RSS grew ${(rssGrowth * 100).toFixed(1)}%)`,
  )
  // NOTE: backingStorageSize does not include ORT's shared WebAssembly.Memory (workerd
  // 2026-11-03), so the wasm heap measured in the bench Worker with the same model is added.
  const estimate = isolateBytes(last) + ortHeapBytes
  console.log(
    `- memory under ${megabytes(MAX_ISOLATE_BYTES)} MB (usedSize + backingStorageSize ` +
      `${megabytes(isolateBytes(last))} MB + ORT wasm heap ${megabytes(ortHeapBytes)} MB = ` +
      `${megabytes(estimate)} MB): ${verdict(estimate < MAX_ISOLATE_BYTES)} ` +
      `(cross-check: workerd RSS ${megabytes(last.rss)} MB, ${megabytes(last.rss - run.idleRss)} MB over idle)`,
  )
}

function timingRow(label: string, timing: RuntimeTiming): string {
  return `| ${label} | ${ms(timing.p50)} | ${ms(timing.p95)} | ${timing.count} | ${ms(timing.createMs)} |`
}

/** Prints inference p50/p95 per runtime, the ratios and the inference target. */
export function printInferenceComparison(
  timings: RuntimeTiming[],
  run: ServiceRun,
  plan: TimingPlan,
): void {
  const byName = new Map(timings.map((timing) => [timing.runtime, timing]))
  const web = byName.get('ort-web-node')!
  const native = byName.get('ort-node')!
  const workerd = byName.get('workerd')!
  const embedInference = percentiles(stageValues(run.warm, 'inference'))

  console.log(
    '\n## Inference: same int8 model, same 1×3×224×224 input, graphOptimizationLevel all, 1 thread',
  )
  console.log(
    `${plan.blocks} interleaved blocks of ${plan.runsPerBlock} runs per runtime after ${plan.warmupRuns} warm-up runs.`,
  )
  console.log('| runtime | p50 ms | p95 ms | runs | session create ms |')
  console.log('| --- | ---: | ---: | ---: | ---: |')
  console.log(timingRow('onnxruntime-web 1.31.1 (wasm) in Node', web))
  console.log(timingRow('onnxruntime-node 1.31.1 (native CPU)', native))
  console.log(timingRow('onnxruntime-web in workerd (bench Worker)', workerd))
  console.log(
    `| onnxruntime-web in workerd (/embed Server-Timing inference) | ${ms(embedInference.p50)} | ${ms(embedInference.p95)} | ${embedInference.count} | |`,
  )

  const ratio = workerd.p50 / web.p50
  console.log(
    `\nworkerd/ort-web-node p50: ${ratio.toFixed(2)} (bench Worker), ${(embedInference.p50 / web.p50).toFixed(2)} (/embed stage)`,
  )
  console.log(
    `workerd/ort-node p50: ${(workerd.p50 / native.p50).toFixed(2)} (bench Worker), ${(embedInference.p50 / native.p50).toFixed(2)} (/embed stage)`,
  )
  console.log('\n### Target (inference)')
  console.log(
    `- workerd inference within ${MAX_WORKERD_RATIO}× of onnxruntime-web in Node (interleaved bench Worker p50): ${ratio.toFixed(2)}×: ${verdict(ratio <= MAX_WORKERD_RATIO)}`,
  )
}

/** Prints the session-option and fp32-graph experiments. */
export function printExperiments(
  results: VariantResult[],
  fidelity: FidelityResult,
  sizes: { int8: number; fp32: number },
  plan: TimingPlan,
): void {
  console.log('\n## Narrowing the gap: graph and session options')
  console.log(
    `p50 (p95) ms of ${plan.blocks * plan.runsPerBlock} interleaved runs after ${plan.warmupRuns} warm-up runs; session create ms in brackets.`,
  )
  console.log(
    '| graph | session options | ort-web-node | ort-node | workerd | workerd/ort-web-node |',
  )
  console.log('| --- | --- | ---: | ---: | ---: | ---: |')
  for (const result of results) {
    const cells = ['ort-web-node', 'ort-node', 'workerd'].map((name) => {
      const timing = result.timings.find((t) => t.runtime === name)!
      return `${ms(timing.p50)} (${ms(timing.p95)}) [${ms(timing.createMs)}]`
    })
    const [web, , workerd] = ['ort-web-node', 'ort-node', 'workerd'].map(
      (name) => result.timings.find((t) => t.runtime === name)!.p50,
    )
    console.log(
      `| ${result.model} | ${result.label} | ${cells.join(' | ')} | ${(workerd! / web!).toFixed(2)} |`,
    )
  }
  for (const runtime of ['ort-web-node', 'ort-node', 'workerd']) {
    const fastest = results
      .map((result) => ({ result, timing: result.timings.find((t) => t.runtime === runtime)! }))
      .sort((a, b) => a.timing.p50 - b.timing.p50)[0]!
    console.log(
      `- fastest in ${runtime}: ${fastest.result.model}, ${fastest.result.label}: ${ms(fastest.timing.p50)} ms`,
    )
  }
  console.log(
    `\nfp32 graph (scripts/lib/dequantize-model.mjs) against int8, onnxruntime-node, ${fidelity.images} photos:`,
  )
  console.log(
    `- top-1 agreement ${(fidelity.top1Agreement * 100).toFixed(1)}%, embedding cosine mean ${fidelity.embeddingCosineMean.toFixed(4)} (min ${fidelity.embeddingCosineMin.toFixed(4)}), logits cosine min ${fidelity.logitsCosineMin.toFixed(4)}`,
  )
  console.log(`- model size: int8 ${megabytes(sizes.int8)} MB, fp32 ${megabytes(sizes.fp32)} MB`)
}
