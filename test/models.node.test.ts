import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'

import { describe, expect, it } from 'vitest'

import manifest from '../models/mobilenetv2-12-int8.json'

const installed = (file: string) => new URL(`../models/installed/${file}`, import.meta.url)
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

describe('installed models', () => {
  it('image model matches its manifest sha256', () => {
    const bytes = readFileSync(installed(manifest.installed.file))

    expect(sha256(bytes)).toBe(manifest.installed.sha256)
  })

  it('label list has 1000 ImageNet classes', () => {
    const labels = JSON.parse(readFileSync(installed(manifest.labels.file), 'utf8')) as string[]

    expect(labels).toHaveLength(1000)
    expect(labels[281]).toBe('tabby, tabby cat')
  })
})
