// Records the path the bpmn-engine npm package takes through each fixture in
// ../corpus/engine-fixtures/*.bpmn and writes ../corpus/engine-fixtures/bpmn-engine-paths.json.
//
//   npm ci && node record.mjs            record every fixture, write the JSON, print a summary
//   node record.mjs --one FILE.bpmn      run one fixture, print its record as JSON (used per fixture)
//
// Each fixture runs in its own node process (a fixture that loops forever or overflows the stack
// cannot disturb the others). The driver, the same for every fixture:
//
// - Path: `elements` lists the id of every flow node (activities, events, gateways, sub-process
//   children, nodes of other pools started by a message) in the order bpmn-engine emitted
//   `activity.start` for it; multi-instance iterations emit no separate start and are not listed.
//   `flows` lists sequence flow ids in the order `flow.take` was emitted.
// - Clock: virtual. The engine's Date is frozen at VIRTUAL_EPOCH and only moves when a timer fires;
//   timers go through a fake `timers` engine option (the Timers interface that bpmn-engine's own tests
//   replace, e.g. TimersWithoutScope in test/feature/issues-feature.js) that never waits in real time.
//   Scripts' setTimeout and services.timeout use the same fake. (Scripts run in a vm context with
//   their own, real Date; none of the fixtures reads it.)
// - Scheduling: after every step the driver lets the engine run until it has nothing more to do by
//   itself (five rounds of setImmediate; nothing waits on I/O). Then, one step, in this priority:
//   1. the oldest activity.wait that is still waiting is signalled once, with no payload
//      (user, manual, receive tasks, intermediate message/signal catch events, anything that waits),
//      except boundary events: they wait for their trigger (a timer, an error, a signal or message
//      thrown in the model) and are never signalled by the driver;
//   2. else the pending timer that is due first fires (ties: the one set first), the virtual clock
//      jumping to its due time;
//   3. else the run has ended, or it is left waiting.
// - Services: settings.enableDummyService is on, so a service or send task with no implementation
//   bpmn-engine can run completes at once with no output; a service task whose implementation is
//   ${services.X} or ${environment.services.X} gets a function X that completes at once (named in
//   the note). Every run gets services { log() {}, timeout(fn, ms) } (issue-19's script calls both).
//   No variables are set. Scripts and JavaScript conditions run as written.
// - Limits: a run that has not ended after 500 activity starts or 200 driver steps is stopped
//   ("stopped"). A 10 s wall-clock guard exists only against a hang of the driver itself.

import { execFileSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixturesDir = path.resolve(here, '../corpus/engine-fixtures');
const outFile = path.join(fixturesDir, 'bpmn-engine-paths.json');

const VIRTUAL_EPOCH = Date.UTC(2025, 0, 1); // 2025-01-01T00:00:00Z
const MAX_STARTS = 500;
const MAX_STEPS = 200;
const WALL_CLOCK_GUARD_MS = 10000;

const DRIVER =
  'elements = activity.start order, flows = flow.take order; virtual clock from 2025-01-01T00:00:00Z; ' +
  'after the engine settles: signal the oldest still-waiting activity.wait once with no payload (never a boundary event), ' +
  'else fire the earliest pending timer (ties: first set), else stop; enableDummyService on, and a service task ' +
  'implementation ${services.X} gets an X that completes at once; services {log, timeout}; no variables; ' +
  'stopped after 500 activity starts or 200 driver steps';

// ---------------------------------------------------------------------------------------------
// Virtual clock

const RealDate = Date;
let virtualNow = VIRTUAL_EPOCH;

class VirtualDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(virtualNow);
    else super(...args);
  }
  static now() {
    return virtualNow;
  }
}

// Timers with the interface of bpmn-elements' Timers (register, setTimeout, clearTimeout, executing)
// that never wait: the driver fires them one by one.
class VirtualTimers {
  constructor() {
    this.count = 0;
    this.pending = [];
  }
  get executing() {
    return this.pending.slice();
  }
  register(owner) {
    return {
      setTimeout: (callback, delay, ...args) => this._set(owner, callback, delay, args),
      clearTimeout: (ref) => this.clearTimeout(ref),
    };
  }
  setTimeout(callback, delay, ...args) {
    return this._set(null, callback, delay, args);
  }
  clearTimeout(ref) {
    const i = this.pending.indexOf(ref);
    if (i >= 0) this.pending.splice(i, 1);
  }
  _set(owner, callback, delay, args) {
    const ms = Number(delay) > 0 ? Number(delay) : 0;
    const seq = this.count++;
    const ref = { timerId: `timer_${seq}`, seq, owner, callback, delay: ms, args, due: virtualNow + ms };
    ref.expireAt = new RealDate(ref.due);
    this.pending.push(ref);
    return ref;
  }
  // Fires the timer due first; returns it, or null when none is pending.
  fireNext() {
    if (!this.pending.length) return null;
    let next = this.pending[0];
    for (const t of this.pending) if (t.due < next.due || (t.due === next.due && t.seq < next.seq)) next = t;
    this.clearTimeout(next);
    if (next.due > virtualNow) virtualNow = next.due;
    next.callback(...next.args);
    return next;
  }
}

