/**
 * What `npm run diff` finds between two renderings of an environment, as data: the report
 * (manifestDiffReport.ts) only lays it out, and tests assert on it without parsing text.
 */
import type { Json, JsonObject } from './manifestDiffValues';

/** One object of a rendering and the manifest file it is in (`processing.k8s.yaml`). */
export interface ManifestObject {
  readonly file: string;
  readonly object: JsonObject;
}

/** A field whose value differs; `undefined` is a field that is absent on that side. */
export interface FieldChange {
  readonly type: 'field';
  readonly path: string;
  readonly before: Json | undefined;
  readonly after: Json | undefined;
}

/** A list of scalars compared as a set: the values that appeared and those that went. */
export interface ListChange {
  readonly type: 'list';
  readonly path: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

/** A statement field: Effect as old → new, every other field as sorted values added and removed. */
export type StatementFieldChange =
  | { readonly field: string; readonly kind: 'scalar'; readonly before: string | undefined; readonly after: string | undefined }
  | { readonly field: string; readonly kind: 'values'; readonly added: readonly string[]; readonly removed: readonly string[] };

/** A statement in brief: its label (Sid, else `#<position>`) and what it allows or denies on what. */
export interface StatementSummary {
  readonly label: string;
  readonly effect: string;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
}

export interface PolicyChange {
  readonly type: 'policy';
  readonly path: string;
  readonly added: readonly StatementSummary[];
  readonly removed: readonly StatementSummary[];
  readonly changed: readonly { readonly label: string; readonly fields: readonly StatementFieldChange[] }[];
  /** Fields of the document beside its statements (`Version`, `Id`). */
  readonly document: readonly FieldChange[];
}

/** Where a widget sits on the dashboard grid. */
export interface WidgetPlace {
  readonly x: number | undefined;
  readonly y: number | undefined;
  readonly width: number | undefined;
  readonly height: number | undefined;
}

export interface WidgetChange {
  readonly title: string;
  readonly moved?: { readonly before: WidgetPlace; readonly after: WidgetPlace };
  readonly fields: readonly Change[];
}

export interface DashboardChange {
  readonly type: 'dashboard';
  readonly path: string;
  readonly added: readonly { readonly title: string; readonly place: WidgetPlace }[];
  readonly removed: readonly string[];
  readonly changed: readonly WidgetChange[];
  /** Fields of the body beside its widgets (`periodOverride`, `start`). */
  readonly body: readonly Change[];
}

/** A Lambda function's code, named by its sources rather than by its base64 zip. */
export interface CodeChange {
  readonly type: 'code';
  /** False when the sources changed but bundled to the same zip (a comment, a type): Lambda keeps its code. */
  readonly bundleChanged: boolean;
  /** Absent when a side has no source list; `note` then says which. */
  readonly sources?: {
    readonly changed: readonly string[];
    readonly added: readonly string[];
    readonly removed: readonly string[];
    /** Packages whose version changed or that came or went (`@scope/name`, version undefined when absent). */
    readonly packages: readonly { readonly name: string; readonly before: string | undefined; readonly after: string | undefined }[];
  };
  readonly note?: string;
}

/** A create-only field that changed: the object must be replaced, not updated. */
export interface ReplacementChange {
  readonly type: 'replacement';
  readonly path: string;
  readonly before: Json | undefined;
  readonly after: Json | undefined;
  readonly replacement: string;
}

/** The object moved to another manifest file (another chart). */
export interface FileChange {
  readonly type: 'file';
  readonly before: string;
  readonly after: string;
}

export type Change = FieldChange | ListChange | PolicyChange | DashboardChange | CodeChange | ReplacementChange | FileChange;

export interface ObjectRef {
  /** `Function lambda-processor-dev`; the API group and namespace are added only where the kind or name alone is ambiguous. */
  readonly label: string;
  readonly file: string;
}

/** A removed object; `loses` and `todo` when pruning it deletes data (scripts/lib/dataDeletionProblems.ts). */
export interface RemovedObject extends ObjectRef {
  readonly loses?: string;
  readonly todo?: string;
}

export interface ChangedObject extends ObjectRef {
  readonly changes: readonly Change[];
}

/**
 * A rendering of an environment: the objects Argo CD syncs, and the JSON documents applied by hand
 * (`controller-iam/<controller>.json`, `controller-iam/iam-role-boundary.json`: path below
 * `manifests/<env>/` → content).
 */
export interface Rendering {
  readonly objects: readonly ManifestObject[];
  readonly documents: Readonly<Record<string, string>>;
}

/** A hand-applied document whose content changed: its policy statements, or its fields when it is no policy. */
export interface ChangedDocument {
  readonly file: string;
  readonly changes: readonly Change[];
}

export interface DocumentsDiff {
  readonly changed: readonly ChangedDocument[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

export interface EnvironmentDiff {
  readonly environment: string;
  readonly changed: readonly ChangedObject[];
  readonly added: readonly ObjectRef[];
  readonly removed: readonly RemovedObject[];
  /** The controller IAM documents, which Argo CD does not apply: each change is a step before the sync. */
  readonly documents: DocumentsDiff;
  /** Why the whole environment looks added or removed (its config file came or went). */
  readonly note?: string;
}
