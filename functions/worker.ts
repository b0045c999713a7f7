import { createApp } from '../src/index'

/** Cloudflare Workers entry point: everything it serves is composed in src/index.ts. */
export default createApp()
