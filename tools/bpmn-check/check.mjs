#!/usr/bin/env node
// node check.mjs FILE...
//
// Checks that each BPMN file opens in bpmn.io / Camunda Modeler the way pmiflow needs it:
//   1. bpmn-moddle (the model layer of bpmn-js and Camunda Modeler), with the Camunda 8
//      (zeebe) extension descriptor, parses it with no error and no warning
//      (unknown element, bad attribute, unresolved reference, duplicate id...);
//   2. the root is bpmn:definitions with at least one bpmn:process;
//   3. the process uses only what the pmiflow engine runs (docs/bpmn-support.md): tasks
//      (user, service, receive, send, manual, plain), embedded and event subprocesses,
//      exclusive, parallel and event-based gateways, none and message start events (timer,
//      message and error starts in event subprocesses), none, terminate, message and error
//      end events, timer and message catch events, none and message throw events, timer,
//      message and error boundary events, sequence flows (conditions as FEEL text starting
//      with '=');
//      pass --any-bpmn to skip this check for files meant for other engines;
//   4. every flow node has a BPMNShape and every sequence flow a BPMNEdge (with at least two
//      waypoints whose first and last touch the shapes of its source and target);
//   5. no two flow node shapes overlap (but a node inside its subprocess, and a boundary
//      event on its host), and no label lies on a flow node shape (but its subprocess's).
// Prints every problem as "FILE: error: ..." and exits 1 if there is any, 0 otherwise.

import { readFile } from 'node:fs/promises';
import { BpmnModdle } from 'bpmn-moddle';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const zeebeDescriptor = require('zeebe-bpmn-moddle/resources/zeebe.json');

// Element types the engine runs (see engine/model/bpmn_parser.h).
const SUPPORTED = new Set([
  'bpmn:StartEvent',
  'bpmn:EndEvent',
  'bpmn:IntermediateCatchEvent',
  'bpmn:IntermediateThrowEvent',
  'bpmn:BoundaryEvent',
  'bpmn:UserTask',
  'bpmn:ServiceTask',
  'bpmn:ReceiveTask',
  'bpmn:SendTask',
  'bpmn:ManualTask',
  'bpmn:Task',
  'bpmn:SubProcess',
  'bpmn:CallActivity',
  'bpmn:ExclusiveGateway',
  'bpmn:ParallelGateway',
  'bpmn:EventBasedGateway',
  'bpmn:SequenceFlow',
]);

// The event definitions each kind of event may have (none: always allowed but where noted).
const EVENT_DEFINITIONS = {
  'bpmn:StartEvent': ['bpmn:MessageEventDefinition'],
  'bpmn:EndEvent': [
    'bpmn:TerminateEventDefinition',
    'bpmn:MessageEventDefinition',
    'bpmn:ErrorEventDefinition',
  ],
  'bpmn:IntermediateCatchEvent': ['bpmn:TimerEventDefinition', 'bpmn:MessageEventDefinition'],
  'bpmn:IntermediateThrowEvent': ['bpmn:MessageEventDefinition'],
  'bpmn:BoundaryEvent': [
    'bpmn:TimerEventDefinition',
    'bpmn:MessageEventDefinition',
    'bpmn:ErrorEventDefinition',
  ],
};
const EVENT_SUBPROCESS_STARTS = [
  'bpmn:TimerEventDefinition',
  'bpmn:MessageEventDefinition',
  'bpmn:ErrorEventDefinition',
];

// True when `inner` is (transitively) inside container `outer`.
function isInside(inner, outer) {
  for (let p = inner.$parent; p; p = p.$parent) {
    if (p === outer) return true;
  }
  return false;
}

// How far (in diagram units) an edge's end may be from its shape's bounding box.
const TOUCH_TOLERANCE = 2;

function rect(bounds) {
  return { x: bounds.x, y: bounds.y, w: bounds.width, h: bounds.height };
}

// True when the interiors of a and b intersect (touching borders is fine).
function overlaps(a, b) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

function touches(point, r) {
  const t = TOUCH_TOLERANCE;
  return (
    point.x >= r.x - t && point.x <= r.x + r.w + t && point.y >= r.y - t && point.y <= r.y + r.h + t
  );
}

// All flow elements of a container, descending into sub-processes.
function flowElementsOf(container) {
  const out = [];
  for (const el of container.flowElements || []) {
    out.push(el);
    if (el.flowElements) out.push(...flowElementsOf(el));
  }
  return out;
}

function engineProblems(el) {
  const type = el.$type;
  if (!SUPPORTED.has(type)) {
    return [`${type} '${el.id}' is not supported by the pmiflow engine`];
  }
  const defs = el.eventDefinitions || [];
  const allowed =
    type === 'bpmn:StartEvent' && el.$parent?.triggeredByEvent
      ? EVENT_SUBPROCESS_STARTS
      : EVENT_DEFINITIONS[type];
  if (allowed) {
    const other = defs.filter((d) => !allowed.includes(d.$type));
    if (defs.length > 1 || other.length > 0) {
      return [`${type} '${el.id}' has ${defs.map((d) => d.$type).join(', ')}: the engine runs ${allowed.join(', ')}`];
    }
  }
  if (type === 'bpmn:SequenceFlow' && el.conditionExpression) {
    const body = (el.conditionExpression.body || '').trim();
    if (!body.startsWith('=')) {
      return [`sequence flow '${el.id}': condition "${body}" must be a FEEL expression starting with '='`];
    }
  }
  return [];
}

