import type { Principal, QueryContext } from '@maximus/contracts';

/** What a screener says of a query: let it through, or refuse it with a reason. */
export interface ScreeningVerdict {
  readonly allowed: boolean;
  /** What the screener did (`adw: not deployed`, `adw: 0 findings`); recorded as the stage's note. */
  readonly note: string;
  /** Why it refused, when `allowed` is false (sent to the caller). */
  readonly reason?: string;
}

/** The screening stage (ADW's input screening plugs in here). */
export interface Screener {
  screen(input: { query: string; context: QueryContext | undefined; principal: Principal }): Promise<ScreeningVerdict>;
}

/** Until ADW is deployed: lets every query through and says so. */
export const passThroughScreener: Screener = {
  screen: () => Promise.resolve({ allowed: true, note: 'adw: not deployed (query not screened)' }),
};

/** One piece of retrieved context the answer may use. */
export interface ContextItem {
  /** Where it comes from (`caller`, `thoth:<entity>`). */
  readonly source: string;
  readonly text: string;
}

export interface RetrievedContext {
  readonly items: readonly ContextItem[];
  /** What the retriever did; recorded as the stage's note. */
  readonly note: string;
}

/** The context stage (THOTH's knowledge-graph context plugs in here). */
export interface ContextRetriever {
  retrieve(input: { query: string; context: QueryContext | undefined; principal: Principal }): Promise<RetrievedContext>;
}

/** Until THOTH is deployed: the caller's own notes are the only context, and the note says so. */
export const passThroughRetriever: ContextRetriever = {
  retrieve: ({ context }) =>
    Promise.resolve({
      items: context?.notes ? [{ source: 'caller', text: context.notes }] : [],
      note: 'thoth: not deployed (no knowledge-graph context; the caller\'s notes only)',
    }),
};
