import 'reflect-metadata';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { getMetadataStorage } from 'class-validator';

const ROOT = join(import.meta.dirname, '../..');

/** Constraints that say a property takes text. */
const TEXT_CONSTRAINTS = new Set([
  'isString',
  'maxLength',
  'minLength',
  'isEmail',
  'matches',
  'isUrl',
  'isNotEmpty',
]);

export interface StringField {
  /** `CustomerDto.name` */
  field: string;
  file: string;
  /** Held to a fixed list of values (IsIn): nothing typed can be stored in it. */
  choice: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/**
 * Every text property of every class Kehu validates input with (forms, API bodies, query strings,
 * settings sections): the classes of each source file under src/ that imports class-validator, the
 * server's own environment (src/config) aside.
 */
export async function stringFieldsOfForms(): Promise<StringField[]> {
  const storage = getMetadataStorage();
  const out = new Map<string, StringField>();
  for (const path of sourceFiles(join(ROOT, 'src'))) {
    const file = relative(ROOT, path);
    if (file.startsWith('src/config/') || !/from 'class-validator'/.test(readFileSync(path, 'utf8')))
      continue;
    const module = (await import(path)) as Record<string, unknown>;
    for (const value of Object.values(module)) {
      if (typeof value !== 'function' || !value.prototype) continue;
      const metas = storage.getTargetValidationMetadatas(value, '', true, false);
      // A property is named by the class that declares it: a subclass's copy is the same field.
      const byProperty = new Map<string, { owner: string; kinds: string[] }>();
      for (const m of metas) {
        const entry = byProperty.get(m.propertyName) ?? { owner: value.name, kinds: [] };
        // (A class @nestjs/swagger's IntersectionType or OmitType made is named for the class built from it.)
        if (
          typeof m.target === 'function' &&
          m.target !== value &&
          !/^(Intersection|Omit|Pick|Partial)/.test(m.target.name)
        )
          entry.owner = m.target.name;
        entry.kinds.push(m.name ?? m.type);
        byProperty.set(m.propertyName, entry);
      }
      for (const [property, { owner, kinds }] of byProperty) {
        const type = Reflect.getMetadata('design:type', value.prototype, property) as unknown;
        if (type !== String && !kinds.some((k) => TEXT_CONSTRAINTS.has(k))) continue;
        const field = `${owner}.${property}`;
        if (!out.has(field)) out.set(field, { field, file, choice: kinds.includes('isIn') });
      }
    }
  }
  return [...out.values()].sort((a, b) => a.field.localeCompare(b.field));
}
