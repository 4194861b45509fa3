/**
 * `npm run test:cluster`: the study on a real Slurm scheduler, on this machine only.
 *
 * Installs Debian's slurm-wlm and munge when missing (root, as CI is), writes a single-node cluster into a temp
 * folder (slurmctld + slurmd + munged bound to 127.0.0.1, two CPUs, proctrack/linuxproc, no cgroups, no
 * accounting), and runs a tiny study (tests/study/fixtures: a slice of the toxicity data, a random 2-layer model)
 *   1. as the job array of environment.md's sbatch script (taken from environment.md itself, so there is one
 *      copy), merged by `steersynth merge` submitted with --dependency=afterok: results.csv must be byte-identical
 *      to an unsharded run of the same config;
 *   2. again, with one array task's node process killed with kill -9 mid-run and the task requeued: it resumes
 *      from its artefacts (reusing the rows it had stored) and the merge is still byte-identical;
 *   3. checking that every socket the daemons listen on is on the loopback address.
 * Every wait is bounded; the daemons are stopped at the end, also on failure or Ctrl-C, and the temp folder is
 * removed (STEERSYNTH_KEEP_CLUSTER=1 keeps it). Prints `cluster: N passed, M failed`; exits 1 on any failure.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeRandomModel, writeTinyConcept } from "../tests/study/fixtures";

const root = process.cwd();
const tmp = mkdtempSync(join(tmpdir(), "steersynth-cluster-"));
const log = (msg: string) => console.log(`[cluster] ${msg}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let interrupted: string | null = null;

/** Poll until `check` returns a value, at most `seconds`; the error says what was awaited. */
async function until<T>(what: string, seconds: number, check: () => T | undefined | false): Promise<T> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    if (interrupted && !stopping) throw new Error(`interrupted (${interrupted}) while waiting for ${what}`);
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
    await sleep(250);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Slurm: install, configure, start, stop

const SLURM_BINARIES = ["munged", "slurmctld", "slurmd", "sbatch", "scontrol", "squeue"];
const onPath = (bin: string) => spawnSync("sh", ["-c", `command -v ${bin}`]).status === 0;

