/**
 * The report of `npm run diff`: per environment a summary line, then the objects added, removed
 * and changed with what changed in them, as markdown (a pull-request comment) or plain text.
 * Every line is cut with `…` to MAX_LINE_CHARS, so a huge value never floods a review; a long changed
 * value is shown around its first difference, so two values that differ late never print alike.
 */
import { cut } from './cut';
import { differenceWindows } from './differenceWindows';
import type { Change, ChangedDocument, CodeChange, DashboardChange, EnvironmentDiff, ObjectRef, PolicyChange, StatementFieldChange, StatementSummary, WidgetPlace } from './manifestDiffTypes';
import { Json, MAX_VALUE_CHARS } from './manifestDiffValues';
import { showValue } from './showValue';
import { valueText } from './valueText';

export const MAX_LINE_CHARS = 300;
export const REPORT_FORMATS = ['markdown', 'text'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Objects changed in exactly the same way are listed as one entry from this many on (a tag on every object). */
const GROUP_FROM = 3;

type Segment = string | { readonly code: string } | { readonly strong: string };

interface Line {
  readonly segments: readonly Segment[];
  readonly children?: readonly Line[];
}

const code = (text: string): Segment => ({ code: cut(text, MAX_VALUE_CHARS) });
const line = (segments: readonly Segment[], children: readonly Line[] = []): Line => ({ segments, children });
const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;
const value = (json: Json | undefined): Segment => (json === undefined ? '(none)' : code(showValue(json)));
/**
 * `old → new`; when a side is too long to show whole, both sides cut to a window around their first
 * difference, with its position, so two values that only differ late never print alike.
 */
function valueChange(before: Json | undefined, after: Json | undefined): Segment[] {
  const fits = (json: Json | undefined): boolean => json === undefined || (JSON.stringify(json) ?? '').length <= MAX_VALUE_CHARS;
  if (before === undefined || after === undefined || (fits(before) && fits(after))) return [value(before), ' → ', value(after)];
  const windows = differenceWindows(valueText(before), valueText(after));
  return [`first difference at character ${windows.offset + 1}: `, code(windows.before), ' → ', code(windows.after)];
}
const plainLength = (segments: readonly Segment[]): number => segments.reduce((sum, segment) => sum + (typeof segment === 'string' ? segment : 'code' in segment ? segment.code : segment.strong).length + 2, 0);

/** `label: a, b, c` on one line while it fits, else the label with one child line per item. */
function itemsLine(label: readonly Segment[], items: readonly (readonly Segment[])[], separator = ', '): Line {
  const inline = items.flatMap((item, index) => (index === 0 ? item : [separator, ...item]));
  if (plainLength([...label, ...inline]) <= MAX_LINE_CHARS - 40) return line([...label, ...inline]);
  const last = label[label.length - 1];
  const head = typeof last === 'string' ? [...label.slice(0, -1), last.trimEnd()] : label;
  return line(head, items.map((item) => line(item)));
}

const signed = (added: readonly string[], removed: readonly string[]): Segment[][] => [...added.map((item) => [code(`+ ${item}`)]), ...removed.map((item) => [code(`- ${item}`)])];

function statementFieldLine(change: StatementFieldChange): Line {
  if (change.kind === 'scalar') return line([`${change.field}: `, ...valueChange(change.before, change.after)]);
  return itemsLine([`${change.field}: `], signed(change.added, change.removed));
}

function statementSummary(prefix: string, statement: StatementSummary): Line {
  const on = statement.resources.length > 0 ? [' on ', code(statement.resources.join(', '))] : [];
  return line([`${prefix} statement `, code(statement.label), `: ${statement.effect} `, code(statement.actions.join(', ')), ...on]);
}

/** A child line folded into its parent when it is the only one: `statement X Action: + a`. */
function withDetails(head: readonly Segment[], details: readonly Line[]): Line {
  if (details.length === 1 && (details[0].children ?? []).length === 0) return line([...head, ' ', ...details[0].segments]);
  return line(head, details);
}

/** `head: policy, 1 statement changed` with a line per statement; `head` is the path, or the document's name for a whole document. */
function policyLine(change: PolicyChange, head: readonly Segment[] = [code(change.path), ': ']): Line {
  const counts = [
    change.added.length > 0 ? `${plural(change.added.length, 'statement')} added` : '',
    change.removed.length > 0 ? `${plural(change.removed.length, 'statement')} removed` : '',
    change.changed.length > 0 ? `${plural(change.changed.length, 'statement')} changed` : '',
  ].filter((count) => count !== '');
  return line(
    [...head, `policy${counts.length > 0 ? `, ${counts.join(', ')}` : ''}`],
    [
      ...change.document.map(changeLine),
      ...change.added.map((statement) => statementSummary('+', statement)),
      ...change.removed.map((statement) => statementSummary('-', statement)),
      ...change.changed.map(({ label, fields }) => withDetails(['statement ', code(label)], fields.map(statementFieldLine))),
    ],
  );
}

const place = ({ x, y, width, height }: WidgetPlace): string => `(${x ?? '?'},${y ?? '?'}) ${width ?? '?'}×${height ?? '?'}`;

function dashboardLine(change: DashboardChange): Line {
  const changedCount = change.changed.filter(({ fields }) => fields.length > 0).length;
  const movedCount = change.changed.filter(({ moved }) => moved !== undefined).length;
  const counts = [
    [changedCount, 'changed'],
    [movedCount, 'moved'],
    [change.added.length, 'added'],
    [change.removed.length, 'removed'],
  ]
    .filter(([count]) => count !== 0)
    .map(([count, what], index) => (index === 0 ? `${plural(Number(count), 'widget')} ${what}` : `${count} ${what}`));
  return line(
    [code(change.path), `: dashboard${counts.length > 0 ? `, ${counts.join(', ')}` : ''}`],
    [
      ...change.body.map(changeLine),
      ...change.added.map(({ title, place: at }) => line(['+ widget ', code(title), ` at ${place(at)}`])),
      ...change.removed.map((title) => line(['- widget ', code(title)])),
      ...change.changed.map(({ title, moved, fields }) =>
        withDetails(['widget ', code(title), ...(moved ? [` moved ${place(moved.before)} → ${place(moved.after)}`] : [])], fields.map(changeLine)),
      ),
    ],
  );
}

function codeLine(change: CodeChange): Line {
  if (change.sources === undefined || change.note !== undefined) {
    return line([change.bundleChanged ? `code changed (${change.note ?? 'no source list'})` : `code: bundle unchanged, ${change.note ?? 'source list changed'}`]);
  }
  const { changed, added, removed, packages } = change.sources;
  const items: Segment[][] = [
    ...changed.map((path) => [code(path), ' changed']),
    ...added.map((path) => [code(path), ' added']),
    ...removed.map((path) => [code(path), ' removed']),
    ...packages.map(({ name, before, after }): Segment[] =>
      before === undefined ? [code(`${name}@${after}`), ' added'] : after === undefined ? [code(`${name}@${before}`), ' removed'] : [code(`${name}@${before}`), ' → ', code(`${name}@${after}`)],
    ),
  ];
  const head = change.bundleChanged ? 'code: ' : 'code (sources changed, bundle unchanged): ';
  const folded = itemsLine([head], items, '; ');
  if ((folded.children ?? []).length === 0) return folded;
  const files = `${changed.length} changed, ${added.length} added, ${removed.length} removed source files, ${plural(packages.length, 'package')} changed`;
  return line([`${head}${files}`], folded.children);
}

function changeLine(change: Change): Line {
  switch (change.type) {
    case 'field':
      return line([code(change.path), ': ', ...valueChange(change.before, change.after)]);
    case 'list':
      return itemsLine([code(change.path), ': '], signed(change.added, change.removed));
    case 'replacement':
      // The advice is clauses separated by `;`: one line each keeps every word under the line bound.
      return line(
        [{ strong: 'REPLACEMENT' }, ' ', code(change.path), ': ', ...valueChange(change.before, change.after), ' (create-only); to apply:'],
        change.replacement.split('; ').map((clause) => line([clause])),
      );
    case 'file':
      return line(['moved from ', code(change.before), ' to ', code(change.after)]);
    case 'code':
      return codeLine(change);
    case 'policy':
      return policyLine(change);
    case 'dashboard':
      return dashboardLine(change);
  }
}

function environmentLines(diff: EnvironmentDiff): Line[] {
  const groups = new Map<string, { members: ObjectRef[]; details: Line[] }>();
  for (const object of diff.changed) {
    const details = object.changes.map(changeLine);
    // Keyed on the changes themselves: their lines cut long values, and two different changes may print alike.
    const key = JSON.stringify(object.changes);
    const group = groups.get(key) ?? { members: [], details };
    group.members.push(object);
    groups.set(key, group);
  }
  const changed = [...groups.values()].flatMap(({ members, details }) => {
    if (members.length < GROUP_FROM) return members.map(({ label, file }) => line([{ strong: 'changed' }, ' ', code(label), ` (${file})`], details));
    const names: Segment[] = members.flatMap(({ label }, index) => (index === 0 ? [code(label)] : [', ', code(label)]));
    return [line([{ strong: 'changed' }, ` alike, ${members.length} objects: `, ...names], details)];
  });
  return [
    ...changed,
    ...diff.added.map(({ label, file }) => line([{ strong: 'added' }, ' ', code(label), ` (${file})`])),
    ...diff.removed.map(({ label, file, loses, todo }) =>
      line([
        { strong: 'removed' },
        ' ',
        code(label),
        ` (${file})`,
        ...(loses === undefined ? [] : [': ', { strong: 'DATA LOSS' }, `: Argo CD prunes it and ${loses}; ${todo ?? ''}`]),
      ]),
    ),
    ...documentLines(diff),
  ];
}

/** A changed IAM document: a whole policy as its statements, anything else as its fields. */
function changedDocumentLine({ file, changes }: ChangedDocument): Line {
  const head: Segment[] = [{ strong: 'changed' }, ' IAM document ', code(file), ': '];
  const [only] = changes;
  if (changes.length === 1 && only.type === 'policy' && only.path === '') return policyLine(only, head);
  return line(head.slice(0, -1), changes.map(changeLine));
}

function documentLines({ documents }: EnvironmentDiff): Line[] {
  return [
    ...documents.changed.map(changedDocumentLine),
    ...documents.added.map((file) => line([{ strong: 'added' }, ' IAM document ', code(file)])),
    ...documents.removed.map((file) => line([{ strong: 'removed' }, ' IAM document ', code(file)])),
  ];
}

/**
 * `dev: 1 changed, 0 added, 0 removed`, then the controller IAM documents when any differ (they are applied
 * by hand before the sync) and the note of an environment that came or went.
 */
function summaryLine(diff: EnvironmentDiff): string {
  const { documents } = diff;
  const documentCount = documents.changed.length + documents.added.length + documents.removed.length;
  const iam = documentCount === 0 ? '' : `; IAM documents: ${documents.changed.length} changed, ${documents.added.length} added, ${documents.removed.length} removed`;
  return `${diff.environment}: ${diff.changed.length} changed, ${diff.added.length} added, ${diff.removed.length} removed${iam}${diff.note === undefined ? '' : ` (${diff.note})`}`;
}

function renderSegments(indent: string, segments: readonly Segment[], format: ReportFormat): string {
  let text = indent;
  for (const segment of segments) {
    const content = (typeof segment === 'string' ? segment : 'code' in segment ? segment.code : segment.strong).replace(/\s*\n\s*/g, ' ');
    const fence = format === 'markdown' && typeof segment !== 'string' ? ('code' in segment ? (content.includes('`') ? '`` ' : '`') : '**') : '';
    const closing = fence === '`` ' ? ' ``' : fence;
    const room = MAX_LINE_CHARS - text.length - fence.length - closing.length;
    if (content.length <= room) {
      text += `${fence}${content}${closing}`;
      continue;
    }
    text += room >= 2 ? `${fence}${cut(content, room)}${closing}` : cut('…', MAX_LINE_CHARS - text.length);
    break;
  }
  return text;
}

function renderLines(lines: readonly Line[], depth: number, format: ReportFormat): string[] {
  return lines.flatMap((entry) => [
    renderSegments(format === 'markdown' ? `${'  '.repeat(depth)}- ` : '  '.repeat(depth + 1), entry.segments, format),
    ...renderLines(entry.children ?? [], depth + 1, format),
  ]);
}

/** The whole report: a line naming the base, then per environment its summary and its objects. */
export function formatReport(diffs: readonly EnvironmentDiff[], format: ReportFormat, base: string): string {
  const title = renderSegments('', [`Rendered manifests of the working tree compared with ${base}`], format);
  const sections = diffs.map((diff) => {
    const heading = format === 'markdown' ? `## ${summaryLine(diff)}` : summaryLine(diff);
    const body = renderLines(environmentLines(diff), 0, format);
    return [heading, ...(body.length > 0 && format === 'markdown' ? [''] : []), ...body].join('\n');
  });
  return `${[title, ...sections].join('\n\n')}\n`;
}
