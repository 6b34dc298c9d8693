import { isMap, isScalar, isSeq, LineCounter, parse, parseDocument, YAMLParseError, type Node } from 'yaml';
import { ConfigSyntaxError } from './config';

const VALID_YAML = 'expected valid YAML';

/** A key that repeats one of its mapping: its dotted field path and the line of its first occurrence. */
interface DuplicateKey {
  readonly field: string;
  readonly firstLine: number;
}

/** The key that starts at `offset` when it repeats a key of its mapping (yaml reports only the position). */
function duplicateKeyAt(text: string, offset: number): DuplicateKey | undefined {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { uniqueKeys: false, lineCounter });
  const walk = (node: unknown, path: string): DuplicateKey | undefined => {
    if (isSeq(node)) {
      for (const [index, item] of node.items.entries()) {
        const found = walk(item, `${path}[${index}]`);
        if (found) return found;
      }
    }
    if (!isMap(node)) return undefined;
    const seen = new Map<unknown, Node>();
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? pair.key.value : String(pair.key);
      const field = path === '' ? String(key) : `${path}.${String(key)}`;
      const first = seen.get(key);
      if (first?.range && isScalar(pair.key) && pair.key.range?.[0] === offset) return { field, firstLine: lineCounter.linePos(first.range[0]).line };
      if (first === undefined && isScalar(pair.key)) seen.set(key, pair.key);
      const found = walk(pair.value, field);
      if (found) return found;
    }
    return undefined;
  };
  return walk(document.contents, '');
}

/**
 * Parses the text of `file`. A problem is a ConfigSyntaxError naming where it is: the key, for a key written
 * twice in one mapping (which YAML forbids and which would otherwise hide one of the values), or the line and column.
 */
export function parseConfigYaml(file: string, text: string): unknown {
  try {
    return parse(text);
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    if (!(error instanceof YAMLParseError)) throw new ConfigSyntaxError(file, '(document)', reason, VALID_YAML);
    const position = error.linePos?.[0];
    const at = position === undefined ? 'unknown position' : `line ${position.line}, column ${position.col}`;
    const duplicate = error.code === 'DUPLICATE_KEY' ? duplicateKeyAt(text, error.pos[0]) : undefined;
    if (duplicate) throw new ConfigSyntaxError(file, duplicate.field, `key repeated at ${at}, first written at line ${duplicate.firstLine}`, `${VALID_YAML}, each key once in its mapping`);
    throw new ConfigSyntaxError(file, '(document)', `${reason.replace(/ at line \d+, column \d+:?$/, '')} at ${at}`, VALID_YAML);
  }
}