function ensureSlurm(): void {
  const missing = SLURM_BINARIES.filter((b) => !onPath(b));
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) throw new Error(`${missing.join(", ")} not found; as root this script installs Debian's slurm-wlm and munge (apt-get install slurm-wlm munge)`);
  log(`installing slurm-wlm and munge (missing: ${missing.join(", ")}) ...`);
  const started = Date.now();
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "slurm-wlm", "munge"], { stdio: "inherit", env });
  log(`installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** A free TCP port on 127.0.0.1. */
const freePort = (): Promise<number> => new Promise((done, fail) => {
  const srv = createServer();
  srv.once("error", fail);
  srv.listen(0, "127.0.0.1", () => {
    const { port } = srv.address() as { port: number };
    srv.close(() => done(port));
  });
});

const paths = {
  conf: join(tmp, "slurm.conf"), munge: join(tmp, "munge"), socket: join(tmp, "munge", "munge.socket"),
  state: join(tmp, "state"), spool: join(tmp, "spool"), logs: join(tmp, "logs"),
};
const slurmEnv = { ...process.env, SLURM_CONF: paths.conf };

function writeConfig(ctldPort: number, slurmdPort: number): void {
  const conf = `# single-node test cluster (scripts/test-cluster.ts): loopback only, no cgroups, no accounting
ClusterName=steersynth-test
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=${ctldPort}
SlurmdPort=${slurmdPort}
CommunicationParameters=NoCtldInAddrAny,NoInAddrAny
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=${paths.socket}
StateSaveLocation=${paths.state}
SlurmdSpoolDir=${paths.spool}
SlurmctldPidFile=${join(tmp, "slurmctld.pid")}
SlurmdPidFile=${join(tmp, "slurmd.pid")}
SlurmctldLogFile=${join(paths.logs, "slurmctld.log")}
SlurmdLogFile=${join(paths.logs, "slurmd.log")}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
MpiDefault=none
ReturnToService=2
MinJobAge=3600
KillWait=5
NodeName=localhost NodeAddr=127.0.0.1 NodeHostname=localhost CPUs=2 RealMemory=4096 State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
`;
  writeFileSync(paths.conf, conf);
}

const daemons: { name: string; child: ChildProcess }[] = [];

/** Start a daemon in the foreground (so its pid is ours to stop), its output in logs/<name>.out. */
function startDaemon(name: string, cmd: string, args: string[]): void {
  const out = openSync(join(paths.logs, `${name}.out`), "a");
  const child = spawn(cmd, args, { env: slurmEnv, stdio: ["ignore", out, out] });
  closeSync(out);
  child.on("exit", (code, signal) => { if (!stopping) log(`${name} exited early (${code ?? signal}); see ${join(paths.logs, `${name}.out`)}`); });
  daemons.push({ name, child });
}

async function startCluster(): Promise<void> {
  for (const d of [paths.munge, paths.state, paths.spool, paths.logs]) mkdirSync(d, { recursive: true, mode: 0o700 });
  const key = join(paths.munge, "munge.key");
  writeFileSync(key, randomBytes(1024), { mode: 0o600 });
  writeConfig(await freePort(), await freePort());
  startDaemon("munged", "munged", ["--foreground", "--force", `--key-file=${key}`, `--socket=${paths.socket}`, `--pid-file=${join(paths.munge, "munged.pid")}`,
    `--log-file=${join(paths.logs, "munged.log")}`, `--seed-file=${join(paths.munge, "munged.seed")}`, "--origin=127.0.0.1"]);
  await until("munged's socket", 20, () => existsSync(paths.socket));
  startDaemon("slurmctld", "slurmctld", ["-D", "-i"]);
  await until("slurmctld to answer", 30, () => spawnSync("scontrol", ["ping"], { env: slurmEnv, encoding: "utf8" }).stdout.includes("UP"));
  startDaemon("slurmd", "slurmd", ["-D", "-N", "localhost"]);
  await until("the node to be idle", 60, () => /idle/.test(spawnSync("sinfo", ["-h", "-o", "%T"], { env: slurmEnv, encoding: "utf8" }).stdout));
}

/** Gone or a zombie: a daemon that has exited, whether or not its exit event has arrived yet. */
function exited(child: ChildProcess): boolean {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  try {
    return readFileSync(`/proc/${child.pid}/stat`, "utf8").replace(/^.*\) /, "").startsWith("Z");
  } catch {
    return true;
  }
}

let stopping: Promise<void> | null = null;
/** Stop every daemon (once, however often it is called): jobs cancelled, then slurmd, slurmctld, munged. */
const stopCluster = (): Promise<void> => (stopping ??= (async () => {
  // Running job steps outlive slurmd by design: cancel the jobs and let slurmd end them first.
  spawnSync("scancel", ["--user=root"], { env: slurmEnv });
  const queueEmpty = () => { const q = spawnSync("squeue", ["-h"], { env: slurmEnv, encoding: "utf8", timeout: 5000 }); return q.status !== 0 || q.stdout.trim() === ""; };
  await until("the cancelled jobs to end", 30, queueEmpty).catch(() => false);
  for (const { name, child } of [...daemons].reverse()) {
    if (exited(child)) continue;
    child.kill("SIGTERM");
    if (!(await until(`${name} to stop`, 20, () => exited(child)).catch(() => false))) child.kill("SIGKILL");
  }
  // Job steps (slurmstepd and the processes of a task) belong to the cluster too: none may outlive it.
  for (const pid of processesUnder(tmp)) try { process.kill(pid, "SIGKILL"); } catch { /* already gone */ }
  await until("the cluster's processes to exit", 10, () => processesUnder(tmp).length === 0).catch(() => false);
})());

/** Pids of processes whose command line or environment mentions the cluster's folder (job steps, tasks). */
function processesUnder(dir: string): number[] {
  return readdirSync("/proc").filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid).map(Number).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(dir) || readFileSync(`/proc/${pid}/environ`, "utf8").includes(dir);
    } catch {
      return false;
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Jobs

const slurm = (cmd: string, args: string[]): string => {
  const r = spawnSync(cmd, args, { env: slurmEnv, encoding: "utf8", cwd: root, timeout: 30_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr.trim() || `exit ${r.status}`}`);
  return r.stdout.trim();
};

