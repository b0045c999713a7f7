import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'

/** Root of the repository: wrangler dev runs here so that it finds wrangler.toml. */
export const REPO_ROOT = resolve(import.meta.dirname, '..', '..')

/** Options of `startWorkerServer`. Every field is optional. */
export interface WorkerServerOptions {
  /** HTTP port on 127.0.0.1. Default: a free port chosen by the OS. */
  port?: number
  /** Port of wrangler's devtools inspector on 127.0.0.1. Default: a free port. */
  inspectorPort?: number
  /** Wrangler configuration file. Default: the repository's wrangler.toml. */
  config?: string
  /** Maximum wait for `GET /health` to return 200, in ms. Default: 180000. */
  readyTimeoutMs?: number
  /**
   * Serves a bundle built once at start-up instead of the sources, so that edits to the
   * working tree during a bench do not make wrangler rebuild and restart workerd. Default: true.
   */
  snapshot?: boolean
  /** More folders to delete when the server stops or the process exits. Default: none. */
  removeOnStop?: string[]
}

/** A running `wrangler dev` process group with its own temporary folder for the bundle and KV. */
export interface WorkerServer {
  /** Base URL, for example `http://127.0.0.1:8799`. */
  url: string
  inspectorPort: number
  /** Process id of the group leader (the npx process started with `setsid`). */
  pid: number
  /** Number of times wrangler reported a rebuild after start-up (a file under src/ changed). */
  reloads(): number
  /** Process ids of the workerd processes in the group. */
  workerdPids(): number[]
  /** Stops the whole process group and deletes the temporary folder. */
  stop(): Promise<void>
}

/** Environment of every wrangler process started here. */
const WRANGLER_ENV = {
  ...process.env,
  // Miniflare would otherwise download the Request.cf object from workers.cloudflare.com.
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_SEND_METRICS: 'false',
}

/** Process groups still running, with their folders, so that exit and signal handlers can end them. */
const running = new Map<number, string[]>()
let handlersInstalled = false

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
  }
}

/** Ends every server this process started: on normal exit, on an uncaught error and on signals. */
function installCleanupHandlers(): void {
  if (handlersInstalled) return
  handlersInstalled = true
  process.on('exit', () => {
    for (const [pid, folders] of running) {
      killGroup(pid, 'SIGKILL')
      for (const folder of folders) rmSync(folder, { recursive: true, force: true })
    }
    running.clear()
  })
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      console.error(`received ${signal}; stopping ${running.size} wrangler dev server(s)`)
      process.exit(130)
    })
  }
}

/** Returns a TCP port on 127.0.0.1 that was free a moment ago. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolvePort(port))
    })
  })
}

function parentPid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name in brackets may contain spaces, so fields are counted after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return Number(fields[1])
  } catch {
    return undefined
  }
}

/** Returns the ids of all running descendants of `rootPid` whose command name is `name`. */
export function descendantPids(rootPid: number, name: string): number[] {
  const found: number[] = []
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry)
    if (!Number.isInteger(pid)) continue
    let comm: string
    try {
      comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim()
    } catch {
      continue
    }
    if (comm !== name) continue
    for (let ancestor = parentPid(pid); ancestor && ancestor > 1; ancestor = parentPid(ancestor)) {
      if (ancestor === rootPid) {
        found.push(pid)
        break
      }
    }
  }
  return found
}

/** Resident set size of a process in bytes, from /proc/<pid>/status (VmRSS). */
export function residentSetBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status)
  if (!match) throw new Error(`/proc/${pid}/status has no VmRSS line`)
  return Number(match[1]) * 1024
}

/**
 * Bundles the Worker of `config` into `folder` with `wrangler deploy --dry-run` and writes a
 * copy of the configuration whose `main` is the bundle. Returns the path of that copy.
 */