// ---------------------------------------------------------------------------------------------
// One fixture

async function settle() {
  // Nothing in a run waits on real time or I/O, so draining the immediate queue a few times
  // (each round also drains the promise queue) lets the engine go as far as it can by itself.
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

async function runOne(file) {
  globalThis.Date = VirtualDate;
  const { Engine } = await import('bpmn-engine');

  const source = fs.readFileSync(path.resolve(fixturesDir, file), 'utf8');
  const timers = new VirtualTimers();
  const listener = new EventEmitter();

  const elements = [];
  const flows = [];
  const signalled = [];
  const timersFired = [];
  const boundaryFired = [];
  const waiting = new Map(); // executionId -> wait api, in the order they started waiting
  const typeOf = new Map(); // element id -> element type, from activity.start
  const timersAtOnce = [];
  let outcome = null;
  let errorMessage = null;
  let stopReason = null;
  let engine = null;

  const requestStop = (reason) => {
    if (stopReason || outcome) return;
    stopReason = reason;
    engine.stop();
  };

  // Nothing is recorded once a stop has been requested (the engine may run on a little before it stops).
  listener.on('activity.start', (api) => {
    if (stopReason) return;
    elements.push(api.id);
    typeOf.set(api.id, api.type);
    if (elements.length >= MAX_STARTS) requestStop(`${MAX_STARTS} activity starts`);
  });
  listener.on('flow.take', (api) => {
    if (!stopReason) flows.push(api.id);
  });
  listener.on('activity.wait', (api) => {
    if (api.owner?.type === 'bpmn:BoundaryEvent') return;
    waiting.set(api.executionId, api);
  });
  listener.on('activity.end', (api) => {
    waiting.delete(api.executionId);
    // A boundary event that caught its trigger ends (api.type is then its event definition's type);
    // one cancelled with its host only leaves.
    if (typeOf.get(api.id) === 'bpmn:BoundaryEvent') boundaryFired.push(api.id);
  });
  listener.on('activity.timer', (api) => {
    if (!(api.content?.timeout > 0)) timersAtOnce.push(api.id);
  });
  for (const ev of ['activity.leave', 'activity.discard', 'activity.stop', 'activity.error']) {
    listener.on(ev, (api) => waiting.delete(api.executionId));
  }

  const services = {
    log() {},
    timeout(callback, ms) {
      return timers.setTimeout(callback, ms);
    },
  };
  // A service task whose implementation expression names services.X gets an X that completes at once.
  const namedServices = [];
  for (const m of source.matchAll(/implementation="\$\{(?:environment\.)?services\.([A-Za-z_$][\w$]*)\}"/g)) {
    if (m[1] in services) continue;
    services[m[1]] = (_scope, next) => next();
    namedServices.push(m[1]);
  }

  engine = new Engine({
    name: file,
    source,
    timers,
    settings: { enableDummyService: true },
  });
  engine.on('end', () => {
    if (!outcome) outcome = 'completed';
  });
  engine.on('error', (err) => {
    if (!outcome) {
      outcome = 'error';
      errorMessage = err?.message ?? String(err);
    }
  });

  let processIds = [];
  try {
    const definitions = await engine.getDefinitions();
    processIds = definitions.flatMap((d) => d.getExecutableProcesses().map((p) => p.id));
  } catch (err) {
    outcome = 'error';
    errorMessage = `load: ${err.message}`;
  }

  let execution = null;
  if (!outcome) {
    try {
      execution = await engine.execute({ listener, services });
    } catch (err) {
      if (!outcome) {
        outcome = 'error';
        errorMessage = err.message;
      }
    }
  }

  let steps = 0;
  while (!outcome && !stopReason) {
    await settle();
    if (outcome || stopReason) break;
    if (engine.state !== 'running') break;
    if (steps >= MAX_STEPS) {
      requestStop(`${MAX_STEPS} driver steps`);
      break;
    }
    const next = waiting.entries().next();
    if (!next.done) {
      const [executionId, api] = next.value;
      waiting.delete(executionId);
      signalled.push(api.id);
      steps++;
      api.signal();
      continue;
    }
    const fired = timers.fireNext();
    if (fired) {
      steps++;
      timersFired.push(fired.owner?.id ?? fired.owner?.content?.id ?? '(services.timeout)');
      continue;
    }
    break;
  }
  await settle();

  let waitingAt = [];
  if (stopReason) {
    outcome = 'stopped';
  } else if (!outcome) {
    if (engine.state === 'running' && execution) {
      outcome = 'waiting';
      waitingAt = execution.getPostponed().map((a) => a.id);
    } else {
      outcome = engine.state === 'error' ? 'error' : 'completed';
    }
  }

  const notes = [];
  if (namedServices.length) notes.push(`services provided (complete at once): ${namedServices.join(', ')}`);
  if (outcome === 'stopped') notes.push(`stopped (did not end): ${stopReason}`);
  if (outcome === 'error') notes.push(`error: ${errorMessage}`);
  if (outcome === 'waiting') notes.push(`waiting at: ${waitingAt.join(', ') || '(nothing postponed)'}`);
  const list = (ids) => (ids.length > 20 ? `${ids.slice(0, 20).join(', ')}, ... (${ids.length} in all)` : ids.join(', '));
  if (signalled.length) notes.push(`signalled: ${list(signalled)}`);
  if (timersFired.length) notes.push(`timers fired: ${list(timersFired)}`);
  if (timersAtOnce.length) notes.push(`timers that expired at once (no or past due date): ${timersAtOnce.join(', ')}`);
  if (boundaryFired.length) notes.push(`boundary events that fired: ${boundaryFired.join(', ')}`);
  const boundaryNotFired = [...new Set(elements)].filter((id) => typeOf.get(id) === 'bpmn:BoundaryEvent' && !boundaryFired.includes(id));
  if (boundaryNotFired.length) notes.push(`boundary events started with their host, never fired: ${boundaryNotFired.join(', ')}`);

  const record = {
    process: processIds.join(', '),
    outcome,
    elements,
    flows,
    ...(outcome === 'waiting' && { waiting_at: waitingAt }),
    ...(outcome === 'error' && { error: errorMessage }),
    signalled,
    timers_fired: timersFired,
    note: notes.join('; '),
  };
  return record;
}

// ---------------------------------------------------------------------------------------------
// All fixtures

function recordAll() {
  const files = fs
    .readdirSync(fixturesDir)
    .filter((f) => f.endsWith('.bpmn'))
    .sort();
  const fixtures = {};
  for (const file of files) {
    let record;
    try {
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--one', file], {
        cwd: here,
        encoding: 'utf8',
        timeout: WALL_CLOCK_GUARD_MS,
        maxBuffer: 64 * 1024 * 1024,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      record = JSON.parse(out);
    } catch (err) {
      const why = err.signal === 'SIGTERM' ? `wall-clock guard (${WALL_CLOCK_GUARD_MS} ms)` : (err.stderr || err.message).split('\n')[0];
      record = { process: '', outcome: 'stopped', elements: [], flows: [], signalled: [], timers_fired: [], note: `stopped (did not end): the run's process failed: ${why}` };
    }
    fixtures[file] = record;
    console.log(`${file.padEnd(38)} ${record.outcome.padEnd(9)} ${String(record.elements.length).padStart(3)}  ${record.elements.slice(0, 6).join(' > ')}${record.elements.length > 6 ? ' > ...' : ''}`);
  }
  const result = {
    bpmn_engine_version: JSON.parse(fs.readFileSync(path.join(here, 'node_modules/bpmn-engine/package.json'), 'utf8')).version,
    node_version: process.version,
    driver: DRIVER,
    fixtures,
  };
  fs.writeFileSync(outFile, JSON.stringify(result, null, 2) + '\n');
  console.log(`wrote ${path.relative(process.cwd(), outFile)}`);
}

const oneIndex = process.argv.indexOf('--one');
if (oneIndex >= 0) {
  const record = await runOne(process.argv[oneIndex + 1]);
  process.stdout.write(JSON.stringify(record));
  process.exit(0);
} else {
  recordAll();
}