/** The job's records (an array job: one per task), as key=value maps. */
function jobRecords(id: string): Record<string, string>[] {
  return slurm("scontrol", ["show", "job", "-o", id]).split("\n").filter(Boolean).map((line) =>
    Object.fromEntries(line.split(/\s+/).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)])));
}

const FINAL = new Set(["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "PREEMPTED"]);

/** Wait until every record of the job is in a final state; returns the states. */
async function waitJob(id: string, seconds: number): Promise<string[]> {
  return until(`job ${id} to finish`, seconds, () => {
    const records = jobRecords(id);
    if (records.some((r) => r.Reason === "DependencyNeverSatisfied")) throw new Error(`job ${id}: its dependency can never be satisfied (a task it waits for failed)`);
    const states = records.map((r) => r.JobState);
    return states.length > 0 && states.every((s) => FINAL.has(s)) ? states : undefined;
  });
}

/** environment.md's sbatch script, written to a file: the one copy of it, tested here as users run it. */
function sbatchScript(): string {
  const md = readFileSync(join(root, "environment.md"), "utf8");
  const section = md.slice(md.indexOf("### Slurm job array"));
  const m = /```bash\n([\s\S]*?)```/.exec(section);
  if (md.indexOf("### Slurm job array") < 0 || !m || !m[1].startsWith("#!/bin/bash")) throw new Error("environment.md: no ```bash block with the sbatch script under '### Slurm job array'");
  const file = join(tmp, "study.sbatch");
  writeFileSync(file, m[1]);
  return file;
}

const ARRAY = ["--array=0-1"]; // 2 shards instead of the documented 8; the other directives as written

function submitStudy(script: string, config: string, out: string): string {
  return slurm("sbatch", ["--parsable", ...ARRAY, `--output=${join(paths.logs, "study-%A_%a.log")}`, script, config, out]);
}

function submitMerge(dependency: string, dir: string): string {
  return slurm("sbatch", ["--parsable", `--dependency=${dependency}`, `--output=${join(paths.logs, "merge-%j.log")}`, "--wrap", `node bin/steersynth.mjs merge --dir ${dir}`]);
}

const taskLog = (jid: string, task: number) => readFileSync(join(paths.logs, `study-${jid}_${task}.log`), "utf8");

// ---------------------------------------------------------------------------------------------------------------
// The study

interface Study { config: string; name: string; reference: { csv: string; parquet: Buffer } }

async function prepareStudy(): Promise<Study> {
  const concept = writeTinyConcept(tmp, "toxicity");
  const model = await writeRandomModel(join(tmp, "model"));
  const cfg = JSON.parse(readFileSync(join(root, "tests/study/fixtures/tiny.json"), "utf8"));
  cfg.concepts = [concept];
  cfg.models[0].path = model;
  const config = join(tmp, "tiny.json");
  writeFileSync(config, JSON.stringify(cfg));
  const out = join(tmp, "unsharded");
  const r = spawnSync(process.execPath, ["bin/steersynth.mjs", "study", "--config", config, "--out", out], { cwd: root, encoding: "utf8", env: { ...process.env, STEERSYNTH_PROGRESS: "off" } });
  if (r.status !== 0) throw new Error(`the unsharded study failed:\n${r.stderr.slice(-3000)}`);
  const dir = join(out, cfg.name);
  return { config, name: cfg.name, reference: { csv: readFileSync(join(dir, "results.csv"), "utf8"), parquet: readFileSync(join(dir, "results.parquet")) } };
}

/** results.csv byte-identical to the unsharded run's (and results.parquet too, which is written from the same rows). */
const sameResults = (dir: string, study: Study, what: string): void => {
  const csv = readFileSync(join(dir, "results.csv"), "utf8");
  if (csv !== study.reference.csv) throw new Error(`${what}: results.csv differs from the unsharded run's\n--- unsharded\n${study.reference.csv}\n--- ${what}\n${csv}`);
  if (!readFileSync(join(dir, "results.parquet")).equals(study.reference.parquet)) throw new Error(`${what}: results.parquet differs from the unsharded run's`);
};

async function arrayThenMerge(script: string, study: Study): Promise<string> {
  const out = join(tmp, "array");
  const jid = submitStudy(script, study.config, out);
  const mid = submitMerge(`afterok:${jid}`, join(out, study.name));
  const merged = await waitJob(mid, 300);
  const tasks = jobRecords(jid).map((r) => `${r.ArrayTaskId}:${r.JobState}`);
  if (merged[0] !== "COMPLETED") throw new Error(`merge job ${mid} ended ${merged[0]} (array tasks ${tasks.join(", ")}); log:\n${readFileSync(join(paths.logs, `merge-${mid}.log`), "utf8")}`);
  sameResults(join(out, study.name), study, "array + merge");
  return `array job ${jid} (tasks ${tasks.join(", ")}), merge ${mid}: results.csv and .parquet byte-identical`;
}

async function killRequeueResume(script: string, study: Study): Promise<string> {
  const out = join(tmp, "killed");
  const dir = join(out, study.name);
  const rows = () => (existsSync(join(dir, "artefacts", "row")) ? readdirSync(join(dir, "artefacts", "row")).filter((f) => f.endsWith(".json")).length : 0);
  const jid = submitStudy(script, study.config, out);
  // Task 0 runs first (each task takes both CPUs). Kill it once it has stored a row, so it has work left.
  const task0 = await until("task 0 to run and store its first row", 240, () => {
    const rec = jobRecords(jid).find((r) => r.ArrayTaskId === "0");
    return rec?.JobState === "RUNNING" && rows() > 0 ? rec.JobId : undefined;
  });
  const pids = slurm("scontrol", ["listpids", task0]).split("\n").slice(1).map((l) => Number(l.trim().split(/\s+/)[0]));
  const node = pids.find((pid) => { try { return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("steersynth.mjs"); } catch { return false; } });
  if (node === undefined) throw new Error(`task 0 (job ${task0}): no steersynth process among its pids ${pids.join(", ")}`);
  process.kill(node, "SIGKILL");
  const state = (await waitJob(`${jid}_0`, 60))[0];
  if (state !== "FAILED") throw new Error(`task 0 ended ${state} after kill -9 (expected FAILED: it finished before the kill, so the config is too small to test resumption)`);
  if (existsSync(join(dir, "shards", "0-of-2.json"))) throw new Error("the killed task left a shard file");
  const stored = rows();
  // A requeued job waits 2 minutes before it may start again (Slurm's requeue delay); let it start now.
  slurm("scontrol", ["requeue", `${jid}_0`]);
  slurm("scontrol", ["update", `jobid=${jid}_0`, "StartTime=now"]);
  // afterok on the whole array is never satisfied once a task has failed (Slurm remembers it), so the merge
  // depends on each task: what environment.md tells users to do after a requeue.
  const mid = submitMerge(`afterok:${jid}_0:${jid}_1`, dir);
  const merged = await waitJob(mid, 300);
  if (merged[0] !== "COMPLETED") throw new Error(`merge job ${mid} ended ${merged[0]}; log:\n${readFileSync(join(paths.logs, `merge-${mid}.log`), "utf8")}`);
  const resumed = /rows: (\d+) computed, (\d+) reused/.exec(taskLog(jid, 0));
  if (!resumed || Number(resumed[2]) < 1) throw new Error(`the requeued task 0 did not reuse its stored rows (log: ${resumed?.[0] ?? "no rows line"})`);
  sameResults(dir, study, "killed, requeued and merged");
  return `task 0 killed with ${stored} row(s) stored, requeued (${resumed[0]}), merge ${mid}: results.csv and .parquet byte-identical`;
}

/** Every listening TCP socket of the daemons is bound to 127.0.0.0/8 (read from /proc, no tool needed). */
function loopbackOnly(): string {
  const listening = new Map<string, string>(); // socket inode → local address
  for (const [file, v6] of [["/proc/net/tcp", false], ["/proc/net/tcp6", true]] as const) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, "utf8").split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== "0A") continue; // 0A = LISTEN
      listening.set(f[9], v6 ? `[${f[1]}]` : ipv4(f[1]));
    }
  }
  const found: string[] = [];
  for (const { name, child } of daemons) {
    for (const fd of readdirSync(`/proc/${child.pid}/fd`)) {
      let target: string;
      try { target = readlinkSync(`/proc/${child.pid}/fd/${fd}`); } catch { continue; }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      const addr = inode && listening.get(inode);
      if (!addr) continue;
      if (!addr.startsWith("127.")) throw new Error(`${name} listens on ${addr}, not on loopback`);
      found.push(`${name} ${addr}`);
    }
  }
  if (!found.some((f) => f.startsWith("slurmctld")) || !found.some((f) => f.startsWith("slurmd"))) throw new Error(`expected slurmctld and slurmd listening sockets, found: ${found.join(", ") || "none"}`);
  return found.join(", ");
}

