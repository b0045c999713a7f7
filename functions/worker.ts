import { createApp } from '../src/index'

export { CatalogIndex } from '../src/catalog/catalog-index'
export { UserRatings } from '../src/ratings/user-ratings'

/** Cloudflare Workers entry point: everything it serves is composed in src/index.ts. */
export default createApp()
