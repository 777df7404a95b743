import type { APIPromise } from './api-promise.js';

/**
 * An auto-paginating list: `for await` gives every item, fetching the next page as you reach the end of
 * the current one; `pages()` gives the pages; `page(cursor)` one page. `fetchPage` gets the cursor of the
 * page to fetch (undefined: the first); `nextCursor` reads the next one off a page (nullish: the last page).
 * Resources subclass it (`DecisionPager`) or use it as is.
 * @example
 * const pager = new CursorPager<Decision, DecisionList>(
 *   (cursor) => client.request<DecisionList>({ method: 'GET', path: '/core/api/v1/governance/decisions', query: { cursor } }),
 *   (page) => page.next_cursor,
 * );
 * for await (const decision of pager) console.log(decision.id);
 * const firstTen = await pager.toArray(10);
 */
export class CursorPager<Item, Page extends { data: readonly Item[] }> implements AsyncIterable<Item> {
  readonly #fetch: (cursor: string | undefined) => APIPromise<Page>;
  readonly #next: (page: Page) => string | null | undefined;

  constructor(fetchPage: (cursor: string | undefined) => APIPromise<Page>, nextCursor: (page: Page) => string | null | undefined) {
    this.#fetch = fetchPage;
    this.#next = nextCursor;
  }

  /** One page (its next cursor continues it). */
  page(cursor?: string): APIPromise<Page> {
    return this.#fetch(cursor);
  }

  /** Every page, in order. */
  async *pages(): AsyncGenerator<Page, void, undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.#fetch(cursor);
      yield page;
      cursor = this.#next(page) ?? undefined;
    } while (cursor);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Item> {
    for await (const page of this.pages()) yield* page.data;
  }

  /** The items, up to `limit` (fetching no page beyond the one that reaches it). */
  async toArray(limit = Infinity): Promise<Item[]> {
    const items: Item[] = [];
    if (limit <= 0) return items;
    for await (const item of this) {
      items.push(item);
      if (items.length >= limit) break;
    }
    return items;
  }
}
