import { describe, expect, it } from 'vitest'

import { oncePerIsolate, SerialQueue } from '../../src/backbone/onnx-session'

const tick = () => new Promise((resolve) => setTimeout(resolve, 1))

describe('SerialQueue', () => {
  it('runs one task at a time, in order', async () => {
    const queue = new SerialQueue()
    const events: string[] = []
    const task = (name: string) => async () => {
      events.push(`${name} start`)
      await tick()
      events.push(`${name} end`)
      return name
    }

    const results = await Promise.all([queue.run(task('a')), queue.run(task('b'))])

    expect(results).toEqual(['a', 'b'])
    expect(events).toEqual(['a start', 'a end', 'b start', 'b end'])
  })

  it('runs the next task after a failed one', async () => {
    const queue = new SerialQueue()

    const failed = queue.run(async () => {
      throw new Error('inference failed')
    })
    const next = queue.run(async () => 'next')

    await expect(failed).rejects.toThrow('inference failed')
    await expect(next).resolves.toBe('next')
  })
})

describe('oncePerIsolate', () => {
  it('creates the value once for concurrent callers', async () => {
    let creations = 0
    const get = oncePerIsolate(async () => ++creations)

    const values = await Promise.all([get(), get(), get()])

    expect(values).toEqual([1, 1, 1])
    expect(creations).toBe(1)
  })

  it('tries again after a failed creation', async () => {
    let attempts = 0
    const get = oncePerIsolate(async () => {
      attempts++
      if (attempts === 1) throw new Error('session create failed')
      return attempts
    })

    await expect(get()).rejects.toThrow('session create failed')
    await expect(get()).resolves.toBe(2)
  })
})
