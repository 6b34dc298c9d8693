/**
 * CloudWatch dashboard bodies (`{widgets: [...]}`) compared widget by widget, paired by title:
 * widgets added, removed, moved on the grid, and changed with the paths that changed inside them.
 */
import { formatPath } from './formatPath';
import { isObject } from './isObject';
import { diffFields } from './manifestDiffFields';
import type { DashboardChange, WidgetChange, WidgetPlace } from './manifestDiffTypes';
import { Json, JsonObject, PathStep } from './manifestDiffValues';

const GRID = ['x', 'y', 'width', 'height'] as const;

interface Widget {
  readonly title: string;
  readonly widget: JsonObject;
}

/** Widgets with a unique title each: untitled ones are named by type and rank, repeated titles get `(2)`, `(3)`. */
function widgetsOf(body: JsonObject): Widget[] {
  const seen = new Map<string, number>();
  return (body.widgets as Json[]).map((entry) => {
    const widget = isObject(entry) ? entry : {};
    const properties = isObject(widget.properties) ? widget.properties : {};
    const base = typeof properties.title === 'string' && properties.title !== '' ? properties.title : `untitled ${String(widget.type ?? 'widget')}`;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return { title: count === 1 ? base : `${base} (${count})`, widget };
  });
}

function placeOf(widget: JsonObject): WidgetPlace {
  const number = (value: Json | undefined): number | undefined => (typeof value === 'number' ? value : undefined);
  return { x: number(widget.x), y: number(widget.y), width: number(widget.width), height: number(widget.height) };
}

function withoutGrid(widget: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(widget).filter(([key]) => !(GRID as readonly string[]).includes(key)));
}

export function diffDashboard(steps: readonly PathStep[], before: JsonObject, after: JsonObject): DashboardChange {
  const old = new Map(widgetsOf(before).map(({ title, widget }) => [title, widget]));
  const now = widgetsOf(after);
  const added: { title: string; place: WidgetPlace }[] = [];
  const changed: WidgetChange[] = [];
  for (const { title, widget } of now) {
    const partner = old.get(title);
    if (partner === undefined) {
      added.push({ title, place: placeOf(widget) });
      continue;
    }
    const [from, to] = [placeOf(partner), placeOf(widget)];
    const moved = GRID.some((key) => from[key] !== to[key]);
    const fields = diffFields(withoutGrid(partner), withoutGrid(widget), []);
    if (moved || fields.length > 0) changed.push({ title, ...(moved ? { moved: { before: from, after: to } } : {}), fields });
  }
  const titles = new Set(now.map(({ title }) => title));
  const removed = [...old.keys()].filter((title) => !titles.has(title));
  const rest = (body: JsonObject): JsonObject => Object.fromEntries(Object.entries(body).filter(([key]) => key !== 'widgets'));
  return { type: 'dashboard', path: formatPath(steps), added, removed, changed, body: diffFields(rest(before), rest(after), []) };
}
