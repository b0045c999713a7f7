/** V8 heap figures of the Worker's isolate, from CDP `Runtime.getHeapUsage`, in bytes. */
export interface HeapUsage {
  usedSize: number
  totalSize: number
  /** Memory the embedder (workerd) reports for the isolate; absent on older V8. */
  embedderHeapUsedSize?: number
  /** ArrayBuffer backing stores, which include WebAssembly memories; absent on older V8. */
  backingStorageSize?: number
}

interface CdpReply {
  id?: number
  result?: unknown
  error?: { message: string }
}

/** A Chrome DevTools Protocol connection to the Worker behind wrangler dev's inspector port. */
export class InspectorClient {
  private nextId = 1
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >()

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener('message', (event) => {
      const reply = JSON.parse(String(event.data)) as CdpReply
      const waiter = reply.id === undefined ? undefined : this.pending.get(reply.id)
      if (!waiter || reply.id === undefined) return
      this.pending.delete(reply.id)
      if (reply.error) waiter.reject(new Error(`CDP error: ${reply.error.message}`))
      else waiter.resolve(reply.result)
    })
    socket.addEventListener('close', () => {
      for (const waiter of this.pending.values()) {
        waiter.reject(new Error('inspector connection closed'))
      }
      this.pending.clear()
    })
  }

  /** Connects to the first target that `http://127.0.0.1:<port>/json` lists. */
  static async connect(port: number, timeoutMs = 10_000): Promise<InspectorClient> {
    const response = await fetch(`http://127.0.0.1:${port}/json`, {
      signal: AbortSignal.timeout(timeoutMs),
    })
    const targets = (await response.json()) as { webSocketDebuggerUrl?: string }[]
    const address = targets[0]?.webSocketDebuggerUrl
    if (!address) throw new Error(`inspector on port ${port} lists no debuggable Worker`)
    if (!address.startsWith('ws://127.0.0.1:')) {
      throw new Error(`inspector target ${address} is not on 127.0.0.1; refusing to connect`)
    }
    // wrangler's inspector proxy accepts only local origins. Node's WebSocket (undici) sends no
    // Origin by default, so one is set through undici's `headers` extension.
    const init = { headers: { Origin: 'http://127.0.0.1' } }
    const socket = new WebSocket(address, init as unknown as string[])
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out connecting to ${address}`)),
        timeoutMs,
      )
      socket.addEventListener('open', () => {
        clearTimeout(timer)
        resolve()
      })
      socket.addEventListener('error', () => {
        clearTimeout(timer)
        reject(new Error(`failed to connect to ${address}`))
      })
    })
    return new InspectorClient(socket)
  }

  /** Sends one CDP command and resolves with its result. */
  send<T>(method: string, params: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<T> {
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new Error(`CDP ${method} timed out after ${timeoutMs} ms`))
      }, timeoutMs)
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer)
          resolve(value as T)
        },
        reject: (error) => {
          clearTimeout(timer)
          reject(error)
        },
      })
      this.socket.send(JSON.stringify({ id, method, params }))
    })
  }

  /** Returns the isolate's heap usage. */
  heapUsage(): Promise<HeapUsage> {
    return this.send<HeapUsage>('Runtime.getHeapUsage')
  }

  /**
   * Forces a full garbage collection. workerd handles this command only when the isolate is
   * entered, so `wake` must send the Worker a request (for example GET /health).
   */
  async collectGarbage(wake: () => Promise<unknown>): Promise<void> {
    let done = false
    const collected = this.send('HeapProfiler.collectGarbage', {}, 20_000).finally(() => {
      done = true
    })
    // The command may reach workerd after a wake-up request, so requests repeat until it is done.
    for (let attempt = 0; attempt < 40 && !done; attempt++) {
      await wake()
      await Promise.race([collected, new Promise((resolve) => setTimeout(resolve, 250))])
    }
    await collected
  }

  close(): void {
    this.socket.close()
  }
}
