/**
 * Returns the first `max` UTF-16 code units of `text` to quote in an error message, or one fewer
 * when the cut would split a surrogate pair (an emoji, say). A lone surrogate is not valid
 * Unicode, and strict JSON decoders reject a message that contains one.
 */
export function excerpt(text: string, max: number): string {
  const cut = text.slice(0, max)
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut
}
