import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterEach, describe, expect, it } from 'vitest'

import manifest from '../models/mobilenetv2-12-int8.json'

const SCRIPT = new URL('../scripts/install-models.mjs', import.meta.url).pathname
const folders: string[] = []

function temporaryFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'featureforest-install-test-'))
  folders.push(folder)
  return folder
}

/** Runs the installer with a mirror folder into a fresh target folder. */
function install(mirror: string) {
  const target = temporaryFolder()
  const result = spawnSync(process.execPath, [SCRIPT, '--target', target], {
    env: { ...process.env, FEATUREFOREST_MODEL_MIRROR: mirror },
    encoding: 'utf8',
  })
  return { ...result, target }
}

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

describe('install-models', () => {
  it('fails with the variable to set when the mirror lacks the model', () => {
    const result = install(temporaryFolder())

    expect(result.status).toBe(1)
    expect(result.stderr).toContain('FEATUREFOREST_MODEL_MIRROR')
    expect(result.stderr).toContain(manifest.source.file)
  })

  it('fails with the usage when --target has no folder', () => {
    const result = spawnSync(process.execPath, [SCRIPT, '--target'], { encoding: 'utf8' })

    expect(result.status).toBe(1)
    expect(result.stderr).toContain("Option '--target <value>' argument missing")
    expect(result.stderr).toContain('usage: node scripts/install-models.mjs [--target DIR]')
  })

  it('fails with the usage when --target is empty', () => {
    const result = spawnSync(process.execPath, [SCRIPT, '--target='], { encoding: 'utf8' })

    expect(result.status).toBe(1)
    expect(result.stderr).toContain('--target is empty')
    expect(result.stderr).toContain('usage: node scripts/install-models.mjs [--target DIR]')
    expect(result.stderr).not.toContain('ENOENT')
  })

  it('rejects a missing mirror folder', () => {
    const mirror = join(temporaryFolder(), 'missing')

    const result = install(mirror)

    expect(result.status).toBe(1)
    expect(result.stderr).toContain(`FEATUREFOREST_MODEL_MIRROR=${mirror} is not a folder`)
  })

  it('rejects a source file whose sha256 differs', () => {
    const mirror = temporaryFolder()
    const path = join(mirror, manifest.source.file)
    writeFileSync(path, 'not the model')

    const result = install(mirror)

    expect(result.status).toBe(1)
    expect(result.stderr).toContain(`${path} has sha256`)
    expect(result.stderr).toContain(`expected ${manifest.source.sha256}`)
    expect(result.stderr).toContain('Replace it with an intact copy')
  })

  it.skipIf(!process.env.FEATUREFOREST_MODEL_MIRROR)('names a damaged mirror label list', () => {
    const mirror = temporaryFolder()
    mkdirSync(join(mirror, 'image'))
    const source = join(process.env.FEATUREFOREST_MODEL_MIRROR!, 'image', manifest.source.file)
    copyFileSync(source, join(mirror, 'image', manifest.source.file))
    const labels = join(mirror, 'image', 'imagenet_classes.json')
    writeFileSync(labels, '[]')

    const result = install(mirror)

    expect(result.status).toBe(1)
    expect(result.stderr).toContain(`${labels} has sha256`)
    expect(result.stderr).toContain('Delete it from the mirror folder')
  })

  it.skipIf(!process.env.FEATUREFOREST_MODEL_MIRROR)(
    'derives the embedding model with the manifest sha256',
    () => {
      const result = install(process.env.FEATUREFOREST_MODEL_MIRROR!)

      const bytes = readFileSync(join(result.target, manifest.installed.file))
      expect(result.status).toBe(0)
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(manifest.installed.sha256)
    },
  )
})
