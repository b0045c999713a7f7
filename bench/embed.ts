// Benchmark of POST /embed in local workerd, compared with onnxruntime-web and onnxruntime-node
// in plain Node on the same model and input. Usage: npm run bench:embed [-- --skip-experiments]
// Needs FEATUREFOREST_DATA (the folder with cats_dogs_kaggle/) and the installed model.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { join } from 'node:path'

import { dataRoot, readManifest } from './lib/dataset-features'
import { dequantizeModel } from '../scripts/lib/dequantize-model.mjs'
import {
  compareGraphs,
  runVariantExperiments,
  timeRuntimes,
  type TimingPlan,
} from './lib/embed-experiments'
import { printExperiments, printInferenceComparison, printServiceRun } from './lib/embed-report'
import { photoPathsOf, runServiceBench, type ServiceRunPlan } from './lib/embed-service-run'
import { startInferenceWorker } from './lib/inference-timers'
import { decodeRgb, toNchwInput } from './lib/node-image'
import { REPO_ROOT } from './lib/worker-server'

/** Whole-run limit: the process exits (stopping its servers) when it is reached. */
const RUN_TIMEOUT_MS = 30 * 60 * 1000

const SERVICE_PLAN: ServiceRunPlan = {
  warmupPhotos: 5,
  timedPhotos: 60,
  computedRequests: 500,
  memoryEvery: 100,
}
const COMPARISON_PLAN: TimingPlan = { warmupRuns: 5, blocks: 6, runsPerBlock: 10 }
const EXPERIMENT_PLAN: TimingPlan = { warmupRuns: 3, blocks: 2, runsPerBlock: 10 }
/** Photos whose outputs are compared between the int8 and the fp32 graph. */
const FIDELITY_PHOTOS = 16

const MODEL_MANIFEST = JSON.parse(
  readFileSync(join(REPO_ROOT, 'models', 'mobilenetv2-12-int8.json'), 'utf8'),
) as {
  installed: { file: string }
  preprocessing: { mean: number[]; std: number[] }
}

function printMachine(): void {
  const version = (command: string, args: string[]) =>
    execFileSync(command, args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim().split('\n').pop()
  const workerd = join(REPO_ROOT, 'node_modules', '.bin', 'workerd')
  console.log('## Machine')
  console.log(`- CPU: ${cpus()[0]?.model ?? 'unknown'}, nproc ${cpus().length}`)
  console.log(`- memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB`)
  console.log(`- Node ${process.version}, wrangler ${version('npx', ['wrangler', '--version'])}`)
  console.log(`- ${version(workerd, ['--version'])}`)
  console.log(
    `- load average at start: ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')}`,
  )
}

function modelInputOf(path: string): Float32Array {
  const { mean, std } = MODEL_MANIFEST.preprocessing
  return toNchwInput(decodeRgb(new Uint8Array(readFileSync(path))), 224, mean, std)
}

async function main(): Promise<void> {
  const skipExperiments = process.argv.includes('--skip-experiments')
  const setFolder = join(dataRoot(), 'cats_dogs_kaggle')
  const photos = photoPathsOf(
    setFolder,
    readManifest('cats_dogs_kaggle').rows.map((row) => row.path),
  )
  const int8 = new Uint8Array(
    readFileSync(join(REPO_ROOT, 'models', 'installed', MODEL_MANIFEST.installed.file)),
  )
  const input = modelInputOf(photos[0]!)
  printMachine()

  console.error('timing inference in ort-web-node, ort-node and workerd')
  const inferenceWorker = await startInferenceWorker()
  try {
    const comparison = await timeRuntimes(
      inferenceWorker,
      int8,
      input,
      { graphOptimizationLevel: 'all' },
      COMPARISON_PLAN,
    )

    const memory = await fetch(`${inferenceWorker.url}/memory`)
    const { ortHeapBytes } = (await memory.json()) as { ortHeapBytes: number }

    console.error(`running ${SERVICE_PLAN.computedRequests} POST /embed requests`)
    const service = await runServiceBench(photos, SERVICE_PLAN)
    printServiceRun(service, SERVICE_PLAN, ortHeapBytes)
    printInferenceComparison(comparison, service, COMPARISON_PLAN)

    if (skipExperiments) return
    const fp32 = dequantizeModel(int8)
    mkdirSync(join(REPO_ROOT, 'bench', '.cache'), { recursive: true })
    writeFileSync(join(REPO_ROOT, 'bench', '.cache', 'mobilenetv2-12-fp32-embed.onnx'), fp32)
    const fidelityInputs = photos.slice(0, FIDELITY_PHOTOS).map(modelInputOf)
    const fidelity = await compareGraphs(int8, fp32, fidelityInputs)
    const models = [
      { name: 'int8', bytes: int8 },
      { name: 'fp32', bytes: fp32 },
    ]
    const results = await runVariantExperiments(inferenceWorker, models, input, EXPERIMENT_PLAN)
    printExperiments(results, fidelity, { int8: int8.length, fp32: fp32.length }, EXPERIMENT_PLAN)
  } finally {
    await inferenceWorker.stop()
    console.log(
      `- load average at end: ${loadavg()
        .map((value) => value.toFixed(2))
        .join(' ')}`,
    )
  }
}

const timeout = setTimeout(() => {
  console.error(`bench:embed did not finish within ${RUN_TIMEOUT_MS / 60000} minutes; stopping`)
  process.exit(1)
}, RUN_TIMEOUT_MS)
timeout.unref()

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  },
)
