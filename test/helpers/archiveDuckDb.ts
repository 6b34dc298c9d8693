/**
 * The Glue tables of charts/analytics.ts as DuckDB views over a local folder laid out like the archive
 * bucket, so the named queries run on real objects without AWS. The translation, kept to what differs:
 *
 * 1. Columns: DuckDB's read_json matches JSON keys case-sensitively, the OpenX SerDe (case.insensitive)
 *    does not; the view reads each column by its JSON key (`assetId`) and SQL names it in any case, as
 *    Athena does with the lower-case Glue name (`assetid`). Hive types become DuckDB types.
 * 2. Partitions: Athena computes them from `storage.location.template`; the view extracts them from each
 *    object's path with the same template turned into a regular expression.
 * 3. `ignore.malformed.json` is read_json's `ignore_errors`.
 * 4. SQL: Trino's `CROSS JOIN UNNEST(<array of rows>) AS r (f1, ...)` expands the rows into columns; DuckDB
 *    spells it `CROSS JOIN LATERAL (SELECT UNNEST(<array>, recursive := true)) AS r (f1, ...)`.
 * 5. Execution parameters: Athena pastes each one's text into the SQL (athenaExecutionSql); DuckDB binds
 *    typed values, where it also coerces what Trino refuses (a string column = an integer).
 * Everything else in the named queries is SQL both engines accept unchanged.
 */

export interface GlueColumn {
  readonly name: string;
  readonly type: string;
}

/** The parts of a rendered CatalogTable the translation reads. */
export interface GlueTableSpec {
  readonly name: string;
  readonly columns: readonly GlueColumn[];
  readonly partitionKeys: readonly GlueColumn[];
  readonly parameters: Readonly<Record<string, string>>;
  readonly location: string;
  readonly ignoreMalformed: boolean;
}

/** Splits `a:int,b:array<x>` at top-level commas. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '<') depth += 1;
    if (char === '>') depth -= 1;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

/** A Hive type (`array<struct<metric:string,ts:bigint>>`) as a DuckDB type (`STRUCT(metric VARCHAR, ts BIGINT)[]`). */
export function duckDbType(hive: string): string {
  const type = hive.trim();
  const scalar: Record<string, string> = { string: 'VARCHAR', int: 'INTEGER', bigint: 'BIGINT', double: 'DOUBLE', boolean: 'BOOLEAN' };
  if (scalar[type] !== undefined) return scalar[type];
  const array = /^array<(.+)>$/.exec(type);
  if (array) return `${duckDbType(array[1] ?? '')}[]`;
  const struct = /^struct<(.+)>$/.exec(type);
  if (struct) {
    const fields = splitTopLevel(struct[1] ?? '').map((field) => {
      const colon = field.indexOf(':');
      return `${field.slice(0, colon)} ${duckDbType(field.slice(colon + 1))}`;
    });
    return `STRUCT(${fields.join(', ')})`;
  }
  throw new Error(`duckDbType: no DuckDB type for Hive type "${hive}"`);
}

/** The location template as a regular expression over local paths, one capture group per partition, in template order. */
export function templatePattern(template: string, bucketUri: string): { pattern: string; partitions: string[] } {
  const relative = template.slice(bucketUri.length);
  const partitions: string[] = [];
  const pattern = relative
    .split(/(\$\{[a-z_]+\})/)
    .map((part) => {
      const variable = /^\$\{([a-z_]+)\}$/.exec(part);
      if (variable) {
        partitions.push(variable[1] ?? '');
        return '([^/]+)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return { pattern, partitions };
}

const quote = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/**
 * `CREATE VIEW <table>` over `<root>/<table location under the bucket>`: the JSON keys of `jsonKeys`
 * (Glue column name -> JSON key), the partitions from the template, malformed lines skipped as the table says.
 */
export function createViewSql(table: GlueTableSpec, bucketUri: string, root: string, jsonKeys: Readonly<Record<string, string>>, extension: string): string {
  const columns = table.columns.map((column) => `${quote(jsonKeys[column.name] ?? column.name)}: ${quote(duckDbType(column.type))}`).join(', ');
  const { pattern, partitions } = templatePattern(table.parameters['storage.location.template'] ?? '', bucketUri);
  const partitionColumns = partitions.map((name, index) => `regexp_extract(filename, ${quote(pattern)}, ${index + 1}) AS ${name}`);
  const files = `${root}/${table.location.slice(bucketUri.length)}**/*${extension}`;
  return [
    `CREATE VIEW ${table.name} AS SELECT ${[...table.columns.map((column) => jsonKeys[column.name] ?? column.name), ...partitionColumns].join(', ')}`,
    `FROM read_json(${quote(files)}, format = 'newline_delimited', hive_partitioning = false, filename = true, ignore_errors = ${table.ignoreMalformed}, columns = {${columns}})`,
    `WHERE regexp_matches(filename, ${quote(pattern)})`,
  ].join(' ');
}

/** The one difference of the named queries' SQL: Trino's row-expanding UNNEST as DuckDB's lateral recursive unnest. */
export function toDuckDbSql(athenaSql: string): string {
  return athenaSql
    .replace(/CROSS JOIN UNNEST\((\w+)\) WITH ORDINALITY AS (\w+) \(/g, 'CROSS JOIN LATERAL (SELECT UNNEST($1, recursive := true), generate_subscripts($1, 1)) AS $2 (')
    .replace(/CROSS JOIN UNNEST\((\w+)\) AS (\w+) \(/g, 'CROSS JOIN LATERAL (SELECT UNNEST($1, recursive := true)) AS $2 (');
}

/**
 * The SQL Athena runs for a query with execution parameters: each `?` in order replaced by its
 * parameter's text as it is (the console's fields, `--execution-parameters`), not bound as a typed
 * value. So `'2026-01-02'` is a string literal, and an unquoted 2026-01-02 is integer arithmetic.
 * The named queries hold no `?` inside a string literal.
 */
export function athenaExecutionSql(sql: string, parameters: readonly string[]): string {
  const pieces = sql.split('?');
  if (pieces.length - 1 !== parameters.length) throw new Error(`athenaExecutionSql: the SQL has ${pieces.length - 1} parameters, got ${parameters.length}`);
  return pieces.map((piece, index) => `${index === 0 ? '' : parameters[index - 1]}${piece}`).join('');
}