async function buildSnapshot(config: string, folder: string): Promise<string> {
  const outdir = join(folder, 'dist')
  await promisify(execFile)(
    'npx',
    ['wrangler', 'deploy', '--dry-run', '--outdir', outdir, '--config', config],
    { cwd: REPO_ROOT, env: WRANGLER_ENV, timeout: 180_000 },
  )
  const entries = readdirSync(outdir).filter((name) => name.endsWith('.js'))
  if (entries.length !== 1) {
    throw new Error(`expected one .js bundle in ${outdir}, found [${entries.join(', ')}]`)
  }
  const source = readFileSync(config, 'utf8')
  if (!/^main\s*=/m.test(source)) throw new Error(`${config} has no top-level main entry`)
  const snapshotConfig = join(folder, 'wrangler.toml')
  const main = `main = ${JSON.stringify(join(outdir, entries[0]!))}`
  writeFileSync(snapshotConfig, source.replace(/^main\s*=.*$/m, main))
  return snapshotConfig
}

async function waitForHealth(
  url: string,
  child: ChildProcess,
  timeoutMs: number,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`wrangler dev exited before it was ready; its output:\n${output()}`)
    }
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) })
      await response.arrayBuffer()
      if (response.status === 200) return
    } catch {
      // Not listening yet.
    }
    await new Promise((wake) => setTimeout(wake, 250))
  }
  throw new Error(
    `GET ${url}/health did not return 200 within ${timeoutMs} ms; output:\n${output()}`,
  )
}

/**
 * Starts `wrangler dev` on 127.0.0.1 in its own process group with a fresh temporary
 * `--persist-to` folder, and resolves once `GET /health` returns 200. The temporary folder
 * (bundle and KV data) is deleted when the server stops.
 */
export async function startWorkerServer(options: WorkerServerOptions = {}): Promise<WorkerServer> {
  installCleanupHandlers()
  const port = options.port ?? (await findFreePort())
  const inspectorPort = options.inspectorPort ?? (await findFreePort())
  const folder = mkdtempSync(join(tmpdir(), 'featureforest-bench-'))
  const config = options.config ?? join(REPO_ROOT, 'wrangler.toml')
  const args = ['wrangler', 'dev', '--ip', '127.0.0.1', '--port', String(port)]
  args.push('--inspector-ip', '127.0.0.1', '--inspector-port', String(inspectorPort))
  args.push('--persist-to', join(folder, 'state'), '--show-interactive-dev-session=false')
  try {
    if (options.snapshot ?? true) {
      args.push('--config', await buildSnapshot(config, folder), '--no-bundle')
    } else {
      args.push('--config', config)
    }
  } catch (error) {
    rmSync(folder, { recursive: true, force: true })
    throw error
  }

  const child = spawn('npx', args, {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: WRANGLER_ENV,
  })
  const pid = child.pid
  if (pid === undefined) throw new Error('failed to start npx wrangler dev')
  const folders = [folder, ...(options.removeOnStop ?? [])]
  running.set(pid, folders)

  let log = ''
  let reloads = 0
  let ready = false
  const collect = (chunk: Buffer) => {
    const text = chunk.toString()
    log = (log + text).slice(-8000)
    if (ready && /Reloading local server|Updated and ready/i.test(text)) reloads++
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  const exited = new Promise<void>((done) => child.once('exit', () => done()))

  const stop = async () => {
    if (!running.has(pid)) return
    running.delete(pid)
    killGroup(pid, 'SIGTERM')
    const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
    // Children that outlive the npx leader (workerd) are in the same group.
    killGroup(pid, 'SIGKILL')
    for (const path of folders) rmSync(path, { recursive: true, force: true })
  }

  const url = `http://127.0.0.1:${port}`
  try {
    await waitForHealth(url, child, options.readyTimeoutMs ?? 180_000, () => log)
  } catch (error) {
    await stop()
    throw error
  }
  ready = true
  return {
    url,
    inspectorPort,
    pid,
    reloads: () => reloads,
    workerdPids: () => descendantPids(pid, 'workerd'),
    stop,
  }
}
