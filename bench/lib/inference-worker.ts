// Worker used only by bench/embed.ts: times onnxruntime-web inside workerd for any model and
// session options the bench sends, so that model variants run without changing the service.
import { configureOrt, ortHeapBytes, type ort } from '../../src/backbone/ort-workerd'

let session: ort.InferenceSession | undefined

/** Largest number of runs (and of warm-up runs) one POST /run performs. */
const MAX_RUNS = 200

/** Session options read from the query string of POST /session. */
function sessionOptions(query: URLSearchParams): ort.InferenceSession.SessionOptions {
  const level = query.get('graphOptimizationLevel') ?? 'all'
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: ['wasm'],
    graphOptimizationLevel: level as ort.InferenceSession.SessionOptions['graphOptimizationLevel'],
  }
  if (query.has('enableCpuMemArena')) {
    options.enableCpuMemArena = query.get('enableCpuMemArena') === 'true'
  }
  if (query.has('enableMemPattern')) {
    options.enableMemPattern = query.get('enableMemPattern') === 'true'
  }
  if (query.has('executionMode')) {
    options.executionMode = query.get('executionMode') as 'sequential' | 'parallel'
  }
  return options
}

async function createSession(request: Request, query: URLSearchParams): Promise<Response> {
  const runtime = configureOrt()
  await session?.release()
  session = undefined
  const model = new Uint8Array(await request.arrayBuffer())
  const started = performance.now()
  session = await runtime.InferenceSession.create(model, sessionOptions(query))
  return Response.json({ createMs: performance.now() - started })
}

/** Runs the session `warmup + runs` times on the float32 NCHW body and returns the timed runs in ms. */
async function timeRuns(request: Request, query: URLSearchParams): Promise<Response> {
  if (!session) return Response.json({ error: 'POST /session first' }, { status: 409 })
  const runtime = configureOrt()
  const input = new Float32Array(await request.arrayBuffer())
  const side = Math.round(Math.sqrt(input.length / 3))
  // Bounded so that one request never runs for minutes.
  const runs = Math.min(Number(query.get('runs') ?? '30'), MAX_RUNS)
  const warmup = Math.min(Number(query.get('warmup') ?? '5'), MAX_RUNS)
  const times: number[] = []
  for (let i = 0; i < warmup + runs; i++) {
    const tensor = new runtime.Tensor('float32', input, [1, 3, side, side])
    const started = performance.now()
    const outputs = await session.run({ [session.inputNames[0]!]: tensor })
    const elapsed = performance.now() - started
    if (i >= warmup) times.push(elapsed)
    for (const output of Object.values(outputs)) output.dispose()
  }
  return Response.json({ times })
}

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url)
    if (url.pathname === '/health') return Response.json({ status: 'ok' })
    if (url.pathname === '/memory') return Response.json({ ortHeapBytes: ortHeapBytes() })
    if (request.method === 'POST' && url.pathname === '/session') {
      return createSession(request, url.searchParams)
    }
    if (request.method === 'POST' && url.pathname === '/run') {
      return timeRuns(request, url.searchParams)
    }
    return Response.json(
      { error: `no route for ${request.method} ${url.pathname}` },
      { status: 404 },
    )
  },
}
