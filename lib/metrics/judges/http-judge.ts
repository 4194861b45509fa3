import { progress } from "../../util/index";
import { JudgementCache } from "./cache";
import { judgePrompt } from "./prompt";
import type { Judge } from "./types";

/**
 * An LLM judge behind any OpenAI-compatible chat endpoint: POST {baseUrl}/chat/completions (baseUrl as in the
 * OpenAI SDKs, e.g. http://127.0.0.1:8000/v1), temperature 0, the rubric prompt as one user message. The first
 * number in the reply must be in [0, 10]; score = number / 10. A reply without one is an error, not a default.
 * - retries: 429 and 5xx answers and network errors are retried with exponential backoff (Retry-After honoured);
 * - rate limit: request starts are spaced by 1 / requestsPerSecond;
 * - cache: judgements are stored on disk keyed by fingerprint(prompt, response, judge id), so reruns are free.
 */
export interface HttpJudgeOptions {
  baseUrl: string;
  model: string;
  rubric: string;
  /** Name of the environment variable holding the API key (default OPENAI_API_KEY; no header when unset). */
  apiKeyEnv?: string;
  cacheDir: string;
  requestsPerSecond?: number;
  retries?: number;
  /** First backoff delay in ms (doubles per retry). */
  backoffMs?: number;
  maxTokens?: number;
  id?: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The first number in a judge's reply, which must lie in [0, 10]. */
export function parseScoreReply(reply: string): number {
  const m = /-?\d+(?:\.\d+)?/.exec(reply);
  const v = m ? Number(m[0]) : NaN;
  if (!(v >= 0 && v <= 10)) throw new Error(`LLM judge: expected a score from 0 to 10 in the reply, got ${JSON.stringify(reply.slice(0, 200))}`);
  return v;
}

export function httpJudge(opts: HttpJudgeOptions): Judge {
  const url = opts.baseUrl.replace(/\/+$/, "") + "/chat/completions";
  const id = opts.id ?? `http:${opts.baseUrl}:${opts.model}`;
  const keyEnv = opts.apiKeyEnv ?? "OPENAI_API_KEY";
  const retries = opts.retries ?? 4, backoffMs = opts.backoffMs ?? 1000;
  const interval = 1000 / (opts.requestsPerSecond ?? 2);
  const cache = new JudgementCache(opts.cacheDir);
  let nextStart = 0;

  const request = async (prompt: string): Promise<string> => {
    const key = process.env[keyEnv];
    if (opts.apiKeyEnv && !key) throw new Error(`LLM judge: environment variable ${keyEnv} (the API key) is not set`);
    for (let attempt = 0; ; attempt++) {
      const wait = nextStart - Date.now();
      if (wait > 0) await sleep(wait);
      nextStart = Math.max(Date.now(), nextStart) + interval;
      let retryAfterMs = backoffMs * 2 ** attempt, failure: string;
      try {
        const res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
          body: JSON.stringify({ model: opts.model, messages: [{ role: "user", content: prompt }], temperature: 0, max_tokens: opts.maxTokens ?? 8 }),
        });
        const body = await res.text();
        if (res.ok) {
          const content = (JSON.parse(body) as { choices?: { message?: { content?: unknown } }[] }).choices?.[0]?.message?.content;
          if (typeof content !== "string") throw new Error(`LLM judge: ${url} answered without choices[0].message.content: ${body.slice(0, 200)}`);
          return content;
        }
        failure = `HTTP ${res.status}: ${body.slice(0, 200)}`;
        if (res.status !== 429 && res.status < 500) throw new Error(`LLM judge: ${url} refused the request (${failure})`);
        const ra = Number(res.headers.get("retry-after"));
        if (ra > 0) retryAfterMs = ra * 1000;
      } catch (err) {
        if (!(err instanceof TypeError)) throw err; // fetch raises TypeError for network failures only
        failure = `network error: ${(err as Error).message}`;
      }
      if (attempt >= retries) throw new Error(`LLM judge: ${url} failed after ${retries + 1} attempts (last: ${failure})`);
      await sleep(retryAfterMs);
    }
  };

  return {
    id,
    async score(items) {
      const out: number[] = [];
      const bar = progress(`LLM judge ${opts.model}`, items.length);
      try {
        for (const item of items) {
          const prompt = judgePrompt(opts.rubric, item);
          const key = cache.key(prompt, item.response, id);
          let j = cache.get(key);
          if (!j) {
            const reply = await request(prompt);
            j = { score: parseScoreReply(reply) / 10, reply, judge: id };
            cache.set(key, j);
          }
          out.push(j.score);
          bar.tick();
        }
      } finally {
        bar.done();
      }
      return out;
    },
  };
}