/** /proc/net/tcp's "0100007F:1A2B" → "127.0.0.1:6699". */
const ipv4 = (hex: string): string => {
  const [a, p] = hex.split(":");
  return `${[3, 2, 1, 0].map((i) => parseInt(a.slice(i * 2, i * 2 + 2), 16)).join(".")}:${parseInt(p, 16)}`;
};

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const started = Date.now();
  const results: { name: string; ok: boolean; detail: string }[] = [];
  const test = async (name: string, body: () => Promise<string> | string) => {
    if (interrupted) return;
    const t0 = Date.now();
    try {
      const detail = await body();
      results.push({ name, ok: true, detail });
      log(`ok    ${name} (${((Date.now() - t0) / 1000).toFixed(0)} s): ${detail}`);
    } catch (err) {
      results.push({ name, ok: false, detail: (err as Error).message });
      log(`FAIL  ${name} (${((Date.now() - t0) / 1000).toFixed(0)} s): ${(err as Error).message}`);
    }
  };
  try {
    ensureSlurm();
    await startCluster();
    log(`cluster up in ${tmp} (${execFileSync("sinfo", ["-V"], { env: slurmEnv, encoding: "utf8" }).trim()})`);
    const script = sbatchScript();
    const study = await prepareStudy();
    log(`unsharded reference run done (${study.reference.csv.trim().split("\n").length - 1} rows)`);
    await test("job array + afterok merge = unsharded run", () => arrayThenMerge(script, study));
    await test("kill -9 of an array task, requeue, resume, merge = unsharded run", () => killRequeueResume(script, study));
    await test("daemons listen on loopback only", loopbackOnly);
  } catch (err) {
    results.push({ name: "cluster set-up", ok: false, detail: (err as Error).message });
    log(`FAIL  set-up: ${(err as Error).message}`);
  } finally {
    await stopCluster();
  }
  if (interrupted) results.push({ name: "run", ok: false, detail: `interrupted by ${interrupted}` });
  const failed = results.filter((r) => !r.ok);
  if (failed.length) {
    for (const f of ["slurmctld.log", "slurmd.log"]) {
      const file = join(paths.logs, f);
      if (existsSync(file)) console.log(`--- ${file} (last lines)\n${readFileSync(file, "utf8").split("\n").slice(-25).join("\n")}`);
    }
  }
  const left = processesUnder(tmp);
  if (left.length) {
    const detail = `processes left after the cluster stopped: ${left.map((pid) => `${pid} ${readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").slice(0, 80)}`).join("; ")}`;
    log(`FAIL  shutdown: ${detail}`);
    failed.push({ name: "shutdown", ok: false, detail });
    results.push(failed[failed.length - 1]);
  }
  if (process.env.STEERSYNTH_KEEP_CLUSTER === "1") log(`kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
  log(`total ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(`cluster: ${results.length - failed.length} passed, ${failed.length} failed`);
  return failed.length ? 1 : 0;
}

// Ctrl-C or a CI timeout: every wait gives up at its next poll, and main's `finally` stops the cluster.
for (const sig of ["SIGINT", "SIGTERM"] as const)
  process.once(sig, () => {
    interrupted = sig;
    log(`${sig}: stopping the cluster`);
  });

process.exitCode = await main();
