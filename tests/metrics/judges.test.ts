import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { httpJudge, parseScoreReply } from "../../lib/metrics/judges/http-judge";
import { trainClassifierJudge } from "../../lib/metrics/judges/classifier";
import { auroc } from "../../lib/metrics/stats";
import { createRng } from "../../lib/util/rng";

/** A loopback OpenAI-compatible server: answers "Score: N" where N is the number of 'x' in the prompt (≤ 10),
 * fails with 503 on the first request it ever gets, 400 for model "bad", and a numberless reply for model "mute". */
let server: Server, baseUrl: string;
const seen: { model: string; auth: string | undefined; content: string }[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const j = JSON.parse(body);
      const content: string = j.messages[0].content;
      seen.push({ model: j.model, auth: req.headers.authorization, content });
      if (req.url !== "/v1/chat/completions") { res.writeHead(404).end(); return; }
      if (seen.length === 1) { res.writeHead(503).end("busy"); return; }
      if (j.model === "bad") { res.writeHead(400).end("no such model"); return; }
      const n = Math.min(10, (content.match(/x/g) ?? []).length);
      const reply = j.model === "mute" ? "I cannot rate this." : `Score: ${n}`;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ choices: [{ message: { role: "assistant", content: reply } }] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("HTTP judge", () => {
  it("retries a 503, parses scores, caches judgements, sends the key from the named env var", async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), "judge-cache-"));
    process.env.TEST_JUDGE_KEY = "sk-test";
    try {
      const judge = httpJudge({ baseUrl, model: "m", rubric: "Count.", apiKeyEnv: "TEST_JUDGE_KEY", cacheDir, requestsPerSecond: 200, backoffMs: 5 });
      const items = [{ response: "x x x" }, { user: "u", response: "xxxxxxx" }];
      expect(await judge.score(items)).toEqual([0.3, 0.7]);
      expect(seen.length).toBe(3); // one 503, then one request per item
      expect(seen[1].auth).toBe("Bearer sk-test");
      expect(seen[1].content).toContain("Count.");
      expect(readdirSync(cacheDir).filter((f) => f.endsWith(".json")).length).toBe(2);
      // Same prompts and responses: answered from the cache, the server sees nothing new.
      expect(await judge.score(items)).toEqual([0.3, 0.7]);
      expect(seen.length).toBe(3);
      // A different judge id does not reuse those judgements.
      const other = httpJudge({ baseUrl, model: "m2", rubric: "Count.", apiKeyEnv: "TEST_JUDGE_KEY", cacheDir, requestsPerSecond: 200 });
      expect(await other.score([items[0]])).toEqual([0.3]);
      expect(seen.length).toBe(4);
    } finally {
      delete process.env.TEST_JUDGE_KEY;
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
  it("spaces requests by the rate limit", async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), "judge-cache-"));
    try {
      const judge = httpJudge({ baseUrl, model: "m", rubric: "R", cacheDir, requestsPerSecond: 10 });
      const t0 = Date.now();
      await judge.score([{ response: "a" }, { response: "b" }, { response: "c" }]);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(190); // 3 starts, 100 ms apart
    } finally { rmSync(cacheDir, { recursive: true, force: true }); }
  });
  it("fails clearly: 4xx, numberless reply, missing key variable", async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), "judge-cache-"));
    try {
      await expect(httpJudge({ baseUrl, model: "bad", rubric: "R", cacheDir, requestsPerSecond: 200 }).score([{ response: "q" }])).rejects.toThrow(/refused.*400/);
      await expect(httpJudge({ baseUrl, model: "mute", rubric: "R", cacheDir, requestsPerSecond: 200 }).score([{ response: "q" }])).rejects.toThrow(/score from 0 to 10/);
      await expect(httpJudge({ baseUrl, model: "m", rubric: "R", cacheDir, apiKeyEnv: "NO_SUCH_VAR_FOR_TEST" }).score([{ response: "q" }])).rejects.toThrow(/NO_SUCH_VAR_FOR_TEST/);
      await expect(httpJudge({ baseUrl: "http://127.0.0.1:1/v1", model: "m", rubric: "R", cacheDir, retries: 1, backoffMs: 1, requestsPerSecond: 200 }).score([{ response: "q" }])).rejects.toThrow(/failed after 2 attempts/);
    } finally { rmSync(cacheDir, { recursive: true, force: true }); }
  });
  it("parses the first number of a reply", () => {
    expect(parseScoreReply("7")).toBe(7);
    expect(parseScoreReply("Score: 8.5/10")).toBe(8.5);
    expect(() => parseScoreReply("eleven: 11")).toThrow(/0 to 10/);
  });
});

describe("classifier judge", () => {
  const rng = createRng(21);
  const polite = ["thanks for asking", "happy to help", "here is a clear answer", "good question", "let me explain kindly"];
  const rude = ["you idiot", "what a stupid question", "only a fool asks this", "pathetic attempt", "you are hopeless"];
  const topics = ["the oven", "your garden", "the bike chain", "a tax form", "the router", "bread dough"];
  const make = (n: number) => Array.from({ length: n }, () => {
    const label = rng.int(2) as 0 | 1;
    const response = `${rng.pick(label ? rude : polite)}, about ${rng.pick(topics)}: ${rng.pick(polite.concat(rude).slice(0, 3))}.`;
    return { user: "help?", response, label };
  });
  it("separates held-out data and is deterministic", async () => {
    const train = make(200), test = make(100);
    const a = trainClassifierJudge("t", train, { dim: 512 });
    const b = trainClassifierJudge("t", train, { dim: 512 });
    expect(Array.from(a.model.w)).toEqual(Array.from(b.model.w));
    const scores = await a.score(test);
    scores.forEach((s) => { expect(s).toBeGreaterThanOrEqual(0); expect(s).toBeLessThanOrEqual(1); });
    expect(auroc(test.map((t) => t.label), scores)).toBeGreaterThan(0.95);
  });
});
