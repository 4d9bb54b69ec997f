/**
 * Yields what `source` yields, asking it for the next item as soon as the current one is handed over, so the
 * source's waiting (a Graph request) overlaps the caller's work on the current item. At most one item is
 * read ahead, so memory stays bounded. A failed read ahead surfaces where the caller would have read it.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let next = iterator.next();
  // Handled where it is awaited; without this a failure while the caller is busy would be "unhandled".
  next.catch(() => undefined);
  let finished = false;
  try {
    for (;;) {
      const current = await next;
      if (current.done) {
        finished = true;
        return;
      }
      next = iterator.next();
      next.catch(() => undefined);
      yield current.value;
    }
  } finally {
    // The caller stopped early (or a read failed): let the source close what it holds, after the read ahead.
    if (!finished) {
      await next.catch(() => undefined);
      await iterator.return?.();
    }
  }
}
