import { readFileSync } from 'node:fs'
import { join } from 'node:path'

import { InspectorClient, type HeapUsage } from './inspector'
import { residentSetBytes, startWorkerServer, type WorkerServer } from './worker-server'

/** Stage durations of one POST /embed, in ms: Server-Timing stages plus the client's wall time. */
export interface RequestTiming {
  status: number
  wall: number
  decode?: number
  preprocess?: number
  inference?: number
  storage?: number
  /** Longest side of the decoded image, in pixels. */
  longestSide: number
}

/** Isolate memory after `computed` embeddings. */
export interface MemorySample {
  computed: number
  heap: HeapUsage
  /** RSS of the workerd process that runs the Worker, in bytes. */
  rss: number
}

/** Everything measured against one fresh service server. */
export interface ServiceRun {
  cold: RequestTiming
  warm: RequestTiming[]
  /** Every computed request after warm-up, including `warm`. */
  allWarm: RequestTiming[]
  cached: RequestTiming[]
  /** RSS of the Worker's workerd process before the first POST /embed. */
  idleRss: number
  memory: MemorySample[]
  reloads: number
}

/** Request counts of the service run. Every loop of the run is bounded by one of them. */
export interface ServiceRunPlan {
  warmupPhotos: number
  timedPhotos: number
  computedRequests: number
  memoryEvery: number
}

function parseServerTiming(header: string | null): Record<string, number> {
  const stages: Record<string, number> = {}
  for (const entry of (header ?? '').split(',')) {
    const match = /^\s*([\w-]+);dur=([\d.]+)/.exec(entry)
    if (match) stages[match[1]!] = Number(match[2])
  }
  return stages
}

async function postEmbed(server: WorkerServer, bytes: Uint8Array, path: string) {
  const started = performance.now()
  const response = await fetch(`${server.url}/embed`, {
    method: 'POST',
    body: bytes,
    headers: { 'Content-Type': 'application/octet-stream' },
    signal: AbortSignal.timeout(60_000),
  })
  const text = await response.text()
  const wall = performance.now() - started
  if (response.status !== 200 && response.status !== 201) {
    throw new Error(`POST /embed failed for ${path} with status ${response.status}: ${text}`)
  }
  const body = JSON.parse(text) as { image: { width: number; height: number } }
  const stages = parseServerTiming(response.headers.get('Server-Timing'))
  const timing: RequestTiming = {
    status: response.status,
    wall,
    longestSide: Math.max(body.image.width, body.image.height),
    ...stages,
  }
  return timing
}

/** Returns the id of the workerd process that runs the Worker (the one with the inspector). */
function workerProcess(server: WorkerServer): number {
  const candidates = server.workerdPids()
  const withInspector = candidates.find((pid) =>
    readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--inspector-addr'),
  )
  const pid = withInspector ?? candidates[0]
  if (pid === undefined) throw new Error('no workerd process found under wrangler dev')
  return pid
}

/**
 * Starts a fresh service server and measures the cold request, warm requests, the isolate's
 * memory while it computes `computedRequests` embeddings of new photos, and cache hits.
 */
export async function runServiceBench(
  photoPaths: string[],
  plan: ServiceRunPlan,
): Promise<ServiceRun> {
  if (photoPaths.length < plan.computedRequests) {
    throw new RangeError(
      `${plan.computedRequests} computed requests need as many distinct photos, got ${photoPaths.length}`,
    )
  }
  const photos = photoPaths.map((path) => ({ path, bytes: new Uint8Array(readFileSync(path)) }))
  const server = await startWorkerServer()
  const inspector = await InspectorClient.connect(server.inspectorPort)
  try {
    const workerd = workerProcess(server)
    const wake = async () => (await fetch(`${server.url}/health`)).arrayBuffer()
    const sample = async (computed: number): Promise<MemorySample> => {
      await inspector.collectGarbage(wake)
      return { computed, heap: await inspector.heapUsage(), rss: residentSetBytes(workerd) }
    }

    const memory: MemorySample[] = [await sample(0)]
    const idleRss = memory[0]!.rss
    const cold = await postEmbed(server, photos[0]!.bytes, photos[0]!.path)
    const allWarm: RequestTiming[] = []
    for (let i = 1; i < plan.computedRequests; i++) {
      const timing = await postEmbed(server, photos[i]!.bytes, photos[i]!.path)
      if (timing.status !== 201) {
        throw new Error(
          `POST /embed returned ${timing.status} for ${photos[i]!.path}, expected 201 from an empty KV`,
        )
      }
      if (i > plan.warmupPhotos) allWarm.push(timing)
      const computed = i + 1
      if (computed === plan.warmupPhotos + 1 || computed % plan.memoryEvery === 0) {
        memory.push(await sample(computed))
      }
    }

    const timedStart = plan.warmupPhotos + 1
    const cached: RequestTiming[] = []
    for (let i = timedStart; i < timedStart + plan.timedPhotos; i++) {
      const timing = await postEmbed(server, photos[i]!.bytes, photos[i]!.path)
      if (timing.status !== 200) {
        throw new Error(
          `POST /embed returned ${timing.status} for ${photos[i]!.path}, expected 200 from KV`,
        )
      }
      cached.push(timing)
    }
    return {
      cold,
      warm: allWarm.slice(0, plan.timedPhotos),
      allWarm,
      cached,
      idleRss,
      memory,
      reloads: server.reloads(),
    }
  } finally {
    inspector.close()
    await server.stop()
  }
}

/** Paths of the photos of a manifest, in manifest order. */
export function photoPathsOf(setFolder: string, manifestPaths: string[]): string[] {
  return manifestPaths.map((path) => join(setFolder, path))
}