async function checkFile(file, { anyBpmn }) {
  const problems = [];
  const warnings = [];
  let xml;
  try {
    xml = await readFile(file, 'utf8');
  } catch (err) {
    return { problems: [`cannot read: ${err.message}`], warnings };
  }

  const moddle = new BpmnModdle({ zeebe: zeebeDescriptor });
  let result;
  try {
    result = await moddle.fromXML(xml, 'bpmn:Definitions');
  } catch (err) {
    problems.push(`does not parse: ${err.message.replace(/\s+/g, ' ').trim()}`);
    for (const w of err.warnings || []) warnings.push(w.message.replace(/\s+/g, ' ').trim());
    return { problems, warnings };
  }
  for (const w of result.warnings) warnings.push(w.message.replace(/\s+/g, ' ').trim());

  const definitions = result.rootElement;
  if (!definitions || definitions.$type !== 'bpmn:Definitions') {
    problems.push('root element is not bpmn:definitions');
    return { problems, warnings };
  }
  const processes = (definitions.rootElements || []).filter((e) => e.$type === 'bpmn:Process');
  if (processes.length === 0) problems.push('no bpmn:process');

  // Diagram elements by the id of the model element they show.
  const shapes = new Map();
  const edges = new Map();
  for (const diagram of definitions.diagrams || []) {
    for (const de of diagram.plane?.planeElement || []) {
      const target = de.bpmnElement;
      if (!target) {
        problems.push(`diagram element '${de.id}' refers to no model element`);
        continue;
      }
      if (de.$type === 'bpmndi:BPMNShape') {
        if (shapes.has(target.id)) problems.push(`'${target.id}' has more than one BPMNShape`);
        shapes.set(target.id, de);
      } else if (de.$type === 'bpmndi:BPMNEdge') {
        if (edges.has(target.id)) problems.push(`'${target.id}' has more than one BPMNEdge`);
        edges.set(target.id, de);
      }
    }
  }

  for (const process of processes) {
    const elements = flowElementsOf(process);
    const nodes = elements.filter((e) => e.$instanceOf('bpmn:FlowNode'));
    const flows = elements.filter((e) => e.$type === 'bpmn:SequenceFlow');

    if (!anyBpmn) {
      for (const el of elements) problems.push(...engineProblems(el));
    }

    const nodeRects = [];
    for (const node of nodes) {
      const shape = shapes.get(node.id);
      if (!shape) {
        problems.push(`flow node '${node.id}' has no BPMNShape`);
        continue;
      }
      if (!shape.bounds) {
        problems.push(`BPMNShape of '${node.id}' has no dc:Bounds`);
        continue;
      }
      nodeRects.push({ node, r: rect(shape.bounds) });
    }

    for (const flow of flows) {
      const edge = edges.get(flow.id);
      if (!edge) {
        problems.push(`sequence flow '${flow.id}' has no BPMNEdge`);
        continue;
      }
      const wps = edge.waypoint || [];
      if (wps.length < 2) {
        problems.push(`BPMNEdge of '${flow.id}' has ${wps.length} waypoint(s), needs at least 2`);
        continue;
      }
      const src = shapes.get(flow.sourceRef?.id);
      const tgt = shapes.get(flow.targetRef?.id);
      if (src?.bounds && !touches(wps[0], rect(src.bounds))) {
        problems.push(`BPMNEdge of '${flow.id}' does not start on its source '${flow.sourceRef.id}'`);
      }
      if (tgt?.bounds && !touches(wps[wps.length - 1], rect(tgt.bounds))) {
        problems.push(`BPMNEdge of '${flow.id}' does not end on its target '${flow.targetRef.id}'`);
      }
    }

    // Overlapping shapes (a boundary event sits on its host by design).
    for (let i = 0; i < nodeRects.length; i++) {
      for (let j = i + 1; j < nodeRects.length; j++) {
        const a = nodeRects[i];
        const b = nodeRects[j];
        const attached =
          a.node.attachedToRef?.id === b.node.id || b.node.attachedToRef?.id === a.node.id;
        const nested = isInside(a.node, b.node) || isInside(b.node, a.node);
        if (!attached && !nested && overlaps(a.r, b.r)) {
          problems.push(`shapes of '${a.node.id}' and '${b.node.id}' overlap`);
        }
      }
    }

    // Labels (of events, gateways, flows) lying on a flow node shape.
    const labelled = [...nodes, ...flows]
      .map((el) => ({ el, de: shapes.get(el.id) || edges.get(el.id) }))
      .filter(({ de }) => de?.label?.bounds);
    for (const { el, de } of labelled) {
      const lr = rect(de.label.bounds);
      for (const { node, r } of nodeRects) {
        if (isInside(el, node)) continue;
        if (overlaps(lr, r)) problems.push(`label of '${el.id}' lies on the shape of '${node.id}'`);
      }
    }
  }

  return { problems, warnings };
}

async function main() {
  const args = process.argv.slice(2);
  const anyBpmn = args.includes('--any-bpmn');
  const files = args.filter((a) => a !== '--any-bpmn');
  if (files.length === 0) {
    console.error('usage: node check.mjs [--any-bpmn] FILE...');
    process.exit(2);
  }
  let failed = false;
  for (const file of files) {
    const { problems, warnings } = await checkFile(file, { anyBpmn });
    for (const w of warnings) console.log(`${file}: warning: ${w}`);
    for (const p of problems) console.log(`${file}: error: ${p}`);
    if (problems.length || warnings.length) {
      failed = true;
      console.log(`${file}: FAILED (${problems.length} error(s), ${warnings.length} warning(s))`);
    } else {
      console.log(`${file}: OK`);
    }
  }
  process.exit(failed ? 1 : 0);
}

main();
