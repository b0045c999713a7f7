import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'

import { FeatureForestError } from '../../src/errors'
import { handleError } from '../../src/http/error-handler'
import { readBodyBytes, withBodyReadErrors } from '../../src/http/request-body'
import type { ErrorBody } from '../support/api'

const LOST = 'Network connection lost.'

/** Returns a body stream that sends a few bytes and then fails, as a closed connection does. */
function brokenStream(): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('{"user": '))
      controller.error(new Error(LOST))
    },
  })
}

async function errorOf(response: Response): Promise<ErrorBody['error']> {
  return ((await response.json()) as ErrorBody).error
}

describe('readBodyBytes', () => {
  it('turns a body that breaks off into a 400', async () => {
    const app = new Hono()
    app.onError(handleError)
    app.post('/', async (c) => c.json({ bytes: (await readBodyBytes(c)).length }))

    const response = await app.request('/', {
      method: 'POST',
      body: brokenStream(),
      duplex: 'half',
    } as RequestInit)
    const error = await errorOf(response)

    expect(response.status).toBe(400)
    expect(error.code).toBe('invalid_request')
    expect(error.message).toBe(
      `request body could not be read to its end (${LOST}); send the whole body again`,
    )
  })

  it('returns a whole body', async () => {
    const app = new Hono()
    app.post('/', async (c) => c.json({ bytes: (await readBodyBytes(c)).length }))

    const response = await app.request('/', { method: 'POST', body: 'twelve bytes' })

    expect(await response.json()).toEqual({ bytes: 12 })
  })
})

describe('withBodyReadErrors', () => {
  function appWith(failure: Error): Hono {
    const app = new Hono()
    app.onError(handleError)
    app.use(
      withBodyReadErrors(async () => {
        throw failure
      }),
    )
    app.get('/', (c) => c.text('unreachable'))
    return app
  }

  it('turns a failed read into a 400', async () => {
    const response = await appWith(new Error(LOST)).request('/')

    expect(response.status).toBe(400)
    expect((await errorOf(response)).message).toContain(`(${LOST})`)
  })

  it('passes service errors through unchanged', async () => {
    const response = await appWith(new FeatureForestError('payload_too_large', 'too big')).request(
      '/',
    )

    expect(response.status).toBe(413)
    expect((await errorOf(response)).message).toBe('too big')
  })

  it('leaves errors of later handlers to the error handler', async () => {
    const app = new Hono()
    app.onError(handleError)
    app.use(withBodyReadErrors(async (_, next) => next()))
    app.get('/', () => {
      throw new Error('a bug in a route')
    })

    const response = await app.request('/')

    expect(response.status).toBe(500)
    expect((await errorOf(response)).code).toBe('internal_error')
  })
})
